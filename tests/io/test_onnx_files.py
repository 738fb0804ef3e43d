"""ONNX files: external data, bounds, bad files (one line, exit 2), the shared PaddleOCR model."""
from __future__ import annotations

import os

import numpy as np
import onnx
import pytest

from onnx_graphs import Graph, compare_layers
from test_onnx_lift import mobilenet_v2_block
from tspcli.errors import LoadError
from tspcli.io.inputs import InputShape
from tspcli.io.onnx import read_onnx_model

pytest.importorskip("onnxruntime")
PPOCR = "onnx/ppocr_textdir_cls_mobile_v2.0.onnx"


def small(opset=13, op="Relu"):
    g = Graph(opset)
    y = g.conv("x", 3, 4, 3, name="conv")
    y = g.op(op, [y], "act")
    return g.model({"x": [1, 3, 6, 5]}, [y], rank=4)


def save_external(tmp_path, proto, location="weights.bin"):
    """Save with every weight in one data file (onnx.save moves them out of ``proto``: save a copy)."""
    path = tmp_path / "m.onnx"
    copy = onnx.ModelProto()
    copy.CopyFrom(proto)
    onnx.save(copy, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location=location,
              size_threshold=0)
    return path


def test_external_data_beside_the_model(tmp_path):
    proto = mobilenet_v2_block()
    path = save_external(tmp_path, proto)
    assert (tmp_path / "weights.bin").stat().st_size > 1000
    model = read_onnx_model(path, input_shape=InputShape((16, 16, 3))).model
    model.init()
    compare_layers(model, proto, np.random.default_rng(0).normal(size=(16, 16, 3)).astype(np.float32))


def _location(path, location):
    m = onnx.load(str(path), load_external_data=False)
    for t in m.graph.initializer:
        for entry in t.external_data:
            if entry.key == "location":
                entry.value = location
    onnx.save(m, str(path))


@pytest.mark.parametrize("location, message", [
    ("../weights.bin", "not a file beside the model"),
    ("/etc/passwd", "not a file beside the model"),
    ("missing.bin", "external data file 'missing.bin' is missing"),
    ("escape.bin", "leads outside the model's folder"),
])
def test_external_data_is_confined_to_the_model_folder(tmp_path, location, message):
    folder = tmp_path / "model"
    folder.mkdir()
    path = save_external(folder, small())
    (tmp_path / "outside.bin").write_bytes((folder / "weights.bin").read_bytes())
    os.symlink(tmp_path / "outside.bin", folder / "escape.bin")
    _location(path, location)
    with pytest.raises(LoadError, match=message):
        read_onnx_model(path)


def test_external_data_shorter_than_declared(tmp_path):
    path = save_external(tmp_path, small())
    data = (tmp_path / "weights.bin").read_bytes()
    (tmp_path / "weights.bin").write_bytes(data[:len(data) // 2])
    with pytest.raises(LoadError, match="holds .* bytes at offset"):
        read_onnx_model(path)


def test_sizes_are_bounded_before_parsing(tmp_path):
    path = tmp_path / "m.onnx"
    onnx.save(small(), str(path))
    with pytest.raises(LoadError, match="the ONNX file is .*, more than the limit of 100 bytes"):
        read_onnx_model(path, max_memory=100)
    proto = small()
    proto.graph.initializer[0].dims[0] = 10**6  # declares 108 MB, stores 432 bytes
    onnx.save(proto, str(path))
    with pytest.raises(LoadError, match="past the 1 MiB allowed"):
        read_onnx_model(path, max_memory=2**20)
    with pytest.raises(LoadError, match="holds 432 bytes, its shape"):
        read_onnx_model(path)


@pytest.mark.parametrize("opset, message", [(22, "opset 22 is newer than tspcli reads"),
                                            (10, "opset 10 is older than tspcli reads")])
def test_opsets_outside_11_to_21(tmp_path, opset, message):
    proto = small()
    proto.opset_import[0].version = opset
    onnx.save(proto, str(tmp_path / "m.onnx"))
    with pytest.raises(LoadError, match=message):
        read_onnx_model(tmp_path / "m.onnx")


def test_not_an_onnx_file(tmp_path):
    (tmp_path / "m.onnx").write_bytes(b"\x08\x07garbage that is not protobuf" * 3)
    with pytest.raises(LoadError, match="not an ONNX model"):
        read_onnx_model(tmp_path / "m.onnx")


def test_unknown_operator_names_node_and_op_unless_skipped(tmp_path):
    onnx.save(small(op="Erf"), str(tmp_path / "m.onnx"))
    with pytest.raises(LoadError, match="layer 'act': Erf node: operator Erf is not one tspcli lifts"):
        read_onnx_model(tmp_path / "m.onnx")
    model = read_onnx_model(tmp_path / "m.onnx", skip_unknown=True).model
    model.init()
    assert model.get_layer("act").layer_type == "Layer3d" and model.get_layer("act").output_shape == (6, 5, 4)


def test_dynamic_dimensions_without_a_size_are_named(tmp_path):
    onnx.save(mobilenet_v2_block(), str(tmp_path / "m.onnx"))
    with pytest.raises(LoadError, match=r"dynamic dimensions H \('height'\), W \('width'\)"):
        read_onnx_model(tmp_path / "m.onnx")


@pytest.fixture()
def ppocr(shared_data):
    """The shared PaddleOCR classifier at the size of its sample lines, and its path."""
    path = shared_data / PPOCR
    if not path.exists():
        pytest.skip("the shared PaddleOCR model is absent")
    model = read_onnx_model(path, input_shape=InputShape((48, 192, 3))).model
    model.init()
    return model, path


def test_paddleocr_text_direction_classifier(ppocr, shared_data):
    model, _ = ppocr
    kinds = [layer.layer_type for layer in model.layers]
    assert kinds.count("DepthwiseConv2d") == 11 and kinds.count("SqueezeExcitation") == 9
    assert sum(1 for layer in model.layers if layer.config.get("activation") == "hard_swish") == 18
    for name, label in (("upright", 0), ("flipped", 1)):
        x = np.load(shared_data / f"onnx/line_{name}_48x192.input.npy")
        expected = np.load(shared_data / f"onnx/line_{name}_48x192.output.npy").reshape(-1)
        out = model.predict(x)
        assert int(np.argmax(out)) == label
        np.testing.assert_allclose(out, expected, atol=1e-4)


def test_paddleocr_every_layer_equals_onnxruntime(ppocr, shared_data):
    model, path = ppocr
    x = np.load(shared_data / "onnx/line_upright_48x192.input.npy")
    assert compare_layers(model, onnx.load(str(path)), x) == len(model.layers) - 1


def test_malformed_nodes_are_load_errors(tmp_path):
    """Each attribute of each node taken away in turn: the model loads, or one LoadError says why."""
    from tspcli.errors import TspError
    from test_onnx_lift import decoder, mobilenet_v3_block

    outcomes = set()
    for build in (mobilenet_v3_block, decoder):
        proto = build()
        for i, node in enumerate(proto.graph.node):
            for j in range(len(node.attribute)):
                broken = onnx.ModelProto()
                broken.CopyFrom(proto)
                del broken.graph.node[i].attribute[j]
                onnx.save(broken, str(tmp_path / "m.onnx"))
                try:
                    read_onnx_model(tmp_path / "m.onnx").model.init()
                    outcomes.add("ok")
                except TspError as exc:
                    assert exc.layer and str(exc).count("\n") == 0
                    outcomes.add("error")
    assert outcomes == {"ok", "error"}
