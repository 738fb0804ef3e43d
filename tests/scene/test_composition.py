"""Issue 11's picture rules, asserted from where things were drawn (``--boxes``): labels never touch each
other, a layer or the legend, nothing leaves the picture, the drawing fills it with balanced margins; for
every sample and the shared real models, in every config and camera preset.  And TensorSpace's shading
read from pixels, ``--crop`` and ``--boxes`` from the command line, labels gliding in animations."""
import json
import pathlib

import numpy as np
import pytest

import tspcli
from boxes_rules import faults, fill, margins
from tspcli.render.options import resolve
from tspcli.render.scene_inputs import look_from, view_from
from tspcli.scene.boxes import scene_boxes
from tspcli.scene.camera import project
from tspcli.scene.layout import SceneBuilder, initial_state

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
SAMPLES = sorted(str(p) for p in (ROOT / "samples").glob("*.yaml")) + [str(ROOT / "samples" / "lenet.json")]
CAMERAS = ["iso", "tsp", "front", "side", "top"]
CONFIGS = ["default", "paper", "video"]
SMALL = {"default": "640x360", "paper": "800x450", "video": "640x360"}   # the configs' shapes, smaller


def still_scene(path, config, camera, **flags):
    options = resolve(str(ROOT / "configs" / f"{config}.yaml"),
                      {"camera": camera, "values": False, "size": SMALL[config], "scale": 1, **flags})
    model = tspcli.load(path)
    return SceneBuilder(model, look_from(options, model)).build(initial_state(model, options.open, view_from(options)))


def boxes_doc(path, config, camera, **flags):
    """The --boxes document of a still, from the scene (as the command computes it), without drawing it."""
    return scene_boxes(still_scene(path, config, camera, **flags)).as_json()


@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("camera", CAMERAS)
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: pathlib.Path(p).name)
def test_samples_keep_every_rule(path, camera, config):
    doc = boxes_doc(path, config, camera)
    if "functional" not in path:          # chains have room for every label; a branching model says what it left out
        assert len(doc["labels"]) >= len(doc["layers"])
    assert faults(doc) == []


SHARED_MODELS = {
    "lenet keras": "tensorspace/lenet_mnist_keras2.1.6.h5",
    "lenet tfjs": "tensorspace/lenet_tfjs/model.json",
    "acgan": "tensorspace/acgan_tfjs/model.json",
}


@pytest.mark.slow
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("camera", CAMERAS)
@pytest.mark.parametrize("name", SHARED_MODELS)
def test_shared_models_keep_every_rule(name, camera, config):
    path = SHARED / SHARED_MODELS[name]
    if not path.exists():
        pytest.skip("../shared/data is absent")
    assert faults(boxes_doc(str(path), config, camera)) == []


def test_a_legend_with_no_free_corner_takes_a_band_that_keeps_the_drawing_filling_the_picture():
    # a small picture, whose fonts do not shrink with it: no corner is free for the legend and its band at
    # full size would leave the drawing 88 % of the picture; a smaller legend keeps it filled
    doc = boxes_doc(str(ROOT / "samples" / "explain.yaml"), "default", "iso", size="320x180")
    assert doc["legend"] is not None
    assert faults(doc) == [] and fill(doc) >= 0.9


@pytest.mark.slow
@pytest.mark.parametrize("camera", ["iso", "tsp", "front", "top"])
def test_a_156_layer_file_keeps_every_rule(camera):
    path = SHARED / "tfkeras2" / "tfk2_mobilenet_v2.h5"
    if not path.exists():
        pytest.skip("../shared/data is absent")
    doc = boxes_doc(str(path), "default", camera)
    assert faults(doc) == []
    assert len(doc["layers"]) == 156 and fill(doc) >= 0.9


@pytest.mark.parametrize("camera", CAMERAS)
@pytest.mark.parametrize("path", [str(ROOT / "samples" / "functional.yaml"),
                                  str(SHARED / "tensorspace" / "acgan_tfjs" / "model.json")],
                         ids=["functional", "acgan"])
def test_connections_stay_in_the_picture(path, camera):
    """Filling the picture with the layers and labels never pushes a connection (an arc over a skip,
    seen from above) out of it."""
    if not pathlib.Path(path).exists():
        pytest.skip("../shared/data is absent")
    scene = still_scene(path, "default", camera)
    points = np.concatenate([p for lines in scene.lines for p in lines.paths])
    xy = project(points, scene.camera, scene.size)
    assert xy.min() >= -0.5 and np.all(xy.max(axis=0) <= np.asarray(scene.size) + 0.5)


@pytest.mark.parametrize("name", ["mobilenet_v1.yaml", "functional.yaml"])
def test_a_thumbnail_keeps_its_legend_inside_or_leaves_it_out_and_says_so(name):
    scene = still_scene(str(ROOT / "samples" / name), "default", "iso", size="320x180")
    doc = scene_boxes(scene).as_json()
    inside = [f for f in faults(doc) if "outside the picture" in f and not f.startswith("layer")]
    assert inside == []                                   # no label, nor the legend, leaves the picture
    if doc["legend"] is None:
        assert scene.note.endswith("the legend left out for room")
    else:
        x0, y0, x1, y1 = doc["legend"]
        assert x0 >= -0.5 and y0 >= -0.5 and x1 <= 320.5 and y1 <= 180.5
        assert not any("overlaps the legend" in f for f in faults(doc))


def test_open_grids_face_the_camera_within_40_degrees_in_every_preset():
    model = tspcli.load(str(ROOT / "samples" / "lenet.yaml"))        # conv1 opens itself
    for camera in CAMERAS:
        options = resolve(None, {"camera": camera, "values": False, "size": "640x360"})
        scene = SceneBuilder(model, look_from(options, model)).build(initial_state(model, None, view_from(options)))
        maps = next(b for b in scene.blocks if b.key == "conv1/maps")
        normal = np.eye(3)[3 - "xyz".index(maps.plane[0][1]) - "xyz".index(maps.plane[1][1])]
        toward = np.subtract(scene.camera.position, maps.centers.mean(axis=0))
        angle = np.degrees(np.arccos(abs(normal @ toward) / np.linalg.norm(toward)))
        assert angle <= 41, camera        # "about 40 degrees": iso's 38, and a little for the perspective


def test_parallel_branches_lie_side_by_side_in_the_picture_and_never_overlap():
    path = str(ROOT / "samples" / "functional.yaml")
    for camera in CAMERAS:
        doc = boxes_doc(path, "default", camera)
        box = {e["name"]: e["box"] for e in doc["layers"]}
        branches = ["branch_1x1", "branch_dw", "branch_pool"]
        from boxes_rules import overlaps
        assert not any(overlaps(box[a], box[b]) for i, a in enumerate(branches) for b in branches[i + 1:]), camera


def test_lowest_and_highest_values_are_drawn_at_min_opacity_and_full_colour(tmp_path, cli):
    """TensorSpace's shading on black, read from pixels: LeNet's first convolution on a handwritten 5."""
    model = SHARED / "tensorspace" / "lenet_tfjs" / "model.json"
    if not model.exists():
        pytest.skip("../shared/data is absent")
    import imageio.v3 as iio

    out, boxes = tmp_path / "lenet.png", tmp_path / "boxes.json"
    r = cli("render", str(model), "--input", str(SHARED / "tensorspace" / "digit5.json"), "--open",
            "conv2d_Conv2D1", "--camera", "front", "--no-labels", "--no-legend", "--size", "640x360",
            "-o", str(out), "--boxes", str(boxes))
    assert r.code == 0, r.err
    image = iio.imread(out)[..., :3].astype(float)
    x0, y0, x1, y1 = next(e["box"] for e in json.loads(boxes.read_text())["layers"] if e["name"] == "conv2d_Conv2D1")
    inside = image[int(y0) + 1:int(y1) - 1, int(x0) + 1:int(x1) - 1].reshape(-1, 3)
    color = np.array([0xF7, 0xFE, 0x2E], float)                 # Conv2d's colour
    level = inside @ color / (color @ color)                     # how much of the colour each pixel is
    on_map = inside[level > 0.2]
    assert np.abs(on_map - np.outer(on_map @ color / (color @ color), color)).max() < 0.03 * 255 + 2   # its hue
    drawn = level[level > 0.2]
    lowest = np.bincount(np.rint(drawn * 100).astype(int)).argmax() / 100      # most maps are mostly low
    assert abs(lowest - 0.4) <= 0.03                                           # minOpacity x colour
    assert abs(np.percentile(drawn, 99.9) - 1.0) <= 0.03                       # the highest: full colour


def test_crop_and_boxes_from_the_command_line(tmp_path, cli):
    import imageio.v3 as iio

    out, boxes = tmp_path / "lenet.png", tmp_path / "lenet.json"
    r = cli("render", str(ROOT / "samples" / "lenet.yaml"), "--config", str(ROOT / "configs" / "paper.yaml"),
            "--size", "800x450", "--scale", "2", "--no-values", "-o", str(out), "--boxes", str(boxes))
    assert r.code == 0, r.err
    image, doc = iio.imread(out), json.loads(boxes.read_text())
    assert doc["size"] == [image.shape[1], image.shape[0]] and image.shape[0] < 900    # paper.yaml crops
    assert faults(doc, check_fill=False) == []
    x0, y0, x1, y1 = np.array([e["box"] for e in doc["layers"] + doc["labels"]] + [doc["legend"]]).T
    margin = 0.02 * 900                                            # CROP_MARGIN of the shorter side, scaled
    assert min(x0.min(), y0.min()) == pytest.approx(margin, abs=1.5)
    assert x1.max() == pytest.approx(image.shape[1] - margin, abs=1.5)
    assert y1.max() == pytest.approx(image.shape[0] - margin, abs=1.5)
    r = cli("render", str(ROOT / "samples" / "lenet.yaml"), "-o", str(tmp_path / "a.gif"), "--animate", "open-all",
            "--boxes", str(tmp_path / "b.json"))
    assert r.code == 2 and "still" in r.err and not (tmp_path / "b.json").exists()


def test_labels_glide_between_frames_of_an_animation():
    from tspcli.render import animation as anim
    from tspcli.render.options import RenderOptions

    model = tspcli.load(str(ROOT / "samples" / "lenet.yaml"))
    options = RenderOptions(size=(640, 360), values=False, timeline="open:conv2", fps=10)
    played = anim.Animation(model, options, anim.timeline_for(model, options, from_flag=True))
    scenes = [played.scene(i) for i in range(len(played))]
    steps = []
    for before, after in zip(scenes, scenes[1:]):
        offsets = {label.key: np.array(label.offset) for label in before.labels}
        steps += [np.abs(np.array(label.offset) - offsets[label.key]).max()
                  for label in after.labels if label.key in offsets]
    assert max(steps) < 40                                  # pixels a frame: gliding, not jumping
    first, last = scene_boxes(scenes[0]).as_json(), scene_boxes(scenes[-1]).as_json()
    assert fill(first) >= 0.9 and fill(last) >= 0.9      # the camera follows: full at the start and the end
    assert max(margins(first)) <= 0.05 and max(margins(last)) <= 0.05
