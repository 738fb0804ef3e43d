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


def separable_blocks(keras):
    """46 layers in Keras 2's style (an Xception in miniature): every convolution followed by its own
    BatchNormalization and Activation layers, SeparableConv2D blocks with residual 1x1 convolutions
    and Add, global pooling, Dropout and a softmax Activation after the last Dense."""
    L = keras.layers

    def conv_bn_relu(x, name, sep=False, relu=True, **conv):
        x = (L.SeparableConv2D if sep else L.Conv2D)(name=name, padding="same", use_bias=False, **conv)(x)
        x = L.BatchNormalization(name=f"{name}_bn")(x)
        return L.Activation("relu", name=f"{name}_act")(x) if relu else x

    image = keras.Input((32, 32, 3), name="image")
    x = conv_bn_relu(image, "conv1", filters=8, kernel_size=3, strides=2)
    x = conv_bn_relu(x, "conv2", filters=16, kernel_size=3)
    for i, filters in enumerate((24, 32, 48), 1):
        residual = L.Conv2D(filters, 1, strides=2, use_bias=False, name=f"res{i}")(x)
        residual = L.BatchNormalization(name=f"res{i}_bn")(residual)
        if i > 1:
            x = L.Activation("relu", name=f"block{i}_act")(x)
        x = conv_bn_relu(x, f"block{i}_sep1", sep=True, filters=filters, kernel_size=3)
        x = conv_bn_relu(x, f"block{i}_sep2", sep=True, relu=False, filters=filters, kernel_size=3)
        x = L.MaxPooling2D(3, strides=2, padding="same", name=f"block{i}_pool")(x)
        x = L.Add(name=f"block{i}_add")([x, residual])
    x = conv_bn_relu(x, "exit_sep1", sep=True, filters=64, kernel_size=3)
    x = conv_bn_relu(x, "exit_sep2", sep=True, filters=64, kernel_size=3)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = L.Dropout(0.3, name="dropout")(x)
    x = L.Dense(5, name="logits")(x)
    return keras.Model(image, L.Activation("softmax", name="probs")(x), name="separable_blocks")


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
