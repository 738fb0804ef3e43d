"""The pyvista backend keeps actors between frames (animation), draws the same pixels as a fresh
window, and the same pixels as the VTK backend it replaced (tests/data/backend_*.png)."""
import os
import sys

import imageio.v3 as iio
import numpy as np
import pytest

import tspcli
from tspcli.scene.camera import View
from tspcli.scene.layout import Look, SceneBuilder, Pose

backend = pytest.importorskip("tspcli.render.backends.pyvista_raster")
DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
SIZE = (320, 240)
VIEW = View(direction="horizontal")


@pytest.fixture(scope="module")
def frames():
    model = tspcli.load("samples/lenet.yaml")
    builder = SceneBuilder(model, Look(size=SIZE))
    states = [Pose({"conv1": t, "dense1": t}, VIEW) for t in (0.0, 0.3, 0.7, 1.0, 0.0)]
    camera = builder.frame_states(states)
    return [builder.build(s, camera=camera) for s in states]


def test_a_reused_renderer_draws_each_frame_as_a_fresh_one_would(frames):
    with backend.PyvistaRaster(SIZE) as raster:
        reused = [raster.draw(scene) for scene in frames]
    for scene, image in zip(frames, reused):
        assert np.array_equal(image, backend.render(scene))
    assert not np.array_equal(reused[0], reused[2])          # the frames of an opening differ
    assert np.array_equal(reused[0], reused[-1])             # closed again: the first picture


def test_actors_are_kept_updated_and_dropped_not_piled_up(frames):
    with backend.PyvistaRaster(SIZE) as raster:
        raster.draw(frames[1])
        part, actors = raster.blocks.parts["conv1/maps"], raster.blocks.actors
        props_open = raster.plotter.renderer.GetViewProps().GetNumberOfItems()
        raster.draw(frames[2])
        assert raster.blocks.parts["conv1/maps"] is part               # moved, not rebuilt
        assert raster.blocks.actors == actors                           # the same textured actor
        assert raster.plotter.renderer.GetViewProps().GetNumberOfItems() == props_open
        raster.draw(frames[0])
        assert "conv1/maps" not in raster.blocks.parts                 # closed: its maps are gone
        assert "conv1/slab" in raster.blocks.parts


@pytest.mark.parametrize("scale, bold", [(1, False), (3, False), (1, True)])
def test_text_is_no_wider_than_the_layout_reserved(scale, bold):
    """Labels are kept apart by estimated widths: the drawn text must fit in them."""
    from tspcli.scene.fonts import text_height, text_width
    from tspcli.scene.scene import Camera, Label, Scene

    text = "global_average_pooling2d\nWMm 1024×7 (drawn 1:3)"
    label = Label("t", text, (0.0, 0.0, 0.0), 20.0, (1.0, 1.0, 1.0), align="left", bold=bold)
    scene = Scene([], [], [label], Camera((0.0, 0.0, 100.0), (0.0, 0.0, 0.0), (0.0, 1.0, 0.0), 30.0),
                  (0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0), size=(800, 200))
    image = backend.render(scene, scale)
    rows, cols = np.nonzero(image.max(axis=-1) > 60)
    assert 0.9 * text_width(text, 20, bold) * scale <= np.ptp(cols) + 1 <= text_width(text, 20, bold) * scale
    assert np.ptp(rows) + 1 <= text_height(text, 20) * scale


def test_frames_framed_together_share_one_camera(frames):
    assert len({scene.camera for scene in frames}) == 1


@pytest.fixture(scope="module")
def reference_scenes():
    sys.path.insert(0, DATA)
    try:
        import backend_reference
    finally:
        sys.path.remove(DATA)
    return backend_reference.load()


def reference(name):
    return iio.imread(os.path.join(DATA, f"backend_{name}.png")).astype(int)


@pytest.mark.parametrize("name", ["black", "transparent"])
def test_without_anti_aliasing_the_pixels_are_the_old_backends(reference_scenes, name):
    """Without MSAA the pictures equal main's VTK backend's to 1 level (rounding of the window read)."""
    with backend.PyvistaRaster((320, 180), antialias=None) as raster:
        image = raster.draw(reference_scenes[name]).astype(int)
    assert np.abs(image - reference(name + "_aliased")).max() <= 1


@pytest.mark.parametrize("name", ["black", "transparent"])
def test_stills_differ_from_the_old_backend_only_where_edges_are_smoothed(reference_scenes, name):
    """pyvista reads the window's front buffer, whose 4x MSAA samples VTK resolves gamma-correctly;
    the old backend read the back buffer, averaged plainly.  So the two agree (to 1 level) on every
    pixel anti-aliasing left alone (where the old still equals the old aliased frame) and differ only
    on smoothed edges, which stay between the aliased and the plain-average values' range."""
    image = backend.render(reference_scenes[name]).astype(int)
    old, aliased = reference(name), reference(name + "_aliased")
    assert image.shape == old.shape
    untouched = np.abs(old - aliased).max(axis=-1) <= 1
    assert untouched.mean() > 0.9
    if name == "transparent":      # compare premultiplied colour: straight colour of faint pixels is noisy
        image = np.dstack([image[..., :3] * image[..., 3:] / 255, image[..., 3]])
        old = np.dstack([old[..., :3] * old[..., 3:] / 255, old[..., 3]])
    difference = np.abs(image - old).max(axis=-1)
    assert difference[untouched].max() <= 1.5
    assert (difference > 1.5).mean() < 0.05
