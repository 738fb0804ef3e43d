"""Vector figures against the PNG: `tspcli render` of MobileNetV1-224 with all 10,947 maps open.

Each run is the whole command as a user runs it (a fresh Python process:
imports, loading, the forward pass, the scene, then the PNG or the PDF or
SVG), with the three outputs interleaved run by run so that they share the
machine's load alike.  Goals (issue 14): the PDF at most 10 MB, written in at
most 3x the PNG's time.

    python benchmarks/vector.py [--runs 3]     # prints a Markdown table
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
ARGS = ["render", "samples/mobilenet_v1.yaml", "--open", "all"]
KINDS = ("png", "pdf", "svg")


def run_once(out: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tspcli", *ARGS, "-o", out], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"tspcli failed: {proc.stderr.decode()}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    times = {kind: [] for kind in KINDS}
    sizes = {}
    with tempfile.TemporaryDirectory() as tmp:
        run_once(os.path.join(tmp, "warm.png"))            # the file cache, matplotlib's font cache
        for _ in range(runs):
            for kind in KINDS:
                out = os.path.join(tmp, "out." + kind)
                times[kind].append(run_once(out))
                sizes[kind] = os.path.getsize(out)
    png = statistics.median(times["png"])
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{runs} runs per row, interleaved; 1920x1080, `{' '.join(ARGS)}`.\n")
    print("| output | median s | runs s | x PNG | size MB | goal |")
    print("|---|---|---|---|---|---|")
    for kind in KINDS:
        median = statistics.median(times[kind])
        mb = sizes[kind] / 1e6
        goal = ""
        if kind == "pdf":
            ok = mb <= 10 and median <= 3 * png
            goal = f"<= 10 MB, <= 3x PNG: {'met' if ok else 'MISSED'}"
        runs_text = ", ".join(f"{t:.2f}" for t in times[kind])
        print(f"| {kind.upper()} | {median:.2f} | {runs_text} | {median / png:.2f} | {mb:.2f} | {goal} |")


if __name__ == "__main__":
    main()
