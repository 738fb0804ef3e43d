"""Reading each model file layout, on small files written by hand (no Keras needed)."""
import json

import h5py
import numpy as np
import pytest

from model_files import (small_sequential_config, small_weights, write_keras_archive,
                         write_legacy_h5, write_tfjs, write_weight_groups)
from tspcli.io.formats import read_model_file
from tspcli.io.keras_config import build_graph, snake_case

NAMES = ["image", "conv", "flat", "out"]


def assert_small_model(model):
    assert [layer.name for layer in model.layers] == NAMES
    assert [layer.inbound for layer in model.layers] == [[], ["image"], ["conv"], ["flat"]]
    assert model.inputs == ["image"] and model.outputs == ["out"]
    assert model.layer("image").shape == (8, 8, 1)
    for layer, stored in small_weights().items():
        weights = model.layer(layer).weights
        assert list(weights) == ["kernel", "bias"]
        assert all(np.array_equal(w, a) for w, (_, a) in zip(weights.values(), stored))


def test_legacy_h5(tmp_path):
    model = read_model_file(write_legacy_h5(tmp_path / "m.h5"))
    assert_small_model(model)
    assert (model.name, model.kind, model.format, model.keras_version, model.backend) == \
        ("small", "Sequential", "h5", "2.2.4", "tensorflow")


def test_keras_archive_with_and_without_stored_layer_names(tmp_path):
    for store_names in (True, False):
        model = read_model_file(write_keras_archive(tmp_path / f"{store_names}.keras",
                                                    store_names=store_names))
        assert_small_model(model)
        assert (model.format, model.keras_version) == ("keras", "3.5.0")


def test_tfjs_weights_spread_over_shards(tmp_path):
    model = read_model_file(write_tfjs(tmp_path / "js", shards=3))
    assert_small_model(model)
    assert model.format == "tfjs"


def test_format_is_recognised_by_content_not_extension(tmp_path):
    h5 = write_legacy_h5(tmp_path / "m.h5").rename(tmp_path / "model.bin")
    archive = write_keras_archive(tmp_path / "m.keras").rename(tmp_path / "model.zip")
    js = write_tfjs(tmp_path / "js").rename(tmp_path / "js" / "net.txt")
    assert [read_model_file(p).format for p in (h5, archive, js)] == ["h5", "keras", "tfjs"]


def test_tfjs_quantized_weights_are_dequantized(tmp_path):
    config = small_sequential_config()
    folder = tmp_path / "q"
    folder.mkdir()
    kernel_q = np.arange(18, dtype=np.uint8)
    bias16 = np.array([1.5, -2.25], dtype=np.float16)
    dense_kernel = np.linspace(-1, 1, 216).astype(np.float32)
    dense_q = np.arange(3, dtype=np.uint16) * 1000
    (folder / "w.bin").write_bytes(kernel_q.tobytes() + bias16.astype("<f2").tobytes()
                                   + dense_kernel.astype("<f4").tobytes()
                                   + dense_q.astype("<u2").tobytes())
    specs = [
        {"name": "conv/kernel", "shape": [3, 3, 1, 2], "dtype": "float32",
         "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
        {"name": "conv/bias", "shape": [2], "dtype": "float32",
         "quantization": {"dtype": "float16"}},
        {"name": "out/kernel", "shape": [72, 3], "dtype": "float32"},
        {"name": "out/bias", "shape": [3], "dtype": "float32",
         "quantization": {"dtype": "uint16", "scale": 0.001, "min": 0.25}},
    ]
    (folder / "model.json").write_text(json.dumps(
        {"modelTopology": config, "weightsManifest": [{"paths": ["w.bin"], "weights": specs}]}))
    model = read_model_file(folder / "model.json")
    conv, out = model.layer("conv").weights, model.layer("out").weights
    assert conv["kernel"].dtype == np.float32 and conv["kernel"].shape == (3, 3, 1, 2)
    assert np.allclose(conv["kernel"].ravel(), kernel_q * 0.5 - 1.0)
    assert conv["bias"].tolist() == [1.5, -2.25]
    assert np.array_equal(out["kernel"].ravel(), dense_kernel)
    assert np.allclose(out["bias"], [0.25, 1.25, 2.25])


def test_weight_names_split_over_several_attributes(tmp_path):
    """Keras splits big attributes into weight_names0, weight_names1, ..."""
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:
        group = f["model_weights/conv"]
        names = list(group.attrs["weight_names"])
        del group.attrs["weight_names"]
        group.attrs["weight_names0"] = names[:1]
        group.attrs["weight_names1"] = names[1:]
    assert_small_model(read_model_file(path))


def test_separated_form_finds_weights_next_to_the_topology(tmp_path):
    config = small_sequential_config()
    (tmp_path / "net.json").write_text(json.dumps(config))
    with h5py.File(tmp_path / "net.h5", "w") as f:
        write_weight_groups(f, small_weights(), NAMES[1:])
    model = read_model_file(tmp_path / "net.json")
    assert_small_model(model)
    assert model.format == "separated"
    elsewhere = tmp_path / "other" / "w.h5"
    elsewhere.parent.mkdir()
    (tmp_path / "net.h5").rename(elsewhere)
    assert_small_model(read_model_file(tmp_path / "net.json", weights=elsewhere))


def keras2_nested_config():
    """A Keras 2 functional model using a functional 'backbone' as a layer."""
    conv = {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [1, 1],
                                                "use_bias": True}}
    backbone = {"name": "backbone", "layers": [
        {"name": "img", "class_name": "InputLayer",
         "config": {"name": "img", "batch_input_shape": [None, 4, 4, 1]}, "inbound_nodes": []},
        {**conv, "name": "c", "inbound_nodes": [[["img", 0, 0, {}]]]},
        {"name": "bn", "class_name": "BatchNormalization", "config": {"name": "bn"},
         "inbound_nodes": [[["c", 0, 0, {}]]]},
        {"name": "c2", "class_name": "Conv2D", "config": {**conv["config"], "name": "c2"},
         "inbound_nodes": [[["bn", 0, 0, {}]]]},
    ], "input_layers": [["img", 0, 0]], "output_layers": [["c2", 0, 0]]}
    return {"class_name": "Model", "config": {"name": "outer", "layers": [
        {"name": "in", "class_name": "InputLayer",
         "config": {"name": "in", "batch_input_shape": [None, 4, 4, 1]}, "inbound_nodes": []},
        {"name": "backbone", "class_name": "Model", "config": backbone,
         "inbound_nodes": [[["in", 0, 0, {}]]]},
        {"name": "flat", "class_name": "Flatten", "config": {"name": "flat"},
         "inbound_nodes": [[["backbone", 0, 0, {}]]]},
    ], "input_layers": [["in", 0, 0]], "output_layers": [["flat", 0, 0]]}}


def test_keras2_nested_model_weights_are_matched_by_name(tmp_path):
    """A nested model lists all trainable weights first: bn's statistics come after c2."""
    rng = np.random.default_rng(1)
    arrays = {name: rng.normal(size=shape).astype("float32") for name, shape in [
        ("c/kernel:0", (1, 1, 1, 2)), ("c/bias:0", (2,)), ("bn/gamma:0", (2,)), ("bn/beta:0", (2,)),
        ("c2/kernel:0", (1, 1, 2, 2)), ("c2/bias:0", (2,)),
        ("bn/moving_mean:0", (2,)), ("bn/moving_variance:0", (2,))]}
    path = write_legacy_h5(tmp_path / "n.h5", keras2_nested_config(),
                           {"backbone": list(arrays.items())})
    model = read_model_file(path)
    assert [layer.name for layer in model.layers] == \
        ["in", "backbone/c", "backbone/bn", "backbone/c2", "flat"]
    assert [layer.inbound for layer in model.layers] == \
        [[], ["in"], ["backbone/c"], ["backbone/bn"], ["backbone/c2"]]
    bn = model.layer("backbone/bn").weights
    assert list(bn) == ["gamma", "beta", "moving_mean", "moving_variance"]
    for layer in ("c", "bn", "c2"):
        for name, value in model.layer(f"backbone/{layer}").weights.items():
            assert np.array_equal(value, arrays[f"{layer}/{name}:0"])


def graph(layers, inputs, outputs, **extra):
    config = {"class_name": "Functional", "config": {"name": "g", "layers": layers,
                                                     "input_layers": inputs,
                                                     "output_layers": outputs, **extra}}
    return build_graph(config, "g.json", "g")


def keras3_node(*sources):
    return {"args": [[{"class_name": "__keras_tensor__",
                       "config": {"shape": [None, 3], "keras_history": list(s)}} for s in sources]],
            "kwargs": {}}


def test_shared_layer_gets_one_entry_per_call_and_keras3_shapes_are_kept():
    g = graph([
        {"class_name": "InputLayer", "name": "x", "config": {"name": "x", "batch_shape": [None, 3]},
         "inbound_nodes": []},
        {"class_name": "Dense", "name": "shared", "config": {"name": "shared"},
         "inbound_nodes": [keras3_node(("x", 0, 0)), keras3_node(("shared", 0, 0))]},
        {"class_name": "Add", "name": "sum", "config": {"name": "sum"},
         "inbound_nodes": [keras3_node(("shared", 0, 0), ("shared", 1, 0))]},
    ], ["x", 0, 0], ["sum", 0, 0])
    layers = [p.layer for p in g.placed]
    assert [(l.name, l.inbound, l.shape) for l in layers] == [
        ("x", [], (3,)), ("shared", ["x"], (3,)), ("shared#1", ["shared"], (3,)),
        ("sum", ["shared", "shared#1"], None)]
    assert g.placed[1].names == g.placed[2].names == ("shared",)


def test_layers_are_ordered_after_their_inputs_whatever_the_config_order():
    g = graph([
        {"class_name": "Dense", "name": "late", "config": {"name": "late"},
         "inbound_nodes": [[["early", 0, 0, {}]]]},
        {"class_name": "Dense", "name": "early", "config": {"name": "early"},
         "inbound_nodes": [[["x", 0, 0, {}]]]},
        {"class_name": "InputLayer", "name": "x", "config": {"name": "x"}, "inbound_nodes": []},
    ], [["x", 0, 0]], [["late", 0, 0]])
    assert [p.layer.name for p in g.placed] == ["x", "early", "late"]


def test_keras2_tensors_passed_as_keyword_arguments_are_inbound():
    g = graph([
        {"class_name": "InputLayer", "name": "a", "config": {"name": "a"}, "inbound_nodes": []},
        {"class_name": "InputLayer", "name": "b", "config": {"name": "b"}, "inbound_nodes": []},
        {"class_name": "TFOpLambda", "name": "tf.math.add", "config": {"name": "tf.math.add"},
         "inbound_nodes": [[["a", 0, 0, {"y": ["b", 0, 0], "name": None}]]]},
    ], [["a", 0, 0], ["b", 0, 0]], [["tf.math.add", 0, 0]])
    assert g.placed[-1].layer.inbound == ["a", "b"]


def test_config_keeps_classes_faithfully_and_unwraps_dtype_policies():
    policy = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "mixed_float16"}}
    g = graph([
        {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
         "config": {"name": "x", "batch_shape": [None, 3]}, "inbound_nodes": []},
        {"module": "my_project.layers", "class_name": "Dense", "registered_name": "Dense",
         "name": "mine", "config": {"name": "mine", "dtype": policy},
         "inbound_nodes": [keras3_node(("x", 0, 0))]},
        {"module": "keras.src.ops.numpy", "class_name": "Add", "name": "plus",
         "config": {"name": "plus"}, "inbound_nodes": [keras3_node(("mine", 0, 0))]},
        {"module": "keras.layers", "class_name": "Lambda", "name": "lam",
         "config": {"name": "lam", "function": "opaque"},
         "inbound_nodes": [keras3_node(("plus", 0, 0))]},
    ], ["x", 0, 0], ["lam", 0, 0])
    layers = {p.layer.name: p.layer for p in g.placed}
    assert layers["mine"].class_name == "my_project.layers>Dense"
    assert layers["mine"].config["dtype"] == "mixed_float16"
    assert layers["plus"].class_name == "keras.src.ops.numpy>Add"
    assert layers["lam"].class_name == "Lambda" and layers["lam"].config["function"] == "opaque"


def test_keras_archive_keys_count_per_class_and_skip_operations():
    g = graph([
        {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
         "config": {"name": "x"}, "inbound_nodes": []},
        {"module": "keras.layers", "class_name": "Conv2D", "name": "a",
         "config": {"name": "a"}, "inbound_nodes": [keras3_node(("x", 0, 0))]},
        {"module": "keras.src.ops.numpy", "class_name": "Add", "name": "plus",
         "config": {"name": "plus"}, "inbound_nodes": [keras3_node(("a", 0, 0))]},
        {"module": "keras.layers", "class_name": "DepthwiseConv2D", "name": "b",
         "config": {"name": "b"}, "inbound_nodes": [keras3_node(("plus", 0, 0))]},
        {"module": "keras.layers", "class_name": "Conv2D", "name": "c",
         "config": {"name": "c"}, "inbound_nodes": [keras3_node(("b", 0, 0))]},
        {"module": "keras.layers", "class_name": "Add", "name": "sum",
         "config": {"name": "sum"}, "inbound_nodes": [keras3_node(("c", 0, 0), ("a", 0, 0))]},
    ], ["x", 0, 0], ["sum", 0, 0])
    assert {p.layer.name: p.keys for p in g.placed} == {
        "x": ("input_layer",), "a": ("conv2d",), "plus": (None,), "b": ("depthwise_conv2d",),
        "c": ("conv2d_1",), "sum": ("add",)}


@pytest.mark.parametrize("class_name, key", [
    ("Conv2D", "conv2d"), ("DepthwiseConv2D", "depthwise_conv2d"), ("ReLU", "re_lu"),
    ("BatchNormalization", "batch_normalization"), ("Conv2DTranspose", "conv2d_transpose"),
    ("GlobalAveragePooling2D", "global_average_pooling2d"), ("Functional", "functional")])
def test_snake_case_matches_keras(class_name, key):
    assert snake_case(class_name) == key
