"""1-D layers, outputs and close buttons as they are drawn: visible on every background."""
import numpy as np
import pytest

import tspcli
from tspcli.scene import style
from tspcli.scene.layout import Look, SceneBuilder, initial_state


@pytest.fixture(scope="module")
def mobilenet():
    model = tspcli.load("samples/mobilenet_v1.yaml")
    model.init()
    return model


def scene_of(model, open_layers, **look):
    return SceneBuilder(model, Look(size=(640, 360), **look)).build(initial_state(model, open_layers))


def block(scene, key):
    return next(b for b in scene.blocks if b.key == key)


def test_an_open_1d_layer_is_as_thick_as_the_slab_it_opens_from(mobilenet):
    scene = scene_of(mobilenet, ["global_average_pooling2d", "predictions"])
    slab = block(scene, "conv_pw_13/slab")
    for key in ("global_average_pooling2d/bar", "predictions/cubes"):
        drawn = block(scene, key)
        length = float(np.ptp(drawn.centers[:, 0])) + drawn.size[0]
        assert min(drawn.size[1:]) >= min(slab.size[1], length / 20) - 1e-9, key     # no hairline
        assert min(drawn.size[1:]) <= length / 20 * 1.01, key                          # still a bar


def test_output1d_is_drawn_darker_on_white_and_as_it_is_on_black(mobilenet):
    white = SceneBuilder(mobilenet, Look(background="white"))
    black = SceneBuilder(mobilenet, Look(background="black"))
    assert style.luminance(white.colors["predictions"]) <= 0.6                # #EEEEEE would vanish on paper
    assert black.colors["predictions"] == style.parse_color("#EEEEEE")
    assert white.colors["conv1"] == style.parse_color("#F7FE2E")              # strong colours keep theirs


def test_a_close_button_is_a_disc_with_a_minus_at_least_2_percent_of_its_layer(mobilenet):
    scene = scene_of(mobilenet, ["conv_dw_1"])
    button, maps = block(scene, "conv_dw_1/button"), block(scene, "conv_dw_1/maps")
    width = float(np.ptp(maps.centers[:, 0])) + maps.size[0]
    assert button.size[0] >= 0.02 * width
    image = button.texture.image
    u0, v0, u1, v1 = button.tiles[0]
    h, w = image.shape[:2]
    face = image[round(v0 * h):round(v1 * h), round(u0 * w):round(u1 * w)].astype(int)
    middle, above = face[face.shape[0] // 2], face[face.shape[0] // 4]
    centre = face.shape[1] // 2
    assert middle[centre, :3].sum() < 0.3 * above[centre, :3].sum()          # a dark bar across the middle
    assert face[0, 0, 3] == 0 and face[face.shape[0] // 2, centre, 3] == 255  # round: transparent corners
    assert not any(b.key.endswith("/button") for b in scene_of(mobilenet, ["conv_dw_1"], close_buttons=False).blocks)
