"""tspcli.activations: Keras' activations in numpy, names and specs as models write them."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tspcli import activations as A
from tspcli.errors import OptionError

TOL = dict(rtol=1e-5, atol=1e-5)
GRID = np.concatenate([np.linspace(-30, 30, 6000), [0.0, 3.0, -3.0, 6.0, 1e-8, -1e-8]])
GRID = GRID.astype(np.float32)


def test_every_activation_maps_float32_to_float32_of_the_same_shape():
    x = GRID.reshape(-1, 7)
    for name, fn in A.ACTIVATIONS.items():
        y = fn(x)
        assert y.dtype == np.float32 and y.shape == x.shape, name


def test_extreme_inputs_give_no_overflow_warnings():
    x = np.array([-1e4, -100, 0, 100, 1e4], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(A.sigmoid(x), [0, 0, 0.5, 1, 1], atol=1e-30)
        np.testing.assert_allclose(A.softmax(x), [0, 0, 0, 0, 1])
        for name in ("elu", "selu", "softplus", "silu", "gelu", "log_softmax"):
            assert np.all(np.isfinite(A.ACTIVATIONS[name](x))), name


def test_hand_values():
    x = np.array([-4, -1, 0, 1, 4, 8], np.float32)
    np.testing.assert_array_equal(A.relu6(x), [0, 0, 0, 1, 4, 6])
    np.testing.assert_allclose(A.hard_sigmoid(x), [0, 2 / 6, 0.5, 4 / 6, 1, 1], rtol=1e-6)
    np.testing.assert_allclose(A.hard_sigmoid_keras2(x), [0, 0.3, 0.5, 0.7, 1, 1], rtol=1e-6)
    np.testing.assert_allclose(A.hard_silu(x), x * A.hard_sigmoid(x))
    np.testing.assert_allclose(A.leaky_relu(x), [-0.8, -0.2, 0, 1, 4, 8], rtol=1e-6)
    np.testing.assert_allclose(A.softsign(x), x / (1 + abs(x)))
    np.testing.assert_allclose(A.softmax(np.log([[1, 3], [2, 2]]), axis=0),
                               [[1 / 3, 0.6], [2 / 3, 0.4]], rtol=1e-6)
    np.testing.assert_allclose(np.exp(A.log_softmax(x)), A.softmax(x), rtol=1e-5)


def test_relu_follows_keras_threshold_and_slope_rules():
    x = np.array([-3, -0.5, 0.5, 1.5, 3, 9], np.float32)
    np.testing.assert_allclose(A.relu(x, negative_slope=0.5, max_value=2, threshold=1),
                               [-2, -0.75, -0.25, 1.5, 2, 2])
    # A negative threshold with no cap lets values between it and 0 through.
    np.testing.assert_allclose(A.relu(x, threshold=-1), [0, -0.5, 0.5, 1.5, 3, 9])


def test_gelu_exact_uses_erf():
    x = np.linspace(-8, 8, 161)
    exact = [0.5 * v * math.erfc(-v / math.sqrt(2)) for v in x]
    np.testing.assert_allclose(A.gelu(x), exact, rtol=1e-6, atol=1e-12)


def test_erfc_is_accurate_relative_to_math_erfc():
    z = np.linspace(-6, 12, 3601)
    exact = np.array([math.erfc(v) for v in z])
    assert np.max(np.abs(A.erfc(z) - exact) / exact) < 1.2e-7


@pytest.mark.parametrize("spec, x, expected", [
    (None, [-2.0], [-2.0]),
    ("linear", [-2.0], [-2.0]),
    ("ReLU", [-2.0], [0.0]),
    ("hardSigmoid", [1.0], [4 / 6]),                              # TensorFlow.js spelling
    ({"class_name": "function", "config": "relu6"}, [9.0], [6.0]),
    ({"class_name": "ReLU", "config": {"max_value": 6.0, "negative_slope": 0.0,
                                       "threshold": 0.0}}, [-1.0, 9.0], [0.0, 6.0]),
    ({"class_name": "LeakyReLU", "config": {"alpha": 0.1}}, [-1.0], [-0.1]),  # Keras 2 name
    ({"class_name": "LeakyReLU", "config": {}}, [-1.0], [-0.3]),             # layer default
    ({"class_name": "Softmax", "config": {"axis": 0}}, [[1.0, 1.0], [1.0, 1.0]],
     [[0.5, 0.5], [0.5, 0.5]]),
    ({"name": "elu", "alpha": 2.0}, [-100.0], [-2.0]),
])
def test_get_activation_reads_names_and_keras_specs(spec, x, expected):
    np.testing.assert_allclose(A.get_activation(spec)(np.array(x, np.float32)), expected, rtol=1e-6)


def test_hard_sigmoid_depends_on_the_keras_that_saved_the_model():
    x = np.array([1.0], np.float32)
    assert A.get_activation("hard_sigmoid", "3.5.0")(x)[0] == pytest.approx(4 / 6)
    assert A.get_activation("hard_sigmoid", "2.1.6")(x)[0] == pytest.approx(0.7)
    assert A.get_activation("hardSigmoid", "tfjs-layers 4.0")(x)[0] == pytest.approx(0.7)


def test_unknown_activation_lists_the_known_ones():
    with pytest.raises(OptionError) as info:
        A.get_activation("relu7")
    assert "'relu7'" in str(info.value) and "hard_swish" in str(info.value)
    with pytest.raises(OptionError, match="does not take"):
        A.get_activation({"name": "relu6", "alpha": 1})
    with pytest.raises(OptionError):
        A.get_activation(42)


# --- Keras (jax) as the oracle --------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(A.ACTIVATIONS))
def test_activation_equals_keras(keras, name):
    ours = A.get_activation(name)(GRID.reshape(-1, 7))
    if name == "gelu_tanh":     # Keras names it by an argument: gelu(x, approximate=True)
        theirs = keras.activations.gelu(GRID.reshape(-1, 7), approximate=True)
    else:
        theirs = keras.activations.get(name)(GRID.reshape(-1, 7))
    np.testing.assert_allclose(ours, np.asarray(theirs), **TOL)


@pytest.mark.slow
def test_activation_layer_gelu_is_exact_and_approximate_on_request(keras):
    np.testing.assert_allclose(A.get_activation("gelu")(GRID),
                               np.asarray(keras.layers.Activation("gelu")(GRID)), **TOL)
    np.testing.assert_allclose(A.get_activation("gelu_tanh")(GRID),
                               np.asarray(keras.activations.gelu(GRID, approximate=True)), **TOL)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, derandomize=True)
@given(negative_slope=st.sampled_from([0.0, 0.1, 0.5]),
       max_value=st.sampled_from([None, 1.0, 6.0]), threshold=st.sampled_from([0.0, 0.5, 2.0]))
def test_relu_equals_keras_relu_layer(keras, negative_slope, max_value, threshold):
    layer = keras.layers.ReLU(max_value=max_value, negative_slope=negative_slope,
                              threshold=threshold)
    np.testing.assert_allclose(A.relu(GRID, negative_slope, max_value, threshold),
                               np.asarray(layer(GRID)), **TOL)


@pytest.mark.slow
def test_activation_layers_equal_keras(keras):
    x = GRID.reshape(-1, 6)
    cases = [({"class_name": "LeakyReLU", "config": {}}, keras.layers.LeakyReLU()),
             ({"class_name": "ELU", "config": {"alpha": 0.7}}, keras.layers.ELU(alpha=0.7)),
             ({"class_name": "Softmax", "config": {"axis": 0}}, keras.layers.Softmax(axis=0))]
    for spec, layer in cases:
        np.testing.assert_allclose(A.get_activation(spec)(x), np.asarray(layer(x)), **TOL)
