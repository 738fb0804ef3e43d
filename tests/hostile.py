"""Helpers of the hostile-input tests: run tspcli as a user would, and check a refusal is clean."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 30  # every bad input is refused well within this; a hang fails the test


class Run:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err


def tspcli(*args, cwd=None, stdin: bytes | None = None, timeout=TIMEOUT_S) -> Run:
    """`tspcli ARGS` in a child process as the console script runs it: the working directory is
    not on sys.path (-P), this checkout's tspcli is (PYTHONPATH)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TSPCLI_DEBUG="0")
    done = subprocess.run([sys.executable, "-P", "-m", "tspcli", *map(str, args)], cwd=cwd, env=env,
                          input=stdin if stdin is not None else b"", capture_output=True, timeout=timeout)
    return Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))


def refused(r, file, *words, output=None) -> str:
    """Exit 2, one stderr line `tspcli: error: FILE...` with ``words``, no traceback, no output left."""
    assert r.code == 2, (r.code, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
    assert lines[0].startswith(("tspcli: error: ", str(file))), lines[0]  # validate lists FILE: problem
    assert str(file) in lines[0], (str(file), lines[0])
    for word in words:
        assert word in lines[0], (word, lines[0])
    if output is not None:
        output = Path(output)
        assert not output.exists(), output
        assert not [p for p in output.parent.iterdir() if p.name.startswith(output.name)], output
    return lines[0]
