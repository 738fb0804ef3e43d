"""The backend keeps actors between frames (animation) and draws the same pixels as a fresh window."""
import numpy as np
import pytest

import tspcli
from tspcli.scene.camera import View
from tspcli.scene.layout import Look, SceneBuilder, State

vtk_backend = pytest.importorskip("tspcli.render.vtk_backend")
SIZE = (320, 240)
VIEW = View(direction="horizontal")


@pytest.fixture(scope="module")
def frames():
    model = tspcli.load("samples/lenet.yaml")
    builder = SceneBuilder(model, Look(size=SIZE))
    states = [State({"conv1": t, "dense1": t}, VIEW) for t in (0.0, 0.3, 0.7, 1.0, 0.0)]
    camera = builder.frame_states(states)
    return [builder.build(s, camera=camera) for s in states]


def test_a_reused_renderer_draws_each_frame_as_a_fresh_one_would(frames):
    with vtk_backend.Renderer(SIZE) as renderer:
        reused = [renderer.render(scene) for scene in frames]
    for scene, image in zip(frames, reused):
        assert np.array_equal(image, vtk_backend.render(scene))
    assert not np.array_equal(reused[0], reused[2])          # the frames of an opening differ
    assert np.array_equal(reused[0], reused[-1])             # closed again: the first picture


def test_actors_are_kept_updated_and_dropped_not_piled_up(frames):
    with vtk_backend.Renderer(SIZE) as renderer:
        renderer.render(frames[1])
        item = renderer._items["blocks:conv1/maps"]
        props_open = renderer.renderer.GetViewProps().GetNumberOfItems()
        renderer.render(frames[2])
        assert renderer._items["blocks:conv1/maps"] is item              # moved, not rebuilt
        assert renderer.renderer.GetViewProps().GetNumberOfItems() == props_open
        renderer.render(frames[0])
        assert "blocks:conv1/maps" not in renderer._items                # closed: its maps are gone
        assert "blocks:conv1/slab" in renderer._items


@pytest.mark.parametrize("scale, bold", [(1, False), (3, False), (1, True)])
def test_text_is_no_wider_than_the_layout_reserved(scale, bold):
    """Labels are kept apart by estimated widths: the drawn text must fit in them."""
    from tspcli.scene.fonts import text_height, text_width
    from tspcli.scene.scene import Camera, Label, Scene

    text = "global_average_pooling2d\nWMm 1024×7 (drawn 1:3)"
    label = Label("t", text, (0.0, 0.0, 0.0), 20.0, (1.0, 1.0, 1.0), align="left", bold=bold)
    scene = Scene([], [], [label], Camera((0.0, 0.0, 100.0), (0.0, 0.0, 0.0), (0.0, 1.0, 0.0), 30.0),
                  (0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0), size=(800, 200))
    image = vtk_backend.render(scene, scale)
    rows, cols = np.nonzero(image.max(axis=-1) > 60)
    assert 0.9 * text_width(text, 20, bold) * scale <= np.ptp(cols) + 1 <= text_width(text, 20, bold) * scale
    assert np.ptp(rows) + 1 <= text_height(text, 20) * scale


def test_frames_framed_together_share_one_camera(frames):
    assert len({scene.camera for scene in frames}) == 1
