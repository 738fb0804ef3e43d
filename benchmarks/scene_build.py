"""CPU seconds of the scene alone (``build_scene``: the layout, its framing and labels) at 1920x1080,
for small samples, chains of 30 to 1,000 layers (``layout.chain``) and the 156-layer MobileNetV2 file
with ``--fold none``, all in one process, after the forward pass (values drawn as a user sees them).

Each case is built ``--runs`` times with a fresh builder; the median of the process CPU time is printed.
``--root`` runs another checkout's code (e.g. main's, for same-run ratios).

    python benchmarks/scene_build.py [--runs 3] [--root /path/to/other/checkout] [--sizes 30,100,300,1000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from child_env import child_env

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SAMPLES = ["lenet.yaml", "mobilenet_v1.yaml", "functional.yaml", "depthwise.yaml"]


def measure(cases: list[tuple[str, str, list[str]]], runs: int) -> None:
    """Print one row per (name, path, render flags): median CPU seconds of ``build_scene``."""
    from tspcli.loading import load
    from tspcli.render.pipeline import build_scene, compute_values, options_from

    for name, path, flags in cases:
        options = options_from(size="1920x1080", fold=flags[1] if flags else "auto")
        model = load(path)
        compute_values(model, options)
        times = []
        for _ in range(runs):
            start = time.process_time()
            build_scene(model, options)
            times.append(time.process_time() - start)
        print(f"| {name} | {statistics.median(times):.3f} | {'; '.join(f'{t:.3f}' for t in times)} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--root", default=HERE)
    parser.add_argument("--sizes", default="30,100,300,1000")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    root = os.path.abspath(opts.root)
    if not opts.child:       # run in a fresh process with ``root`` first on the path
        env = child_env(root)
        print(f"code: {root}; {opts.runs} builds per row, median CPU seconds, 1920x1080\n")
        print("| case | median CPU s | each build |")
        print("|---|---|---|")
        sys.exit(subprocess.call([sys.executable, os.path.abspath(__file__), "--child", "--runs", str(opts.runs),
                                  "--sizes", opts.sizes], env=env, cwd=HERE))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import layout

    with tempfile.TemporaryDirectory() as tmp:
        cases = [(f"samples/{s}", os.path.join(HERE, "samples", s), []) for s in SAMPLES]
        for n in map(int, opts.sizes.split(",")) if opts.sizes else []:
            path = os.path.join(tmp, f"chain_{n}.yaml")
            with open(path, "w") as f:
                f.write(layout.chain(n))
            cases.append((f"chain of {n} layers", path, []))
        if os.path.exists(layout.MOBILENET_V2):
            cases.append(("MobileNetV2 file, --fold none", os.path.abspath(layout.MOBILENET_V2), ["--fold", "none"]))
        measure(cases, opts.runs)


if __name__ == "__main__":
    main()
