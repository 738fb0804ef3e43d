"""The scene a model becomes (TensorSpace's geometry), checked without rendering."""
import subprocess
import sys

import numpy as np
import pytest

import tspcli
from tspcli.errors import OptionError
from tspcli.scene import camera as cam
from tspcli.scene.camera import View
from tspcli.scene.geometry import bounds_corners
from tspcli.scene.planes import AXES, Plane
from tspcli.scene.stacking import LEVEL_GAP
from tspcli.scene.layout import (BUTTON_SHARE, LEVEL_INTERVAL, MAX_BUTTON_FONTS, MAP_PITCH, MAX_SLAB_DEPTH, MODEL_WIDTH, Look, SceneBuilder,
                                 Pose, closest_factors, initial_state)
from tspcli.scene.grids import grid_shape
from tspcli.layers import layer_from_config
from tspcli.layers.inputs import input_class_for_shape
from tspcli.model import Sequential

VERTICAL = View(direction="vertical")


def scene_of(model, open_layers=None, view=VERTICAL, **look):
    return SceneBuilder(model, Look(**look)).build(initial_state(model, open_layers, view))


def blocks(scene, key):
    return next(b for b in scene.blocks if b.key == key)


def tile(element, index):
    """The RGBA pixels of box ``index``'s data face, cut out of the element's atlas."""
    image = element.texture.image
    h, w = image.shape[:2]
    u0, v0, u1, v1 = element.tiles[index]
    return image[round(v0 * h):round(v1 * h), round(u0 * w):round(u1 * w)]


@pytest.fixture(scope="module")
def lenet():
    return tspcli.load("samples/lenet.yaml")


@pytest.fixture(scope="module")
def mobilenet():
    return tspcli.load("samples/mobilenet_v1.yaml")


@pytest.mark.parametrize("count, grid", [(32, (8, 4)), (6, (3, 2)), (16, (4, 4)), (1024, (32, 32)),
                                         (512, (32, 16)), (7, (3, 3)), (13, (4, 4)), (26, (6, 5)), (14, (4, 4)),
                                         (1, (1, 1)), (2, (2, 1)), (3, (3, 1)), (18, (6, 3))])
def test_maps_form_the_closest_two_factors_else_a_near_square(count, grid):
    assert closest_factors(count) == grid


@pytest.mark.parametrize("count", range(1, 300))
def test_every_grid_holds_its_maps_and_is_at_most_about_two_to_one(count):
    cols, rows = closest_factors(count)
    assert cols * rows >= count and cols >= rows
    assert cols * rows - count < cols          # no empty row
    assert cols <= 2 * rows or count <= 3


@pytest.mark.parametrize("count, width, depth", [(200, 96, 2), (32, 96, 24), (8, 5, 40), (1000, 1, 50),
                                                 (7, 30, 3)])
def test_long_maps_open_into_a_grid_about_square_as_a_whole(count, width, depth):
    cols, rows = grid_shape(count, width, depth)
    assert cols * rows >= count and (cols - 1) * rows < count      # every map, no empty column
    whole = (cols * width) / (rows * depth)
    assert 1 / 3 <= whole <= 3 or cols == 1 or rows == 1           # a block, not a hairline
    assert grid_shape(200, 96, 2) == (2, 100)


@pytest.mark.parametrize("count", [6, 32, 200, 512])
def test_maps_about_square_keep_tensorspace_grid(count):
    assert grid_shape(count, 10, 10) == grid_shape(count, 10, 19) == closest_factors(count)


def test_a_layer_of_long_maps_opens_into_a_block_of_them():
    model = Sequential([input_class_for_shape((4, 96, 3))(name="line", shape=[4, 96, 3]),
                        layer_from_config({"type": "Conv2d", "name": "c", "filters": 60, "kernelSize": 3,
                                           "strides": [2, 1], "padding": "same"})]).init()
    maps = blocks(scene_of(model, ["c"], size=(640, 360)), "c/maps")
    extent = sorted(np.ptp(maps.centers, axis=0) + np.asarray(maps.size))[1:]   # the grid's plane, not its thickness
    assert extent[1] / extent[0] < 3           # 60 strips of 2x96 stacked into a block, not laid out in a line


def test_input_is_100_units_wide_and_its_unit_scales_later_layers(mobilenet):
    scene = scene_of(mobilenet)
    assert blocks(scene, "input/image").size[0] == pytest.approx(MODEL_WIDTH)
    # conv1 is 112 wide: 112 units of 100/224
    assert blocks(scene, "conv1/slab").size[0] == pytest.approx(112 * MODEL_WIDTH / 224)
    assert blocks(scene, "conv_pw_13/slab").size[0] == pytest.approx(7 * MODEL_WIDTH / 224)


def test_closed_layers_stack_50_units_apart_input_at_the_bottom(mobilenet):
    scene = scene_of(mobilenet)
    ys = [b.centers[0, 1] for b in scene.blocks]
    assert ys[0] == 0
    assert np.allclose(np.diff(ys), LEVEL_INTERVAL)


def test_slab_thickness_grows_with_channels_to_30_units(mobilenet):
    scene = scene_of(mobilenet)
    assert blocks(scene, "conv_pw_13/slab").size[1] == pytest.approx(MAX_SLAB_DEPTH)      # 1024: the most
    assert blocks(scene, "conv_pw_1/slab").size[1] == pytest.approx(64 / 1024 * MAX_SLAB_DEPTH)
    assert blocks(scene, "conv1/slab").size[1] == pytest.approx(1.0)                      # 32/1024*30 < 1


def test_an_open_layer_is_one_mesh_with_a_grid_of_maps_at_pitch_1_5(mobilenet):
    scene = scene_of(mobilenet, ["conv_dw_1"])
    maps = blocks(scene, "conv_dw_1/maps")
    size = 112 * MODEL_WIDTH / 224
    assert len(maps.centers) == 32
    across, _, down = Plane(*maps.plane).vectors()        # the grid faces the camera
    xs, zs = np.unique((maps.centers @ across).round(6)), np.unique((maps.centers @ down).round(6))
    assert (len(xs), len(zs)) == (8, 4)
    assert np.allclose(np.diff(xs), MAP_PITCH * size) and np.allclose(np.diff(zs), MAP_PITCH * size)
    # channel order: TensorSpace fills a column of the grid, then the next
    assert maps.centers[1] @ across == maps.centers[0] @ across and maps.centers[4] @ across > maps.centers[0] @ across
    assert not any(b.key == "conv_dw_1/slab" for b in scene.blocks)


def test_all_open_mobilenet_draws_every_map_in_one_mesh_per_layer(mobilenet):
    scene = scene_of(mobilenet, "all")
    maps = [b for b in scene.blocks if b.key.endswith("/maps")]
    expected = sum(layer.output_shape[-1] for layer in mobilenet.layers
                   if len(layer.output_shape) == 3 and layer.layer_type != "RGBInput")
    assert sum(len(b.centers) for b in maps) == expected > 10_000
    assert len(scene.blocks) <= 2 * len(mobilenet.layers)     # maps + close button, never one per map


def test_each_map_shows_its_own_values(lenet):
    model = tspcli.load("samples/lenet.yaml")
    rng = np.random.default_rng(0)
    for layer in model.layers:
        layer.neural_value = rng.random(layer.output_shape, dtype=np.float32)
    scene = scene_of(model, ["conv1"])
    maps = blocks(scene, "conv1/maps")
    value = model.get_layer("conv1").neural_value
    for channel in (0, 5):
        v = value[..., channel]
        expected = np.rint((0.4 + 0.6 * (v - v.min()) / (v.max() - v.min())) * 255)   # minOpacity 0.4
        assert np.abs(tile(maps, channel)[..., 3] - expected).max() <= 1


def test_values_set_opacity_from_min_opacity_to_one_in_the_layer_colour():
    model = tspcli.load("samples/depthwise.yaml")
    for layer in model.layers:
        layer.neural_value = None
    dw = model.get_layer("dw_same")
    value = np.zeros(dw.output_shape, np.float32)
    value[0, 0, :] = 1.0                          # each map: one max pixel, the rest at min
    dw.neural_value = value
    scene = scene_of(model, ["dw_same"])
    first = tile(blocks(scene, "dw_same/maps"), 0)
    assert first[0, 0, 3] == 255 and (first[1:, :, 3] == round(0.4 * 255)).all()   # the model's minOpacity 0.4
    assert (first[..., :3] == [0xFB, 0xBF, 0x1F]).all()                          # DepthwiseConv2d's colour


def test_colormap_colours_values_opaquely(lenet):
    model = tspcli.load("samples/lenet.yaml")
    conv = model.get_layer("conv1")
    conv.neural_value = np.linspace(0, 1, np.prod(conv.output_shape), dtype=np.float32).reshape(conv.output_shape)
    maps = blocks(scene_of(model, ["conv1"], colormap="gray", normalize="layer"), "conv1/maps")
    first, last = tile(maps, 0), tile(maps, 5)
    assert (first[..., 3] == 255).all() and (last[..., 3] == 255).all()
    assert first[0, 0, 0] == 0 and last[-1, -1, 0] == 255                 # black to white over the layer
    assert (first[..., 0] == first[..., 1]).all()


def test_normalize_over_the_layer_keeps_maps_comparable():
    model = tspcli.load("samples/lenet.yaml")
    conv = model.get_layer("conv1")
    value = np.zeros(conv.output_shape, np.float32)
    value[..., 0] = np.linspace(0, 1, 28)[None, :]
    value[..., 1] = np.linspace(0, 0.5, 28)[None, :]      # a weaker map
    conv.neural_value = value

    def top_alpha(normalize, channel):
        return tile(blocks(scene_of(model, ["conv1"], normalize=normalize), "conv1/maps"), channel)[..., 3].max()

    assert top_alpha("map", 0) == top_alpha("map", 1) == 255
    assert top_alpha("layer", 0) == 255 and top_alpha("layer", 1) < 200


def test_colours_come_from_the_layer_then_the_model_then_the_type(tmp_path):
    doc = tmp_path / "m.yaml"
    doc.write_text("model: {type: Sequential, color: {conv2d: '#112233'}}\n"
                   "layers:\n"
                   "  - {type: RGBInput, shape: [8, 8, 3]}\n"
                   "  - {type: Conv2d, name: a, filters: 2, kernelSize: 1}\n"
                   "  - {type: Conv2d, name: b, filters: 2, kernelSize: 1, color: '#445566'}\n"
                   "  - {type: DepthwiseConv2d, name: c, kernelSize: 1}\n")
    model = tspcli.load(str(doc))
    scene = scene_of(model, legend=True)
    colours = {b.key: tuple(b.texture.image[0, 0, :3]) for b in scene.blocks}
    assert colours["a/slab"] == (0x11, 0x22, 0x33)
    assert colours["b/slab"] == (0x44, 0x55, 0x66)
    assert colours["c/slab"] == (0xFB, 0xBF, 0x1F)
    legend = {e.text for e in scene.legend.entries}
    assert {"RGBInput", "Conv2d", "DepthwiseConv2d"} <= legend


def test_labels_give_name_and_output_shape(mobilenet):
    scene = scene_of(mobilenet)
    texts = {lab.key: lab.text for lab in scene.labels}
    assert texts["conv_dw_1/label"].split() == ["conv_dw_1", "112×112×32"]
    assert "1024" in texts["global_average_pooling2d/label"]
    assert scene_of(mobilenet, labels=False).labels == []


def test_long_1d_layers_are_capped_and_say_so(lenet):
    scene = scene_of(lenet, ["flatten"])
    bar = blocks(scene, "flatten/bar")
    unit = MODEL_WIDTH / 28
    assert bar.size[0] < 400 * unit / 2                 # 400 units at LeNet's unit would be 1429 long
    label = next(lab.text for lab in scene.labels if lab.key == "flatten/label")
    assert "drawn 1:" in label


def test_an_open_grid_facing_the_camera_gets_room_along_the_stack(mobilenet):
    closed = scene_of(mobilenet)
    opened = scene_of(mobilenet, ["conv_dw_1"])
    y = {s: {b.key.split("/")[0]: b.centers[0, 1] for b in s.blocks} for s in (closed, opened)}
    assert y[opened]["conv1"] == y[closed]["conv1"]
    spans = {}
    for b in opened.blocks:
        corners = bounds_corners(b.centers, b.size)
        lo, hi = spans.get(b.key.split("/")[0], (np.inf, -np.inf))
        spans[b.key.split("/")[0]] = (min(lo, corners[:, 1].min()), max(hi, corners[:, 1].max()))
    grid = spans["conv_dw_1"]
    assert grid[1] - grid[0] > 100                                            # it spreads along the stack
    assert grid[0] - spans["conv1"][1] >= LEVEL_GAP - 1e-6 and spans["conv_pw_1"][0] - grid[1] >= LEVEL_GAP - 1e-6


def test_functional_layers_of_a_level_sit_side_by_side_with_lines_to_their_inputs():
    model = tspcli.load("samples/functional.yaml")
    scene = scene_of(model)
    center = {b.key.split("/")[0]: b.centers[0] for b in scene.blocks}
    branches = ["branch_1x1", "branch_dw", "branch_pool"]
    assert len({center[n][1] for n in branches}) == 1                     # one level
    xs = sorted(center[n][0] for n in branches)
    assert xs[0] < xs[1] < xs[2] and abs(sum(xs)) < 1e-6                  # side by side, centred
    assert center["stem"][1] < center["branch_dw"][1] < center["branch_dw_pw"][1] < center["concat"][1]
    assert center["classes"][1] == max(c[1] for c in center.values())     # the output on the last level
    (lines,) = scene.lines
    edges = sum(len(layer.inbound) for layer in model.layers)
    assert len(lines.paths) == edges
    curved = [p for p in lines.paths if len(p) > 2]     # skips: stem -> residual, branch_1x1 -> concat
    assert len(curved) == 2


def test_horizontal_stacking_keeps_the_geometry_and_turns_the_camera(lenet):
    builder = SceneBuilder(lenet, Look())
    vertical = builder.build(Pose({}, View(direction="vertical")))
    horizontal = builder.build(Pose({}, View(direction="horizontal")))
    assert [b.centers.tolist() for b in vertical.blocks] == [b.centers.tolist() for b in horizontal.blocks]
    size = (1920, 1080)
    first, last = vertical.blocks[0].centers[0], vertical.blocks[-1].centers[0]
    v = cam.project(np.array([first, last]), vertical.camera, size)
    h = cam.project(np.array([first, last]), horizontal.camera, size)
    assert v[1, 1] > v[0, 1]                                   # upwards
    assert h[1, 0] > h[0, 0]                                   # to the right,
    assert abs(h[1, 1] - h[0, 1]) < 0.02 * (h[1, 0] - h[0, 0])  # level up to perspective


def test_auto_direction_picks_horizontal_for_a_deep_model_in_a_wide_picture(mobilenet):
    builder = SceneBuilder(mobilenet, Look(size=(1920, 1080)))
    assert builder.resolve(initial_state(mobilenet, None, View())).view.direction == "horizontal"
    tall = SceneBuilder(mobilenet, Look(size=(600, 1800)))
    assert tall.resolve(initial_state(mobilenet, None, View())).view.direction == "vertical"
    # TensorSpace's view picks its stacking too: a 30-layer tower would leave most of the picture empty
    assert builder.resolve(initial_state(mobilenet, None, View("tsp"))).view.direction == "horizontal"


def test_the_camera_frames_everything_with_a_margin(mobilenet):
    for view in (View(), View("tsp"), View("top"), View(azimuth=120, elevation=-20)):
        scene = scene_of(mobilenet, ["conv_pw_1"], view=view, size=(800, 600))
        points = np.concatenate([bounds_corners(b.centers, b.size) for b in scene.blocks])
        px = cam.project(points, scene.camera, (800, 600))
        assert px.min() > 0 and px[:, 0].max() < 800 and px[:, 1].max() < 600


def test_zoom_narrows_the_view(lenet):
    wide = scene_of(lenet).camera
    zoomed = scene_of(lenet, view=View(direction="vertical", zoom=2)).camera
    assert zoomed.position == wide.position
    assert cam.half_height(zoomed) == pytest.approx(cam.half_height(wide) / 2)


def test_openness_between_0_and_1_flies_maps_out_of_the_centre(lenet):
    builder = SceneBuilder(lenet, Look())
    half = builder.build(Pose({"conv1": 0.5}, VERTICAL))
    full = builder.build(Pose({"conv1": 1.0}, VERTICAL))
    a, b = blocks(half, "conv1/maps"), blocks(full, "conv1/maps")
    assert np.allclose(a.centers - a.centers.mean(axis=0), (b.centers - b.centers.mean(axis=0)) / 2)
    assert a.texture is b.texture                     # textures are built once, reused by every frame
    assert not any(x.key == "conv1/button" for x in half.blocks)
    assert any(x.key == "conv1/button" for x in full.blocks)


def test_open_names_are_checked(lenet):
    with pytest.raises(OptionError, match="no drawn layer named 'conv9'"):
        initial_state(lenet, ["conv9"])
    assert set(initial_state(lenet, "all").openness) >= {"conv1", "conv2", "dense1"}
    assert initial_state(lenet, None).openness == {"conv1": 1.0}           # its initStatus: open


def test_the_scene_needs_no_rendering_library():
    code = ("import sys, tspcli\n"
            "from tspcli.scene.layout import SceneBuilder, Look, initial_state\n"
            "m = tspcli.load('samples/lenet.yaml')\n"
            "SceneBuilder(m, Look()).build(initial_state(m))\n"
            "bad = [n for n in sys.modules if n.split('.')[0] in ('vtkmodules', 'pyvista', 'matplotlib')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_greyscale_inputs_follow_the_value_rule_of_every_layer(lenet):
    """TensorSpace's plate on black (ink the most opaque), ink on white (ink the darkest): one polarity."""
    model = tspcli.load("samples/lenet.yaml")
    digit = np.zeros((28, 28, 1), np.float32)
    digit[5:20, 10:14] = 2.0
    model.get_layer("input").neural_value = digit
    dark = tile(blocks(scene_of(model), "input/image"), 0)
    assert dark[5, 10, 3] == 255 and dark[0, 0, 3] == round(0.4 * 255)     # minOpacity .. 1 (lenet.yaml)
    assert (dark[0, 0, :3] == dark[5, 10, :3]).all()                        # the layer colour throughout
    light = tile(blocks(scene_of(model, background="white"), "input/image"), 0)
    assert (light[..., 3] == 255).all()
    assert light[5, 10, :3].sum() < light[0, 0, :3].sum()                   # the digit is the ink


def test_1d_convolutions_draw_one_line_per_channel(tmp_path):
    doc = tmp_path / "seq.yaml"
    doc.write_text("layers:\n"
                   "  - {type: Input2d, name: seq, shape: [100, 2]}\n"
                   "  - {type: Conv1d, name: c1, filters: 8, kernelSize: 5}\n"
                   "  - {type: Flatten, name: flat}\n"
                   "  - {type: Output1d, name: out, units: 3, outputs: [up, flat, down]}\n")
    model = tspcli.load(str(doc))
    closed = scene_of(model)
    assert len(blocks(closed, "c1/strip").centers) == 1
    opened = scene_of(model, ["c1"])
    strips = blocks(opened, "c1/strips")
    assert len(strips.centers) == 8 and len(np.unique(strips.centers[:, 2])) == 8     # stacked in depth
    assert strips.texture.image.shape[1] >= 96                                         # one texel per step


def test_an_open_output_names_its_top_class(tmp_path):
    model = tspcli.load("samples/functional.yaml")
    out = model.get_layer("classes")
    out.neural_value = np.array([0.1, 0.6, 0.1, 0.1, 0.1], np.float32)
    scene = scene_of(model, ["classes"])
    top = next(lab for lab in scene.labels if lab.key == "classes/top")
    assert top.text == "dog 0.60" and top.bold and top.align == "right"     # left of a tower, its far side
    cubes = blocks(scene, "classes/cubes")
    assert np.allclose(top.anchor, cubes.centers[1])                        # beside its own unit


def test_no_top_class_is_claimed_for_random_weights():
    model = tspcli.load("samples/functional.yaml")
    model.predict([np.zeros(l.output_shape, np.float32) for l in model.inputs])
    assert model.random_weights
    assert not [lab for lab in scene_of(model, ["classes"]).labels if lab.key.endswith("/top")]


@pytest.fixture(scope="module")
def acgan(shared_data):
    path = shared_data / "tensorspace" / "acgan_tfjs" / "model.json"
    if not path.exists():
        pytest.skip("TensorSpace's ACGAN is not in the shared data")
    return tspcli.load(str(path))


def _extent(element):
    corners = bounds_corners(element.centers, element.size)
    return np.ptp(corners, axis=0)


def test_close_buttons_stay_small_beside_their_layers_however_large_the_unit(acgan):
    # input_3 is one unit wide: at TensorSpace's unit (100 / width) its button was 200 units across
    builder = SceneBuilder(acgan, Look(size=(1280, 720)))
    state = builder.resolve(initial_state(acgan, "all", View(direction="horizontal")))
    parts, _ = builder._stack(state)
    buttons = 0
    for name, part in parts.items():
        for element in part.blocks:
            if element.key.endswith("/button"):
                buttons += 1
                rest = [_extent(b) for b in part.blocks if b is not element]
                assert element.size[0] / 2 <= BUTTON_SHARE * max(max(e[0], e[2]) for e in rest) + 1e-9, name
    assert buttons >= 10
    scene = builder.build(state)
    for element in scene.blocks:
        if element.key.endswith("/button"):
            ends = cam.project(np.array([element.centers[0], element.centers[0] + [element.size[0], 0, 0]]),
                               scene.camera, scene.size)
            radius = np.linalg.norm(ends[1] - ends[0]) / 2
            assert radius <= MAX_BUTTON_FONTS * Look(size=(1280, 720)).font_size * 1.2, element.key


def test_a_one_unit_input_is_one_cell_beside_a_vector_input(acgan):
    scene = scene_of(acgan, "all", View(direction="horizontal"))
    one, noise = blocks(scene, "input_3/bar"), blocks(scene, "input_2/bar")
    assert one.size == pytest.approx(noise.size[1:2] * 3)       # a cube as thick as the noise bar
    assert noise.size[0] == pytest.approx(MODEL_WIDTH)
    flatten = blocks(scene, "flatten_2/bar")                    # 100 units, no longer drawn 1:50
    assert flatten.size[0] == pytest.approx(MODEL_WIDTH) and flatten.size[1] <= flatten.size[0] / 20


def test_maps_made_from_a_vector_are_scaled_as_an_input_image_is(acgan):
    """A generator's 28x28 output is 100 units wide like an input image, and as wide as its other
    28x28 layers' maps, not a speck at the unit of the noise vector."""
    scene = scene_of(acgan, "all", View(direction="horizontal"))
    single, grid = blocks(scene, "conv2d_7/maps"), blocks(scene, "conv2d_6/maps")
    assert single.size[0] == pytest.approx(MODEL_WIDTH)
    assert single.size[0] == pytest.approx(grid.size[AXES.index(grid.plane[0][1])])    # a map's width
    closed = scene_of(acgan, None, View(direction="horizontal"))
    assert blocks(closed, "conv2d_7/maps").size[0] == pytest.approx(blocks(closed, "conv2d_6/slab").size[0])
