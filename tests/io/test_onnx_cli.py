"""ONNX files through every command: summary, validate, predict, convert, views, render, batch."""
from __future__ import annotations

import json

import numpy as np
import onnx
import pytest
import yaml

import tspcli
from tspcli.io.inputs import parse_input_shape
from onnx_graphs import ort_values
from test_model_files_cli import clean_failure
from test_onnx_lift import mobilenet_v2_block, shufflenet_unit

pytest.importorskip("onnxruntime")


@pytest.fixture()
def v2(tmp_path):
    path = tmp_path / "v2.onnx"
    onnx.save(mobilenet_v2_block(), str(path))
    return path


def test_summary_shows_channels_last_shapes(cli, v2):
    r = cli("summary", v2, "--input-shape", "20,18,3", "--json")
    assert r.code == 0, r.err
    rows = {row["name"]: row for row in json.loads(r.out)["layers"]}
    assert rows["input"]["output_shape"] == [20, 18, 3] and rows["input"]["type"] == "RGBInput"
    assert rows["features.1.conv.1.0"]["type"] == "DepthwiseConv2d"
    assert rows["features.1.conv.1.0"]["output_shape"] == [10, 9, 32]
    assert rows["classifier.1"]["output_shape"] == [5]
    r = cli("validate", v2, "--input-shape", "20,18,3")
    assert r.code == 0 and "ok (" in r.out


def test_missing_sizes_and_bad_input_shape_are_one_line(cli, v2, tmp_path):
    clean_failure(cli("summary", v2), "dynamic dimensions H ('height'), W ('width')", "--input-shape")
    clean_failure(cli("summary", v2, "--input-shape", "20,18"), "--input-shape has 2 sizes")
    clean_failure(cli("summary", v2, "--input-shape", "20,18,4"), "fixed C of 3")
    clean_failure(cli("summary", v2, "--input-shape", "a,b"), "input shape must be positive sizes")
    bad = mobilenet_v2_block()
    bad.graph.node[3].op_type = "Celu"
    onnx.save(bad, str(tmp_path / "bad.onnx"))
    clean_failure(cli("predict", tmp_path / "bad.onnx", "--input-shape", "8,8,3"),
                  "Celu node: operator Celu is not one tspcli lifts", "--skip-unknown")


def test_predict_takes_hwc_and_writes_hwc_values_equal_to_onnxruntime(cli, v2, tmp_path):
    x = np.random.default_rng(0).normal(size=(14, 22, 3)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = cli("predict", v2, "--input", tmp_path / "x.npy", "-o", tmp_path / "values.npz")
    assert r.code == 0, r.err
    values = np.load(tmp_path / "values.npz")
    theirs = ort_values(onnx.load(str(v2)), {"input": x.transpose(2, 0, 1)[None]},
                        ["/features/features.1/conv/conv.1/conv.1.0/Conv:out"])
    dw = theirs["/features/features.1/conv/conv.1/conv.1.0/Conv:out"][0].transpose(1, 2, 0)
    assert values["features.1.conv.1.0"].shape == (7, 11, 32)
    np.testing.assert_allclose(values["features.1.conv.1.0"], dw, atol=1e-4)
    out = [v for k, v in theirs.items() if k != "/features/features.1/conv/conv.1/conv.1.0/Conv:out"][0]
    np.testing.assert_allclose(values["classifier.1"], out[0], atol=1e-4)


@pytest.mark.parametrize("build, size, expected", [
    (shufflenet_unit, None, ["type: ChannelShuffle", "groups: 4"]),
    (mobilenet_v2_block, "16,14,3", ["padding: [[1, 1], [1, 1]]", "activation: linear"]),
])
def test_convert_writes_a_description_that_reloads_equal(cli, tmp_path, build, size, expected):
    path = tmp_path / "m.onnx"
    onnx.save(build(), str(path))
    shape = ["--input-shape", size] if size else []
    r = cli("convert", path, *shape, "-o", tmp_path / "m.yaml")
    assert r.code == 0, r.err
    original = tspcli.load(str(path), input_shape=parse_input_shape(size))
    converted = tspcli.load(str(tmp_path / "m.yaml"))
    x = np.random.default_rng(1).normal(size=original.inputs[0].output_shape).astype(np.float32)
    original.predict(x)
    converted.predict(x)
    for a, b in zip(original.layers, converted.layers):
        assert (a.name, a.layer_type, a.output_shape) == (b.name, b.layer_type, b.output_shape)
        np.testing.assert_array_equal(a.neural_value, b.neural_value)
    text = (tmp_path / "m.yaml").read_text()
    for needle in expected:
        assert needle in text


def test_view_of_an_onnx_file(cli, v2, tmp_path):
    view = {"model": {"load": str(v2), "layerInitStatus": "close"},
            "layers": [{"name": "input", "type": "RGBInput"},
                       {"name": "features.1.conv.1.0", "type": "DepthwiseConv2d", "initStatus": "open"},
                       {"name": "classifier.1", "type": "Output1d", "outputs": ["a", "b", "c", "d", "e"]}]}
    (tmp_path / "view.yaml").write_text(yaml.safe_dump(view))
    r = cli("predict", tmp_path / "view.yaml", "--input-shape", "16,16,3", "--json")
    assert r.code == 0, r.err
    top = json.loads(r.out)["outputs"]["classifier.1"]["top"]
    assert top[0]["label"] in "abcde" and len(top) == 5
    model = tspcli.load(str(tmp_path / "view.yaml"), input_shape=parse_input_shape("16,16,3"))
    assert [layer.name for layer in model.layers if layer.drawn] == ["input", "features.1.conv.1.0", "classifier.1"]


@pytest.mark.slow
def test_render_and_batch_draw_depthwise_layers_in_their_colour(cli, v2, tmp_path):
    from PIL import Image

    r = cli("render", v2, "--input-shape", "16,16,3", "-o", tmp_path / "v2.png", "--size", "320x180",
            "--open", "all", "--no-labels", "--no-legend")
    assert r.code == 0, r.err
    pixels = np.asarray(Image.open(tmp_path / "v2.png").convert("RGB")).reshape(-1, 3).astype(int)
    depthwise = np.array([0xFB, 0xBF, 0x1F])  # DepthwiseConv2d's colour (shaded by values)
    assert (np.abs(pixels - depthwise).sum(axis=1) < 60).sum() > 20
    r = cli("batch", v2, "--out", tmp_path / "figures", "--set", "input-shape=16,16,3", "--set", "size=320x180",
            "-j", "1", "-q")
    assert r.code == 0, r.out + r.err
    assert (tmp_path / "figures" / "v2.png").stat().st_size > 1000


def test_an_onnx_file_is_known_by_its_content(cli, tmp_path):
    path = tmp_path / "exported.bin"
    onnx.save(shufflenet_unit(), str(path))
    r = cli("summary", path, "--json")
    assert r.code == 0, r.err
    assert json.loads(r.out)["layers"][0]["output_shape"] == [12, 10, 3]
