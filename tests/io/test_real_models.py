"""Real architectures (tests/realmodels.py) saved by Keras 3, read by every command.

The corpus is built once per session.  By default a subset that covers every kind of layer
of the corpus runs (MobileNetV3Small: Rescaling, hard-swish, squeeze-and-excitation,
DepthwiseConv2D; the hand-built models: nested Sequential names with '/', a U-Net, several
inputs and outputs, 1-D text, recurrent and Lambda layers refused, a zoo of element-wise
layers); ``TSPCLI_REAL_MODELS=all`` runs the whole corpus (ResNet50, DenseNet121, NASNetMobile,
Xception, InceptionV3, ConvNeXtTiny, EfficientNetB0 ...: minutes).
"""
import json
import os

import numpy as np
import pytest

from realmodels import BUILDERS

pytestmark = pytest.mark.slow

REFUSED = {"text_rnn": ("lstm", "LSTM"), "lambda_model": ("double", "Lambda")}
SUBSET = ["MobileNetV3Small", "unet", "nested_sequential", "multi_io", "text_conv", "layer_zoo",
          *REFUSED]
NAMES = list(BUILDERS) if os.environ.get("TSPCLI_REAL_MODELS") == "all" else SUBSET
COMPUTED = [n for n in NAMES if n not in REFUSED]
DEPTHWISE = np.array([0xFB, 0xBF, 0x1F])
FORMATS = ["keras", "h5"]


@pytest.fixture(scope="session")
def corpus(keras, tmp_path_factory):
    from realmodels import build_corpus

    return build_corpus(keras, tmp_path_factory.mktemp("real_models"), NAMES)


def keras_layers(keras, model, prefix=""):
    """(flat name, layer) as tspcli names them: nested models' layers prefixed, their inputs dropped;
    keras.ops calls (x + 3) included."""
    for layer in getattr(model, "operations", model.layers):  # a Sequential has only layers
        if isinstance(layer, keras.Model):
            yield from keras_layers(keras, layer, f"{prefix}{layer.name}/")
        elif not (prefix and layer.__class__.__name__ == "InputLayer"):
            yield prefix + layer.name, layer


def keras_values(keras, model, inputs) -> dict:
    """Keras' own output of every layer of the outer graph for ``inputs`` (no batch axis)."""
    names, tensors = [], []
    for layer in model.operations:
        if layer.__class__.__name__ != "InputLayer":
            names.append(layer.name)
            tensors.append(layer._inbound_nodes[0].output_tensors[0])
    probe = keras.Model(model.inputs, tensors)
    values = probe.predict([x[None] for x in inputs], verbose=0)
    values = values if isinstance(values, list) else [values]
    return {n: np.asarray(v)[0] for n, v in zip(names, values)}


@pytest.fixture(scope="session")
def oracle(keras, corpus):
    return {name: keras_values(keras, built.model, built.sample_inputs())
            for name, built in corpus.items() if name in COMPUTED}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", COMPUTED)
def test_summary_has_every_layer_with_keras_shapes(cli, keras, corpus, name, fmt):
    built = corpus[name]
    r = cli("summary", "--json", built.paths[fmt])
    assert r.code == 0, r.err
    layers = {entry["name"]: entry for entry in json.loads(r.out)["layers"]}
    expected = dict(keras_layers(keras, built.model))
    assert set(layers) == set(expected)
    for flat, layer in expected.items():
        node = layer._inbound_nodes[0]
        assert layers[flat]["output_shape"] == list(node.output_tensors[0].shape[1:]), flat
    assert json.loads(r.out)["total_params"] == built.model.count_params()


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", COMPUTED)
def test_every_layer_equals_keras(corpus, oracle, name, fmt):
    import tspcli

    built = corpus[name]
    model = tspcli.load(str(built.paths[fmt]))
    inputs = built.sample_inputs()
    model.predict(inputs if len(inputs) > 1 else inputs[0])
    want = oracle[name]
    tolerance = 1e-5 if name == "layer_zoo" else 1e-4  # one step each there; deep models add rounding
    compared = 0
    for layer in model.layers:
        if layer.name in want:
            expected = want[layer.name]
            assert layer.neural_value.shape == expected.shape, layer.name
            scale = max(1.0, float(np.abs(expected).max()))
            assert np.abs(layer.neural_value - expected).max() <= tolerance * scale, layer.name
            compared += 1
    inner = sum(1 for layer in model.layers if "/" in layer.name)  # inside nested models
    assert compared == len(model.layers) - len(model.inputs) - inner


@pytest.mark.parametrize("name", [n for n in COMPUTED if n in ("MobileNetV3Small", "MobileNet", "MobileNetV2",
                                                                "MobileNetV3Large", "EfficientNetB0",
                                                                "nested_sequential")])
def test_render_shows_depthwise_layers_in_their_colour(cli, corpus, tmp_path, name):
    iio = pytest.importorskip("imageio.v3")
    out = tmp_path / "open.png"
    r = cli("render", corpus[name].paths["keras"], "-o", out, "--open", "all", "--size", "480x270",
            "--no-labels", "--no-legend")
    assert r.code == 0, r.err
    pixels = iio.imread(out)[..., :3].astype(int)
    assert pixels.shape == (270, 480, 3)
    assert (np.abs(pixels - DEPTHWISE).max(axis=-1) <= 8).sum() >= 20  # the full colour: a max value


@pytest.mark.parametrize("name", ["nested_sequential", "unet", "multi_io"])
def test_render_defaults_and_all_open(cli, corpus, tmp_path, name):
    """Names with '/', branches and several outputs draw, closed and open, with labels."""
    iio = pytest.importorskip("imageio.v3")
    for extra in ([], ["--open", "all"]):
        out = tmp_path / f"{len(extra)}.png"
        r = cli("render", corpus[name].paths["h5"], "-o", out, "--size", "320x180", *extra)
        assert r.code == 0, r.err
        pixels = iio.imread(out)[..., :3]
        assert (pixels.max(axis=-1) > 40).mean() > 0.02  # something drawn on the black


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", list(REFUSED))
def test_refused_layers_are_one_line_naming_layer_and_class(cli, corpus, tmp_path, name, fmt):
    layer, cls = REFUSED[name]
    path = corpus[name].paths[fmt]
    for command in (["summary"], ["predict"], ["render", "-o", tmp_path / "x.png"], ["convert", "-o",
                                                                                   tmp_path / "x.yaml"]):
        r = cli(*command, path)
        assert r.code == 2
        assert r.err.count("\n") == 1 and "Traceback" not in r.err
        assert f"layer '{layer}'" in r.err and cls in r.err and "--skip-unknown" in r.err
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("name", list(REFUSED))
def test_skip_unknown_draws_refused_layers_generically(cli, keras, corpus, tmp_path, name):
    layer, _ = REFUSED[name]
    path = corpus[name].paths["keras"]
    r = cli("summary", "--json", "--skip-unknown", path)
    assert r.code == 0, r.err
    entry = next(e for e in json.loads(r.out)["layers"] if e["name"] == layer)
    want = list(corpus[name].model.get_layer(layer).output.shape[1:])
    assert entry["output_shape"] == want and entry["type"] == f"Layer{len(want)}d"
    r = cli("render", "--skip-unknown", path, "-o", tmp_path / "x.png", "--size", "320x180", "--open", "all")
    assert r.code == 0, r.err


def test_convert_round_trip_keeps_values(cli, corpus, tmp_path):
    import tspcli

    built = corpus["nested_sequential"]
    desc = tmp_path / "m.yaml"
    assert cli("convert", built.paths["keras"], "-o", desc, "--weights", tmp_path / "m.npz").code == 0
    x = built.sample_inputs()[0]
    original, again = tspcli.load(str(built.paths["keras"])), tspcli.load(str(desc))
    original.predict(x)
    again.predict(x)
    assert [layer.name for layer in again.layers] == [layer.name for layer in original.layers]
    for a, b in zip(original.layers, again.layers):
        assert np.array_equal(a.neural_value, b.neural_value), a.name


def test_batch_over_the_corpus_folder(cli, corpus, tmp_path):
    folder = corpus["unet"].paths["keras"].parent
    r = cli("batch", f"{folder}/*.keras", "--out", tmp_path, "--set", "size=160x90", "--json", "--jobs", "1")
    report = json.loads(r.out)
    status = {os.path.basename(j["model"]).rsplit(".", 1)[0]: j for j in report["jobs"]}
    assert set(status) == set(NAMES)
    for name, job in status.items():
        if name in REFUSED:
            assert job["status"] == "failed" and REFUSED[name][1] in job["error"]
        else:
            assert job["status"] == "ok", job["error"]
            assert (tmp_path / f"{name}.png").stat().st_size > 0
    assert r.code == 1  # the refused models failed, the others were drawn


def test_open_all_animation_of_a_nested_model(cli, corpus, tmp_path):
    iio = pytest.importorskip("imageio.v3")
    out = tmp_path / "open.gif"
    r = cli("render", corpus["nested_sequential"].paths["keras"], "-o", out, "--animate", "open-all",
            "--size", "160x90", "--fps", "4")
    assert r.code == 0, r.err
    frames = iio.imread(out, index=None)
    assert frames.shape[0] > 4 and frames.shape[1:3] == (90, 160)


def test_each_layer_opened_alone_at_a_tiny_size(cli, corpus, tmp_path):
    """One picture per layer ('/' in names; the last, folded softmax once crashed the row wrapping)."""
    r = cli("batch", corpus["nested_sequential"].paths["keras"], "-o", "{stem}_{layer}.png", "--out", tmp_path,
            "--set", "size=160x90", "--json", "--jobs", "1")
    assert r.code == 0, r.out
    jobs = json.loads(r.out)["jobs"]
    assert {j["layer"] for j in jobs} >= {"block/dw", "head/probs"} and all(j["status"] == "ok" for j in jobs)
