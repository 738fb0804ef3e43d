"""Names of the output's classes: --labels FILE, an Output1d's outputs, the model's labels."""
import json

import numpy as np

import tspcli
from tspcli.io.class_names import class_names
from tspcli.scene.layout import Look, SceneBuilder, initial_state

DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def test_predict_names_the_top_class_from_a_labels_file(cli, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("\n".join(DIGITS) + "\n")
    result = cli("predict", "samples/digits.h5", "--input", "samples/digit_5.png", "--labels", names, "--json")
    assert result.code == 0
    assert json.loads(result.out)["outputs"]["digit"]["top"][0]["label"] == "five"


def test_a_labels_file_of_the_wrong_length_is_one_line_of_error(cli, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("cat\ndog\n")
    for command in ("predict", "render"):
        args = [command, "samples/digits.h5", "--labels", names]
        result = cli(*args, *(["-o", tmp_path / "out.png"] if command == "render" else []))
        assert result.code == 2 and result.err.count("\n") == 1
        assert str(names) in result.err and "2 names for outputs of 10 units" in result.err
    assert not (tmp_path / "out.png").exists()


def test_a_description_names_its_classes_with_labels(tmp_path):
    doc = tmp_path / "m.yaml"
    doc.write_text("model: {labels: [cat, dog, bird]}\nlayers:\n"
                   "  - {type: Input1d, name: x, shape: [4]}\n"
                   "  - {type: Output1d, name: out, units: 3}\n")
    model = tspcli.load(str(doc))
    out = model.get_layer("out")
    assert class_names(out, model) == ("cat", "dog", "bird")
    assert class_names(out, model, ("a", "b", "c")) == ("a", "b", "c")       # a file's names come first
    out.neural_value = np.array([0.1, 0.7, 0.2], np.float32)
    scene = SceneBuilder(model, Look(size=(320, 180))).build(initial_state(model, ["out"]))
    assert [label.text for label in scene.labels if label.key == "out/top"] == ["dog 0.70"]


def test_labels_must_match_an_output(cli, tmp_path):
    doc = tmp_path / "m.yaml"
    doc.write_text("model: {labels: [cat, dog]}\nlayers:\n"
                   "  - {type: Input1d, name: x, shape: [4]}\n"
                   "  - {type: Dense, name: out, units: 3}\n")
    result = cli("summary", doc)
    assert result.code == 2 and "2 labels, but no 1-D output has 2 units" in result.err
