"""Writers: MP4, GIF, PNG frames and stills from a stream of frames, written atomically."""
import os
import pathlib
import signal
import subprocess
import sys
import textwrap

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from tspcli.errors import OptionError, ToolFailure
from video import mp4_frames, mp4_meta
from tspcli.render import writers
from tspcli.render.writers import output_kind, write_frames

ROOT = pathlib.Path(__file__).resolve().parents[2]
DW_COLOUR = (0xFB, 0xBF, 0x1F)    # TensorSpace's DepthwiseConv2d
CONV_COLOUR = (0xF7, 0xFE, 0x2E)  # and Conv2d


def gradient_frames(n, h=48, w=64):
    """Frames with thousands of colours (a moving gradient) and two flat layer-coloured blocks."""
    y, x = np.mgrid[0:h, 0:w]
    for i in range(n):
        frame = np.empty((h, w, 3), np.uint8)
        frame[..., 0] = (x * 4 + i * 8) % 256
        frame[..., 1] = y * 255 // h
        frame[..., 2] = (x * 3 + y * 2 + i) % 256
        frame[8:24, 4 + i % 8:28 + i % 8] = DW_COLOUR
        frame[30:44, 36:60] = CONV_COLOUR
        yield frame


def leftovers(folder, expected):
    return sorted(set(os.listdir(folder)) - set(expected))


# --- choosing the writer -----------------------------------------------------------

@pytest.mark.parametrize("path, kind", [
    ("out.mp4", "mp4"), ("OUT.GIF", "gif"), ("still.png", "png"), ("frames/", "folder"),
    ("frames", "folder"), ("out_%04d.png", "pattern"), ("f%d.png", "pattern"),
    ("100%%_%03d.png", "pattern"),
])
def test_the_output_path_picks_the_writer(path, kind):
    assert output_kind(path) == kind


def test_an_existing_folder_gets_frames(tmp_path):
    assert output_kind(str(tmp_path)) == "folder"


@pytest.mark.parametrize("path, message", [
    ("out.avi", "unknown kind of output '.avi' (use .png (one frame), .svg, .pdf"),
    ("out_%04d.jpg", "must end in .png"),
    ("out_%04d_%d.png", "needs exactly one number like %04d"),
    ("out_%s.png", "needs exactly one number like %04d"),
])
def test_unusable_output_paths_are_option_errors(path, message):
    with pytest.raises(OptionError) as exc:
        output_kind(path)
    assert message in str(exc.value)


# --- MP4 ---------------------------------------------------------------------------

def test_mp4_has_every_frame_its_size_and_h264_yuv420p(tmp_path):
    out = str(tmp_path / "a.mp4")
    assert write_frames(gradient_frames(31), out, fps=30, quiet=True) == 31
    meta = mp4_meta(out)
    assert meta["codec"] == "h264"
    assert meta["pix_fmt"].startswith("yuv420p")
    assert meta["size"] == (64, 48)
    assert meta["fps"] == 30
    frames = mp4_frames(out)
    assert len(frames) == 31
    assert frames[0].shape == (48, 64, 3)
    assert leftovers(tmp_path, ["a.mp4"]) == []


def test_mp4_keeps_flat_layer_colours_close(tmp_path):
    h, w = 96, 128
    frame = np.zeros((h, w, 3), np.uint8)
    frame[16:80, 8:60] = DW_COLOUR
    frame[16:80, 68:120] = CONV_COLOUR
    out = str(tmp_path / "flat.mp4")
    write_frames([frame] * 3, out, quiet=True)
    back = mp4_frames(out)[1].astype(int)
    assert np.abs(back[32:64, 20:48] - DW_COLOUR).max() <= 4
    assert np.abs(back[32:64, 80:108] - CONV_COLOUR).max() <= 4


def test_mp4_pads_odd_sizes_to_even_without_scaling(tmp_path):
    frames = [f[:47, :63] for f in gradient_frames(4)]
    out = str(tmp_path / "odd.mp4")
    write_frames(frames, out, quiet=True)
    back = mp4_frames(out)
    assert back[0].shape == (48, 64, 3)
    # the content is not resampled: the flat block sits where it was
    assert np.abs(back[0][12:20, 10:24].astype(int) - DW_COLOUR).max() <= 8


def test_mp4_frame_count_follows_a_timeline(tmp_path):
    from types import SimpleNamespace
    from tspcli.scene.timeline import parse_timeline

    layer = SimpleNamespace(name="dw1", layer_type="DepthwiseConv2d", init_status="close",
                            anime_time=1500, output_shape=(8, 8, 4), drawn=True)
    timeline = parse_timeline("open:dw1", SimpleNamespace(layers=[layer], options={}))
    fps = 12
    frames = (np.full((48, 64, 3), round(255 * s.openness["dw1"]), np.uint8)
              for s in timeline.states(fps))
    out = str(tmp_path / "open.mp4")
    count = write_frames(frames, out, fps=fps, total=len(timeline.frame_times(fps)), quiet=True)
    back = mp4_frames(out)
    assert len(back) == count
    assert abs(len(back) - timeline.duration_ms / 1000 * fps) <= 1
    brightness = [f.mean() for f in back]
    assert brightness == sorted(brightness)           # the layer opens steadily
    assert brightness[0] < 20 and brightness[-1] > 235  # from closed to open


def test_mp4_quality_is_a_crf(tmp_path):
    sizes = {}
    for crf in (10, 40):
        out = str(tmp_path / f"q{crf}.mp4")
        write_frames(gradient_frames(5), out, quality=crf, quiet=True)
        sizes[crf] = os.path.getsize(out)
    assert sizes[10] > sizes[40]


@pytest.mark.parametrize("quality", [-1, 52, 20.5, "20"])
def test_a_crf_outside_0_to_51_is_an_option_error(tmp_path, quality):
    with pytest.raises(OptionError, match="quality \\(x264 CRF\\) must be a whole number 0..51"):
        write_frames(gradient_frames(2), str(tmp_path / "q.mp4"), quality=quality)


def test_an_ffmpeg_failure_is_a_tool_failure_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "X264_PRESET", "no-such-preset")
    with pytest.raises(ToolFailure, match="ffmpeg failed"):
        write_frames(gradient_frames(40), str(tmp_path / "x.mp4"), quiet=True)
    assert os.listdir(tmp_path) == []


# --- GIF ---------------------------------------------------------------------------

def gif_frames_and_delays(path):
    image = Image.open(path)
    frames, delays = [], []
    for index in range(image.n_frames):
        image.seek(index)
        frames.append(np.asarray(image.convert("RGB")))
        delays.append(image.info["duration"])
    return frames, delays, image.info.get("loop")


def test_gif_has_every_frame_loops_forever_and_keeps_time(tmp_path):
    out = str(tmp_path / "a.gif")
    assert write_frames(gradient_frames(12), out, fps=30, quiet=True) == 12
    frames, delays, loop = gif_frames_and_delays(out)
    assert len(frames) == 12 and frames[0].shape == (48, 64, 3)
    assert loop == 0
    assert set(delays) == {30, 40}              # 1/30 s in hundredths: 3, 3, 4, ...
    assert sum(delays) == 400                   # 12 frames at 30 fps = 0.4 s exactly
    assert leftovers(tmp_path, ["a.gif"]) == []


def test_gif_keeps_layer_colours_exact_among_thousands(tmp_path):
    originals = list(gradient_frames(6))
    assert len(np.unique(originals[0].reshape(-1, 3), axis=0)) > 256
    out = str(tmp_path / "c.gif")
    write_frames(originals, out, quiet=True)
    frames, _, _ = gif_frames_and_delays(out)
    for i, (original, back) in enumerate(zip(originals, frames)):
        assert (back[8:24, 4 + i % 8:28 + i % 8] == DW_COLOUR).all()
        assert (back[30:44, 36:60] == CONV_COLOUR).all()
        assert np.abs(back.astype(int) - original).mean() < 12  # the gradient, approximated


def test_gif_frames_with_few_colours_are_exact(tmp_path):
    originals = [np.zeros((48, 64, 3), np.uint8) for _ in range(4)]
    for i, frame in enumerate(originals):
        frame[:, : 16 * (i + 1)] = DW_COLOUR
        frame[20:30, 5:50] = (i * 40, 255 - i * 40, 7)
    out = str(tmp_path / "few.gif")
    write_frames(originals + [originals[-1]], out, quiet=True)  # an unchanged last frame too
    frames, delays, _ = gif_frames_and_delays(out)
    assert len(frames) == 5
    for original, back in zip(originals + [originals[-1]], frames):
        assert np.array_equal(original, back)


def test_gif_above_50_fps_is_refused(tmp_path):
    with pytest.raises(OptionError, match="a GIF plays at most 50 fps, not 60"):
        write_frames(gradient_frames(2), str(tmp_path / "fast.gif"), fps=60)


# --- PNG frames and stills ---------------------------------------------------------

def test_a_folder_gets_frames_numbered_from_0_without_gaps(tmp_path):
    originals = list(gradient_frames(12))
    folder = tmp_path / "frames"
    assert write_frames(originals, str(folder) + "/", quiet=True) == 12
    names = sorted(os.listdir(folder))
    assert names == [f"frame_{i:04d}.png" for i in range(12)]
    assert np.array_equal(iio.imread(folder / "frame_0007.png"), originals[7])
    assert leftovers(tmp_path, ["frames"]) == []


def test_rewriting_a_frames_folder_replaces_the_earlier_run(tmp_path):
    folder = str(tmp_path / "frames")
    write_frames(gradient_frames(6), folder, quiet=True)
    write_frames(gradient_frames(3), folder, quiet=True)
    assert sorted(os.listdir(folder)) == [f"frame_{i:04d}.png" for i in range(3)]
    assert leftovers(tmp_path, ["frames"]) == []


def test_a_folder_with_other_files_is_not_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(OptionError, match="holds other files \\(e.g. 'notes.txt'\\)"):
        write_frames(gradient_frames(2), str(tmp_path), quiet=True)
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_a_file_where_the_frames_folder_should_be_is_an_option_error(tmp_path):
    (tmp_path / "frames").write_text("a file")
    with pytest.raises(OptionError, match="cannot write frames to '.*frames': it is a file"):
        write_frames(gradient_frames(2), str(tmp_path / "frames"), quiet=True)


def test_a_pattern_numbers_frames_and_clears_only_its_own_stale_ones_when_told(tmp_path):
    (tmp_path / "keep.txt").write_text("mine")
    (tmp_path / "out_007.png").write_bytes(b"stale frame from a longer run")
    rgba = [np.dstack([f, np.full(f.shape[:2], 128, np.uint8)]) for f in gradient_frames(5)]
    with pytest.raises(OptionError, match="'out_007.png' matches it already"):   # may be the user's
        write_frames(rgba, str(tmp_path / "out_%03d.png"), quiet=True)
    assert sorted(os.listdir(tmp_path)) == ["keep.txt", "out_007.png"]
    write_frames(rgba, str(tmp_path / "out_%03d.png"), quiet=True, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["keep.txt"] + [f"out_{i:03d}.png" for i in range(5)]
    assert np.array_equal(iio.imread(tmp_path / "out_004.png"), rgba[4])  # alpha kept


def test_a_png_still_takes_exactly_one_frame(tmp_path):
    out = tmp_path / "still.png"
    frame = next(gradient_frames(1))
    assert write_frames([frame], str(out), quiet=True) == 1
    assert np.array_equal(iio.imread(out), frame)


def test_a_png_still_refuses_an_animation_before_making_frames(tmp_path):
    started = []

    def frames():
        started.append(True)
        yield from gradient_frames(3)

    with pytest.raises(OptionError, match="holds one frame, the animation has 3; write it to .mp4"):
        write_frames(frames(), str(tmp_path / "s.png"), total=3)
    assert not started
    with pytest.raises(OptionError, match="holds one frame"):
        write_frames(frames(), str(tmp_path / "s.png"))  # found out at the second frame
    assert os.listdir(tmp_path) == []


# --- bad frames and failures midway ------------------------------------------------

def test_frames_of_another_type_or_size_are_tool_failures(tmp_path):
    with pytest.raises(ToolFailure, match="frame 0 is float64"):
        write_frames([np.zeros((4, 4, 3))], str(tmp_path / "a.gif"))
    sizes = [np.zeros((8, 8, 3), np.uint8), np.zeros((8, 10, 3), np.uint8)]
    with pytest.raises(ToolFailure, match="frame 1 is 10x8, the first was 8x8"):
        write_frames(sizes, str(tmp_path / "a.mp4"))
    with pytest.raises(ToolFailure, match="no frames to write"):
        write_frames([], str(tmp_path / "a.gif"))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("name", ["a.mp4", "a.gif", "frames/", "f_%02d.png"])
def test_a_failure_midway_leaves_nothing_behind(tmp_path, name):
    def frames():
        yield from gradient_frames(3)
        raise RuntimeError("renderer broke")

    with pytest.raises(RuntimeError):
        write_frames(frames(), str(tmp_path / name), quiet=True)
    assert os.listdir(tmp_path) == []


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    import numpy as np
    from tspcli.atomic import install_sigterm_handler
    from tspcli.render.writers import write_frames

    install_sigterm_handler()

    def endless():
        i = 0
        while True:
            if i == 5:
                print("streaming", flush=True)
            yield np.full((48, 64, 3), i % 256, np.uint8)
            i += 1
            time.sleep(0.005)

    write_frames(endless(), sys.argv[1], quiet=True)
""")


def processes_mentioning(text):
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


@pytest.mark.parametrize("name", ["a.mp4", "a.gif", "frames/"])
def test_sigterm_midway_leaves_no_output_and_no_ffmpeg(tmp_path, name):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    script = tmp_path / "writer.py"
    script.write_text(KILLED_WRITER)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, str(script), str(out_dir / name)],
                             stdout=subprocess.PIPE, env=env, cwd=str(tmp_path))
    try:
        assert child.stdout.readline() == b"streaming\n"
        child.send_signal(signal.SIGTERM)
        code = child.wait(timeout=30)
    finally:
        child.kill()
    assert code != 0
    assert os.listdir(out_dir) == []
    assert processes_mentioning(str(out_dir)) == []


def test_frames_folder_gets_the_usual_mode(tmp_path):
    import stat

    from tspcli.atomic import current_umask

    out = tmp_path / "frames"
    frames = [np.zeros((8, 8, 3), np.uint8) for _ in range(2)]
    write_frames(iter(frames), str(out) + "/", quiet=True)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~current_umask()
