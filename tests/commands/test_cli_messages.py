"""Every usage error is one line naming the flag; one did-you-mean everywhere; frame counts capped."""
import pathlib
import re

import pytest

from tspcli.errors import did_you_mean

ROOT = pathlib.Path(__file__).resolve().parents[2]
TINY = ("--no-values", "--size", "64x64")


def one_line(r, code=2) -> str:
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert r.code == code and len(lines) == 1, (r.code, r.err)
    assert "Usage:" not in r.err and "Traceback" not in r.err
    return lines[0]


# --- Click's errors in tspcli's form ---------------------------------------------------------------

@pytest.mark.parametrize("args, line", [
    (("render", "samples/lenet.yaml", "-o", "x.png", "--camera", "x"),
     "tspcli: error: --camera: 'x' is not one of iso, tsp, front, side, top"),
    (("render", "samples/lenet.yaml", "-o", "x.png", "--text-scale", "abc"),
     "tspcli: error: --text-scale: 'abc' is not a valid float"),
    (("summary",), "tspcli: error: missing MODEL (hint: see tspcli summary --help)"),
    (("rendr",), "tspcli: error: no such command 'rendr' (hint: did you mean 'render'? commands: summary, "
                 "validate, render, layers, predict, convert, batch, doctor)"),
    (("render", "samples/lenet.yaml", "--sise", "9x9"), "tspcli: error: no such option --sise "
                                                         "(hint: did you mean '--size'?)"),
    (("predict", "samples/lenet.yaml", "--top", "0"), "tspcli: error: --top: 0 is not in the range x>=1"),
    (("predict", "samples/lenet.yaml", "--seed", "-1"),
     "tspcli: error: --seed: -1 is not in the range 0<=x<=4294967295"),
])
def test_click_usage_errors_are_one_line(cli, args, line):
    assert one_line(cli(*args)) == line


@pytest.mark.parametrize("flag, value, start", [
    ("--text-scale", "-1", "tspcli: error: --text-scale: text-scale must be a positive number"),
    ("--size", "0x0", "tspcli: error: --size: size 0x0 is out of range"),
    ("--rows", "x", "tspcli: error: --rows: rows must be 'auto' or a whole number"),
    ("--elevation", "100", "tspcli: error: --elevation: elevation must be within -90..90"),
    ("--seed", "-1", "tspcli: error: --seed: seed must be a whole number"),
    ("--background", "zz", "tspcli: error: --background: background 'zz' is not a colour"),
])
def test_a_flags_error_names_the_flag_not_a_key(cli, tmp_path, flag, value, start):
    line = one_line(cli("render", "samples/lenet.yaml", "-o", tmp_path / "x.png", *TINY, flag, value))
    assert line.startswith(start) and "key '" not in line
    assert list(tmp_path.iterdir()) == []


def test_max_memory_with_400_nines_is_a_clear_error(cli):
    line = one_line(cli("summary", "samples/lenet.yaml", "--max-memory", "9" * 400))
    assert line.startswith("tspcli: error: --max-memory: ") and "EiB" in line


# --- one did-you-mean -------------------------------------------------------------------------------

def test_open_and_animate_word_an_unknown_layer_alike(cli, tmp_path):
    opened = one_line(cli("render", "samples/depthwise.yaml", "-o", tmp_path / "x.png", *TINY, "--open", "dw_sme"))
    animated = one_line(cli("render", "samples/depthwise.yaml", "-o", tmp_path / "x.gif", *TINY,
                            "--animate", "open:dw_sme"))
    said = "no drawn layer named 'dw_sme' (hint: did you mean 'dw_same'? layers: image, dw_same, dw_rect, " \
           "dw_dilated, pointwise, dw_shape)"
    assert opened == "tspcli: error: --open: " + said
    assert animated == "tspcli: error: --animate: step 1 'open:dw_sme': " + said


def test_did_you_mean_is_the_one_helper():
    assert did_you_mean("conv_dw1", ["conv_dw_1", "conv_pw_1"]) == "did you mean 'conv_dw_1'?"
    assert did_you_mean("zzz", ["a", "b"], what="layers") == "layers: a, b"
    assert did_you_mean("x", [f"l{i}" for i in range(20)], what="layers", show=3) == \
        "layers: l0, l1, l2, ... (17 more)"
    assert did_you_mean("DENSE", ["Dense", "Conv2d"], key=str.lower) == "did you mean 'Dense'?"
    users = [p for p in (ROOT / "tspcli").rglob("*.py") if "get_close_matches" in p.read_text()]
    assert [p.name for p in users] == ["errors.py"]


@pytest.mark.parametrize("text, hint", [
    ("layers:\n  - {type: Dense2, units: 3}\n", "did you mean 'Dense'?"),
    ("layers:\n  - {type: Input1d, shape: [4]}\n  - {type: Dense, units: 3, activaton: relu}\n",
     "did you mean 'activation'?"),
    ("layers:\n  - {type: Input1d, shape: [4]}\n  - {type: Dense, units: 3, activation: rleu}\n",
     "did you mean 'relu'?"),
])
def test_descriptions_use_the_same_hint(cli, tmp_path, text, hint):
    (tmp_path / "m.yaml").write_text(text)
    assert f"(hint: {hint}" in one_line(cli("validate", tmp_path / "m.yaml"))


def test_an_unknown_render_option_gets_a_guess(cli):
    line = one_line(cli("batch", "samples/lenet.yaml", "--set", "tex_scale=2"))
    assert "unknown render option 'tex_scale' (hint: did you mean 'text-scale'?" in line


# --- frame counts ---------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [("--fps", "1e9", "--animate", "open-all"),
                                  ("--animate", "wait:99999999999"),
                                  ("--animate", "orbit:360:1e15")])
def test_too_many_frames_is_a_clear_error(cli, tmp_path, args):
    line = one_line(cli("render", "samples/depthwise.yaml", "-o", tmp_path / "x.mp4", *TINY, *args))
    assert re.search(r"the animation would have [\d.e+]+ frames .*; at most 100,000 are made", line)
    assert list(tmp_path.iterdir()) == []


# --- help texts -----------------------------------------------------------------------------------

def test_batch_usage_and_text_agree(cli):
    r = cli("batch", "--help")
    assert "Usage: tspcli batch [OPTIONS] [SOURCE]..." in r.out and "Each SOURCE is" in r.out


@pytest.mark.parametrize("command", ["summary", "validate"])
def test_skip_unknown_does_not_say_draw_where_nothing_is_drawn(cli, command):
    r = cli(command, "--help")
    assert "--skip-unknown" in r.out and "draw" not in r.out.split("--skip-unknown")[1].split("--")[0]


def test_animate_help_wraps_between_words(cli):
    text = cli("render", "--help").out
    block = text.split("--animate STEPS")[1].split("--fps")[0]
    words = " ".join(block.split())
    assert "open:LAYER, close:LAYER, wait:MS, orbit:DEGREES" in words   # no word was cut at a line end


def test_the_catalogue_line_of_concatenate_is_whole(cli):
    line = next(l for l in cli("layers").out.splitlines() if l.startswith("Concatenate"))
    assert line.endswith("Inputs joined along axis (default: the channel axis)")


def test_an_end_of_file_inside_the_tool_is_its_failure_not_an_interruption(cli, monkeypatch):
    import tspcli.commands.common as common

    def truncated(*args, **kwargs):
        raise EOFError("ran out of input")

    monkeypatch.setattr(common, "load", truncated, raising=False)
    monkeypatch.setattr("tspcli.loading.load", truncated)
    r = cli("summary", "samples/lenet.yaml")
    assert r.code == 1 and r.err == "tspcli: internal error: EOFError: ran out of input " \
                                    "(run again with --debug for the traceback)\n"
