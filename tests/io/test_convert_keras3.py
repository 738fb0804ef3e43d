"""Models from files Keras 3 (jax) saved compute what Keras computes, layer by layer."""
import numpy as np
import pytest

import tspcli
from model_files import KERAS3_BUILDERS

pytestmark = pytest.mark.slow


def keras_values(keras, model, inputs, prefix="") -> dict:
    """Every layer call's output (no batch axis) for ``inputs``, named as tspcli names the
    layers of a file: nested models' layers prefixed, later calls of a layer ``name#n``."""
    calls, nested = [], []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        for n, node in enumerate(layer._inbound_nodes):
            name = prefix + layer.name + (f"#{n}" if n else "")
            if isinstance(layer, keras.Model):
                nested.append((layer, name, len(calls)))
                calls += node.input_tensors
            else:
                calls.append(node.output_tensors[0])
                nested.append((None, name, len(calls) - 1))
    probe = keras.Model(model.inputs, calls)
    values = [np.asarray(v) for v in probe([x[None] for x in inputs])]
    out = {}
    for sub, name, index in nested:
        if sub is None:
            out[name] = values[index][0]
        else:
            feed = values[index:index + len(sub.inputs)]
            out.update(keras_values(keras, sub, [v[0] for v in feed], prefix=f"{name}/"))
    return out


@pytest.fixture(scope="module")
def oracle(keras, keras3_saved):
    """name -> (inputs, Keras' value of every layer)."""
    rng = np.random.default_rng(11)
    out = {}
    for name, (model, _) in keras3_saved.items():
        inputs = [rng.normal(0, 1, t.shape[1:]).astype("float32") for t in model.inputs]
        out[name] = inputs, keras_values(keras, model, inputs)
    return out


def assert_layers_equal(model, expected: dict):
    for name, want in expected.items():
        got = model.get_layer(name).neural_value
        np.testing.assert_allclose(got.reshape(want.shape), want, rtol=1e-4, atol=1e-4, err_msg=name)


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("name", KERAS3_BUILDERS)
def test_every_layer_equals_keras(keras3_saved, oracle, name, fmt):
    inputs, expected = oracle[name]
    model = tspcli.load(str(keras3_saved[name][1][fmt]))
    assert {layer.name for layer in model.layers if layer.arity} == set(expected)
    model.predict(inputs)
    assert_layers_equal(model, expected)


def test_mobilenet_is_drawn_with_the_layers_of_tensorspace(keras3_saved):
    model = tspcli.load(str(keras3_saved["mobilenet"][1]["h5"]))
    types = {layer.layer_type for layer in model.layers}
    assert {"RGBInput", "Conv2d", "DepthwiseConv2d", "BatchNormalization", "Activation3d", "Padding2d",
            "GlobalPooling2d", "Dropout", "Reshape", "Activation1d"} == types
    relu6 = model.get_layer("conv1_relu")
    assert relu6.config["maxValue"] == 6 and relu6.keras_version == model.options["kerasVersion"]
    assert model.get_layer("conv_dw_2").config["strides"] == (2, 2)
    assert model.get_layer("conv_dw_2").weights["depthwise_kernel"].shape == (3, 3, 16, 1)  # 64 x alpha 0.25


@pytest.mark.parametrize("name", ["branches", "depthwise_mix"])
def test_conversion_gives_the_same_summary_and_values(cli, keras3_saved, oracle, tmp_path, name):
    original = keras3_saved[name][1]["keras"]
    r = cli("convert", original, "-o", tmp_path / "m.yaml")
    assert r.code == 0, r.err
    summaries = [cli("summary", path, "--json").out for path in (original, tmp_path / "m.yaml")]
    assert summaries[0] == summaries[1]
    inputs, expected = oracle[name]
    converted = tspcli.load(str(tmp_path / "m.yaml"))
    converted.predict(inputs)
    assert_layers_equal(converted, expected)
