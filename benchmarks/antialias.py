"""Cost of anti-aliasing animation frames: none, as shipped (an edge blend in numpy), VTK's FXAA pass, 4x MSAA.

Draws every frame of MobileNetV1 opening conv_dw_1 (configs/video.yaml, 1280x720) in this process,
one thread, the variants interleaved round by round; CPU ms per frame counts Mesa's llvmpipe threads
too.  Also writes a crop of one frame per variant to --crops (PNG) to look at.

    python benchmarks/antialias.py [--rounds 3] [--crops /tmp/aa.png]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def draw_all(animation, antialias: str | None, vtk_fxaa: bool) -> tuple[float, float, object]:
    """(wall ms per frame, CPU ms per frame, frame 20) drawing every frame; ``vtk_fxaa``: VTK's FXAA pass on."""
    from tspcli.render.backends import open_raster

    with open_raster(animation.builder.look.size, animation.options.scale, antialias=antialias) as raster:
        raster.plotter.renderer.SetUseFXAA(vtk_fxaa)
        raster.draw(animation.scene(0))          # the window, shaders and textures: not per frame
        wall, cpu = time.perf_counter(), time.process_time()
        frames = [raster.draw(animation.scene(i)) for i in range(len(animation))]
        n = len(frames)
        return 1000 * (time.perf_counter() - wall) / n, 1000 * (time.process_time() - cpu) / n, frames[20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--crops", default=None)
    args = parser.parse_args()
    import numpy as np

    import tspcli
    from tspcli.render.animation import Animation, timeline_for
    from tspcli.render.options import resolve
    from tspcli.render.pipeline import compute_values

    model = tspcli.load(os.path.join(ROOT, "samples", "mobilenet_v1.yaml"))
    options = resolve(os.path.join(ROOT, "configs", "video.yaml"), {"timeline": "open:conv_dw_1:1000"})
    compute_values(model, options)
    animation = Animation(model, options, timeline_for(model, options, from_flag=True))
    variants = [("none", None, False), ("fxaa as shipped: an edge blend of the frame in numpy", "fxaa", False),
                ("VTK's FXAA pass (shipped before)", None, True), ("4x MSAA (as stills)", "msaa", False)]
    results = {name: [] for name, _, _ in variants}
    crops = {}
    load = os.getloadavg()[0]
    for _ in range(args.rounds):
        for name, antialias, vtk_fxaa in variants:
            wall, cpu, frame = draw_all(animation, antialias, vtk_fxaa)
            results[name].append((wall, cpu))
            crops[name] = frame[180:420, 300:780]
    print(f"{len(animation)} frames of 1280x720, {args.rounds} rounds; load average {load:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after.\n")
    print("| frames drawn with | wall ms/frame | CPU ms/frame | CPU x none |")
    print("|---|---|---|---|")
    base = statistics.median(c for _, c in results["none"])
    for name, _, _ in variants:
        wall = statistics.median(w for w, _ in results[name])
        cpu = statistics.median(c for _, c in results[name])
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu / base:.2f} |")
    if args.crops:
        import imageio.v3 as iio

        iio.imwrite(args.crops, np.concatenate(list(crops.values()), axis=0))


if __name__ == "__main__":
    main()
