"""Constants a layer prepares once (BatchNormalization's folded scale, tiled biases and kernels) and
sums it overwrites in place: every layer's value stays its own float32 array, equal to the formula,
and new weights are used as soon as they are set."""
import numpy as np

from tspcli import ops
from tspcli.layers import Activation, BatchNormalization, Conv2d, Dense, DepthwiseConv2d, Flatten, Input3d
from tspcli.model import Sequential

X = np.random.default_rng(0).normal(size=(9, 10, 3)).astype(np.float32)


def model():
    return Sequential([
        Input3d(name="in", shape=[9, 10, 3]),
        Conv2d(name="conv", filters=4, kernelSize=3, padding="same", activation="relu6"),
        DepthwiseConv2d(name="dw", kernelSize=3, strides=2, padding="same", activation="relu"),
        BatchNormalization(name="bn"),
        Activation(name="act", activation="relu6"),
        Flatten(name="flat"),
        Dense(name="fc", units=5, activation="relu"),
    ]).init()


def values(m):
    return {l.name: l.neural_value for l in m.layers}


def test_values_are_own_float32_arrays_equal_to_the_formulas():
    m = model()
    m.predict(X)
    v, w = values(m), {l.name: l.weights for l in m.layers}
    assert all(a.dtype == np.float32 for a in v.values())
    names = [n for n in v if n != "flat"]              # Flatten's value is a view of its input's
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not np.shares_memory(v[a], v[b]), (a, b)
    conv = np.clip(ops.conv2d(X, w["conv"]["kernel"], padding="same") + w["conv"]["bias"], 0, 6)
    np.testing.assert_allclose(v["conv"], conv, rtol=1e-6, atol=1e-6)
    dw = np.maximum(ops.depthwise_conv2d(conv, w["dw"]["depthwise_kernel"], 2, "same") + w["dw"]["bias"], 0)
    np.testing.assert_allclose(v["dw"], dw, rtol=1e-5, atol=1e-5)
    b = w["bn"]
    bn = (v["dw"] - b["moving_mean"]) / np.sqrt(b["moving_variance"] + 1e-3) * b["gamma"] + b["beta"]
    np.testing.assert_allclose(v["bn"], bn, rtol=1e-5, atol=1e-5)
    assert np.array_equal(v["act"], np.clip(v["bn"], 0, 6))
    np.testing.assert_allclose(v["fc"], np.maximum(v["flat"] @ w["fc"]["kernel"] + w["fc"]["bias"], 0),
                               rtol=1e-5, atol=1e-5)


def test_changing_one_value_changes_no_other_and_a_second_pass_gives_the_same():
    m = model()
    m.predict(X)
    first = {n: a.copy() for n, a in values(m).items()}
    m.get_layer("dw").neural_value[:] = 123.0
    for name, a in values(m).items():
        if name != "dw":
            assert np.array_equal(a, first[name]), name
    m.predict(X)
    for name, a in values(m).items():
        assert np.array_equal(a, first[name]), name


def test_new_weights_are_used_at_once():
    m = model()
    m.predict(X)
    bn, dw = m.get_layer("bn"), m.get_layer("dw")
    bn.weights = {**bn.weights, "moving_mean": bn.weights["moving_mean"] + 1}
    dw.weights = {**dw.weights, "depthwise_kernel": dw.weights["depthwise_kernel"] * 2}
    m.predict(X)
    fresh = model()
    for layer in fresh.layers:
        layer.weights = dict(m.get_layer(layer.name).weights)
    fresh.predict(X)
    for name, a in values(fresh).items():
        assert np.array_equal(a, m.get_layer(name).neural_value), name
    m.predict(X, seed=7)                                # other drawn weights: other values
    assert not np.allclose(m.get_layer("fc").neural_value, fresh.get_layer("fc").neural_value)
