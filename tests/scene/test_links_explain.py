"""What DepthwiseConv2d reads, shown: --links in a still and the explain step of an animation."""
import numpy as np
import pytest

from tspcli.errors import OptionError
from tspcli.layers import Conv2d, DepthwiseConv2d, RGBInput, SeparableConv2d
from tspcli.model import Sequential
from tspcli.render.options import RenderOptions
from tspcli.render.scene_inputs import look_from, opened_state
from tspcli.scene import camera as cam
from tspcli.scene import explain
from tspcli.scene.layout import SceneBuilder
from tspcli.scene.links import LinkRequest, parse_links
from tspcli.scene.timeline import parse_timeline

SMALL = dict(size=(320, 180))


def network(multiplier=2, strides=1, dilation=1, padding="same"):
    m = Sequential([RGBInput(name="img", shape=[12, 10, 3]),
                    Conv2d(name="conv1", filters=4, kernelSize=3, padding="same"),
                    DepthwiseConv2d(name="dw1", kernelSize=3, depthMultiplier=multiplier, strides=strides,
                                    dilationRate=dilation, padding=padding),
                    SeparableConv2d(name="sep", filters=5, kernelSize=3, padding="same"),
                    Conv2d(name="pw", filters=6, kernelSize=1)])
    m.init()
    rng = np.random.default_rng(0)
    m.predict(rng.uniform(0, 1, (12, 10, 3)).astype(np.float32), seed=1)
    return m


def still_scene(model, links, **options):
    opts = RenderOptions(links=parse_links(links), labels=False, legend=False, **SMALL, **options)
    return SceneBuilder(model, look_from(opts, model)).build(opened_state(model, opts))


def test_links_are_parsed_with_optional_map_numbers():
    assert parse_links("dw1,pw:5") == (LinkRequest("dw1"), LinkRequest("pw", 5))
    assert parse_links(["dw1"]) == (LinkRequest("dw1"),)
    for bad in ("dw1,", "pw:x", ":3", "pw:-1"):
        with pytest.raises(OptionError):
            parse_links(bad)


@pytest.mark.parametrize("multiplier", [1, 2, 3])
def test_every_depthwise_map_links_to_input_map_k_over_multiplier(multiplier):
    scene = still_scene(network(multiplier), "dw1")
    links = scene.meta["links"]
    assert len(links) == 4 * multiplier
    assert all(link["to"] == ["conv1", link["from"][1] // multiplier] for link in links)
    assert sorted(link["from"][1] for link in links) == list(range(4 * multiplier))
    drawn = [path for lines in scene.lines if lines.key.startswith("dw1/links/") for path in lines.paths]
    assert len(drawn) == 4 * multiplier


def test_maps_from_one_input_channel_share_a_tint():
    scene = still_scene(network(2), "dw1")
    out = next(b for b in scene.blocks if b.key == "dw1/maps")
    tint_of = {}
    for lines in scene.lines:
        if lines.key.startswith("dw1/links/"):
            for path in lines.paths:
                k = int(np.argmin(np.linalg.norm(out.centers - path[0], axis=1) - 0))
                tint_of[k] = lines.color
    assert tint_of[0] == tint_of[1] and tint_of[2] == tint_of[3] and tint_of[0] != tint_of[2]


def test_a_conv_map_links_to_every_input_map_and_links_open_their_layers():
    model = network()
    scene = still_scene(model, "pw:4")
    assert scene.meta["links"] == [{"from": ["pw", 4], "to": ["sep", k]} for k in range(5)]
    assert any(b.key == "pw/maps" for b in scene.blocks) and any(b.key == "sep/maps" for b in scene.blocks)


def test_separable_lines_rise_from_each_input_map_then_converge():
    scene = still_scene(network(), "sep:2")
    paths = [p for lines in scene.lines if lines.key.startswith("sep/links/") for p in lines.paths]
    assert len(paths) == 8 and all(len(p) == 3 for p in paths)
    ends = np.array([p[0] for p in paths])
    assert np.allclose(ends, ends[0])                        # one output map
    rises = np.array([p[1] - p[2] for p in paths])           # depthwise: straight out of its own map
    assert np.allclose(rises[:, [0, 2]], 0) and (np.abs(rises[:, 1]) > 0).all()


@pytest.mark.parametrize("links,message", [
    ("dw2", "no drawn layer named 'dw2'"),
    ("img", "links are drawn for DepthwiseConv2d"),
    ("pw:6", "has maps 0..5, not 6"),
])
def test_bad_links_are_one_clear_error(links, message):
    with pytest.raises(OptionError, match=message):
        still_scene(network(), links)


@pytest.mark.parametrize("strides,dilation,padding", [(1, 1, "same"), (2, 2, "same"), (2, 1, "valid"), (1, 2, "same")])
def test_the_window_covers_the_cells_the_output_cell_is_computed_from(strides, dilation, padding):
    """The taps the window shows, times the kernel, give exactly the layer's value at that cell."""
    model = network(2, strides, dilation, padding)
    dw = model.get_layer("dw1")
    x = np.asarray(model.get_layer("conv1").neural_value)
    kernel, bias = dw.weights["depthwise_kernel"], dw.weights.get("bias")
    h_out, w_out, c_out = dw.output_shape
    for i, j, k in [(0, 0, 0), (h_out - 1, w_out - 1, 5), (h_out // 2, 1, 3)]:
        total = 0.0
        for n, (r, q, inside) in enumerate(explain.taps(dw, i, j)):
            a, b = divmod(n, 3)
            if inside:
                total += x[r, q, k // 2] * kernel[a, b, k // 2, k % 2]
            else:
                assert not (0 <= r < x.shape[0] and 0 <= q < x.shape[1])
        total += 0.0 if bias is None else bias[k]
        assert total == pytest.approx(float(dw.neural_value[i, j, k]), abs=1e-5)


def test_phases_fill_maps_one_by_one_then_the_rest_at_once():
    assert explain.phase(0.0, 2, 8, 100) == explain.Phase(0, 0, 0, 0.0)
    share = 1 - explain.REST_SHARE
    assert explain.phase(share * 0.25, 2, 8, 100) == explain.Phase(0, 50, 0, 0.0)
    assert explain.phase(share * 0.75, 2, 8, 100) == explain.Phase(1, 50, 1, 0.0)
    middle = explain.phase(share + explain.REST_SHARE / 2, 2, 8, 100)
    assert middle.current is None and middle.done == 2 and middle.rest == pytest.approx(0.5)
    assert explain.phase(1.0, 2, 8, 100).rest == 1.0
    assert explain.phase(0.99, 8, 8, 100).current == 7        # every map played: no rest phase


def test_the_default_explanation_lasts_at_most_20_seconds():
    model = network(2)
    timeline = parse_timeline("explain:dw1", model)
    (step,) = timeline.explanations
    assert step.ms <= 20000 and step.maps == explain.DEFAULT_MAPS
    assert parse_timeline("explain:dw1:5000", model).explanations[0].ms == 5000
    assert parse_timeline([{"explain": "dw1", "ms": 700}], model).explanations[0].ms == 700
    assert parse_timeline("explain:dw1", model, explain_maps=500).explanations[0].ms <= 20000


def test_explain_opens_the_layer_and_its_input_first_and_only_plays_depthwise_layers():
    model = network()
    timeline = parse_timeline("explain:dw1", model)
    opened = {t.layer for t in timeline.transitions}
    assert opened == {"conv1", "dw1"}
    step = timeline.explanations[0]
    assert step.start_ms == max(t.start_ms + t.ms for t in timeline.transitions)
    with pytest.raises(OptionError, match="explain plays a DepthwiseConv2d"):
        parse_timeline("explain:pw", model)
    with pytest.raises(OptionError, match="no drawn layer named 'dw9'"):
        parse_timeline("explain:dw9", model)


def _animation(model, steps="explain:dw1", **options):
    from tspcli.render.animation import Animation, timeline_for

    opts = RenderOptions(timeline=steps, fps=10, labels=False, legend=False, explain_maps=2, **SMALL, **options)
    return Animation(model, opts, timeline_for(model, opts, from_flag=True))


def test_a_middle_frame_shows_the_window_over_the_right_input_cells():
    model = network(2)
    anim = _animation(model)
    dw = model.get_layer("dw1")
    start = anim.timeline.explanations[0].start_ms
    ms = anim.timeline.explanations[0].ms
    i = next(n for n, t in enumerate(anim.times) if t >= start + 0.6 * ms * (1 - explain.REST_SHARE))
    scene = anim.scene(i)
    state = anim.timeline.state_at(anim.times[i])
    at = explain.phase(state.explaining["dw1"].progress, 2, dw.output_shape[-1], 12 * 10)
    k_in, cell, spots = explain.window_cells(dw, at)
    assert at.current == 1 and k_in == 0            # the second kernel of input map 0
    window = next(lines for lines in scene.lines if lines.key == "dw1/explain/window")
    drawn = cam.project(window.paths[0], scene.camera, scene.size)
    # where the window's corner cells are on input map 0, projected the same way
    conv = next(b for b in scene.blocks if b.key == "conv1/maps")
    side = explain.facing_side(conv, anim.state(i).view.orientation()[0])
    first, last = spots[0], spots[-1]
    centres = [explain.cell_center(conv, 0, r, q, 12, 10, side) for r, q, _ in (first, last)]
    expected = cam.project(np.array(centres), scene.camera, scene.size)
    lo, hi = drawn.min(axis=0), drawn.max(axis=0)
    assert ((expected >= lo - 1e-6) & (expected <= hi + 1e-6)).all()
    corners = np.concatenate([explain.square(conv, conv.centers[0], *np.array(explain._extents(conv)[:2]) / 2)])
    whole = cam.project(corners, scene.camera, scene.size)
    assert ((hi - lo) < 0.45 * np.ptp(whole, axis=0)).all()      # a 3x3 window of a 12x10 map, not the map
    out_map = next(b for b in scene.blocks if b.key == "dw1/maps")
    alpha = out_map.texture.image[..., 3]
    ghost = explain.GHOST * 255
    assert (alpha > ghost + 1).any() and (alpha <= ghost + 1).any()   # some cells computed, some not yet


def test_a_middle_frame_draws_the_window_in_the_picture():
    from tspcli.render.backends import open_raster

    model = network(2)
    anim = _animation(model)
    step = anim.timeline.explanations[0]
    i = next(n for n, t in enumerate(anim.times) if t >= step.start_ms + 0.2 * step.ms)
    scene = anim.scene(i)
    with open_raster(scene.size, 1.0, antialias=anim.options.antialias) as renderer:
        picture = renderer.draw(scene)
        no_window = renderer.draw(type(scene)(**{**scene.__dict__, "lines": [
            lines for lines in scene.lines if "/explain/" not in lines.key]}))
    window = next(lines for lines in scene.lines if lines.key == "dw1/explain/window")
    xy = cam.project(window.paths[0], scene.camera, scene.size)
    x0, y0 = np.floor(xy.min(axis=0)).astype(int)
    x1, y1 = np.ceil(xy.max(axis=0)).astype(int)
    rows = slice(scene.size[1] - y1 - 2, scene.size[1] - y0 + 2)        # projection: y up; picture: y down
    changed = np.abs(picture.astype(int) - no_window.astype(int)).sum(axis=-1) > 0
    assert changed[rows, x0 - 2:x1 + 3].sum() >= 4
    assert changed.sum() - changed[rows, x0 - 2:x1 + 3].sum() < changed.sum()


def test_the_last_frame_is_the_still_of_the_layer_open():
    model = network(2)
    anim = _animation(model)
    last = anim.scene(len(anim) - 1)
    opts = RenderOptions(open=("conv1", "dw1"), labels=False, legend=False, **SMALL)
    still = anim.builder.build(opened_state(model, opts), camera=last.camera, compact=anim.compact)
    assert [b.key for b in last.blocks] == [b.key for b in still.blocks]
    for a, b in zip(last.blocks, still.blocks):
        assert np.array_equal(a.centers, b.centers)
        assert np.array_equal(a.texture.image, b.texture.image)
    assert [lines.key for lines in last.lines] == [lines.key for lines in still.lines]


def test_boxes_list_every_link_of_the_command(cli, tmp_path):
    import json
    import pathlib

    sample = pathlib.Path(__file__).resolve().parents[2] / "samples" / "depthwise.yaml"
    r = cli("render", sample, "-o", tmp_path / "x.png", "--links", "dw_same,pointwise:3", "--boxes",
            tmp_path / "b.json", "--size", "320x180", "--no-values")
    assert r.code == 0, r.err
    links = json.loads((tmp_path / "b.json").read_text())["links"]
    depthwise = [link for link in links if link["from"][0] == "dw_same"]
    assert len(depthwise) == 6 and all(link["to"] == ["image", link["from"][1] // 2] for link in depthwise)
    pointwise = [link for link in links if link["from"][0] == "pointwise"]
    assert pointwise == [{"from": ["pointwise", 3], "to": ["dw_dilated", k]} for k in range(18)]


def test_links_on_a_layer_that_reads_no_maps_is_exit_2(cli, tmp_path):
    import pathlib

    sample = pathlib.Path(__file__).resolve().parents[2] / "samples" / "depthwise.yaml"
    r = cli("render", sample, "-o", tmp_path / "x.png", "--links", "image", "--size", "320x180")
    assert r.code == 2 and r.err.count("\n") == 1 and "links are drawn for" in r.err
    assert not (tmp_path / "x.png").exists()
