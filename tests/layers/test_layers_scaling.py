"""The layers real Keras models add to TensorSpace's catalogue, from descriptions: values by hand,
and one clear error for each impossible setting (Keras' own numbers: tests/io/test_real_models.py)."""
import numpy as np
import pytest

from tspcli.errors import TspError
from tspcli.layers import Input1d, Input3d, LayerNormalization, Normalization, Permute, PReLU, RepeatVector, Rescaling
from tspcli.model import Sequential

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 10 - 1


def run(*layers, x=X):
    model = Sequential([Input3d(shape=list(x.shape)), *layers]).init()
    model.predict(x)
    return model.layers[-1]


def test_rescaling_per_channel():
    out = run(Rescaling(scale=[1, 2, 3, 4], offset=-1)).neural_value
    assert np.array_equal(out, X * np.float32([1, 2, 3, 4]) - 1)


def test_normalization_from_config_and_inverted():
    out = run(Normalization(mean=[0, 1, 2, 3], variance=[1, 4, 9, 16])).neural_value
    assert np.allclose(out, (X - [0, 1, 2, 3]) / [1, 2, 3, 4], atol=1e-7)
    back = run(Normalization(mean=[0, 1, 2, 3], variance=[1, 4, 9, 16], invert=True)).neural_value
    assert np.allclose(back, X * [1, 2, 3, 4] + [0, 1, 2, 3], atol=1e-6)


def test_layer_normalization_over_the_channels():
    layer = Sequential([Input3d(shape=[2, 3, 4]), LayerNormalization(name="ln")]).init().layers[-1]
    assert layer.weight_shapes() == {"gamma": (4,), "beta": (4,)}
    layer.weights = {"gamma": np.full(4, 2, np.float32), "beta": np.ones(4, np.float32)}
    out = layer.forward([X])
    mean, var = X.mean(-1, keepdims=True), X.var(-1, keepdims=True)
    assert np.allclose(out, (X - mean) / np.sqrt(var + 1e-3) * 2 + 1, atol=1e-6)


def test_permute_and_repeat_vector():
    assert run(Permute(dims=[2, 1, 3])).neural_value.shape == (3, 2, 4)
    assert np.array_equal(run(Permute(dims=[3, 1, 2])).neural_value, X.transpose(2, 0, 1))
    v = np.arange(5, dtype=np.float32)
    model = Sequential([Input1d(shape=[5]), RepeatVector(n=3)]).init()
    model.predict(v)
    assert np.array_equal(model.layers[-1].neural_value, np.stack([v] * 3))


def test_prelu_shared_axes_shape_the_slope():
    layer = Sequential([Input3d(shape=[2, 3, 4]), PReLU(sharedAxes=[1, 2])]).init().layers[-1]
    assert layer.weight_shapes() == {"alpha": (1, 1, 4)}
    layer = Sequential([Input3d(shape=[2, 3, 4]), PReLU(sharedAxes=[])]).init().layers[-1]
    assert layer.weight_shapes() == {"alpha": (2, 3, 4)}


@pytest.mark.parametrize("layer, needle", [
    (lambda: Rescaling(scale=[1, 2]), "scale has 2 values for 4 channels"),
    (lambda: Normalization(mean=[0, 0, 0, 0]), "give both mean and variance"),
    (lambda: Normalization(axis=1), "only the channel axis"),
    (lambda: Permute(dims=[1, 1, 2]), "not an order of the axes 1..3"),
    (lambda: LayerNormalization(rmsScaling=True), "rms_scaling is not supported"),
    (lambda: PReLU(sharedAxes=[4]), "beyond the input"),
])
def test_impossible_settings_are_one_clear_error(layer, needle):
    with pytest.raises(TspError) as err:
        Sequential([Input3d(shape=[2, 3, 4]), layer()]).init()
    assert needle in err.value.message
