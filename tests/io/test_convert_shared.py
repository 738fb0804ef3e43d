"""Real model files from TensorSpace and tf.keras 2 (../shared/data) compute what their makers did."""
import json

import numpy as np
import pytest

import tspcli

LENETS = ["tensorspace/lenet_mnist_keras2.1.6.h5", "tensorspace/lenet_tfjs", "tensorspace/lenet_tf_keras2.1.6-tf.h5",
          "tensorspace/lenet_separated/topology.json"]


@pytest.fixture(scope="module")
def digit5(shared_data):
    return np.array(json.loads((shared_data / "tensorspace" / "digit5.json").read_text()), np.float32)


@pytest.mark.parametrize("name", LENETS)
def test_lenets_read_the_five(shared_data, digit5, name):
    model = tspcli.load(str(shared_data / name))
    model.predict(digit5.reshape(model.inputs[0].output_shape))
    output = next(layer for layer in model.layers if layer.layer_type == "Output1d")
    assert output.neural_value.argmax() == 5 and output.neural_value[5] > 0.999


@pytest.mark.slow
def test_the_documentations_tfjs_lenet_computes_what_keras_does(keras, shared_data, digit5):
    """Its weights are an untrained Glorot initialisation (every bias 0), so it cannot read the
    five; its numbers must still be Keras'."""
    model = tspcli.load(str(shared_data / "tensorspace" / "lenet_tfjs_docs"))
    assert all(not layer.weights["bias"].any() for layer in model.layers if "bias" in layer.weights)
    L = keras.layers
    oracle = keras.Sequential([keras.Input((28, 28, 1)), L.ZeroPadding2D(2),
                               L.Conv2D(6, 5, activation="relu"), L.MaxPooling2D(),
                               L.Conv2D(16, 5, activation="relu"), L.MaxPooling2D(), L.Flatten(),
                               L.Dense(120, activation="relu"), L.Dense(84, activation="relu"),
                               L.Dense(10, activation="softmax")])
    ours = [layer for layer in model.layers if layer.arity]
    for theirs, layer in zip(oracle.layers, ours):
        theirs.set_weights(list(layer.weights.values()))
    x = digit5.reshape(28, 28, 1)
    model.predict(x)
    probe = keras.Model(oracle.inputs, [layer.output for layer in oracle.layers])
    for want, layer in zip(probe([x[None]]), ours):
        np.testing.assert_allclose(layer.neural_value, np.asarray(want)[0], rtol=1e-4, atol=1e-5,
                                   err_msg=layer.name)


@pytest.mark.parametrize("name", ["tfk2_mobilenet_v2", "tfk2_depthwise_mix"])
def test_tf_keras_2_files_match_their_oracle_every_layer(shared_data, name):
    """Files Keras 3 cannot load (DepthwiseConv2D configs with groups; ReLU(6); BN epsilon 1e-3)."""
    folder = shared_data / "tfkeras2"
    model = tspcli.load(str(folder / f"{name}.h5"))
    oracle = np.load(folder / f"{name}.oracle.npz")
    model.predict(np.load(folder / f"{name}.input.npy"))
    assert set(oracle.files) == {layer.name for layer in model.layers if layer.arity}
    for key in oracle.files:
        np.testing.assert_allclose(model.get_layer(key).neural_value, oracle[key], rtol=1e-4, atol=1e-4,
                                   err_msg=key)


def test_tf_keras_2_mobilenet_v2_layers(shared_data):
    model = tspcli.load(str(shared_data / "tfkeras2" / "tfk2_mobilenet_v2.h5"))
    relu6 = model.get_layer("Conv1_relu")
    assert relu6.layer_type == "Activation3d" and relu6.config["maxValue"] == 6
    assert model.get_layer("block_1_pad").config["padding"] == ((0, 1), (0, 1))
    assert model.get_layer("bn_Conv1").config["epsilon"] == 1e-3
    assert model.get_layer("predictions").layer_type == "Output1d"
    assert model.options["kerasVersion"] == "2.21.0" and model.get_layer("Conv1").keras_version == "2.21.0"


def test_acgan_generator_draws_a_digit_from_noise_and_a_class(shared_data):
    model = tspcli.load(str(shared_data / "tensorspace" / "acgan_tfjs"))
    assert [layer.name for layer in model.inputs] == ["input_2", "input_3"]
    assert [layer.layer_type for layer in model.inputs] == ["Input1d", "Input1d"]
    noise = np.random.default_rng(0).normal(0, 1, 100).astype(np.float32)
    digits = []
    for class_id in (3, 7):
        outputs = model.predict([noise, np.array([class_id], np.float32)])
        assert len(outputs) == len(model.outputs) == 7
        digit = model.get_layer("activation_3").neural_value
        assert digit.shape == (28, 28, 1) and -1 <= digit.min() < digit.max() <= 1
        digits.append(digit)
    assert np.abs(digits[0] - digits[1]).mean() > 0.05  # the class id matters
    assert model.get_layer("embedding_1").neural_value.shape == (1, 100)


def test_summary_of_the_keras_2_1_6_lenet_prints_its_ten_layers(cli, shared_data):
    r = cli("summary", shared_data / "tensorspace" / "lenet_mnist_keras2.1.6.h5")
    assert r.code == 0, r.err
    rows = r.out.splitlines()[4:14]
    assert [row.split()[0] for row in rows] == ["input_1", "reshape_1", "Conv2D_1", "MaxPooling2D_1", "Conv2D_2",
                                                "MaxPooling2D_2", "flatten_1", "Dense_1", "Dense_2", "Softmax"]
    assert "Total params: 44,426" in r.out and "Layers: 10" in r.out


def test_converted_lenet_gives_the_same_summary_and_prediction(cli, shared_data, tmp_path):
    original = shared_data / "tensorspace" / "lenet_tfjs"
    digit = shared_data / "tensorspace" / "digit5.json"
    assert cli("convert", original, "-o", tmp_path / "lenet.yaml").code == 0
    for command in (("summary", "--json"), ("predict", "--json", "--input", digit)):
        original_out, converted_out = (json.loads(cli(command[0], path, *command[1:]).out)
                                       for path in (original, tmp_path / "lenet.yaml"))
        converted_out.pop("model", None), original_out.pop("model", None)
        assert original_out == converted_out
