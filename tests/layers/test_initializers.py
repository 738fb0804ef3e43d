"""Weights a model lacks: He/LeCun by default (values keep their scale), Keras' own with --init keras."""
import math

import numpy as np
import pytest

import tspcli
from tspcli.engine import ensure_weights
from tspcli.io.inputs import sample_input
from tspcli.layers import layer_from_config
from tspcli.layers.inputs import input_class_for_shape
from tspcli.model import Sequential


def mobilenet(init):
    model = tspcli.load("samples/mobilenet_v1.yaml")
    model.init()
    model.predict(sample_input(model.inputs[0].output_shape, "unit"), init=init)
    return model


def constant_maps(value) -> float:
    """Share of feature maps with one value all over (drawn as one flat shade)."""
    flat = value.reshape(-1, value.shape[-1])
    return float(np.mean(np.ptp(flat, axis=0) <= 1e-6 * max(float(np.abs(value).max()), 1e-30)))


def test_mobilenet_keeps_its_scale_through_depth_with_the_default_init():
    model = mobilenet("he")
    source = float(model.layers[0].neural_value.std())
    for layer in model.layers[1:-2]:
        value = layer.neural_value
        assert source / 10 < value.std() < source * 10, layer.name
        # a few maps are all zero after a ReLU in any random network (a channel whose weights sum the
        # positive inputs below zero everywhere): 10-16 % of the 7x7 layers' maps, whatever the draw
        assert constant_maps(value) <= 0.2, layer.name
    assert 0.25 < model.get_layer("conv_dw_13").neural_value.std() / source < 4


def test_keras_init_shrinks_mobilenet_as_keras_does():
    model = mobilenet("keras")
    assert model.get_layer("conv_dw_7").neural_value.std() < 1e-6 * model.layers[0].neural_value.std()


def chain(*configs, shape=(8, 8, 3)):
    model = Sequential([input_class_for_shape(shape)(name="in", shape=list(shape)),
                        *[layer_from_config(c) for c in configs]]).init()
    return model


def test_kernels_are_drawn_with_he_gain_before_relus_and_lecun_elsewhere():
    model = chain({"type": "Conv2d", "name": "c", "filters": 64, "kernelSize": 3},          # then BN, ReLU
                  {"type": "BatchNormalization", "name": "bn"},
                  {"type": "ReLU", "name": "relu"},
                  {"type": "DepthwiseConv2d", "name": "dw", "kernelSize": 3, "depthMultiplier": 8,
                   "activation": "relu6"},
                  {"type": "SeparableConv2d", "name": "sep", "filters": 16, "kernelSize": 1, "activation": "tanh"},
                  shape=(12, 12, 32))
    ensure_weights(model, seed=3)
    w = {layer.name: layer.weights for layer in model.layers}
    assert w["c"]["kernel"].std() == pytest.approx(math.sqrt(2 / (3 * 3 * 32)), rel=0.03)
    # a depthwise kernel sums one channel's 3x3 window: fan-in 9, not 9 x channels as Keras counts
    assert w["dw"]["depthwise_kernel"].std() == pytest.approx(math.sqrt(2 / 9), rel=0.05)
    assert w["sep"]["pointwise_kernel"].std() == pytest.approx(math.sqrt(1 / 512), rel=0.05)
    assert np.all(w["bn"]["gamma"] == 1) and np.all(w["bn"]["moving_mean"] == 0)
    assert np.all(w["c"]["bias"] == 0)


def test_keras_init_is_glorot_uniform_with_keras_fans():
    model = chain({"type": "DepthwiseConv2d", "name": "dw", "kernelSize": 3, "depthMultiplier": 2})
    ensure_weights(model, init="keras")
    kernel = model.get_layer("dw").weights["depthwise_kernel"]
    limit = math.sqrt(6 / (9 * 3 + 9 * 2))
    assert np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.8 * limit


def test_drawn_weights_are_deterministic_and_redrawn_for_another_seed_or_init():
    model = chain({"type": "Conv2d", "name": "c", "filters": 4, "kernelSize": 3})
    x = np.linspace(0, 1, 8 * 8 * 3, dtype=np.float32).reshape(8, 8, 3)
    first = model.predict(x, seed=1).copy()
    assert np.array_equal(chain({"type": "Conv2d", "name": "c", "filters": 4, "kernelSize": 3})
                          .predict(x, seed=1), first)
    assert not np.array_equal(model.predict(x, seed=2), first)
    assert not np.array_equal(model.predict(x, seed=1, init="keras"), first)
    assert np.array_equal(model.predict(x, seed=1), first)
    assert model.random_weights


def test_weights_given_are_not_drawn(tmp_path):
    model = chain({"type": "Conv2d", "name": "c", "filters": 2, "kernelSize": 1})
    model.get_layer("c").weights = {"kernel": np.ones((1, 1, 3, 2), np.float32), "bias": np.zeros(2, np.float32)}
    model.predict(np.ones((8, 8, 3), np.float32), init="keras")
    assert not model.random_weights
    assert np.all(model.get_layer("c").neural_value == 3)


def test_predict_takes_init_on_the_command_line(cli):
    he, keras = (cli("predict", "samples/mobilenet_v1.yaml", "--json", *flags)
                 for flags in ([], ["--init", "keras"]))
    assert he.code == keras.code == 0
    assert he.out != keras.out
    assert cli("predict", "samples/lenet.yaml", "--init", "glorot").code == 2
