"""Broken model files give one LoadError naming the file and what is wrong, never a traceback."""
import json
import random
import shutil
import zipfile

import h5py
import pytest

import tspcli.io.hdf5
from model_files import (small_sequential_config, write_keras_archive, write_legacy_h5,
                         write_tfjs)
from tspcli.errors import LoadError
from tspcli.io.formats import read_model_file


def load_error(path, **kwargs) -> str:
    with pytest.raises(LoadError) as caught:
        read_model_file(path, **kwargs)
    assert type(caught.value) is LoadError
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_file(tmp_path):
    assert "no such file" in load_error(tmp_path / "nothing.h5")


@pytest.mark.parametrize("content", [b"", b"hello, I am text\n", b"\x00\x01\x02" * 100])
def test_not_a_model_file(tmp_path, content):
    path = tmp_path / "model.h5"
    path.write_bytes(content)
    message = load_error(path)
    assert str(path) in message and "not a model file" in message


def test_invalid_json_names_the_line(tmp_path):
    path = tmp_path / "model.json"
    path.write_text('{\n  "modelTopology": {\n    "class_name": oops\n}')
    assert f"{path}:3: invalid JSON" in load_error(path)


def test_json_that_is_no_model(tmp_path):
    path = tmp_path / "model.json"
    path.write_text('{"hello": 1}')
    assert "neither a TensorFlow.js model.json" in load_error(path)


def test_truncated_h5(tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    path.write_bytes(path.read_bytes()[:3000])
    assert "truncated" in load_error(path)


def test_truncated_keras_archive(tmp_path):
    path = write_keras_archive(tmp_path / "m.keras")
    path.write_bytes(path.read_bytes()[:-200])
    assert "corrupt or truncated .keras archive" in load_error(path)


def test_h5_without_weights(tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:
        del f["model_weights"]
    assert "missing weights" in load_error(path)


def test_h5_layer_without_its_weights(tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:
        del f["model_weights/out"]
    assert "layer 'out': missing weights kernel, bias" in load_error(path)


def test_h5_weight_listed_but_absent(tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:
        del f["model_weights/conv/conv/bias:0"]
    assert "'/model_weights/conv/conv/bias:0' is listed in weight_names" in load_error(path)


def test_weights_only_h5_is_not_a_model(tmp_path):
    path = tmp_path / "w.h5"
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = [b"conv"]
    message = load_error(path)
    assert "holds only weights" in message and "hint:" in message


def test_config_referencing_an_unknown_layer(tmp_path):
    config = json.loads(json.dumps(small_sequential_config()))
    config = {"class_name": "Model", "config": {
        "name": "m", "input_layers": [["image", 0, 0]], "output_layers": [["out", 0, 0]],
        "layers": [dict(entry, name=entry["config"]["name"], inbound_nodes=[[[src, 0, 0, {}]]])
                   for entry, src in zip(config["config"]["layers"],
                                         [None, "image", "ghost", "flat"])]}}
    config["config"]["layers"][0]["inbound_nodes"] = []
    path = write_legacy_h5(tmp_path / "m.h5", config)
    assert "layer 'flat': takes input from 'ghost', which the config does not define" \
        in load_error(path)


def test_sequential_without_any_input_shape(tmp_path):
    config = small_sequential_config()
    config["config"]["layers"] = config["config"]["layers"][1:]
    assert "input shape is unknown" in load_error(write_legacy_h5(tmp_path / "m.h5", config))


def test_tfjs_missing_shard(tmp_path):
    model_json = write_tfjs(tmp_path / "js")
    (tmp_path / "js" / "group1-shard2of2").unlink()
    assert "weights shard 'group1-shard2of2' listed in the manifest is missing" \
        in load_error(model_json)


def test_tfjs_short_shard(tmp_path):
    model_json = write_tfjs(tmp_path / "js")
    shard = tmp_path / "js" / "group1-shard2of2"
    shard.write_bytes(shard.read_bytes()[:-4])
    message = load_error(model_json)
    assert "hold 952 bytes but the manifest describes 956" in message


def test_tfjs_weight_of_no_layer(tmp_path):
    model_json = write_tfjs(tmp_path / "js")
    doc = json.loads(model_json.read_text())
    doc["weightsManifest"][0]["weights"][0]["name"] = "ghost/kernel"
    model_json.write_text(json.dumps(doc))
    assert "weight 'ghost/kernel' in the weights manifest belongs to no layer" \
        in load_error(model_json)


def rewrite_archive(path, edit):
    """Apply edit(h5py.File) to the weights inside a .keras archive."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    weights = path.parent / "w.h5"
    weights.write_bytes(members["model.weights.h5"])
    with h5py.File(weights, "a") as f:
        edit(f)
    members["model.weights.h5"] = weights.read_bytes()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_keras_archive_whose_weights_belong_to_other_layers(tmp_path):
    path = write_keras_archive(tmp_path / "m.keras")
    rewrite_archive(path, lambda f: f["layers/dense/vars"].attrs.__setitem__("name", "other"))
    message = load_error(path)
    assert "holds the weights of layer 'other'" in message and "does not belong" in message


def test_keras_archive_with_a_weight_too_few(tmp_path):
    path = write_keras_archive(tmp_path / "m.keras")
    rewrite_archive(path, lambda f: f["layers/conv2d/vars"].__delitem__("1"))
    assert "'layers/conv2d/vars' holds 1 weights; a Conv2D with this config has 2 (kernel, bias)" \
        in load_error(path)


def test_keras_archive_without_weights(tmp_path):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("config.json", json.dumps(small_sequential_config()))
    assert "missing weights: the archive has no model.weights.h5" in load_error(path)


def mutations(data: bytes, rng: random.Random):
    """A truncated copy or one with a few flipped bits."""
    if rng.random() < 0.4:
        return data[:rng.randrange(len(data))]
    out = bytearray(data)
    for _ in range(rng.choice([1, 1, 4, 16])):
        out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def test_fuzzed_files_give_a_model_or_a_load_error(tmp_path, monkeypatch):
    # libhdf5 can loop forever on some corrupt files; don't wait long for it here.
    monkeypatch.setattr(tspcli.io.hdf5, "READ_TIMEOUT_BASE_S", 10.0)
    originals = tmp_path / "originals"
    originals.mkdir()
    sources = [write_legacy_h5(originals / "m.h5"), write_keras_archive(originals / "m.keras"),
               write_tfjs(originals / "js"), originals / "js" / "group1-shard1of2"]
    rng = random.Random(20240611)
    for i in range(30):
        source = rng.choice(sources)
        if source.parent.name == "js":
            target_dir = tmp_path / f"js{i}"
            shutil.copytree(source.parent, target_dir)
            target, model = target_dir / source.name, target_dir / "model.json"
        else:
            target = model = tmp_path / f"{i}{source.suffix}"
        target.write_bytes(mutations(source.read_bytes(), rng))
        try:
            read_model_file(model)
        except LoadError as e:
            assert str(e) and "\n" not in str(e)
