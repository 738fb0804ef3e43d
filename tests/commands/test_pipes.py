"""Shell pipelines: a description on stdin ('-'), a PNG on stdout (render -o -)."""
import io
import json
import subprocess
import sys

import pytest

iio = pytest.importorskip("imageio.v3")
LENET = open("samples/lenet.yaml").read()


@pytest.mark.parametrize("args, expected", [
    (("summary", "-", "--json"), '"name": "lenet"'),
    (("validate", "-"), "-: ok"),
    (("predict", "-", "--top", "1"), "top 1"),
])
def test_commands_read_a_description_from_stdin(cli, args, expected):
    r = cli(*args, stdin=LENET)
    assert r.code == 0 and expected in r.out, r.err


def test_render_reads_stdin_and_writes_png_bytes_to_stdout(tmp_path):
    run = subprocess.run([sys.executable, "-m", "tspcli", "render", "-", "-o", "-", "--size", "160x120"],
                         input=LENET.encode(), capture_output=True, check=True)
    assert run.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    assert iio.imread(io.BytesIO(run.stdout), extension=".png").shape == (120, 160, 3)
    subprocess.run([sys.executable, "-m", "tspcli", "render", "samples/lenet.yaml", "-o", tmp_path / "f.png",
                    "--size", "160x120"], check=True)
    assert run.stdout == (tmp_path / "f.png").read_bytes()


def test_render_refuses_to_write_png_bytes_to_a_terminal(cli, monkeypatch):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    r = cli("render", "samples/lenet.yaml", "-o", "-", "--size", "160x120")
    assert r.code == 2 and "refusing to write PNG bytes to a terminal" in r.err


def test_stdin_that_is_a_terminal_is_refused(cli, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    r = cli("summary", "-")
    assert r.code == 2 and "stdin is a terminal" in r.err


def test_the_program_ends_with_its_outputs_complete_and_its_exit_code(tmp_path):
    """`run` ends the process without the interpreter's teardown: stdout, the file and the code are whole."""
    summary = subprocess.run([sys.executable, "-m", "tspcli", "summary", "samples/mobilenet_v1.yaml", "--json"],
                             capture_output=True, text=True, timeout=120)
    assert summary.returncode == 0 and len(json.loads(summary.stdout)["layers"]) == 30
    r = subprocess.run([sys.executable, "-m", "tspcli", "render", "samples/lenet.yaml", "--size", "160x120",
                        "-o", tmp_path / "x.png"], capture_output=True, timeout=120)
    assert r.returncode == 0 and iio.imread(tmp_path / "x.png").shape == (120, 160, 3)
    bad = subprocess.run([sys.executable, "-m", "tspcli", "summary", tmp_path / "missing.yaml"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "missing.yaml" in bad.stderr
