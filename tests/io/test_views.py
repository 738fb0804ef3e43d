"""Views: a description with `model: {load: FILE}` draws the file's network its own way."""
import json

import numpy as np

import pytest

import tspcli
from model_files import write_legacy_h5
from tspcli.errors import SpecError


@pytest.fixture
def view(tmp_path):
    """Write m.h5 (image -> conv -> flat -> out) and a view of it; returns the view's path."""
    write_legacy_h5(tmp_path / "m.h5")

    def write(layers, model="{type: Sequential, load: m.h5, animeTime: 500}"):
        path = tmp_path / "view.yaml"
        path.write_text(f"model: {model}\n" + (f"layers:\n{layers}" if layers is not None else ""))
        return str(path)

    return write


LISTED = """\
  - {type: GreyscaleInput, name: image}
  - {type: Conv2d, name: conv, initStatus: open, color: '#ff0000', closeButton: false}
  - {type: Output1d, name: out, outputs: [cat, dog, eel]}
"""


def test_listed_layers_are_drawn_as_the_view_says_the_rest_only_computed(view):
    model = tspcli.load(view(LISTED))
    drawn = {layer.name: layer.drawn for layer in model.layers}
    assert drawn == {"image": True, "conv": True, "flat": False, "out": True}
    conv = model.get_layer("conv")
    assert (conv.init_status, conv.color, conv.close_button["display"]) == ("open", "#FF0000", False)
    assert conv.is_open and conv.config["kernelSize"] == (3, 3) and "kernel" in conv.weights
    assert model.get_layer("out").config["outputs"] == ("cat", "dog", "eel")
    assert model.options["animeTime"] == 500 and model.name == "small"
    model.predict(np.zeros((8, 8, 1), np.float32))
    assert model.get_layer("flat").neural_value.shape == (72,)


def test_show_all_draws_every_layer_and_no_list_means_all(view):
    assert all(layer.drawn for layer in tspcli.load(view(LISTED), show_all=True).layers)
    assert all(layer.drawn for layer in tspcli.load(view(None)).layers)
    hidden = tspcli.load(view(LISTED + "  - {name: flat, hidden: true}\n"), show_all=True)
    assert not hidden.get_layer("flat").drawn


def test_keras_names_and_agreeing_network_parameters_are_accepted(view):
    model = tspcli.load(view("  - {type: Conv2D, name: conv, kernel_size: 3, filters: 2}\n"
                             "  - {type: Dense, name: out}\n"))
    assert model.get_layer("out").layer_type == "Dense"  # the view re-types the output
    assert [layer.name for layer in model.layers if layer.drawn] == ["conv", "out"]


def spec_error(path) -> str:
    with pytest.raises(SpecError) as caught:
        tspcli.load(path)
    return str(caught.value)


def test_a_name_the_file_lacks_is_an_error_at_its_line_listing_the_files_layers(view):
    path = view(LISTED + "  - {type: Conv2d, name: conv2}\n")
    message = spec_error(path)
    assert message.startswith(f"{path}:6: layer 'conv2', key 'name': the model file has no layer 'conv2'")
    assert "did you mean 'conv'? the file's layers: image, conv, flat, out" in message


def test_a_type_that_disagrees_with_the_file_is_an_error(view):
    path = view("  - {type: Pooling2d, name: conv}\n")
    assert spec_error(path) == (f"{path}:3: layer 'conv', key 'type': type Pooling2d disagrees with the "
                                "model file, where this layer is a Conv2D (drawn as Conv2d)")


def test_a_network_parameter_that_disagrees_with_the_file_is_an_error(view):
    path = view("  - {type: Conv2d, name: conv,\n     kernelSize: 5}\n")
    message = spec_error(path)
    assert message.startswith(f"{path}:4: layer 'conv', key 'kernelSize': [5, 5] disagrees with the model "
                              "file's [3, 3]")


def test_an_input_type_must_keep_the_files_values(view):
    assert "a RGBInput cannot stand for the file's input of shape [8, 8, 1]" in spec_error(
        view("  - {type: RGBInput, name: image}\n"))


def test_a_missing_model_file_is_named_at_the_load_line(view, tmp_path):
    path = view(LISTED, model="\n  load: gone.h5")
    assert spec_error(path) == f"{path}:2: key 'load': no such model file '{tmp_path / 'gone.h5'}'"


def test_validate_lists_every_bad_entry(cli, view):
    path = view("  - {type: Conv2d, name: nope}\n  - {type: Flatten, name: conv}\n")
    r = cli("validate", path)
    assert r.code == 2
    assert [line.split(": ")[0] for line in r.err.splitlines()] == [f"{path}:3", f"{path}:4"]


def test_convert_of_a_view_keeps_what_is_drawn_and_how(cli, view, tmp_path):
    r = cli("convert", view(LISTED), "-o", tmp_path / "full.yaml")
    assert r.code == 0, r.err
    text = (tmp_path / "full.yaml").read_text()
    assert "{type: Flatten, name: flat, hidden: true}" in text
    assert "outputs: [cat, dog, eel]" in text and "animeTime: 500" in text
    converted = tspcli.load(str(tmp_path / "full.yaml"))
    assert [l.drawn for l in converted.layers] == [l.drawn for l in tspcli.load(view(LISTED)).layers]
    summary = [json.loads(cli("summary", p, "--json").out) for p in (view(LISTED), tmp_path / "full.yaml")]
    assert summary[0] == summary[1]


def test_render_draws_only_the_listed_layers_unless_show_all(cli, view, tmp_path):
    iio = pytest.importorskip("imageio.v3")
    path = view(LISTED)
    pictures = []
    for name, extra in (("view.png", ()), ("all.png", ("--show-all",))):
        r = cli("render", path, "-o", tmp_path / name, "--size", "320x240", "--no-legend", *extra)
        assert r.code == 0, r.err
        pictures.append(iio.imread(tmp_path / name).astype(int))
    assert (np.abs(pictures[0] - pictures[1]).sum(axis=-1) > 30).sum() > 100
