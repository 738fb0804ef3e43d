"""Shape inference of every layer type equals Keras' own compute_output_shape."""
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tspcli.errors import ShapeError
from tspcli.layers import layer_from_config
from tspcli.layers.inputs import input_class_for_shape
from tspcli.model import Sequential

pytestmark = pytest.mark.slow
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def ours(config: dict, input_shape: tuple):
    """Our output shape, or None when we refuse the shape (size <= 0)."""
    model = Sequential([input_class_for_shape(input_shape)(shape=list(input_shape)), layer_from_config(config)])
    try:
        model.init()
    except ShapeError as exc:
        assert "no output is left" in str(exc) or "cannot reshape" in str(exc), str(exc)
        return None
    return model.layers[-1].output_shape


def theirs(layer, input_shape):
    try:
        shape = layer.compute_output_shape((None, *input_shape))
    except ValueError:
        return None
    shape = tuple(shape[1:])
    return None if any(d is not None and d <= 0 for d in shape) else shape


sizes = st.integers(1, 24)
kernels = st.integers(1, 5)
small = st.integers(1, 3)
padding = st.sampled_from(["valid", "same"])


@st.composite
def window2d(draw):
    """Kernel, strides and dilation per axis; Keras refuses strides > 1 together with dilation > 1."""
    k = (draw(kernels), draw(kernels))
    if draw(st.booleans()):
        s, d = (draw(small), draw(small)), (1, 1)
    else:
        s, d = (1, 1), (draw(small), draw(small))
    return k, s, d


@SETTINGS
@given(h=sizes, w=sizes, c=st.integers(1, 6), win=window2d(), pad=padding, m=small)
def test_depthwise_conv2d(keras, h, w, c, win, pad, m):
    k, s, d = win
    mine = ours({"type": "DepthwiseConv2d", "kernelSize": list(k), "strides": list(s), "dilationRate": list(d),
                 "padding": pad, "depthMultiplier": m}, (h, w, c))
    ref = theirs(keras.layers.DepthwiseConv2D(k, strides=s, dilation_rate=d, padding=pad, depth_multiplier=m),
                 (h, w, c))
    assert mine == ref


@SETTINGS
@given(h=sizes, w=sizes, c=st.integers(1, 4), f=st.integers(1, 8), win=window2d(), pad=padding)
def test_conv2d_and_separable(keras, h, w, c, f, win, pad):
    k, s, d = win
    cfg = {"filters": f, "kernelSize": list(k), "strides": list(s), "dilationRate": list(d), "padding": pad}
    assert ours({"type": "Conv2d", **cfg}, (h, w, c)) == theirs(
        keras.layers.Conv2D(f, k, strides=s, dilation_rate=d, padding=pad), (h, w, c))
    assert ours({"type": "SeparableConv2d", **cfg}, (h, w, c)) == theirs(
        keras.layers.SeparableConv2D(f, k, strides=s, dilation_rate=d, padding=pad), (h, w, c))


@SETTINGS
@given(h=sizes, w=sizes, f=st.integers(1, 4), k=st.tuples(kernels, kernels), s=st.tuples(small, small),
       pad=padding, use_op=st.booleans(), data=st.data())
def test_conv2d_transpose(keras, h, w, f, k, s, pad, use_op, data):
    op = tuple(data.draw(st.integers(0, si - 1)) for si in s) if use_op else None
    mine = ours({"type": "Conv2dTranspose", "filters": f, "kernelSize": list(k), "strides": list(s),
                 "padding": pad, "outputPadding": list(op) if op else None}, (h, w, 2))
    assert mine == theirs(keras.layers.Conv2DTranspose(f, k, strides=s, padding=pad, output_padding=op), (h, w, 2))


@SETTINGS
@given(n=st.integers(1, 30), f=st.integers(1, 5), k=kernels, s=small, d=small,
       pad=st.sampled_from(["valid", "same", "causal"]))
def test_conv1d(keras, n, f, k, s, d, pad):
    assume(s == 1 or d == 1)
    mine = ours({"type": "Conv1d", "filters": f, "kernelSize": k, "strides": s, "dilationRate": d, "padding": pad},
                (n, 3))
    assert mine == theirs(keras.layers.Conv1D(f, k, strides=s, dilation_rate=d, padding=pad), (n, 3))


@SETTINGS
@given(h=sizes, w=sizes, p=st.tuples(kernels, kernels), s=st.none() | st.tuples(small, small), pad=padding,
       kind=st.sampled_from(["max", "average"]))
def test_pooling2d(keras, h, w, p, s, pad, kind):
    cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    mine = ours({"type": "Pooling2d", "poolSize": list(p), "strides": list(s) if s else None, "padding": pad,
                 "poolingType": kind}, (h, w, 2))
    assert mine == theirs(cls(p, strides=s, padding=pad), (h, w, 2))


@SETTINGS
@given(n=st.integers(1, 30), p=kernels, s=st.none() | small, pad=padding)
def test_pooling1d(keras, n, p, s, pad):
    mine = ours({"type": "MaxPooling1D", "pool_size": p, "strides": s, "padding": pad}, (n, 2))
    assert mine == theirs(keras.layers.MaxPooling1D(p, strides=s, padding=pad), (n, 2))


@SETTINGS
@given(h=sizes, w=sizes, c=st.integers(1, 5), pads=st.tuples(*[st.integers(0, 3)] * 4),
       size=st.tuples(small, small))
def test_padding_cropping_upsampling(keras, h, w, c, pads, size):
    t, b, l, r = pads
    shape = (h, w, c)
    assert ours({"type": "Padding2d", "padding": [[t, b], [l, r]]}, shape) == theirs(
        keras.layers.ZeroPadding2D(((t, b), (l, r))), shape)
    assert ours({"type": "Cropping2d", "cropping": [[t, b], [l, r]]}, shape) == theirs(
        keras.layers.Cropping2D(((t, b), (l, r))), shape)
    assert ours({"type": "UpSampling2d", "size": list(size)}, shape) == theirs(keras.layers.UpSampling2D(size), shape)
    assert ours({"type": "Padding1d", "padding": [t, b]}, (h, c)) == theirs(keras.layers.ZeroPadding1D((t, b)), (h, c))
    assert ours({"type": "Cropping1d", "cropping": [t, b]}, (h, c)) == theirs(keras.layers.Cropping1D((t, b)), (h, c))
    assert ours({"type": "UpSampling1d", "size": size[0]}, (h, c)) == theirs(keras.layers.UpSampling1D(size[0]),
                                                                               (h, c))


@SETTINGS
@given(shape=st.lists(st.integers(1, 6), min_size=1, max_size=3), units=st.integers(1, 9), keep=st.booleans())
def test_dense_flatten_reshape_global(keras, shape, units, keep):
    shape = tuple(shape)
    assert ours({"type": "Dense", "units": units}, shape) == theirs(keras.layers.Dense(units), shape)
    assert ours({"type": "Flatten"}, shape) == theirs(keras.layers.Flatten(), shape)
    target = [-1, shape[-1]]
    assert ours({"type": "Reshape", "targetShape": target}, shape) == theirs(keras.layers.Reshape(target), shape)
    if len(shape) == 3:
        assert ours({"type": "GlobalAveragePooling2D", "keepdims": keep}, shape) == theirs(
            keras.layers.GlobalAveragePooling2D(keepdims=keep), shape)
    if len(shape) == 2:
        assert ours({"type": "GlobalMaxPooling1D"}, shape) == theirs(keras.layers.GlobalMaxPooling1D(), shape)


def test_mobilenet_sample_matches_keras_applications(keras):
    """Every drawn layer of samples/mobilenet_v1.yaml has the shape of Keras' MobileNet layer of that name."""
    import tspcli

    model = tspcli.load("samples/mobilenet_v1.yaml")
    ref = keras.applications.MobileNet(weights=None, input_shape=(224, 224, 3))
    ref_shapes = {l.name: tuple(l.output.shape[1:]) for l in ref.layers}
    compared = 0
    for layer in model.layers:
        if layer.name in ref_shapes:
            assert layer.output_shape == ref_shapes[layer.name], layer.name
            compared += 1
    assert compared == 28  # conv1 and 13 x (conv_dw_i, conv_pw_i)
    assert model.get_layer("global_average_pooling2d").output_shape == (1024,)
    assert model.get_layer("predictions").output_shape == (1000,)
