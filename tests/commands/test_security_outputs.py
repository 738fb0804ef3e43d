"""Outputs stay where the user said, and nothing of the user's is deleted (issue 10, security 3 and 4).

Hostile names come from model files (layer names) and jobs files (output templates);
hostile targets are the user's own files beside or inside an output.  Each case
asserts the exit code, one stderr line, and the user's files untouched (content and mtime).
"""
import errno
import json
import os

import numpy as np
import pytest

from tspcli.batch import plan
from tspcli.batch.template import MAX_VALUE_BYTES, fill, safe_name
from tspcli.errors import OptionError

TINY = ("--no-values", "--size", "64x64")
TWO_FRAMES = ("--animate", "wait:100", "--fps", "10")
HOSTILE_LAYERS = ["..", "/", ".", "a\x00b", "x" * 300, "%d", "\x1b[31mred", ".bashrc", "a/../../b", "C:evil"]


def one_error_line(r) -> str:
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in r.err, r.err
    return lines[0]


def snapshot(path):
    """What a user's file is: its bytes and its mtime, for 'untouched' checks."""
    return path.read_bytes(), path.stat().st_mtime_ns


def model_with_layers(folder, names) -> str:
    """A description whose Conv2d layers (each can open) carry ``names``."""
    layers = [{"type": "RGBInput", "name": "img", "shape": [8, 8, 3]}]
    layers += [{"type": "Conv2d", "name": n, "filters": 2, "kernelSize": 1} for n in names]
    path = folder / "hostile.json"
    path.write_text(json.dumps({"model": {"name": "hostile"}, "layers": layers}))
    return str(path)


# --- class 1: field values become safe file names --------------------------------------------

@pytest.mark.parametrize("name", HOSTILE_LAYERS)
def test_a_layer_name_becomes_one_plain_file_name(name):
    value = safe_name(name)
    assert value and "/" not in value and "\\" not in value and "%" not in value and ":" not in value
    assert value.isprintable() and not value.startswith(".")
    assert len(value.encode()) <= MAX_VALUE_BYTES
    out = fill("{stem}_{layer}.png", model="m/net.h5", input=None, index=1, layer=name)
    assert os.path.dirname(out) == "" and out.startswith("net_")


def test_the_rule_is_the_documented_one():
    assert safe_name("block1/conv") == "block1_conv"
    assert safe_name("..") == "_." and safe_name(".") == "_" and safe_name("") == "_"
    assert safe_name("a\x00b\nc") == "a_b_c"
    assert safe_name("conv_%04d") == "conv__04d"
    assert safe_name("Schicht_ä中") == "Schicht_ä中"        # letters of any script stay


def test_long_names_are_cut_but_stay_distinct():
    a, b = safe_name("x" * 299 + "a"), safe_name("x" * 299 + "b")
    assert a != b and a.startswith("x" * 40) and "~" in a


def test_hostile_layer_names_in_a_model_plan_outputs_inside_out(tmp_path):
    model = model_with_layers(tmp_path, HOSTILE_LAYERS)
    out = tmp_path / "figs"
    jobs = plan([model], template="{layer}.png", out_dir=str(out))
    assert [job.layer for job in jobs] == ["img"] + HOSTILE_LAYERS     # an RGB input opens too
    root = os.path.realpath(out)
    for job in jobs:
        assert os.path.dirname(os.path.realpath(job.output)) == root, job.output
    assert len({job.output for job in jobs}) == len(jobs)           # no two jobs share a file


@pytest.mark.parametrize("template", ["{stem:>3000000000}.png", "{stem!r}.png", "{stem.__class__}.png",
                                      "{index:{index}}.png", "{stem[0]}.png", "{index:,}.png"])
def test_templates_allow_only_simple_fields(cli, tmp_path, template):
    r = cli("batch", "samples/lenet.yaml", "-o", template, "--out", tmp_path)
    assert r.code == 2 and one_error_line(r).startswith("tspcli: error: --output")
    assert os.listdir(tmp_path) == []


def test_simple_specs_are_kept():
    assert fill("{index:03d}_{stem:>6}.png", model="a/net.h5", input=None, index=7) == "007_   net.png"


# --- class 1: results outside --out -------------------------------------------------------------

def write_jobs(folder, output) -> str:
    path = folder / "jobs.yaml"
    path.write_text(f"jobs:\n  - {{model: {os.path.abspath('samples/lenet.yaml')}, output: '{output}'}}\n")
    return str(path)


@pytest.mark.parametrize("output", ["../escape.png", "/tmp/tspcli-escape.png", "a/../../escape.png"])
def test_a_jobs_file_cannot_write_outside_out(cli, tmp_path, output):
    jobs = write_jobs(tmp_path, output)
    r = cli("batch", "-f", jobs, "--out", tmp_path / "out")
    assert r.code == 2 and "is outside --out" in one_error_line(r) and "jobs.yaml:2" in r.err
    assert sorted(os.listdir(tmp_path)) == ["jobs.yaml"]
    assert not os.path.exists("/tmp/tspcli-escape.png")


def test_allow_outside_lets_a_jobs_file_do_it(tmp_path):
    jobs = plan([], jobs_file=write_jobs(tmp_path, "../beside.png"), out_dir=str(tmp_path / "out"),
                allow_outside=True)
    assert jobs[0].output == str(tmp_path / "beside.png")


def test_a_symlinked_folder_inside_out_does_not_lead_out(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "link").symlink_to(elsewhere)
    with pytest.raises(OptionError, match="is outside --out"):
        plan(["samples/lenet.yaml"], template="link/{stem}.png", out_dir=str(out))


def test_the_command_lines_own_template_may_lead_out(tmp_path):
    jobs = plan(["samples/lenet.yaml"], template="../{stem}.png", out_dir=str(tmp_path / "out"))
    assert jobs[0].output == str(tmp_path / "lenet.png")       # the user typed it


# --- class 2: nothing of the user's is deleted ---------------------------------------------------

def test_a_pattern_never_deletes_an_unrelated_numbered_file(cli, tmp_path):
    pat = tmp_path / "pat"
    pat.mkdir()
    (pat / "2019.png").write_bytes(b"holiday photo")
    before = snapshot(pat / "2019.png")
    r = cli("render", "samples/depthwise.yaml", *TINY, *TWO_FRAMES, "-o", pat / "%d.png")
    assert r.code == 2 and "'2019.png' matches it already" in one_error_line(r) and "--overwrite" in r.err
    assert sorted(os.listdir(pat)) == ["2019.png"] and snapshot(pat / "2019.png") == before


def test_overwrite_lets_a_pattern_replace_its_matches(cli, tmp_path):
    (tmp_path / "7.png").write_bytes(b"stale")
    (tmp_path / "notes.txt").write_text("mine")
    r = cli("render", "samples/depthwise.yaml", *TINY, *TWO_FRAMES, "-o", tmp_path / "%d.png", "--overwrite")
    assert r.code == 0, r.err
    assert sorted(os.listdir(tmp_path)) == ["0.png", "1.png", "notes.txt"]


def test_a_frames_folder_never_deletes_a_subfolder_named_like_a_frame(cli, tmp_path):
    keep = tmp_path / "frames" / "frame_0000.png" / "keep.txt"
    keep.parent.mkdir(parents=True)
    keep.write_text("mine")
    before = snapshot(keep)
    r = cli("render", "samples/depthwise.yaml", *TINY, *TWO_FRAMES, "-o", str(tmp_path / "frames") + "/")
    assert r.code == 2 and "holds other files (e.g. 'frame_0000.png')" in one_error_line(r)
    assert snapshot(keep) == before and sorted(os.listdir(tmp_path)) == ["frames"]


def test_overwrite_replaces_a_foreign_frames_folder_whole(cli, tmp_path):
    (tmp_path / "frames").mkdir()
    (tmp_path / "frames" / "notes.txt").write_text("mine")
    r = cli("render", "samples/depthwise.yaml", *TINY, *TWO_FRAMES, "-o", tmp_path / "frames", "--overwrite")
    assert r.code == 0, r.err
    assert sorted(os.listdir(tmp_path / "frames")) == ["frame_0000.png", "frame_0001.png"]
    assert os.listdir(tmp_path) == ["frames"]


def test_a_frames_folder_that_is_a_link_is_refused(cli, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "frame_0000.png").write_bytes(b"mine")
    (tmp_path / "frames").symlink_to(tmp_path / "real")
    r = cli("render", "samples/depthwise.yaml", *TINY, *TWO_FRAMES, "-o", tmp_path / "frames")
    assert r.code == 2 and "symbolic link" in one_error_line(r)
    assert (tmp_path / "real" / "frame_0000.png").read_bytes() == b"mine"


@pytest.mark.parametrize("animate", [(), TWO_FRAMES])
def test_dev_full_is_not_a_frames_folder(cli, animate):
    r = cli("render", "samples/depthwise.yaml", *TINY, *animate, "-o", "/dev/full")
    assert r.code == 2 and "'/dev/full': it is not a regular file" in one_error_line(r)


def test_predict_to_a_device_is_refused(cli):
    r = cli("predict", "samples/depthwise.yaml", "-o", "/dev/full")
    assert r.code == 2 and "not a regular file" in one_error_line(r)


@pytest.mark.parametrize("animate", [(), TWO_FRAMES])
def test_a_folder_named_png_is_not_a_frames_folder(cli, tmp_path, animate):
    folder = tmp_path / "existing-folder.png"
    folder.mkdir()
    (folder / "mine.txt").write_text("mine")
    r = cli("render", "samples/depthwise.yaml", *TINY, *animate, "-o", folder)
    assert r.code == 2 and "it is a folder" in one_error_line(r)
    assert os.listdir(folder) == ["mine.txt"]


# --- class 2: a full disk names the output and leaves nothing ------------------------------------

def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def half_then_no_space(file, *args, **kwargs):
    file.write(b"PK\x03\x04 half an archive")
    no_space()


@pytest.mark.parametrize("command", [("predict", "samples/lenet.yaml", "-o", "{out}/acts.npz"),
                                     ("convert", "samples/lenet.yaml", "-o", "{out}/m.yaml")])
def test_a_full_disk_while_writing_an_npz(cli, tmp_path, monkeypatch, command):
    monkeypatch.setattr(np, "savez", half_then_no_space)
    r = cli(*[part.format(out=tmp_path) for part in command])
    line = one_error_line(r)
    assert r.code == 1 and line.startswith(f"tspcli: failed: {tmp_path}/") and ": disk full" in line
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("animate, output", [((), "still.png"), (TWO_FRAMES, "frames/"), (TWO_FRAMES, "a.gif")])
def test_a_full_disk_while_rendering(cli, tmp_path, monkeypatch, animate, output):
    from PIL import Image

    from tspcli.render import gif

    monkeypatch.setattr(Image.Image, "save", no_space)
    monkeypatch.setattr(gif.GifStream, "add", lambda self, frame: no_space())
    r = cli("render", "samples/depthwise.yaml", *TINY, *animate, "-o", tmp_path / output)
    line = one_error_line(r)
    assert r.code == 1 and f"{tmp_path / output}: disk full" in line
    assert os.listdir(tmp_path) == []


@pytest.mark.slow      # a worker process starts
def test_batch_never_replaces_a_foreign_frames_folder_unless_told(cli, tmp_path):
    (tmp_path / "lenet").mkdir()
    (tmp_path / "lenet" / "notes.txt").write_text("mine")
    before = snapshot(tmp_path / "lenet" / "notes.txt")
    args = ("batch", "samples/lenet.yaml", "-o", "{stem}/", "--out", tmp_path, "--set", "size=64x64",
            "--set", "values=false", "--set", "timeline=wait:100", "--set", "fps=10", "-j", "1")
    r = cli(*args)
    assert r.code == 2 and "holds other files (e.g. 'notes.txt')" in one_error_line(r)
    assert snapshot(tmp_path / "lenet" / "notes.txt") == before
    r = cli(*args, "--overwrite")
    assert r.code == 0, r.err
    assert sorted(os.listdir(tmp_path / "lenet")) == ["frame_0000.png", "frame_0001.png"]


def test_a_full_disk_under_ffmpeg_names_the_mp4(cli, tmp_path, monkeypatch):
    import sys

    from tspcli.render import writers

    said = "import sys; sys.stdin.buffer.read(); sys.stderr.write('av_interleaved_write_frame(): " \
           "No space left on device\\n'); sys.exit(1)"
    monkeypatch.setattr(writers, "_ffmpeg_command", lambda out, *a: [sys.executable, "-c", said])
    r = cli("render", "samples/depthwise.yaml", *TINY, *TWO_FRAMES, "-o", tmp_path / "a.mp4")
    assert r.code == 1 and f"{tmp_path / 'a.mp4'}: disk full" in one_error_line(r)
    assert os.listdir(tmp_path) == []
