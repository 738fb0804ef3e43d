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
