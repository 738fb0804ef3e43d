"""The readers on real model files from TensorSpace and tf.keras 2 (../shared/data)."""
import json

import numpy as np
import pytest

from tspcli.io.formats import read_model_file

LENET_KERAS = ["input_1", "reshape_1", "Conv2D_1", "MaxPooling2D_1", "Conv2D_2", "MaxPooling2D_2",
               "flatten_1", "Dense_1", "Dense_2", "Softmax"]


@pytest.fixture(scope="module")
def lenet(shared_data):
    return read_model_file(shared_data / "tensorspace" / "lenet_mnist_keras2.1.6.h5")


def weight_shapes(model):
    return {layer.name: {k: v.shape for k, v in layer.weights.items()}
            for layer in model.layers if layer.weights}


def test_keras_2_1_6_lenet_has_its_ten_layers_in_order(lenet):
    assert [layer.name for layer in lenet.layers] == LENET_KERAS
    assert (lenet.kind, lenet.format, lenet.keras_version, lenet.backend) == \
        ("Sequential", "h5", "2.1.6", "tensorflow")
    assert lenet.inputs == ["input_1"] and lenet.outputs == ["Softmax"]
    assert lenet.layer("input_1").shape == (28, 28)
    assert [layer.inbound for layer in lenet.layers[1:3]] == [["input_1"], ["reshape_1"]]
    assert lenet.layer("Conv2D_1").config["kernel_size"] == [5, 5]


def test_keras_2_1_6_lenet_weights(lenet, shared_data):
    assert weight_shapes(lenet) == {
        "Conv2D_1": {"kernel": (5, 5, 1, 6), "bias": (6,)},
        "Conv2D_2": {"kernel": (5, 5, 6, 16), "bias": (16,)},
        "Dense_1": {"kernel": (256, 120), "bias": (120,)},
        "Dense_2": {"kernel": (120, 84), "bias": (84,)},
        "Softmax": {"kernel": (84, 10), "bias": (10,)},
    }
    assert all(w.dtype == np.float32 for layer in lenet.layers for w in layer.weights.values())


def test_tf_keras_lenet_without_input_layer_gets_one_from_batch_input_shape(shared_data):
    model = read_model_file(shared_data / "tensorspace" / "lenet_tf_keras2.1.6-tf.h5")
    assert len(model.layers) == 10
    first, reshape = model.layers[:2]
    assert (first.name, first.class_name, first.shape, first.inbound) == \
        ("reshape_input", "InputLayer", (28, 28), [])
    assert reshape.name == "reshape" and reshape.inbound == ["reshape_input"]
    assert model.keras_version == "2.1.6-tf"
    assert model.layer("conv_1").weights["kernel"].shape == (5, 5, 1, 6)


def test_separated_topology_and_weights_equal_the_full_model_file(lenet, shared_data):
    model = read_model_file(shared_data / "tensorspace" / "lenet_separated" / "topology.json")
    assert model.format == "separated" and model.keras_version == "2.2.2"
    assert [layer.name for layer in model.layers] == ["reshape_1_input"] + LENET_KERAS[1:]
    for layer in model.layers[1:]:
        full = lenet.layer(layer.name).weights
        assert list(layer.weights) == list(full)
        assert all(np.array_equal(layer.weights[k], full[k]) for k in full)


@pytest.mark.parametrize("folder, conv, dense", [
    ("lenet_tfjs", "conv2d_Conv2D1", "dense_Dense3"),
    ("lenet_tfjs_docs", "myConv1", "myDense3"),
])
def test_tfjs_lenets_read_weights_in_manifest_order(shared_data, folder, conv, dense):
    path = shared_data / "tensorspace" / folder
    model = read_model_file(path)  # the folder holding model.json works too
    assert model.format == "tfjs" and len(model.layers) == 10
    assert model.layers[0].class_name == "InputLayer" and model.layers[0].shape == (28, 28, 1)
    assert model.layers[1].class_name == "ZeroPadding2D"
    raw = np.fromfile(path / "mnist.weights.bin", "<f4")
    assert np.array_equal(model.layer(conv).weights["kernel"].ravel(), raw[:150])
    assert np.array_equal(model.layer(dense).weights["bias"], raw[-10:])
    assert model.layer(dense).weights["kernel"].shape == (84, 10)


def test_tensorspace_tfjs_lenet_lists_every_layer_as_an_output(shared_data):
    """TensorSpace's converter makes every layer an output so that it can draw it."""
    model = read_model_file(shared_data / "tensorspace" / "lenet_tfjs" / "model.json")
    assert model.outputs == [layer.name for layer in model.layers[1:] if
                             layer.class_name != "Flatten"]


def test_acgan_generator_has_two_inputs_and_an_embedding(shared_data):
    model = read_model_file(shared_data / "tensorspace" / "acgan_tfjs" / "model.json")
    assert model.kind == "Functional" and model.keras_version == "2.1.6-tf"
    assert model.inputs == ["input_2", "input_3"]
    assert model.layer("input_2").shape == (100,) and model.layer("input_3").shape == (1,)
    assert model.layer("embedding_1").weights["embeddings"].shape == (10, 100)
    assert model.layer("multiply_1").inbound == ["input_2", "flatten_2"]
    bn = model.layer("batch_normalization_3")
    assert list(bn.weights) == ["gamma", "beta", "moving_mean", "moving_variance"]
    names = [layer.name for layer in model.layers]
    assert all(names.index(i) < names.index(layer.name)
               for layer in model.layers for i in layer.inbound)


def test_tf_keras_2_depthwise_mix_normalises_weight_names(shared_data):
    model = read_model_file(shared_data / "tfkeras2" / "tfk2_depthwise_mix.h5")
    assert [layer.name for layer in model.layers] == \
        ["input_2", "dw_rect", "sep", "deconv", "gmp", "out"]
    assert model.keras_version == "2.21.0" and model.layer("input_2").shape == (16, 12, 3)
    assert weight_shapes(model) == {
        "dw_rect": {"depthwise_kernel": (3, 1, 3, 3), "bias": (9,)},
        "sep": {"depthwise_kernel": (2, 2, 9, 1), "pointwise_kernel": (1, 1, 9, 5), "bias": (5,)},
        "deconv": {"kernel": (3, 3, 4, 5), "bias": (4,)},
        "out": {"kernel": (4, 2), "bias": (2,)},
    }
    # The config keeps what tf.keras wrote, including keys Keras 3 chokes on.
    assert model.layer("dw_rect").config["groups"] == 1
    assert model.layer("dw_rect").config["depth_multiplier"] == 3


def test_tf_keras_2_mobilenet_v2_layers_match_its_oracle(shared_data):
    import h5py

    path = shared_data / "tfkeras2" / "tfk2_mobilenet_v2.h5"
    model = read_model_file(path)
    oracle = np.load(shared_data / "tfkeras2" / "tfk2_mobilenet_v2.oracle.npz")
    assert [layer.name for layer in model.layers[1:]] == [n for n in oracle.files]
    assert model.inputs == ["input_1"] and model.outputs == ["predictions"]
    adds = [layer for layer in model.layers if layer.class_name == "Add"]
    assert len(adds) == 10 and adds[0].inbound == ["block_1_project_BN", "block_2_project_BN"]
    for layer in model.layers:
        if layer.class_name == "DepthwiseConv2D":
            assert list(layer.weights) == ["depthwise_kernel"]
            assert layer.weights["depthwise_kernel"].shape[-1] == 1
        if layer.class_name == "BatchNormalization":
            assert list(layer.weights) == ["gamma", "beta", "moving_mean", "moving_variance"]
    with h5py.File(path) as f:
        stored = []
        f["model_weights"].visititems(
            lambda name, obj: stored.append(obj.size) if isinstance(obj, h5py.Dataset) else None)
        config = json.loads(f.attrs["model_config"])
    assert sum(w.size for layer in model.layers for w in layer.weights.values()) == sum(stored)
    assert [layer.name for layer in model.layers] == [e["name"] for e in config["config"]["layers"]]
