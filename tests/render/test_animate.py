"""`tspcli render --animate`: the videos, GIFs and frames a user gets (small pictures keep these fast)."""
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import tspcli
from tspcli.render import animation as anim
from tspcli.render.options import RenderOptions
from tspcli.render.pipeline import compute_values
from tspcli.scene.layout import Pose
from video import mp4_frames, mp4_meta

iio = pytest.importorskip("imageio.v3")
ROOT = pathlib.Path(__file__).resolve().parents[2]
DEPTHWISE = str(ROOT / "samples" / "depthwise.yaml")
SIZE = (160, 120)
SMALL = ("--size", "160x120")


def animate(cli, out, *args, model=DEPTHWISE):
    r = cli("render", model, "-o", out, *SMALL, *args)
    assert r.code == 0, r.err
    return r


def png_frames(folder):
    names = sorted(os.listdir(folder))
    return names, [iio.imread(os.path.join(folder, n)) for n in names]


def still_like_the_animation(model_path, options, state_of, frame):
    """Frame ``frame`` of the animation drawn alone in a fresh window, the state given by
    ``state_of(model)`` (not by the timeline), the animation's camera and anti-aliasing."""
    from tspcli.render.backends import open_raster

    model = tspcli.load(model_path)
    compute_values(model, options)
    animation = anim.Animation(model, options, anim.timeline_for(model, options, from_flag=True))
    expected = animation.state(frame)
    state = Pose(state_of(model), expected.view)
    assert state.openness == {name: t for name, t in expected.openness.items() if t}
    if animation.keys:      # frames glide between composed key states
        scene = animation.builder.tweened(state, *animation.between(frame))
    else:
        scene = animation.builder.build(state, camera=animation.camera(expected.view), compact=animation.compact)
    with open_raster(SIZE, options.scale, antialias=options.antialias) as raster:
        return raster.draw(scene)


# --- what each output holds ---------------------------------------------------------

def test_mp4_has_duration_times_fps_frames_its_size_and_h264(cli, tmp_path):
    out = tmp_path / "open.mp4"
    animate(cli, out, "--animate", "open:dw_rect:500", "--fps", "12")
    meta = mp4_meta(out)
    assert meta["codec"] == "h264"
    assert meta["size"] == SIZE
    assert meta["fps"] == 12
    frames = mp4_frames(out)
    assert abs(len(frames) - 0.5 * 12) <= 1
    assert len(frames) == 7                    # both ends: closed at 0 ms, open at 500 ms
    assert frames[0].shape == (120, 160, 3)
    assert os.listdir(tmp_path) == ["open.mp4"]


def test_gif_has_every_frame_and_loops(cli, tmp_path):
    from PIL import Image

    out = tmp_path / "open.gif"
    animate(cli, out, "--animate", "open:dw_rect:400,close:dw_rect:400", "--fps", "10")
    with Image.open(out) as gif:
        assert gif.n_frames == 9
        assert gif.size == SIZE
        assert gif.info["loop"] == 0


@pytest.mark.parametrize("name, expected", [
    ("frames/", [f"frame_{i:04d}.png" for i in range(6)]),
    ("out_%03d.png", [f"out_{i:03d}.png" for i in range(6)]),
])
def test_png_frames_are_numbered_from_0_without_gaps(cli, tmp_path, name, expected):
    folder = tmp_path / "run"
    folder.mkdir()
    animate(cli, folder / name, "--animate", "open:pointwise:500", "--fps", "10")
    listed = sorted(os.listdir(folder / "frames")) if name.endswith("/") else sorted(os.listdir(folder))
    assert listed == expected


def test_consecutive_frames_of_an_opening_differ(cli, tmp_path):
    animate(cli, tmp_path / "f/", "--animate", "open:dw_rect:600", "--fps", "10")
    _, frames = png_frames(tmp_path / "f")
    assert len(frames) == 7
    for before, after in zip(frames, frames[1:]):
        assert (np.abs(before.astype(int) - after.astype(int)).max(axis=-1) > 16).sum() > 20


def test_the_last_frame_of_an_opening_is_the_still_with_the_layer_open(cli, tmp_path):
    animate(cli, tmp_path / "f/", "--animate", "open:dw_rect:300", "--fps", "10")
    _, frames = png_frames(tmp_path / "f")
    options = RenderOptions(size=SIZE, timeline="open:dw_rect:300", fps=10)
    from tspcli.scene.layout import initial_state

    still = still_like_the_animation(DEPTHWISE, options,
                                     lambda model: initial_state(model, ("dw_rect",)).openness, len(frames) - 1)
    assert np.array_equal(frames[-1], still)


def test_a_layers_own_anime_time_plays_from_the_description(cli, tmp_path):
    """TensorSpace computes NaN for a per-layer animeTime; here a opens in its 400 ms, then b in the model's 1000."""
    description = tmp_path / "net.yaml"
    description.write_text(
        "model: {type: Sequential, animeTime: 1000}\n"
        "layers:\n"
        "  - {type: RGBInput, name: image, shape: [16, 16, 3]}\n"
        "  - {type: Conv2d, name: a, filters: 4, kernelSize: 3, animeTime: 400}\n"
        "  - {type: DepthwiseConv2d, name: b, kernelSize: 3}\n"
        "timeline: [{open: a}, {open: b}]\n")
    animate(cli, tmp_path / "f/", "--fps", "10", model=description)
    _, frames = png_frames(tmp_path / "f")
    assert len(frames) == 15                   # 1.4 s at 10 fps, both ends
    a_open = still_like_the_animation(str(description), RenderOptions(size=SIZE, fps=10),
                                      lambda model: {"a": 1.0}, 4)
    assert np.array_equal(frames[4], a_open)   # at 400 ms: a open, b not yet moving
    assert not np.array_equal(frames[3], frames[4]) and not np.array_equal(frames[4], frames[5])


def test_a_config_timeline_plays_for_videos_and_a_still_stays_a_still(cli, tmp_path):
    config = tmp_path / "anim.yaml"
    config.write_text("size: 160x120\ntimeline: [{open: pointwise, ms: 300}]\nfps: 10\n")
    r = cli("render", DEPTHWISE, "--config", config, "-o", tmp_path / "f/")
    assert r.code == 0, r.err
    assert len(os.listdir(tmp_path / "f")) == 4
    r = cli("render", DEPTHWISE, "--config", config, "-o", tmp_path / "still.png")
    assert r.code == 0, r.err
    assert iio.imread(tmp_path / "still.png").shape == (120, 160, 3)


def test_open_layers_start_open(cli, tmp_path):
    animate(cli, tmp_path / "f/", "--open", "dw_rect", "--animate", "close:dw_rect:200", "--fps", "10")
    assert len(os.listdir(tmp_path / "f")) == 3
    r = cli("render", DEPTHWISE, "-o", tmp_path / "g/", *SMALL, "--animate", "close:dw_rect")
    assert r.code == 2 and "nothing to animate" in r.err


def test_an_orbit_turns_the_camera_and_comes_back(cli, tmp_path):
    animate(cli, tmp_path / "f/", "--animate", "orbit:360:500", "--fps", "10")
    _, frames = png_frames(tmp_path / "f")
    assert len(frames) == 6
    assert np.array_equal(frames[0], frames[-1])
    assert not np.array_equal(frames[0], frames[2])


# --- errors and interruptions -------------------------------------------------------

@pytest.mark.parametrize("args, message", [
    (("--animate", "open:nope"), "--animate: step 1 'open:nope': no drawn layer named 'nope'"),
    (("--animate", "spin:dw_rect"), "unknown action 'spin'"),
    ((), "an animation needs steps to play"),
    (("--animate", "open-all", "--fps", "0"), "fps must be a positive number"),
])
def test_bad_animations_exit_2_with_one_line(cli, tmp_path, args, message):
    out = tmp_path / "x.mp4"
    r = cli("render", DEPTHWISE, "-o", out, *SMALL, *args)
    assert r.code == 2
    assert message in r.err
    assert len(r.err.strip().splitlines()) == 1 and "Traceback" not in r.err
    assert os.listdir(tmp_path) == []


def test_a_bad_description_timeline_names_its_file(cli, tmp_path):
    description = tmp_path / "net.yaml"
    description.write_text((ROOT / "samples" / "depthwise.yaml").read_text() + "timeline: [{open: nope}]\n")
    r = cli("render", description, "-o", tmp_path / "x.gif", *SMALL)
    assert r.code == 2
    assert f"{description}" in r.err and "timeline: step 1: no drawn layer named 'nope'" in r.err


def test_sigterm_midway_leaves_no_output(tmp_path):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-m", "tspcli", "render", DEPTHWISE, *SMALL, "--animate",
                              "open-all,wait:60000", "--fps", "50", "-o", str(out_dir / "a.mp4")],
                             env=env, cwd=str(ROOT), stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not os.listdir(out_dir) and time.monotonic() < deadline:   # the encoder has begun
            time.sleep(0.02)
        assert os.listdir(out_dir), "the encoder never started"
        time.sleep(0.3)
        child.send_signal(signal.SIGTERM)
        code = child.wait(timeout=30)
    finally:
        child.kill()
    assert code != 0
    assert b"interrupted" in child.stderr.read()
    assert os.listdir(out_dir) == []


# --- drawing ahead in a thread ------------------------------------------------------

def test_background_frames_arrive_in_order_and_errors_reach_the_consumer():
    def produce():
        yield from range(5)
        raise ValueError("renderer broke")

    got = []
    with pytest.raises(ValueError, match="renderer broke"):
        for item in anim.in_background(produce):
            got.append(item)
    assert got == [0, 1, 2, 3, 4]


def test_a_consumer_that_stops_stops_the_producer_in_its_own_thread():
    import threading

    closed_in = []

    def produce():
        try:
            for i in range(1000):
                yield i
        finally:
            closed_in.append(threading.current_thread().name)

    frames = anim.in_background(produce)
    assert [next(frames) for _ in range(3)] == [0, 1, 2]
    frames.close()
    assert closed_in == ["tspcli-frames"]
    assert all(t.name != "tspcli-frames" for t in threading.enumerate())


@pytest.mark.parametrize("name, args, message", [
    ("x.png", ("--animate", "open:dw_rect"), "holds one frame, the animation has 37"),
    ("x.gif", ("--animate", "open:dw_rect", "--fps", "60"), "a GIF plays at most 50 fps"),
])
def test_outputs_that_cannot_take_the_animation_fail_before_the_forward_pass(cli, tmp_path, monkeypatch,
                                                                              name, args, message):
    from tspcli.render import pipeline

    monkeypatch.setattr(pipeline, "compute_values", lambda *a: pytest.fail("forward pass ran"))
    r = cli("render", DEPTHWISE, "-o", tmp_path / name, *SMALL, *args)
    assert r.code == 2 and message in r.err
    assert os.listdir(tmp_path) == []
