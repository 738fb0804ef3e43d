"""How a benchmark runs `tspcli` processes: as a user's, with bytecode caches, timed.

A user's installed tspcli imports from compiled bytecode; a machine that sets
PYTHONDONTWRITEBYTECODE (this one does) would compile every module of tspcli
again in each process, about 0.05-0.1 s.  So the variable is left out and the
tree is compiled once before timing.
"""
from __future__ import annotations

import compileall
import os
import resource
import subprocess
import sys
import time


_COMPILED: set[str] = set()


def child_env(root: str) -> dict[str, str]:
    """os.environ with ``root`` first on PYTHONPATH and bytecode caches allowed; compiles ``root``'s tspcli."""
    if root not in _COMPILED:
        compileall.compile_dir(os.path.join(root, "tspcli"), quiet=1)
        _COMPILED.add(root)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = root
    return env


def run_tspcli(root: str, args: list[str]) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds: user + system of the process and what it waited for, its stdout) of
    one `python -m tspcli ARGS` run from ``root``; stops the benchmark with its error if it fails.  On a
    shared machine the CPU time says more: it does not count the time other jobs held the cores."""
    env = child_env(root)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tspcli", *args], cwd=root, env=env, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"tspcli {' '.join(args)} in {root} failed: {proc.stderr.decode()}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), proc.stdout
