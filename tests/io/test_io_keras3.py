"""Files saved by Keras 3 (jax) as .h5 and .keras read back equal to the Keras model."""
import zipfile

import numpy as np
import pytest

from model_files import KERAS3_BUILDERS
from tspcli.io.formats import read_model_file

pytestmark = pytest.mark.slow

FORMATS = ["h5", "keras"]


def flat_layers(keras, model, prefix=""):
    """(flattened name, layer) as the reader names them: nested models' layers prefixed."""
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from flat_layers(keras, layer, f"{prefix}{layer.name}/")
        elif not (prefix and layer.__class__.__name__ == "InputLayer"):
            yield prefix + layer.name, layer


def keras_weight_names(layer):
    names = [v.name for v in layer.weights]
    if layer.__class__.__name__.startswith("DepthwiseConv"):
        names = ["depthwise_kernel" if n == "kernel" else n for n in names]
    return names


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", KERAS3_BUILDERS)
def test_every_layer_and_weight_equals_keras(keras, keras3_saved, name, fmt):
    model, paths = keras3_saved[name]
    read = read_model_file(paths[fmt])
    assert read.format == fmt and read.keras_version == keras.__version__
    assert read.name == model.name
    assert read.kind == ("Sequential" if isinstance(model, keras.Sequential) else "Functional")
    expected = dict(flat_layers(keras, model))
    names = [layer.name for layer in read.layers]
    later_calls = {n for n in names if "#" in n}  # a layer called again: same weights
    assert all(read.layer(n).weights is read.layer(n.split("#")[0]).weights for n in later_calls)
    assert set(names) - later_calls - set(expected) <= set(read.inputs)  # Sequential's InputLayer
    assert set(expected) <= set(names)
    for flat_name, layer in expected.items():
        got = read.layer(flat_name)
        assert got.class_name == layer.__class__.__name__
        assert list(got.weights) == keras_weight_names(layer), flat_name
        for value, want in zip(got.weights.values(), layer.get_weights()):
            assert np.array_equal(value, want), flat_name


@pytest.mark.parametrize("name", ["mobilenet", "mobilenet_v2", "branches"])
def test_wiring_and_shapes_equal_keras(keras, keras3_saved, name):
    model, paths = keras3_saved[name]
    for fmt in FORMATS:
        read = read_model_file(paths[fmt])
        assert read.inputs == [t._keras_history.operation.name for t in model.inputs]
        assert read.outputs == [t._keras_history.operation.name for t in model.outputs]
        for layer in model.layers:
            for n, node in enumerate(layer._inbound_nodes):
                got = read.layer(layer.name if n == 0 else f"{layer.name}#{n}")
                assert got.inbound == [
                    t._keras_history.operation.name + (f"#{t._keras_history.node_index}"
                                                       if t._keras_history.node_index else "")
                    for t in node.input_tensors]
                if got.name not in read.outputs:  # shapes are recorded where layers are used
                    assert got.shape == tuple(node.output_tensors[0].shape[1:])
        order = [layer.name for layer in read.layers]
        assert all(order.index(i) < order.index(l.name) for l in read.layers for i in l.inbound)


@pytest.mark.parametrize("fmt", FORMATS)
def test_nested_models_are_flattened_with_prefixed_names(keras3_saved, fmt):
    read = read_model_file(keras3_saved["nested"][1][fmt])
    assert [(layer.name, layer.inbound) for layer in read.layers] == [
        ("photo", []),
        ("backbone/conv", ["photo"]),
        ("backbone/bn", ["backbone/conv"]),
        ("backbone/relu", ["backbone/bn"]),
        ("backbone/conv2", ["backbone/relu"]),
        ("dw", ["backbone/conv2"]),
        ("head/gap", ["dw"]),
        ("head/fc", ["head/gap"]),
    ]
    assert read.outputs == ["head/fc"]
    assert read.layer("dw").shape == (7, 7, 4)  # recorded where dw feeds the head


def strip_layer_names(path, target):
    """The same archive without the layer names that newer Keras versions record."""
    import h5py

    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    weights = target.with_suffix(".weights.h5")
    weights.write_bytes(members["model.weights.h5"])
    with h5py.File(weights, "a") as f:
        f.visititems(lambda _, obj: obj.attrs.__delitem__("name") if "name" in obj.attrs else None)
    members["model.weights.h5"] = weights.read_bytes()
    with zipfile.ZipFile(target, "w") as archive:
        for n, data in members.items():
            archive.writestr(n, data)
    return target


@pytest.mark.parametrize("name", ["mobilenet_v2", "nested", "branches"])
def test_keras_archive_keys_alone_locate_every_layer(keras, keras3_saved, tmp_path, name):
    """Older .keras files have no layer names: the class-name keys must find the weights."""
    model, paths = keras3_saved[name]
    read = read_model_file(strip_layer_names(paths["keras"], tmp_path / "old.keras"))
    for flat_name, layer in flat_layers(keras, model):
        for value, want in zip(read.layer(flat_name).weights.values(), layer.get_weights()):
            assert np.array_equal(value, want), flat_name
