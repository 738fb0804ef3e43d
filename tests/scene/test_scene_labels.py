"""Labels, rows, legend and shading as the picture shows them, checked on the scene (no rendering)."""
import numpy as np
import pytest

import tspcli
from tspcli.scene import camera as cam, style
from tspcli.scene.camera import View
from tspcli.scene.framing import MAX_BUTTON_FONTS
from tspcli.scene.label_spots import label_box
from tspcli.scene.labels import PAD
from tspcli.scene.planes import AXES, Plane
from tspcli.scene.layout import MIN_BUTTON_PX, MIN_OUTLINED_PX, Look, SceneBuilder, Pose, initial_state


@pytest.fixture(scope="module")
def mobilenet():
    return tspcli.load("samples/mobilenet_v1.yaml")


def build(model, open_layers=None, view=View(), **look):
    builder = SceneBuilder(model, Look(**look))
    return builder, builder.build(initial_state(model, open_layers, view))


def boxes_of(scene):
    return {lab.key: label_box(lab, scene.camera, scene.size) for lab in scene.labels}


def overlap(a, b, pad=0.0):
    return a[0] - pad < b[2] and b[0] - pad < a[2] and a[1] - pad < b[3] and b[1] - pad < a[3]


def crosses(segment, box) -> bool:
    """Whether a segment passes through the inside of a box (sampled finely)."""
    (x0, y0), (x1, y1) = segment
    t = np.linspace(0.02, 0.98, 200)
    xs, ys = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
    return bool(np.any((xs > box[0]) & (xs < box[2]) & (ys > box[1]) & (ys < box[3])))


def leader_segment(label, scene):
    (ax, ay), = cam.project(np.array([label.anchor]), scene.camera, scene.size)
    return (ax + label.leader[0], ay + label.leader[1]), (ax + label.offset[0], ay + label.offset[1])


PICTURES = {
    "mobilenet closed": ("samples/mobilenet_v1.yaml", None, View(), {}),
    "mobilenet one row": ("samples/mobilenet_v1.yaml", None, View(), {"rows": 1}),
    "mobilenet all open": ("samples/mobilenet_v1.yaml", "all", View(), {}),
    "mobilenet paper": ("samples/mobilenet_v1.yaml", ["conv_dw_1", "conv_dw_7"], View(),
                        {"size": (1200, 675), "text_scale": 1.5, "background": "white"}),
    "mobilenet vertical": ("samples/mobilenet_v1.yaml", ["conv_dw_3"], View(direction="vertical"), {}),
    "mobilenet tsp": ("samples/mobilenet_v1.yaml", None, View("tsp"), {}),
    "lenet open": ("samples/lenet.yaml", "all", View(), {}),
    "functional open": ("samples/functional.yaml", "all", View(), {}),
    "crowded": ("samples/mobilenet_v1.yaml", None, View(), {"size": (640, 360), "rows": 1}),
}


@pytest.mark.parametrize("name", PICTURES)
def test_labels_never_touch_each_other_and_stay_in_the_picture(name):
    path, open_layers, view, look = PICTURES[name]
    _, scene = build(tspcli.load(path), open_layers, view, **look)
    boxes = list(boxes_of(scene).values())
    assert boxes
    for i, a in enumerate(boxes):
        assert all(not overlap(a, b) for b in boxes[i + 1:]), name
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= scene.size[0] and a[3] <= scene.size[1]


@pytest.mark.parametrize("name", PICTURES)
def test_leaders_run_clear_of_other_labels(name):
    path, open_layers, view, look = PICTURES[name]
    _, scene = build(tspcli.load(path), open_layers, view, **look)
    boxes = boxes_of(scene)
    for label in scene.labels:
        if label.leader is None:
            continue
        segment = leader_segment(label, scene)
        assert not any(crosses(segment, box) for key, box in boxes.items() if key != label.key), label.key


def test_labels_are_horizontal_text_beside_their_layers(mobilenet):
    _, scene = build(mobilenet)
    texts = {lab.key: lab.text for lab in scene.labels}
    assert texts["conv_dw_7/label"] == "conv_dw_7\n14×14×512"        # two short lines under a horizontal stack
    assert len(texts) == len(mobilenet.layers)                          # every layer, none left out
    assert scene.note is None
    _, tower = build(mobilenet, view=View(direction="vertical"))
    assert {lab.text for lab in tower.labels} >= {"conv_dw_7  14×14×512"}     # one line beside a tower
    assert all(lab.align in ("left", "right") for lab in tower.labels)


def test_a_crowded_picture_keeps_the_telling_labels_and_says_how_many_it_left_out(mobilenet):
    _, scene = build(mobilenet, size=(480, 270), rows=1)
    keys = {lab.key for lab in scene.labels}
    left_out = len(mobilenet.layers) - len(keys)
    assert left_out > 0
    assert scene.note == f"labels of {left_out} of {len(mobilenet.layers)} layers left out for room"
    assert {"input/label", "predictions/label"} <= keys                 # inputs and outputs first


def test_a_long_chain_wraps_into_rows_that_read_like_lines_of_text(mobilenet):
    builder, scene = build(mobilenet)
    groups = builder.row_groups(initial_state(mobilenet, None, View(direction="horizontal")))
    assert 2 <= len(groups) <= 4
    assert sum(groups, []) == [layer.name for layer in mobilenet.layers]     # in order, every layer once
    first = {b.key.split("/")[0]: b.centers.mean(axis=0) for b in scene.blocks}
    starts = cam.project(np.array([first[g[0]] for g in groups]), scene.camera, scene.size)
    ends = cam.project(np.array([first[g[-1]] for g in groups]), scene.camera, scene.size)
    assert np.ptp(starts[:, 0]) < 2                        # every row starts at the same place at the left
    assert np.all(np.diff(starts[:, 1]) < 0)               # and the next row is further down
    assert np.all(ends[:, 0] > starts[:, 0] + 200)         # each row runs to the right
    _, one_row = build(mobilenet, rows=1)
    xs = cam.project(np.array([b.centers.mean(axis=0) for b in one_row.blocks]), one_row.camera, one_row.size)
    assert np.all(np.diff(xs[:, 0]) > 0)                   # TensorSpace's one stack when asked for


def test_rows_do_not_change_while_layers_open(mobilenet):
    builder = SceneBuilder(mobilenet, Look())
    view = View(direction="horizontal")
    states = [Pose({"conv_dw_1": t}, view) for t in (0.0, 0.5, 1.0)]
    camera = builder.frame_states(states)
    groups = [builder.row_groups(state) for state in states]
    assert groups[0] == groups[1] == groups[2]
    frames = [builder.build(state, camera=camera) for state in states]
    conv1 = [next(b for b in f.blocks if b.key == "conv1/slab").centers for f in frames]
    assert np.array_equal(conv1[0], conv1[2])              # layers before the opening one stay put


def test_the_legend_names_each_type_once_and_layers_with_colours_of_their_own():
    model = tspcli.load("samples/depthwise.yaml")
    _, scene = build(model)
    texts = [entry.text for entry in scene.legend.entries]
    assert texts == ["RGBInput", "DepthwiseConv2d", "DepthwiseConv2d (dw_dilated)", "Conv2d"]
    colours = {entry.text: entry.color for entry in scene.legend.entries}
    assert colours["DepthwiseConv2d"] == style.parse_color("#FBBF1F")
    assert colours["DepthwiseConv2d (dw_dilated)"] == style.parse_color("#FFD54F")


@pytest.mark.parametrize("background, normalize, scope", [("black", "map", "each feature map (1-D layers: of the layer)"),
                                                           ("white", "layer", "each layer"),
                                                           ("transparent", "model", "the whole model")])
def test_legend_swatches_are_the_shading_and_the_key_says_what_min_and_max_are(background, normalize, scope):
    model = tspcli.load("samples/lenet.yaml")
    for layer in model.layers:
        layer.neural_value = np.random.default_rng(0).random(layer.output_shape, dtype=np.float32)
    _, scene = build(model, background=background, normalize=normalize)
    key = scene.legend.shading
    assert (key.low, key.high) == ("min", "max") and key.title.replace("\n", " ").startswith(f"value of {scope}")
    for entry in scene.legend.entries:
        ramp = np.array(entry.ramp)
        assert len(ramp) > 2
        if background == "black":      # TensorSpace: the type's colour, faint to solid
            assert np.allclose(ramp[:, :3], entry.color, atol=1 / 255)
            assert np.all(np.diff(ramp[:, 3]) > 0) and ramp[0, 3] == pytest.approx(0.4, abs=0.01)   # minOpacity
        else:                          # ink: opaque, light to dark
            assert np.all(ramp[:, 3] == 1)
            assert np.all(np.diff([style.luminance(c) for c in ramp]) < 0)


@pytest.mark.parametrize("color", ["#F7FE2E", "#FBBF1F", "#6EB6FF", "#EEEEEE", "#FF0000", "#00FFFF"])
def test_ink_shading_runs_evenly_from_a_light_tint_to_a_dark_shade_of_the_colour(color):
    rgb = np.array(style.parse_color(color))
    lut = style.Shader(ink=True).lut(rgb).astype(float) / 255
    lum = np.array([style.luminance(c) for c in lut])
    assert np.all(lut[:, 3] == 1)
    assert lut[0, :3] == pytest.approx(1 - (1 - rgb) * style.INK_TINT, abs=1 / 255)    # a light tint of it
    assert lum[-1] == pytest.approx(style.INK_DARKEST, abs=0.01)
    assert np.allclose(np.diff(lum), np.diff(lum).mean(), atol=0.004)          # even steps
    chroma = lut[:, :3] - lut[:, :3].mean(axis=1, keepdims=True)
    own = rgb - rgb.mean()
    if np.linalg.norm(own) > 0.05:                                             # the hue of the colour
        cos = chroma @ own / (np.linalg.norm(chroma, axis=1) * np.linalg.norm(own) + 1e-9)
        assert np.all(cos[np.linalg.norm(chroma, axis=1) > 0.02] > 0.97)


def test_on_light_backgrounds_maps_are_opaque_ink_with_outlines_where_they_fit(mobilenet):
    model = tspcli.load("samples/mobilenet_v1.yaml")
    for layer in model.layers:
        layer.neural_value = np.random.default_rng(1).random(layer.output_shape, dtype=np.float32)
    _, paper = build(model, ["conv_dw_1", "conv_dw_7"], size=(1200, 675), background="white")
    maps = {b.key: b for b in paper.blocks}
    assert all((tile(maps["conv_dw_1/maps"], i)[..., 3] == 255).all() for i in range(32))
    assert maps["conv_dw_1/maps"].edge == style.outline_color(style.parse_color("#FBBF1F"))
    assert maps["conv_dw_7/maps"].edge is None                          # 14x14 maps: too small to outline
    size = maps["conv_dw_7/maps"].size[0] * _pixels_per_unit(paper, maps["conv_dw_7/maps"].centers.mean(axis=0))
    assert size < MIN_OUTLINED_PX
    _, night = build(model, ["conv_dw_1"])
    blocks = {b.key: b for b in night.blocks}
    assert blocks["conv_dw_1/maps"].edge is None and blocks["conv1/slab"].edge == style.FRAME_COLOR
    alpha = np.concatenate([tile(blocks["conv_dw_1/maps"], i)[..., 3].ravel() for i in range(32)])
    assert alpha.min() == round(0.4 * 255) and alpha.max() == 255      # TensorSpace's opacity on black (minOpacity)


def tile(element, index):
    image = element.texture.image
    h, w = image.shape[:2]
    u0, v0, u1, v1 = element.tiles[index]
    return image[round(v0 * h):round(v1 * h), round(u0 * w):round(u1 * w)]


def _pixels_per_unit(scene, point):
    right = cam.basis(np.subtract(scene.camera.position, scene.camera.focal_point), np.asarray(scene.camera.up))[0]
    ends = cam.project(np.array([point, point + right]), scene.camera, scene.size)
    return float(np.linalg.norm(ends[1] - ends[0]))


def test_close_buttons_sit_left_of_their_open_layer_big_enough_to_read(mobilenet):
    _, scene = build(mobilenet, ["conv_dw_1", "conv_dw_7"])
    blocks = {b.key: b for b in scene.blocks}
    for name in ("conv_dw_1", "conv_dw_7"):
        button, maps = blocks[f"{name}/button"], blocks[f"{name}/maps"]
        plane = Plane(*maps.plane)             # the maps face the camera: their columns run across
        across, _, down = plane.vectors()
        wide = AXES.index(plane.u[1])
        left = (maps.centers @ across - maps.size[wide] / 2).min()
        assert button.centers[0] @ across + button.size[wide] / 2 < left          # beside the layer, on its left
        radius = button.size[wide] / 2 * _pixels_per_unit(scene, button.centers[0])
        assert radius >= MIN_BUTTON_PX - 0.01
    maps = blocks["conv_dw_1/maps"]
    tall = AXES.index(Plane(*maps.plane).v[1])
    height = np.ptp(maps.centers[:, tall]) + maps.size[tall]
    # TensorSpace's ratio, unless that would be more than MAX_BUTTON_FONTS font sizes in the picture
    radius = blocks["conv_dw_1/button"].size[tall] / 2
    largest = MAX_BUTTON_FONTS * Look().font_size / _pixels_per_unit(scene, blocks["conv_dw_1/button"].centers[0])
    assert radius == pytest.approx(min(0.03 * height, largest), rel=1e-6)


def test_text_scale_grows_every_font(mobilenet):
    _, plain = build(mobilenet, title="T")
    _, large = build(mobilenet, title="T", text_scale=1.5)
    assert large.title_size == pytest.approx(1.5 * plain.title_size)
    assert large.legend.size == pytest.approx(1.5 * plain.legend.size)
    assert {lab.size for lab in large.labels} == {1.5 * s for s in {lab.size for lab in plain.labels}}


def test_labels_never_touch_a_layer_of_a_branching_model():
    from boxes_rules import overlaps
    from tspcli.scene.boxes import scene_boxes

    model = tspcli.load("samples/functional.yaml")
    _, scene = build(model, "all")
    doc = scene_boxes(scene).as_json()
    assert not [(a["layer"], b["name"]) for a in doc["labels"] for b in doc["layers"] if overlaps(a["box"], b["box"])]
    left_out = len(doc["layers"]) - len(doc["labels"])
    assert left_out <= 2 and (scene.note or "").startswith(f"labels of {left_out} of") == bool(left_out)


def test_label_pad_keeps_a_word_space_between_labels(mobilenet):
    _, scene = build(mobilenet)
    boxes = list(boxes_of(scene).values())
    size = scene.labels[0].size
    for i, a in enumerate(boxes):
        assert all(not overlap(a, b, PAD * size * 0.99) for b in boxes[i + 1:])


def test_labels_of_a_deep_branching_model_file_never_touch(shared_data):
    model = tspcli.load(str(shared_data / "tfkeras2" / "tfk2_mobilenet_v2.h5"))     # 156 layers, residual adds
    _, scene = build(model)
    boxes = list(boxes_of(scene).values())
    assert len(boxes) > 10 and scene.note.startswith("labels of ")
    for i, a in enumerate(boxes):
        assert all(not overlap(a, b) for b in boxes[i + 1:])


def test_a_deep_residual_model_wraps_into_rows_between_its_blocks(shared_data):
    model = tspcli.load(str(shared_data / "tfkeras2" / "tfk2_mobilenet_v2.h5"))     # 156 levels, residual adds
    builder = SceneBuilder(model, Look(size=(1280, 720)))
    state = initial_state(model, None, View(direction="horizontal"))
    groups = builder.row_groups(state)
    assert len(groups) >= 2
    row_of = {name: r for r, names in enumerate(groups) for name in names}
    crossing = [(s.name, layer.name) for layer in builder.layers for s in builder.inbound[layer.name]
                if row_of[s.name] != row_of[layer.name]]
    assert len(crossing) == len(groups) - 1          # never through a skip: one connection per cut
    scene = builder.build(state)
    left_out = int(scene.note.split()[2]) if scene.note else 0
    assert left_out < 100                             # one thin strip left 134 of 156 out
