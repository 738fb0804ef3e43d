"""Model files on the command line: every broken file is one line and exit 2; --skip-unknown;
`tspcli convert` round trips (small files written by hand, see tests/model_files.py)."""
import json

import h5py
import numpy as np
import pytest
import yaml

import tspcli
from model_files import (small_sequential_config, small_weights, write_keras_archive, write_legacy_h5,
                         write_tfjs)


def clean_failure(r, *needles):
    """Exit 2 with one line naming what is wrong, never a traceback."""
    assert r.code == 2, (r.code, r.out, r.err)
    assert r.err.startswith("tspcli: error: ") and r.err.count("\n") == 1, r.err
    assert "Traceback" not in r.err
    for needle in needles:
        assert needle in r.err, r.err
    return r.err


def with_layer(entry, after="conv"):
    """The small Sequential config with ``entry`` inserted after layer ``after``."""
    config = small_sequential_config()
    layers = config["config"]["layers"]
    index = next(i for i, e in enumerate(layers) if e["config"]["name"] == after)
    layers.insert(index + 1, entry)
    return config


LAMBDA = {"class_name": "Lambda", "config": {"name": "lam", "function": ["4wEAAAAAAAAA", None, None],
                                             "function_type": "lambda"}}


def test_summary_of_each_format(cli, tmp_path):
    files = [write_legacy_h5(tmp_path / "m.h5"), write_keras_archive(tmp_path / "m.keras"),
             write_tfjs(tmp_path / "js")]
    for path in files:
        r = cli("summary", path, "--json")
        assert r.code == 0, r.err
        rows = json.loads(r.out)["layers"]
        assert [(row["name"], row["type"], row["output_shape"]) for row in rows] == [
            ("image", "GreyscaleInput", [8, 8, 1]), ("conv", "Conv2d", [6, 6, 2]),
            ("flat", "Flatten", [72]), ("out", "Output1d", [3])]


def test_predict_uses_the_files_weights(tmp_path):
    model = tspcli.load(str(write_legacy_h5(tmp_path / "m.h5")))
    x = np.random.default_rng(0).uniform(0, 1, (8, 8, 1)).astype("float32")
    w = {layer: dict((n.split("/")[-1].split(":")[0], a) for n, a in ws)
         for layer, ws in small_weights().items()}
    conv = np.zeros((6, 6, 2), np.float32)
    for i in range(6):
        for j in range(6):
            conv[i, j] = np.tensordot(x[i:i + 3, j:j + 3], w["conv"]["kernel"], axes=3)
    conv = np.maximum(conv + w["conv"]["bias"], 0)
    logits = conv.reshape(-1) @ w["out"]["kernel"] + w["out"]["bias"]
    want = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    np.testing.assert_allclose(model.predict(x), want, rtol=1e-5, atol=1e-6)


# --- every broken file: one line, exit 2 ---------------------------------------------

@pytest.mark.parametrize("name, content", [("model.h5", b"hello, I am text\n"), ("model.keras", b""),
                                           ("model.h5", b"\x00\x01\x02" * 100)])
def test_not_a_model_file(cli, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    clean_failure(cli("summary", path), str(path), "not a model file")


def test_json_that_is_no_model(cli, tmp_path):
    path = tmp_path / "model.json"
    path.write_text('{"modelTopology": [1, 2]}')
    clean_failure(cli("summary", path), str(path), "no model topology")


def test_truncated_h5(cli, tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    path.write_bytes(path.read_bytes()[:3000])
    clean_failure(cli("predict", path), "truncated")


def test_corrupt_keras_archive(cli, tmp_path):
    path = write_keras_archive(tmp_path / "m.keras")
    path.write_bytes(path.read_bytes()[:-200])
    clean_failure(cli("render", path, "-o", tmp_path / "x.png"), "corrupt or truncated .keras archive")
    assert not (tmp_path / "x.png").exists()


def test_missing_weights(cli, tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:
        del f["model_weights/out"]
    clean_failure(cli("summary", path), "layer 'out'", "missing weights kernel, bias")


def test_weights_whose_shape_disagrees_with_the_config(cli, tmp_path):
    weights = small_weights()
    weights["conv"][0] = ("conv/kernel:0", np.zeros((3, 3, 1, 4), np.float32))
    path = write_legacy_h5(tmp_path / "m.h5", weights=weights)
    clean_failure(cli("summary", path), "layer 'conv'", "weight 'kernel' has shape [3, 3, 1, 4] in the file",
                  "make it [3, 3, 1, 2]")


def test_weights_the_layer_does_not_have(cli, tmp_path):
    config = small_sequential_config()
    config["config"]["layers"][1]["config"]["use_bias"] = False
    clean_failure(cli("summary", write_legacy_h5(tmp_path / "m.h5", config)),
                  "layer 'conv'", "weight 'bias' that Conv2D with this config does not use")


def test_config_that_references_an_unknown_layer(cli, tmp_path):
    config = small_sequential_config()
    layers = config["config"]["layers"]
    config = {"class_name": "Model", "config": {
        "name": "m", "input_layers": [["image", 0, 0]], "output_layers": [["out", 0, 0]],
        "layers": [dict(e, name=e["config"]["name"], inbound_nodes=[[[src, 0, 0, {}]]] if src else [])
                   for e, src in zip(layers, [None, "image", "ghost", "flat"])]}}
    clean_failure(cli("summary", write_legacy_h5(tmp_path / "m.h5", config)),
                  "layer 'flat'", "takes input from 'ghost'")


def test_channels_first_is_refused_clearly(cli, tmp_path):
    config = small_sequential_config()
    config["config"]["layers"][1]["config"]["data_format"] = "channels_first"
    clean_failure(cli("summary", write_legacy_h5(tmp_path / "m.h5", config)),
                  "layer 'conv'", "data_format 'channels_first'", "channels_last models only")


def test_a_setting_that_changes_the_numbers_is_never_dropped(cli, tmp_path):
    config = small_sequential_config()
    config["config"]["layers"][1]["config"]["lora_rank"] = 2
    clean_failure(cli("summary", write_legacy_h5(tmp_path / "m.h5", config)),
                  "layer 'conv'", "Conv2D setting lora_rank=2 is not supported")


@pytest.mark.parametrize("damage, needle", [
    (lambda shard: shard.unlink(), "weights shard 'group1-shard2of2' listed in the manifest is missing"),
    (lambda shard: shard.write_bytes(shard.read_bytes()[:-4]), "hold 952 bytes but the manifest describes 956"),
])
def test_tfjs_shard_missing_or_short(cli, tmp_path, damage, needle):
    write_tfjs(tmp_path / "js")
    damage(tmp_path / "js" / "group1-shard2of2")
    clean_failure(cli("predict", tmp_path / "js"), needle)


# --- classes outside the table --------------------------------------------------------

def test_unknown_class_is_refused_naming_layer_and_class(cli, tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5", with_layer(LAMBDA))
    clean_failure(cli("summary", path), "layer 'lam'", "Lambda layer holds Python code", "--skip-unknown")
    custom = dict(LAMBDA, class_name="Scale", module="my_pkg", registered_name="my_pkg>Scale")
    path = write_legacy_h5(tmp_path / "c.h5", with_layer(custom))
    clean_failure(cli("summary", path), "layer 'lam'", "layer class 'my_pkg>Scale' is not one tspcli knows")


def test_skip_unknown_draws_a_generic_layer_that_passes_values_of_the_same_size(cli, tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5", with_layer(LAMBDA))
    r = cli("summary", path, "--skip-unknown", "--json")
    assert r.code == 0, r.err
    rows = {row["name"]: row for row in json.loads(r.out)["layers"]}
    assert rows["lam"]["type"] == "Layer3d" and rows["lam"]["output_shape"] == [6, 6, 2]
    r = cli("predict", path, "--skip-unknown", "--json")
    assert r.code == 0 and json.loads(r.out)["uncomputed"] == {}


def keras3_functional_with(custom_shape):
    """input 8x8x1 -> conv -> a user's layer whose output Keras 3 recorded -> flatten -> dense."""
    def tensor(name, shape):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": [None, *shape], "dtype": "float32", "keras_history": [name, 0, 0]}}

    def entry(cls, name, config, source=None, shape=None, module="keras.layers"):
        return {"module": module, "class_name": cls, "registered_name": None if module.startswith("keras")
                else f"{module}>{cls}", "name": name, "config": {"name": name, **config},
                "inbound_nodes": [{"args": [tensor(source, shape)], "kwargs": {}}] if source else []}

    layers = [
        entry("InputLayer", "image", {"batch_shape": [None, 8, 8, 1]}),
        entry("Conv2D", "conv", {"filters": 2, "kernel_size": [3, 3], "activation": "relu"}, "image", (8, 8, 1)),
        entry("Pool", "custom", {}, "conv", (6, 6, 2), module="my_pkg"),
        entry("Flatten", "flat", {}, "custom", custom_shape),
        entry("Dense", "out", {"units": 3, "activation": "softmax"}, "flat", (int(np.prod(custom_shape)),)),
    ]
    return {"class_name": "Functional", "config": {"name": "f", "layers": layers,
                                                   "input_layers": [["image", 0, 0]],
                                                   "output_layers": [["out", 0, 0]]}}


def test_skip_unknown_uses_the_recorded_shape_and_leaves_values_out(cli, tmp_path):
    weights = small_weights()
    weights["out"][0] = ("out/kernel:0", np.ones((18, 3), np.float32))
    path = write_legacy_h5(tmp_path / "m.h5", keras3_functional_with((3, 3, 2)), weights, "3.5.0")
    r = cli("predict", path, "--skip-unknown", "--json")
    assert r.code == 0, r.err
    result = json.loads(r.out)
    assert set(result["uncomputed"]) == {"custom", "flat", "out"}
    assert "generic layer" in result["uncomputed"]["custom"]
    model = tspcli.load(str(path), skip_unknown=True)
    assert model.get_layer("custom").output_shape == (3, 3, 2) and model.kind == "Model"


# --- tspcli convert ------------------------------------------------------------------

def test_convert_writes_a_readable_description_that_round_trips(cli, tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    r = cli("convert", path, "-o", tmp_path / "out" / "m.yaml")
    clean_failure(r, "folder")
    (tmp_path / "out").mkdir()
    r = cli("convert", path, "-o", tmp_path / "out" / "m.yaml")
    assert r.code == 0, r.err
    text = (tmp_path / "out" / "m.yaml").read_text()
    assert "  - {type: Conv2d, name: conv, filters: 2, kernelSize: [3, 3], activation: relu}\n" in text
    doc = yaml.safe_load(text)
    assert doc["model"] == {"type": "Sequential", "name": "small", "kerasVersion": "2.2.4", "weights": "m.npz"}
    npz = np.load(tmp_path / "out" / "m.npz")
    assert sorted(npz.files) == ["conv/bias", "conv/kernel", "out/bias", "out/kernel"]
    assert np.array_equal(npz["conv/kernel"], small_weights()["conv"][0][1])
    summaries = [cli("summary", p, "--json").out for p in (path, tmp_path / "out" / "m.yaml")]
    assert summaries[0] == summaries[1]
    x = np.random.default_rng(1).uniform(0, 1, (8, 8, 1)).astype("float32")
    values = [tspcli.load(str(p)).predict(x) for p in (path, tmp_path / "out" / "m.yaml")]
    assert np.array_equal(values[0], values[1])


def test_convert_to_json_with_weights_elsewhere(cli, tmp_path):
    (tmp_path / "w").mkdir()
    r = cli("convert", write_tfjs(tmp_path / "js"), "-o", tmp_path / "m.json", "--weights",
            tmp_path / "w" / "weights.npz")
    assert r.code == 0, r.err
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["model"]["weights"] == "w/weights.npz" and doc["model"]["kerasVersion"] == "2.2.4"
    assert cli("summary", tmp_path / "m.json").code == 0


def test_convert_of_a_model_without_weights_writes_a_description_that_loads(cli, tmp_path):
    source = tmp_path / "resize.yaml"
    source.write_text("layers:\n  - {type: RGBInput, name: image, shape: [8, 8, 3]}\n"
                      "  - {type: UpSampling2d, name: up, size: [2, 2]}\n  - {type: Pooling2d, name: pool}\n")
    r = cli("convert", source, "-o", tmp_path / "out.yaml")
    assert r.code == 0, r.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.yaml", "resize.yaml"]   # no empty .npz
    assert "weights" not in yaml.safe_load((tmp_path / "out.yaml").read_text())["model"]
    assert cli("summary", tmp_path / "out.yaml", "--json").out == cli("summary", source, "--json").out


def test_convert_refuses_other_outputs_and_leaves_nothing_behind(cli, tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    clean_failure(cli("convert", path, "-o", tmp_path / "m.png"), "convert writes a description")
    clean_failure(cli("convert", path, "-o", tmp_path / "m.yaml", "--weights", tmp_path / "w.bin"), ".npz")
    broken = tmp_path / "b.h5"
    broken.write_bytes(path.read_bytes()[:3000])
    clean_failure(cli("convert", broken, "-o", tmp_path / "b.yaml"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.h5", "m.h5"]


def test_fuzzed_files_load_or_fail_cleanly(tmp_path, monkeypatch):
    import random

    import tspcli.io.hdf5
    from tspcli.errors import TspError

    monkeypatch.setattr(tspcli.io.hdf5, "READ_TIMEOUT_BASE_S", 10.0)
    sources = [write_legacy_h5(tmp_path / "m.h5"), write_keras_archive(tmp_path / "m.keras")]
    rng = random.Random(7)
    for i in range(12):
        source = rng.choice(sources)
        data = bytearray(source.read_bytes())
        for _ in range(rng.choice([1, 4, 16])):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        target = tmp_path / f"{i}{source.suffix}"
        target.write_bytes(bytes(data))
        try:
            tspcli.load(str(target)).predict(np.zeros((8, 8, 1), np.float32))
        except TspError as e:
            assert str(e) and "\n" not in str(e)


@pytest.mark.parametrize("version, formula", [("2.2.4", lambda z: np.clip(0.2 * z + 0.5, 0, 1)),
                                              ("3.5.0", lambda z: np.clip(z / 6 + 0.5, 0, 1))])
def test_hard_sigmoid_follows_the_keras_that_saved_the_file(cli, tmp_path, version, formula):
    config = small_sequential_config()
    config["config"]["layers"][-1]["config"]["activation"] = "hard_sigmoid"
    weights = small_weights()
    weights["out"][0] = ("out/kernel:0", weights["out"][0][1] * 3)  # reach both clipped ends
    path = write_legacy_h5(tmp_path / "m.h5", config, weights, version)
    model = tspcli.load(str(path))
    x = np.random.default_rng(2).uniform(0, 1, (8, 8, 1)).astype("float32")
    out = model.predict(x)
    z = model.get_layer("flat").neural_value @ weights["out"][0][1] + weights["out"][1][1]
    np.testing.assert_allclose(out, formula(z), rtol=1e-5, atol=1e-6)
    assert cli("convert", path, "-o", tmp_path / "m.yaml").code == 0
    assert np.array_equal(tspcli.load(str(tmp_path / "m.yaml")).predict(x), out)
