"""Every layer's neural value equals Keras' (jax backend) within 1e-5, layer by layer."""
import numpy as np
import pytest

from tspcli.layers import layer_from_config
from tspcli.layers.inputs import input_class_for_shape
from tspcli.model import Model, Sequential

pytestmark = pytest.mark.slow
TOL = dict(rtol=1e-5, atol=1e-5)


def keras_outputs(keras, kmodel, x):
    """Every layer's output of a Keras model for input(s) x (batch of one), by layer name."""
    layers = [l for l in kmodel.layers if not isinstance(l, keras.layers.InputLayer)]
    probe = keras.Model(kmodel.inputs, [l.output for l in layers])
    xs = [v[None] for v in x] if isinstance(x, list) else [x[None]]
    values = probe(xs)
    if len(layers) == 1:
        values = [values]
    return {l.name: np.asarray(v)[0] for l, v in zip(layers, values)}


def copy_weights(keras_model, model):
    for layer in model.layers:
        names = list(layer.weight_shapes())
        if names:
            values = keras_model.get_layer(layer.name).get_weights()
            assert len(values) == len(names), layer.name
            layer.weights = {n: np.asarray(v) for n, v in zip(names, values)}


def randomise(keras_model, seed=0):
    """Non-trivial weights everywhere (biases and BatchNormalization statistics included)."""
    rng = np.random.default_rng(seed)
    for layer in keras_model.layers:
        ws = layer.get_weights()
        if ws:
            new = [rng.normal(0, 0.5, w.shape).astype("float32") for w in ws]
            if layer.__class__.__name__ == "BatchNormalization":
                new[-1] = np.abs(new[-1]) + 0.5  # a variance is positive
            layer.set_weights(new)


def check_sequential(keras, input_shape, our_layers, keras_layers, seed=0, x=None):
    kmodel = keras.Sequential([keras.Input(input_shape), *keras_layers])
    randomise(kmodel, seed)
    ours = Sequential([input_class_for_shape(input_shape)(name="in", shape=list(input_shape)),
                       *[layer_from_config(c) for c in our_layers]]).init()
    copy_weights(kmodel, ours)
    if x is None:
        x = np.random.default_rng(seed + 1).normal(0, 1, input_shape).astype("float32")
    ours.predict(x)
    ref = keras_outputs(keras, kmodel, x)
    for layer in ours.layers[1:]:
        np.testing.assert_allclose(layer.neural_value, ref[layer.name], **TOL, err_msg=layer.name)


ACTIVATIONS = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh",
               "softmax", "softplus", "softsign", "silu", "gelu", "exponential", "hard_tanh"]

# (input shape, kernel, strides, padding, depth multiplier, dilation, bias, activation)
DEPTHWISE = [
    ((9, 8, 3), (3, 3), (1, 1), "same", 1, (1, 1), True, "relu6"),
    ((10, 7, 2), (3, 1), (2, 1), "same", 3, (1, 1), False, "linear"),
    ((8, 8, 4), (2, 2), (2, 2), "same", 2, (1, 1), True, "sigmoid"),
    ((11, 12, 3), (1, 4), (3, 2), "valid", 1, (1, 1), True, "tanh"),
    ((12, 11, 2), (3, 3), (1, 1), "same", 2, (2, 3), True, "relu"),
    ((13, 9, 3), (2, 3), (1, 1), "valid", 3, (2, 2), False, "elu"),
    ((7, 6, 5), (5, 5), (3, 3), "same", 1, (1, 1), True, "softmax"),
    ((6, 9, 1), (4, 2), (2, 3), "same", 2, (1, 1), True, "silu"),
]


@pytest.mark.parametrize("shape,k,s,pad,m,d,bias,act", DEPTHWISE)
def test_depthwise_conv2d_equals_keras(keras, shape, k, s, pad, m, d, bias, act):
    ours = [{"type": "DepthwiseConv2d", "name": "dw", "kernelSize": list(k), "strides": list(s), "padding": pad,
             "depthMultiplier": m, "dilationRate": list(d), "useBias": bias, "activation": act}]
    theirs = [keras.layers.DepthwiseConv2D(k, strides=s, padding=pad, depth_multiplier=m, dilation_rate=d,
                                           use_bias=bias, activation=act, name="dw")]
    check_sequential(keras, shape, ours, theirs)


def test_convolutions_equal_keras(keras):
    ours = [
        {"type": "Conv2d", "name": "c1", "filters": 5, "kernelSize": [3, 2], "strides": [2, 1], "padding": "same",
         "activation": "relu"},
        {"type": "SeparableConv2d", "name": "sep", "filters": 4, "kernelSize": 3, "depthMultiplier": 2,
         "padding": "same", "activation": "tanh"},
        {"type": "Conv2dTranspose", "name": "up", "filters": 3, "kernelSize": 3, "strides": 2, "padding": "same"},
        {"type": "Conv2dTranspose", "name": "up2", "filters": 2, "kernelSize": [2, 3], "strides": [1, 2],
         "padding": "valid", "useBias": False},
        {"type": "Conv2d", "name": "c2", "filters": 3, "kernelSize": 3, "dilationRate": 2, "useBias": False},
    ]
    theirs = [
        keras.layers.Conv2D(5, (3, 2), strides=(2, 1), padding="same", activation="relu", name="c1"),
        keras.layers.SeparableConv2D(4, 3, depth_multiplier=2, padding="same", activation="tanh", name="sep"),
        keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same", name="up"),
        keras.layers.Conv2DTranspose(2, (2, 3), strides=(1, 2), padding="valid", use_bias=False, name="up2"),
        keras.layers.Conv2D(3, 3, dilation_rate=2, use_bias=False, name="c2"),
    ]
    check_sequential(keras, (11, 10, 3), ours, theirs)


def test_pooling_padding_norm_and_reshapes_equal_keras(keras):
    ours = [
        {"type": "BatchNormalization", "name": "bn"},
        {"type": "Padding2d", "name": "pad", "padding": [[1, 2], [0, 1]]},
        {"type": "Pooling2d", "name": "avg", "poolSize": 3, "strides": 2, "padding": "same", "poolingType": "average"},
        {"type": "Pooling2d", "name": "max", "poolSize": [2, 3], "strides": 1, "padding": "same"},
        {"type": "UpSampling2d", "name": "ups", "size": [2, 1]},
        {"type": "Cropping2d", "name": "crop", "cropping": [[1, 0], [0, 2]]},
        {"type": "BatchNormalization", "name": "bn2", "center": False, "epsilon": 0.01},
        {"type": "ReLU", "name": "relu", "maxValue": 6.0, "negativeSlope": 0.1, "threshold": 0.2},
        {"type": "GlobalPooling2d", "name": "gmax", "poolingType": "max", "keepdims": True},
        {"type": "Flatten", "name": "flat"},
        {"type": "Dense", "name": "dense", "units": 6, "activation": "selu"},
        {"type": "Reshape", "name": "rs", "targetShape": [3, 2]},
        {"type": "Activation", "name": "sm", "activation": "softmax", "axis": 1},
        {"type": "Flatten", "name": "flat2"},
        {"type": "Dropout", "name": "drop", "rate": 0.3},
        {"type": "LeakyReLU", "name": "leaky"},
    ]
    theirs = [
        keras.layers.BatchNormalization(name="bn"),
        keras.layers.ZeroPadding2D(((1, 2), (0, 1)), name="pad"),
        keras.layers.AveragePooling2D(3, strides=2, padding="same", name="avg"),
        keras.layers.MaxPooling2D((2, 3), strides=1, padding="same", name="max"),
        keras.layers.UpSampling2D((2, 1), name="ups"),
        keras.layers.Cropping2D(((1, 0), (0, 2)), name="crop"),
        keras.layers.BatchNormalization(center=False, epsilon=0.01, name="bn2"),
        keras.layers.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.2, name="relu"),
        keras.layers.GlobalMaxPooling2D(keepdims=True, name="gmax"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(6, activation="selu", name="dense"),
        keras.layers.Reshape((3, 2), name="rs"),
        keras.layers.Softmax(axis=1, name="sm"),
        keras.layers.Flatten(name="flat2"),
        keras.layers.Dropout(0.3, name="drop"),
        keras.layers.LeakyReLU(name="leaky"),
    ]
    check_sequential(keras, (9, 10, 4), ours, theirs)


def test_one_dimensional_layers_equal_keras(keras):
    ours = [
        {"type": "Conv1d", "name": "c", "filters": 4, "kernelSize": 3, "padding": "causal", "dilationRate": 2},
        {"type": "Padding1d", "name": "p", "padding": [2, 1]},
        {"type": "Pooling1d", "name": "pool", "poolSize": 3, "strides": 2, "padding": "same",
         "poolingType": "average"},
        {"type": "UpSampling1d", "name": "u", "size": 3},
        {"type": "Cropping1d", "name": "cr", "cropping": [1, 2]},
        {"type": "Conv1d", "name": "c2", "filters": 3, "kernelSize": 2, "strides": 2, "padding": "same"},
        {"type": "GlobalPooling1d", "name": "g"},
    ]
    theirs = [
        keras.layers.Conv1D(4, 3, padding="causal", dilation_rate=2, name="c"),
        keras.layers.ZeroPadding1D((2, 1), name="p"),
        keras.layers.AveragePooling1D(3, strides=2, padding="same", name="pool"),
        keras.layers.UpSampling1D(3, name="u"),
        keras.layers.Cropping1D((1, 2), name="cr"),
        keras.layers.Conv1D(3, 2, strides=2, padding="same", name="c2"),
        keras.layers.GlobalAveragePooling1D(name="g"),
    ]
    check_sequential(keras, (13, 2), ours, theirs)


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_every_activation_equals_keras(keras, act):
    x = np.linspace(-6, 6, 5 * 7, dtype="float32").reshape(5, 7)
    check_sequential(keras, (5, 7), [{"type": "Activation", "name": "a", "activation": act}],
                     [keras.layers.Activation(act, name="a")], x=x)


def test_merges_equal_keras(keras):
    from tspcli.layers import Add, Average, Concatenate, Conv2d, Maximum, Multiply, RGBInput, Subtract

    inp = keras.Input((6, 5, 3), name="x")
    a = keras.layers.Conv2D(4, 3, padding="same", name="a")(inp)
    b = keras.layers.Conv2D(4, 1, name="b")(inp)
    outs = [keras.layers.Add(name="add")([a, b]), keras.layers.Subtract(name="sub")([a, b]),
            keras.layers.Multiply(name="mul")([a, b]), keras.layers.Average(name="avg")([a, b]),
            keras.layers.Maximum(name="max")([a, b]), keras.layers.Concatenate(name="cat")([a, b, inp]),
            keras.layers.Concatenate(axis=1, name="cat1")([a, b])]
    kmodel = keras.Model(inp, outs)
    randomise(kmodel)

    x = RGBInput(name="x", shape=[6, 5, 3])
    ca = Conv2d(name="a", filters=4, kernelSize=3, padding="same").apply(x)
    cb = Conv2d(name="b", filters=4, kernelSize=1).apply(x)
    merged = [Add(name="add").apply([ca, cb]), Subtract(name="sub").apply([ca, cb]),
              Multiply(name="mul").apply([ca, cb]), Average(name="avg").apply([ca, cb]),
              Maximum(name="max").apply([ca, cb]), Concatenate(name="cat").apply([ca, cb, x]),
              Concatenate(name="cat1", axis=1).apply([ca, cb])]
    ours = Model(inputs=[x], outputs=merged).init()
    copy_weights(kmodel, ours)
    value = np.random.default_rng(3).normal(size=(6, 5, 3)).astype("float32")
    ours.predict(value)
    ref = keras_outputs(keras, kmodel, value)
    for layer in ours.layers[1:]:
        np.testing.assert_allclose(layer.neural_value, ref[layer.name], **TOL, err_msg=layer.name)


def test_embedding_equals_keras(keras):
    ids = np.array([3, 0, 7, 7], dtype="float32")
    check_sequential(keras, (4,), [{"type": "Embedding", "name": "e", "inputDim": 8, "outputDim": 5}],
                     [keras.layers.Embedding(8, 5, name="e")], x=ids)
