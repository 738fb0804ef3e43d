"""samples/digits.h5: weights the project trained (samples/train_digits.py), read and drawn by tspcli."""
import importlib.util
import os
import pathlib

import numpy as np
import pytest

import tspcli
from tspcli.io.inputs import read_input
from tspcli.render.options import RenderOptions
from tspcli.render.scene_inputs import drawn_model
from tspcli.scene.layout import Look, SceneBuilder, initial_state

SAMPLES = pathlib.Path(__file__).resolve().parent.parent / "samples"
MODEL = SAMPLES / "digits.h5"


def training_script():
    spec = importlib.util.spec_from_file_location("train_digits", SAMPLES / "train_digits.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def held_out():
    pytest.importorskip("sklearn")
    return training_script().digits()[1]


def digits_model():
    model = tspcli.load(str(MODEL))
    model.init()
    return model


def test_the_trained_file_is_small_and_reads_the_shipped_five():
    assert os.path.getsize(MODEL) <= 2**20
    model = digits_model()
    assert any(layer.layer_type == "DepthwiseConv2d" for layer in model.layers)
    probabilities = model.predict(read_input(str(SAMPLES / "digit_5.png"), model.inputs[0].output_shape, None))
    assert int(np.argmax(probabilities)) == 5 and probabilities[5] > 0.9
    assert not model.random_weights


@pytest.mark.slow
def test_tspcli_reads_held_out_digits_as_keras_does(keras, held_out):
    x, y = held_out[0][:150], held_out[1][:150]
    model = digits_model()
    predicted = np.array([np.argmax(model.predict(image)) for image in x])
    assert np.mean(predicted == y) >= 0.95                                   # digits it never saw
    assert np.array_equal(predicted[:8], y[:8])
    kmodel = keras.saving.load_model(str(MODEL))
    layers = [layer for layer in kmodel.layers if not isinstance(layer, keras.layers.InputLayer)]
    probe = keras.Model(kmodel.inputs, [layer.output for layer in layers])
    for image in x[:2]:
        theirs = probe([image[None]])
        model.predict(image)
        for layer, value in zip(layers, theirs):
            np.testing.assert_allclose(model.get_layer(layer.name).neural_value, np.asarray(value)[0],
                                       rtol=1e-5, atol=1e-5, err_msg=layer.name)


def test_its_depthwise_layer_opens_into_maps_of_the_digit():
    model = digits_model()
    five = read_input(str(SAMPLES / "digit_5.png"), model.inputs[0].output_shape, None)
    model.predict(five)
    shown = drawn_model(model, RenderOptions(open=("dw1",)))
    scene = SceneBuilder(shown, Look(size=(320, 180))).build(initial_state(shown, ("dw1",)))
    maps = next(block for block in scene.blocks if block.key == "dw1/maps")
    height, width = maps.texture.image.shape[:2]
    looks_like_the_digit = 0
    for u0, v0, u1, v1 in maps.tiles:
        tile = maps.texture.image[round(v0 * height):round(v1 * height), round(u0 * width):round(u1 * width), 3]
        if np.ptp(tile) > 0 and abs(np.corrcoef(tile.ravel(), five.ravel())[0, 1]) > 0.3:
            looks_like_the_digit += 1
    assert looks_like_the_digit >= 4
