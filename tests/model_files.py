"""Small model files written by hand (h5py, zipfile, json) in the layouts Keras
and TensorFlow.js use, so reader tests need neither Keras nor ../shared."""
from __future__ import annotations

import io
import json
import zipfile

import h5py
import numpy as np

RNG_SEED = 7


def _conv(name, filters, **extra):
    return {"class_name": "Conv2D", "config": {
        "name": name, "filters": filters, "kernel_size": [3, 3], "strides": [1, 1],
        "padding": "valid", "activation": "relu", "use_bias": True, **extra}}


def small_sequential_config():
    """A Keras 2 style Sequential config: input 8x8x1, conv, flatten, dense."""
    return {"class_name": "Sequential", "config": {"name": "small", "layers": [
        {"class_name": "InputLayer", "config": {"name": "image", "dtype": "float32",
                                                "batch_input_shape": [None, 8, 8, 1]}},
        _conv("conv", 2),
        {"class_name": "Flatten", "config": {"name": "flat"}},
        {"class_name": "Dense", "config": {"name": "out", "units": 3, "use_bias": True,
                                           "activation": "softmax"}},
    ]}}


def small_weights():
    """Weights of small_sequential_config, {layer: [(stored name, array)]}."""
    rng = np.random.default_rng(RNG_SEED)
    return {
        "conv": [("conv/kernel:0", rng.normal(size=(3, 3, 1, 2)).astype("float32")),
                 ("conv/bias:0", rng.normal(size=(2,)).astype("float32"))],
        "out": [("out/kernel:0", rng.normal(size=(72, 3)).astype("float32")),
                ("out/bias:0", rng.normal(size=(3,)).astype("float32"))],
    }


def write_weight_groups(root, weights, layer_names):
    root.attrs["layer_names"] = [n.encode() for n in layer_names]
    for layer in layer_names:
        group = root.create_group(layer)
        stored = weights.get(layer, [])
        group.attrs["weight_names"] = [name.encode() for name, _ in stored]
        for name, array in stored:
            group.create_dataset(name, data=array)


def write_legacy_h5(path, config=None, weights=None, keras_version="2.2.4"):
    """A model file as Keras 2's model.save() writes it."""
    config = config or small_sequential_config()
    weights = small_weights() if weights is None else weights
    names = [entry["config"]["name"] for entry in config["config"]["layers"]]
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = keras_version.encode()
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        write_weight_groups(f.create_group("model_weights"), weights, names)
    return path


def write_keras_archive(path, config=None, weights=None, store_names=True):
    """A Keras 3 .keras archive: config.json + model.weights.h5 (layers/<key>/vars/<i>)."""
    config = config or small_sequential_config()
    weights = small_weights() if weights is None else weights
    keys = {"image": "input_layer", "conv": "conv2d", "flat": "flatten", "out": "dense"}
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        for layer, key in keys.items():
            group = f.create_group(f"layers/{key}/vars")
            if store_names:
                group.attrs["name"] = layer
            for i, (_, array) in enumerate(weights.get(layer, [])):
                group.create_dataset(str(i), data=array)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        archive.writestr("config.json", json.dumps(config))
        archive.writestr("model.weights.h5", buffer.getvalue())
    return path


def write_tfjs(folder, config=None, weights=None, shards=2):
    """A TensorFlow.js layers model: model.json + the weights split over shards."""
    config = config or small_sequential_config()
    weights = small_weights() if weights is None else weights
    folder.mkdir(parents=True, exist_ok=True)
    specs, blobs = [], []
    for stored in weights.values():
        for name, array in stored:
            specs.append({"name": name.split(":")[0], "shape": list(array.shape),
                          "dtype": "float32"})
            blobs.append(array.astype("<f4").tobytes())
    data = b"".join(blobs)
    cut = len(data) // shards
    paths = []
    for i in range(shards):
        chunk = data[i * cut:(i + 1) * cut if i < shards - 1 else len(data)]
        paths.append(f"group1-shard{i + 1}of{shards}")
        (folder / paths[-1]).write_bytes(chunk)
    doc = {"modelTopology": {"keras_version": "2.2.4", "backend": "tensorflow",
                             "model_config": config},
           "weightsManifest": [{"paths": paths, "weights": specs}]}
    (folder / "model.json").write_text(json.dumps(doc))
    return folder / "model.json"


# --- Keras 3 models with random weights (built at test time: conftest's keras3_saved) ---

def mobilenet(keras):
    return keras.applications.MobileNet(input_shape=(32, 32, 3), alpha=0.25, weights=None,
                                        classes=4)


def mobilenet_v2(keras):
    return keras.applications.MobileNetV2(input_shape=(32, 32, 3), alpha=0.35, weights=None,
                                          classes=4)


def branches(keras):
    """Two inputs, parallel branches, Add, Concatenate and a layer called twice."""
    L = keras.layers
    image = keras.Input((12, 12, 3), name="image")
    extra = keras.Input((5,), name="extra")
    left = L.Conv2D(4, 3, padding="same", activation="relu", name="left")(image)
    right = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, name="right_dw")(image)
    right = L.Conv2D(4, 1, use_bias=False, name="right_pw")(right)
    both = L.Concatenate(name="cat")([left, L.Add(name="sum")([left, right])])
    both = L.BatchNormalization(name="bn")(both)
    joined = L.Concatenate(name="joined")([L.GlobalAveragePooling2D(name="gap")(both), extra])
    shared = L.Dense(13, activation="relu", name="shared")
    first = shared(joined)
    second = shared(L.Dense(13, name="pre")(first))
    out = L.Dense(3, activation="softmax", name="probs")(L.Add(name="mix")([first, second]))
    return keras.Model([image, extra], out, name="branches")


def nested(keras):
    """A functional backbone and a Sequential head used as layers of an outer model."""
    L = keras.layers
    img = keras.Input((16, 16, 3), name="img")
    x = L.Conv2D(4, 3, strides=2, name="conv")(img)
    x = L.BatchNormalization(name="bn")(x)
    x = L.ReLU(name="relu")(x)
    x = L.Conv2D(4, 1, name="conv2")(x)
    backbone = keras.Model(img, x, name="backbone")
    head = keras.Sequential([L.GlobalAveragePooling2D(name="gap"), L.Dense(3, name="fc")],
                            name="head")
    photo = keras.Input((16, 16, 3), name="photo")
    y = L.DepthwiseConv2D(3, padding="same", name="dw")(backbone(photo))
    return keras.Model(photo, head(y), name="outer")


def depthwise_mix(keras):
    """Depthwise edge cases: multipliers, rectangular kernels, strides, dilation, no bias."""
    L = keras.layers
    return keras.Sequential([
        keras.Input((15, 11, 3), name="pic"),
        L.DepthwiseConv2D((3, 1), strides=(2, 1), padding="same", depth_multiplier=2,
                          name="dw_rect"),
        L.DepthwiseConv2D(3, dilation_rate=2, use_bias=False, name="dw_dilated"),
        L.SeparableConv2D(5, (2, 3), strides=2, depth_multiplier=2, name="sep"),
        L.BatchNormalization(name="bn"),
        L.Conv2DTranspose(4, 3, strides=2, padding="same", name="deconv"),
        L.DepthwiseConv2D(1),
        L.GlobalMaxPooling2D(name="gmp"),
        L.Dense(2, activation="sigmoid", name="out"),
    ], name="depthwise_mix")


class _Keras2Graph:
    """A Keras 2 functional model written layer by layer: its config and weights as model.save() stores them."""

    def __init__(self, rng):
        self.rng, self.layers, self.weights, self.channels = rng, [], {}, {}

    def add(self, class_name, name, inbound, weights=(), channels=None, **config):
        self.layers.append({"name": name, "class_name": class_name, "config": {"name": name, **config},
                            "inbound_nodes": [[[source, 0, 0, {}] for source in inbound]] if inbound else []})
        self.weights[name] = [(f"{name}/{key}:0", value.astype("float32")) for key, value in weights]
        self.channels[name] = channels if channels is not None else self.channels[inbound[0]]
        return name

    def conv(self, name, source, filters, kernel=3, strides=1, separable=False):
        cin = self.channels[source]
        if separable:
            weights = [("depthwise_kernel", self.rng.normal(0, 0.3, (kernel, kernel, cin, 1))),
                       ("pointwise_kernel", self.rng.normal(0, 0.3, (1, 1, cin, filters)))]
        else:
            weights = [("kernel", self.rng.normal(0, 0.3, (kernel, kernel, cin, filters)))]
        return self.add("SeparableConv2D" if separable else "Conv2D", name, [source], weights, filters,
                        filters=filters, kernel_size=[kernel, kernel], strides=[strides, strides], padding="same",
                        activation="linear", use_bias=False, **({"depth_multiplier": 1} if separable else {}))

    def bn(self, name, source):
        c = self.channels[source]
        stats = [("gamma", self.rng.uniform(0.5, 1.5, c)), ("beta", self.rng.normal(0, 0.5, c)),
                 ("moving_mean", self.rng.normal(0, 0.5, c)), ("moving_variance", self.rng.uniform(0.5, 1.5, c))]
        return self.add("BatchNormalization", name, [source], stats, axis=-1, epsilon=1e-3, center=True, scale=True)

    def config(self, name, inputs, outputs):
        return {"class_name": "Model", "config": {"name": name, "layers": self.layers,
                                                  "input_layers": [[n, 0, 0] for n in inputs],
                                                  "output_layers": [[n, 0, 0] for n in outputs]}}


def write_separable_blocks(path):
    """46 layers as Keras 2 saves them (an Xception in miniature): every convolution followed by its own
    BatchNormalization and Activation layers, SeparableConv2D blocks with residual 1x1 convolutions and
    Add, global pooling, Dropout and a softmax Activation after the last Dense."""
    g = _Keras2Graph(np.random.default_rng(RNG_SEED))

    def conv_bn_relu(source, name, filters, relu=True, **conv):
        x = g.bn(f"{name}_bn", g.conv(name, source, filters, **conv))
        return g.add("Activation", f"{name}_act", [x], activation="relu") if relu else x

    x = g.add("InputLayer", "image", [], channels=3, batch_input_shape=[None, 32, 32, 3], dtype="float32")
    x = conv_bn_relu(x, "conv1", 8, strides=2)
    x = conv_bn_relu(x, "conv2", 16)
    for i, filters in enumerate((24, 32, 48), 1):
        residual = g.bn(f"res{i}_bn", g.conv(f"res{i}", x, filters, kernel=1, strides=2))
        if i > 1:
            x = g.add("Activation", f"block{i}_act", [x], activation="relu")
        x = conv_bn_relu(x, f"block{i}_sep1", filters, separable=True)
        x = conv_bn_relu(x, f"block{i}_sep2", filters, relu=False, separable=True)
        x = g.add("MaxPooling2D", f"block{i}_pool", [x], pool_size=[3, 3], strides=[2, 2], padding="same")
        x = g.add("Add", f"block{i}_add", [x, residual])
    x = conv_bn_relu(x, "exit_sep1", 64, separable=True)
    x = conv_bn_relu(x, "exit_sep2", 64, separable=True)
    x = g.add("GlobalAveragePooling2D", "gap", [x])
    x = g.add("Dropout", "dropout", [x], rate=0.3)
    x = g.add("Dense", "logits", [x], [("kernel", g.rng.normal(0, 0.3, (64, 5))), ("bias", np.zeros(5))], 5,
              units=5, activation="linear", use_bias=True)
    x = g.add("Activation", "probs", [x], activation="softmax")
    return write_legacy_h5(path, g.config("separable_blocks", ["image"], [x]), g.weights)


KERAS3_BUILDERS = {f.__name__: f for f in (mobilenet, mobilenet_v2, branches, nested, depthwise_mix)}


def randomise(keras, model, rng) -> None:
    """Non-trivial values everywhere (BatchNormalization statistics included), so that a mix-up
    shows; kernels scaled by their fan-in as trained ones are, so that deep models keep float32
    rounding as small as real models do."""
    for layer in model._flatten_layers(include_self=False):
        if isinstance(layer, keras.Model):
            continue
        depthwise = isinstance(layer, (keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D))
        for v in layer.weights:
            name, shape = v.path.rsplit("/", 1)[-1], tuple(v.shape)
            if name in ("gamma", "moving_variance"):
                low, high = 0.5, 1.5
            elif "kernel" in name:
                dw = name == "depthwise_kernel" or (depthwise and name == "kernel")
                fan_in = int(np.prod(shape[:2] if dw else shape[:-1]))
                high = np.sqrt(3.0 / fan_in)
                low = -high
            else:
                low, high = -0.5, 0.5
            v.assign(rng.uniform(low, high, shape).astype("float32"))


def save_keras3_models(keras, folder):
    """name -> (Keras model with random weights, {"h5": path, "keras": path})."""
    rng = np.random.default_rng(3)
    out = {}
    for name, build in KERAS3_BUILDERS.items():
        model = build(keras)
        randomise(keras, model, rng)
        paths = {fmt: folder / f"{name}.{fmt}" for fmt in ("h5", "keras")}
        for path in paths.values():
            model.save(path)
        out[name] = (model, paths)
    return out
