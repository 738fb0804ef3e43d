"""A corpus of real architectures (keras.applications and hand-built ones users write), with
random weights, saved by Keras 3 as .keras and .h5 at test time (never committed as binaries).

``build_corpus(keras, folder, names)`` builds each model once and returns
``{name: Built}``; tests/io/test_real_models.py calls it from one session-scoped fixture.
Input sizes are the smallest each architecture accepts, so that a forward pass is fast.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model_files import randomise


def _app(name, shape, **kw):
    def build(keras):
        return getattr(keras.applications, name)(input_shape=shape, weights=None, **kw)
    build.__name__ = name
    return build


def unet(keras):
    """A small U-Net: Conv2DTranspose and UpSampling2D decoders, Concatenate skips, Cropping2D."""
    L = keras.layers
    inp = keras.Input((32, 32, 3), name="image")
    c1 = L.Conv2D(8, 3, padding="same", activation="relu", name="enc1")(inp)
    p1 = L.MaxPooling2D(name="pool1")(c1)
    c2 = L.Conv2D(16, 3, padding="same", activation="relu", name="enc2")(p1)
    p2 = L.MaxPooling2D(name="pool2")(c2)
    mid = L.Conv2D(32, 3, padding="same", activation="relu", name="bottleneck")(p2)
    mid = L.SpatialDropout2D(0.2, name="sdrop")(mid)
    u2 = L.Conv2DTranspose(16, 2, strides=2, name="up2")(mid)
    d2 = L.Conv2D(16, 3, padding="same", activation="relu", name="dec2")(
        L.Concatenate(name="skip2")([u2, c2]))
    u1 = L.UpSampling2D(name="up1")(d2)
    u1 = L.ZeroPadding2D(((1, 1), (2, 0)), name="pad")(u1)
    u1 = L.Cropping2D(((1, 1), (0, 2)), name="crop")(u1)
    d1 = L.Conv2D(8, 3, padding="same", activation="relu", name="dec1")(
        L.Concatenate(name="skip1")([u1, c1]))
    out = L.Conv2D(2, 1, activation="softmax", name="mask")(d1)
    return keras.Model(inp, out, name="unet")


def nested_sequential(keras):
    """A Sequential block and a functional backbone inside a functional model: names with '/'."""
    L = keras.layers
    block = keras.Sequential([
        L.DepthwiseConv2D(3, padding="same", name="dw"),
        L.BatchNormalization(name="bn"),
        L.ReLU(6.0, name="relu6"),
        L.Conv2D(8, 1, name="pw"),
    ], name="block")
    img = keras.Input((24, 24, 3), name="img")
    x = L.Conv2D(8, 3, strides=2, padding="same", name="stem")(img)
    x = block(x)
    x = L.Add(name="residual")([x, L.Conv2D(8, 1, name="shortcut")(x)])
    head = keras.Sequential([L.GlobalAveragePooling2D(name="gap"), L.Dense(4, name="logits"),
                             L.Softmax(name="probs")], name="head")
    return keras.Model(img, head(x), name="nested_sequential")


def multi_io(keras):
    """Two inputs of different kinds, three outputs; Multiply, Maximum, Average, Subtract."""
    L = keras.layers
    image = keras.Input((16, 16, 3), name="image")
    meta = keras.Input((6,), name="meta")
    x = L.Conv2D(8, 3, strides=2, activation="relu", name="conv")(image)
    x = L.GlobalMaxPooling2D(name="gmp")(x)
    m = L.Dense(8, activation="tanh", name="meta_fc")(meta)
    joint = L.Multiply(name="gate")([x, m])
    both = L.Concatenate(name="both")([L.Maximum(name="maxi")([x, m]), L.Average(name="avg")([x, m]),
                                       L.Subtract(name="diff")([x, m]), joint])
    cls = L.Dense(3, activation="softmax", name="cls")(both)
    reg = L.Dense(1, name="reg")(both)
    rep = L.Dense(4, activation="sigmoid", name="aux")(joint)
    return keras.Model([image, meta], [cls, reg, rep], name="multi_io")


def text_conv(keras):
    """A 1-D text classifier: Embedding, Conv1D, pooling, no recurrent layer."""
    L = keras.layers
    tokens = keras.Input((40,), name="tokens")
    x = L.Embedding(100, 16, name="embed")(tokens)
    x = L.Conv1D(12, 5, activation="relu", name="conv1d")(x)
    x = L.MaxPooling1D(2, name="pool")(x)
    x = L.Conv1D(8, 3, padding="causal", dilation_rate=2, name="causal")(x)
    x = L.GlobalAveragePooling1D(name="gap")(x)
    return keras.Model(tokens, L.Dense(2, activation="softmax", name="out")(x), name="text_conv")


def text_rnn(keras):
    """Embedding, Conv1D, then LSTM and GRU: recurrent layers tspcli does not compute."""
    L = keras.layers
    tokens = keras.Input((20,), name="tokens")
    x = L.Embedding(50, 8, name="embed")(tokens)
    x = L.Conv1D(8, 3, padding="same", activation="relu", name="conv1d")(x)
    x = L.LSTM(6, return_sequences=True, name="lstm")(x)
    x = L.GRU(4, name="gru")(x)
    return keras.Model(tokens, L.Dense(2, activation="softmax", name="out")(x), name="text_rnn")


def lambda_model(keras):
    """A Lambda layer: its code must never run; tspcli refuses it."""
    L = keras.layers
    inp = keras.Input((8, 8, 1), name="x")
    x = L.Conv2D(2, 3, name="conv")(inp)
    x = L.Lambda(lambda t: t * 2.0, name="double")(x)
    return keras.Model(inp, L.Dense(2, name="out")(L.Flatten(name="flat")(x)), name="lambda_model")


def layer_zoo(keras):
    """Element-wise and reshaping layers real models use, one of each."""
    L = keras.layers
    inp = keras.Input((12, 10, 4), name="x")
    x = L.Rescaling(1 / 127.5, offset=-1, name="rescale")(inp)
    x = L.Normalization(mean=[0.1, 0.2, 0.3, 0.4], variance=[1.0, 2.0, 0.5, 4.0], name="norm")(x)
    x = L.Conv2D(8, 3, padding="same", name="conv")(x)
    x = L.Conv2D(8, 3, groups=2, padding="same", name="grouped")(x)
    x = L.Conv2D(16, 3, groups=8, padding="same", name="dw_as_conv")(x)   # ConvNeXt's depthwise
    x = L.Conv2D(8, 1, name="pw")(x)
    x = L.Normalization(name="adapted")(x)     # statistics as weights (adapt's), as EfficientNet's
    x = L.LayerNormalization(name="ln")(x)
    x = L.ReLU(max_value=4.0, negative_slope=0.1, threshold=0.2, name="relu_mix")(x)
    x = L.Activation("swish", name="swish")(x)
    x = L.Activation("gelu", name="gelu")(x)
    x = L.Activation("hard_swish", name="hswish")(x)
    x = L.PReLU(shared_axes=[1, 2], name="prelu")(x)
    x = L.ZeroPadding2D((1, 2), name="zpad")(x)
    x = L.Cropping2D(((0, 1), (2, 1)), name="crop")(x)
    x = L.GaussianNoise(0.5, name="noise")(x)              # training only: the identity here
    x = L.GaussianDropout(0.3, name="gdrop")(x)
    x = L.UpSampling2D(2, interpolation="bilinear", name="bilinear")(x)
    se = L.GlobalAveragePooling2D(keepdims=True, name="squeeze")(x)
    se = L.Conv2D(8, 1, activation="sigmoid", name="excite")(se)
    x = L.Multiply(name="se")([x, se])
    x = L.Permute((2, 1, 3), name="perm")(x)
    x = L.GlobalMaxPooling2D(name="gmp")(x)
    x = L.RepeatVector(3, name="repeat")(x)
    x = L.PReLU(name="prelu_each")(x)   # a slope per value
    x = L.Flatten(name="flat")(x)
    return keras.Model(inp, L.Dense(3, activation="softmax", name="out")(x), name="layer_zoo")


BUILDERS = {
    "MobileNet": _app("MobileNet", (32, 32, 3), alpha=0.25, classes=5),
    "MobileNetV2": _app("MobileNetV2", (32, 32, 3), alpha=0.35, classes=5),
    "MobileNetV3Small": _app("MobileNetV3Small", (32, 32, 3), alpha=0.75, classes=5),
    "MobileNetV3Large": _app("MobileNetV3Large", (32, 32, 3), classes=5),
    "EfficientNetB0": _app("EfficientNetB0", (32, 32, 3), classes=5),
    "ResNet50": _app("ResNet50", (32, 32, 3), classes=5),
    "DenseNet121": _app("DenseNet121", (32, 32, 3), classes=5),
    "NASNetMobile": _app("NASNetMobile", (32, 32, 3), classes=5),
    "Xception": _app("Xception", (71, 71, 3), classes=5),
    "InceptionV3": _app("InceptionV3", (75, 75, 3), classes=5),
    "ConvNeXtTiny": _app("ConvNeXtTiny", (32, 32, 3), classes=5),
    **{f.__name__: f for f in (unet, nested_sequential, multi_io, text_conv, text_rnn, lambda_model,
                               layer_zoo)},
}


@dataclass
class Built:
    """One model of the corpus: the Keras model and where it was saved."""

    name: str
    model: object
    paths: dict = field(default_factory=dict)  # "keras"/"h5" -> Path

    def sample_inputs(self, seed=0) -> list[np.ndarray]:
        """One input per model input (no batch axis): token ids for Embedding inputs, else values."""
        rng = np.random.default_rng(seed)
        out = []
        for tensor in self.model.inputs:
            shape = tuple(tensor.shape[1:])
            if len(shape) == 1 and _feeds_embedding(self.model, tensor):
                out.append(rng.integers(0, 20, shape).astype("float32"))
            else:
                out.append(rng.uniform(0, 1, shape).astype("float32"))
        return out


def _feeds_embedding(model, tensor) -> bool:
    name = tensor._keras_history.operation.name
    for layer in model.layers:
        if layer.__class__.__name__ == "Embedding":
            for node in layer._inbound_nodes:
                if any(t._keras_history.operation.name == name for t in node.input_tensors):
                    return True
    return False


def build_corpus(keras, folder: Path, names=None) -> dict[str, Built]:
    """Build, randomise and save every named model (default all) as .keras and .h5."""
    rng = np.random.default_rng(11)
    out = {}
    for name in names or BUILDERS:
        model = BUILDERS[name](keras)
        randomise(keras, model, rng)
        for layer in model._flatten_layers(include_self=False):  # variances must be positive
            for v in layer.weights:
                if v.path.endswith("/variance"):
                    v.assign(rng.uniform(0.5, 2.0, tuple(v.shape)).astype("float32"))
            if layer.__class__.__name__ == "Normalization" and layer.weights:
                layer.finalize_state()  # call() uses a copy of the statistics taken at build
        built = Built(name, model)
        for fmt in ("keras", "h5"):
            built.paths[fmt] = Path(folder) / f"{name}.{fmt}"
            model.save(built.paths[fmt])
        out[name] = built
    return out
