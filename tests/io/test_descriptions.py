"""Descriptions: every kind of bad input gets one line with file:line, layer and key, and exit code 2."""
import json
import textwrap

import pytest

import tspcli
from tspcli.layers import DepthwiseConv2d, RGBInput, Conv2d, Add
from tspcli.model import Model, Sequential

GOOD_HEAD = "layers:\n  - {type: RGBInput, name: img, shape: [32, 32, 3]}\n"


def write(tmp_path, text, name="m.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return p


ERRORS = [
    # (description, line, words the message must contain)
    (GOOD_HEAD + "  - {type: Convv2d, name: c}\n", 3, ["layer 'c'", "unknown layer type 'Convv2d'", "Conv2d"]),
    (GOOD_HEAD + "  - {type: DepthwiseConv2d, name: dw, kernal_size: 3}\n", 3,
     ["key 'kernal_size'", "did you mean 'kernelSize'"]),
    (GOOD_HEAD + "  - {type: Conv2d, name: c, filters: three, kernelSize: 3}\n", 3,
     ["key 'filters'", "positive integer", "'three'"]),
    (GOOD_HEAD + "  - {type: Conv2d, name: c, filters: 4, kernelSize: 0}\n", 3, ["key 'kernelSize'", "positive"]),
    (GOOD_HEAD + "  - {type: Conv2d, name: c, filters: 4, kernelSize: 40}\n", 3, ["layer 'c'", "kernel 40x40 is larger than its input 32x32"]),
    (GOOD_HEAD + "  - type: DepthwiseConv2d\n    name: dw\n    kernelSize: 3\n    filters: 64\n", 6,
     ["key 'filters'", "depthMultiplier", "SeparableConv2d"]),
    (GOOD_HEAD + "  - {type: DepthwiseConv2d, name: dw, shape: [32, 32, 7]}\n", 3,
     ["key 'shape'", "not a multiple of the 3 input channels"]),
    (GOOD_HEAD + "  - {type: Conv2d, name: c, filters: 4, kernelSize: 3, shape: [32, 32, 4]}\n", 3,
     ["key 'shape'", "disagrees", "[30, 30, 4]"]),
    (GOOD_HEAD + "  - {type: Reshape, name: r, targetShape: [100, 7]}\n", 3, ["layer 'r'", "cannot reshape"]),
    (GOOD_HEAD + "  - {type: Conv2d, name: img, filters: 4, kernelSize: 3}\n", 3, ["duplicate layer name 'img'"]),
    (GOOD_HEAD + "  - {type: Dense, name: d, units: 4, activation: relux}\n", 3,
     ["key 'activation'", "unknown activation", "relu"]),
    ("model: {type: Model, inputs: [a], outputs: [d]}\nlayers:\n"
     "  - {type: RGBInput, name: a, shape: [8, 8, 3]}\n"
     "  - {type: Conv2d, name: b, filters: 4, kernelSize: 3, apply: a}\n"
     "  - {type: Add, name: d, apply: [b, a]}\n", 5, ["layer 'd'", "equal shapes", "b [6, 6, 4]", "a [8, 8, 3]"]),
    ("model: {type: Model, inputs: [a], outputs: [d]}\nlayers:\n"
     "  - {type: RGBInput, name: a, shape: [8, 8, 3]}\n"
     "  - {type: Conv2d, name: d, filters: 4, kernelSize: 3, apply: bb}\n", 4,
     ["apply refers to unknown layer 'bb'"]),
    ("model: {type: Model, inputs: [a], outputs: [c]}\nlayers:\n"
     "  - {type: RGBInput, name: a, shape: [8, 8, 3]}\n"
     "  - {type: Conv2d, name: b, filters: 3, kernelSize: 1, apply: c}\n"
     "  - {type: Conv2d, name: c, filters: 3, kernelSize: 1, apply: b}\n", 4, ["cycle"]),
    ("model: {type: Model}\nlayers:\n  - {type: RGBInput, name: a, shape: [8, 8, 3]}\n", None,
     ["needs inputs and outputs"]),
    ("model: {type: Sequential, animTime: 10}\n" + GOOD_HEAD, 1, ["key 'animTime'", "animeTime"]),
    ("layers:\n  - {type: RGBInput, shape: [100000, 100000, 3]}\n", 2, ["more than 4 GiB", "--max-memory"]),
    ("layers:\n  - {type: RGBInput, shape: [10, 10, 3]\n", 3, ["cannot parse"]),
    ("layers:\n  - !!python/object/apply:os.system [echo hi]\n", 2, ["unsupported tag"]),
    ("layers:\n  - {type: RGBInput, shape: !!python/name:os.system }\n", 2, ["unsupported tag"]),
    ("model: {}\nlayers: []\n", 2, ["non-empty list"]),
    ("layerz: []\n", 1, ["unknown top-level key 'layerz'"]),
    ("layers:\n  - {type: RGBInput, shape: [8, 8, 3]}\n  - {type: Add, name: x}\n", 3, ["Add", "inputs"]),
]


@pytest.mark.parametrize("text,line,words", ERRORS)
def test_bad_description_gives_one_located_line_and_exit_2(cli, tmp_path, text, line, words):
    path = write(tmp_path, text)
    r = cli("validate", path)
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
    prefix = f"{path}:{line}:" if line else f"{path}"
    assert lines[0].startswith(prefix), lines[0]
    for w in words:
        assert w in lines[0], lines[0]


def test_summary_error_has_no_traceback_and_exit_2(cli, tmp_path):
    r = cli("summary", write(tmp_path, GOOD_HEAD + "  - {type: Nope}\n"))
    assert r.code == 2 and r.err.startswith("tspcli: error: ") and "Traceback" not in r.err


def test_missing_file(cli, tmp_path):
    r = cli("summary", tmp_path / "nope.yaml")
    assert r.code == 2 and "no such file" in r.err


def test_validate_many_files_reports_each(cli, tmp_path):
    good = write(tmp_path, GOOD_HEAD, "good.yaml")
    bad = write(tmp_path, GOOD_HEAD + "  - {type: Nope}\n", "bad.yaml")
    r = cli("validate", good, bad)
    assert r.code == 2
    assert f"{good}: ok (1 layers" in r.out
    assert r.err.startswith(f"{bad}:3:")
    assert cli("validate", good).code == 0


def test_yaml_and_json_twins_give_identical_summaries(cli):
    a = cli("summary", "samples/lenet.yaml", "--json")
    b = cli("summary", "samples/lenet.json", "--json")
    assert a.code == b.code == 0
    assert json.loads(a.out) == json.loads(b.out)


def test_json_errors_have_lines_too(cli, tmp_path):
    p = write(tmp_path, '{"layers": [\n  {"type": "RGBInput", "shape": [8, 8, 3]},\n  {"type": "Conv2d", '
                        '"filters": 0, "kernelSize": 1}\n]}\n', "m.json")
    r = cli("validate", p)
    assert r.code == 2 and r.err.startswith(f"{p}:3:") and "key 'filters'" in r.err


def test_stdin_description(cli):
    r = cli("summary", "-", "--json", stdin=open("samples/lenet.yaml").read())
    assert r.code == 0 and json.loads(r.out)["name"] == "lenet"


def test_keras_spellings_are_aliases():
    text = GOOD_HEAD + "  - {type: DepthwiseConv2D, kernel_size: [3, 1], strides: [2, 2], depth_multiplier: 2, " \
                       "padding: SAME, dilation_rate: 1}\n"
    from tspcli.spec import build_model, parse_document

    model = build_model(parse_document(text, "m.yaml"), "m.yaml").init()
    dw = model.layers[1]
    assert dw.layer_type == "DepthwiseConv2d" and dw.output_shape == (16, 16, 6)
    assert dw.config["kernelSize"] == (3, 1) and dw.config["padding"] == "same"


def test_depthwise_documentation_examples():
    # method one: 32 inputs, depthMultiplier 2 -> 64 channels
    m = Sequential([RGBInput(shape=[64, 64, 3]), Conv2d(filters=32, kernelSize=1),
                    DepthwiseConv2d(name="dw", kernelSize=3, strides=[1, 2], padding="same", depthMultiplier=2)])
    m.init()
    dw = m.get_layer("dw")
    assert (dw.input_shape, dw.output_shape) == ((64, 64, 32), (64, 32, 64))
    assert dw.weight_shapes() == {"depthwise_kernel": (3, 3, 32, 2), "bias": (64,)}
    assert dw.param_count == 3 * 3 * 32 * 2 + 64
    assert dw.layer_type == "DepthwiseConv2d" and dw.color_key == "depthwiseConv2d"
    # method two: the output shape alone
    m2 = Sequential([RGBInput(shape=[8, 8, 3]), DepthwiseConv2d(name="dw", shape=[8, 8, 9])]).init()
    assert m2.get_layer("dw").output_shape == (8, 8, 9)
    # filters equal to C x M is accepted
    m3 = Sequential([RGBInput(shape=[8, 8, 3]), DepthwiseConv2d(name="dw", kernelSize=3, filters=6,
                                                                depthMultiplier=2)]).init()
    assert m3.get_layer("dw").output_shape == (6, 6, 6)


def test_layer_api_before_and_after_init():
    dw = DepthwiseConv2d(name="dw", kernelSize=3)
    assert dw.output_shape is None and dw.neural_value is None
    dw.open_layer()
    dw.open_layer()
    assert dw.is_open
    dw.close_layer()
    assert not dw.is_open


def test_python_functional_model_equals_description(tmp_path):
    a = RGBInput(name="a", shape=[8, 8, 3])
    b = Conv2d(name="b", filters=3, kernelSize=3, padding="same").apply(a)
    c = Add(name="c").apply([a, b])
    built = Model(inputs=[a], outputs=[c], name="m").init()
    text = ("model: {type: Model, name: m, inputs: [a], outputs: [c]}\nlayers:\n"
            "  - {type: RGBInput, name: a, shape: [8, 8, 3]}\n"
            "  - {type: Conv2d, name: b, filters: 3, kernelSize: 3, padding: same, apply: a}\n"
            "  - {type: Add, name: c, apply: [a, b]}\n")
    described = tspcli.load(str(write(tmp_path, text)))
    assert built.summary_rows() == described.summary_rows()
    assert [l.name for l in described.levels()[1]] == ["b"]


def test_every_sample_validates(cli):
    import glob

    for path in sorted(glob.glob("samples/*.yaml") + glob.glob("samples/*.json")):
        assert cli("validate", path).code == 0, path


def test_help_is_light():
    import subprocess
    import sys

    code = ("import sys; from tspcli.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pyvista', 'vtk', 'keras', 'jax', 'h5py', 'matplotlib', 'imageio') if m in sys.modules]\n"
            "print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"
    code2 = code.replace("['--help']", "['summary', 'samples/mobilenet_v1.yaml']")
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True, check=True).stdout
    assert out2.strip().splitlines()[-1] == "[]"


def test_validate_lists_every_bad_layer(cli, tmp_path):
    path = write(tmp_path, GOOD_HEAD + "  - {type: Conv2d, name: a, filters: 0, kernelSize: 3}\n"
                                       "  - {type: Nope, name: b}\n"
                                       "  - {type: Dense, name: c, unitz: 3}\n")
    r = cli("validate", path)
    lines = r.err.strip().splitlines()
    assert r.code == 2 and len(lines) == 3
    assert [l.split(": ")[0] for l in lines] == [f"{path}:3", f"{path}:4", f"{path}:5"]
    r = cli("summary", path)  # other commands report the first problem
    assert r.code == 2 and len(r.err.strip().splitlines()) == 1
