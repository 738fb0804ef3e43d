"""The raster backend's drawing alone: actors, first Render (shaders, texture upload) and read-back.

For each case the scene is built once (not timed); then, in this process, a fresh window is made
(not timed) and ``draw(scene)`` is timed: CPU seconds of the whole process (Mesa's llvmpipe threads
included) and wall seconds, the median of ``--runs``; then a second frame of the same scene in the
same window (what an animation pays per frame when nothing changed).  ``actors``: the props in the
renderer after the first draw.  The chains are benchmarks/layout.py's; MobileNetV1 is
samples/mobilenet_v1.yaml with the built-in photo, closed, at 1920x1080.

    python benchmarks/draw.py [--runs 3] [--cases chain300,chain1000,mobilenet,mobilenet-open]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))


def scene_of(case: str, tmp: str):
    import tspcli
    from tspcli.render.pipeline import build_scene, compute_values, options_from

    import layout

    opened = {}
    if case.startswith("chain"):
        path = os.path.join(tmp, case + ".yaml")
        with open(path, "w") as f:
            f.write(layout.chain(int(case[5:])))
    else:
        path = os.path.join(ROOT, "samples", "mobilenet_v1.yaml")
        if case.endswith("open"):
            opened = {"open": "all"}
    model = tspcli.load(path)
    options = options_from(**opened)
    compute_values(model, options)
    return build_scene(model, options), options


def measure(scene, options) -> tuple[float, float, float, int]:
    """(CPU s, wall s of the first draw, CPU s of a second draw, actors)."""
    from tspcli.render.backends import open_raster

    with open_raster(options.size, options.scale) as raster:
        cpu, wall = time.process_time(), time.perf_counter()
        raster.draw(scene)
        first = time.process_time() - cpu, time.perf_counter() - wall
        cpu = time.process_time()
        raster.draw(scene)
        second = time.process_time() - cpu
        actors = raster.plotter.renderer.GetViewProps().GetNumberOfItems()
    return first[0], first[1], second, actors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", default="chain300,chain1000,mobilenet,mobilenet-open")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print("| case | first draw CPU s | wall s | second draw CPU s | actors |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.cases.split(","):
            scene, options = scene_of(case, tmp)
            runs = [measure(scene, options) for _ in range(args.runs)]
            cpu, wall, second, actors = (statistics.median(r[i] for r in runs) for i in range(4))
            print(f"| {case} | {cpu:.3f} | {wall:.3f} | {second:.3f} | {actors} |", flush=True)
    print(f"\nload average {load:.1f} before, {os.getloadavg()[0]:.1f} after")


if __name__ == "__main__":
    main()
