"""The whole `tspcli render` process on MobileNetV1-224 at 1920x1080: wall time and peak memory.

Each case runs the command as a user would (a fresh Python process: imports,
loading, the forward pass with the built-in sample, the scene, the offscreen
render, the PNG), several times; peak memory is the child's maximum resident
set size (os.wait4).  Two reference rows measured in the same run put the
figures in proportion: `tspcli summary` (start-up, parsing and shapes only)
and the render without values (no forward pass).

    python benchmarks/render.py [--runs 5]     # prints a Markdown table
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
MODEL = "samples/mobilenet_v1.yaml"
GOALS = {"closed": (2.5, 1.5), "all open": (4.0, 1.5)}   # seconds, GiB

CASES = [
    ("summary (reference: start-up and shapes)", ["summary", MODEL]),
    ("render, no values (reference: no forward pass)", ["render", MODEL, "--no-values"]),
    ("closed", ["render", MODEL]),
    ("all open", ["render", MODEL, "--open", "all"]),
]


def run_once(args: list[str], out: str) -> tuple[float, float]:
    """(seconds, peak GiB) of one `tspcli ARGS` process."""
    if args[0] == "render":
        args = [*args, "-o", out]
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tspcli", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"tspcli {' '.join(args)} failed: {proc.stderr.read().decode()}")
    proc.stderr.close()
    return seconds, usage.ru_maxrss / 2**20       # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.png")
        run_once(CASES[2][1], out)                  # warm the file cache
        for name, args in CASES:
            times, peaks = zip(*(run_once(args, out) for _ in range(runs)))
            rows.append((name, statistics.median(times), min(times), max(peaks)))
    baseline = rows[0][1]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.system()} {platform.release()}; {runs} runs per row; 1920x1080 (the default size).\n")
    print("| case | median s | best s | x summary | peak GiB | goal |")
    print("|---|---|---|---|---|---|")
    for name, median, best, peak in rows:
        goal = GOALS.get(name)
        verdict = ""
        if goal:
            ok = median <= goal[0] and peak <= goal[1]
            verdict = f"<= {goal[0]} s, <= {goal[1]} GiB: {'met' if ok else 'MISSED'}"
        print(f"| {name} | {median:.2f} | {best:.2f} | {median / baseline:.1f} | {peak:.2f} | {verdict} |")


if __name__ == "__main__":
    main()
