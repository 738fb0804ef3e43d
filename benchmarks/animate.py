"""Frames per second of `tspcli render --animate` on MobileNetV1 at 1280x720: render + encode.

Measures, each the median of several runs:

* steady state, in this process: every frame of one animation drawn and
  encoded (configs/video.yaml; model loaded, values computed and camera framed
  beforehand) as `tspcli render` does it, drawing in a thread of its own while
  the writer takes the previous frames; in the same run, for proportion, the
  same in one thread, and drawing alone.  CPU ms/frame adds this process
  (Python, Mesa's llvmpipe threads) and its children (ffmpeg).
* whole process: the command as a user runs it (imports, loading, the forward
  pass, framing, every frame, the file), frames / wall seconds.
* drawing choices, drawing alone in one thread: as shipped (FXAA), without
  anti-aliasing, with VTK's default order-independent transparency, and with
  the stills' 4x MSAA.

    python benchmarks/animate.py [--runs 3] [--layer conv_dw_1 ...]     # prints Markdown
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)

MODEL = os.path.join(ROOT, "samples", "mobilenet_v1.yaml")
CONFIG = os.path.join(ROOT, "configs", "video.yaml")
GOAL_FPS = 20.0


def cpu_s() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def steady(animation, out: str | None, threaded: bool = True) -> tuple[float, float]:
    """(frames per second, CPU ms per frame) of drawing every frame and, with ``out``, writing it."""
    from tspcli.render import writers

    frames = animation.frames() if threaded else animation._draw()
    cpu0, t0 = cpu_s(), time.perf_counter()
    if out:
        count = writers.write_frames(frames, out, fps=animation.options.fps, total=len(animation), quiet=True)
    else:
        count = sum(1 for _ in frames)
    return count / (time.perf_counter() - t0), 1000 * (cpu_s() - cpu0) / count


def whole_process(steps: str, out: str) -> float:
    """Frames per wall second of one `tspcli render ... --animate STEPS -o OUT` process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tspcli", "render", MODEL, "--config", CONFIG, "--animate", steps,
                    "-o", out, "--quiet"], cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    import imageio.v3 as iio

    return sum(1 for _ in iio.imiter(out, plugin="FFMPEG" if out.endswith(".mp4") else None)) / seconds


def drawing_choices(animation, runs: int) -> list[tuple[str, float, float]]:
    """(choice, fps, CPU ms/frame) of drawing every frame, one thread, one way or another."""
    from dataclasses import replace

    from tspcli.render.backends import pyvista_raster

    shipped, options = pyvista_raster.PyvistaRaster, animation.options
    antialias = options.antialias

    class WithOIT(shipped):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.plotter.renderer.SetUseOIT(True)

    rows = []
    for name, raster, choice in [(f"as shipped ({antialias} anti-aliasing, no OIT)", shipped, antialias),
                                 ("no anti-aliasing", shipped, "none"),
                                 ("VTK's default OIT on", WithOIT, antialias),
                                 ("4x MSAA (as stills)", shipped, "msaa")]:
        pyvista_raster.PyvistaRaster, animation.options = raster, replace(options, antialias=choice)
        try:
            results = [steady(animation, None, threaded=False) for _ in range(runs)]
        finally:
            pyvista_raster.PyvistaRaster, animation.options = shipped, options
        rows.append((name, statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--layer", nargs="+", default=["conv_dw_1", "conv_dw_7"], help="layers to open and close")
    args = parser.parse_args()

    import tspcli
    from tspcli.render.animation import Animation, timeline_for
    from tspcli.render.options import resolve
    from tspcli.render.pipeline import compute_values

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f} before; 1280x720 (configs/video.yaml), 30 fps, "
          f"MP4 x264 CRF 20; median of {args.runs} runs.\n")
    print("| animation | output | frames | fps (as the command) | fps, one thread | fps, drawing only "
          "| CPU ms/frame | whole process fps | goal |")
    print("|---|---|---|---|---|---|---|---|---|")
    first = None
    with tempfile.TemporaryDirectory() as tmp:
        for layer in args.layer:
            steps = f"open:{layer},close:{layer}"
            model = tspcli.load(MODEL)
            options = resolve(CONFIG, {"timeline": steps})
            compute_values(model, options)
            animation = Animation(model, options, timeline_for(model, options, from_flag=True))
            first = first or animation
            draw = statistics.median(steady(animation, None)[0] for _ in range(args.runs))
            for name in ("out.mp4", "out.gif") if layer == args.layer[0] else ("out.mp4",):
                out = os.path.join(tmp, name)
                threaded, serial, cpu, whole = [], [], [], []
                for _ in range(args.runs):
                    fps, ms = steady(animation, out)
                    threaded.append(fps)
                    cpu.append(ms)
                    serial.append(steady(animation, out, threaded=False)[0])
                    whole.append(whole_process(steps, out))
                fps = statistics.median(threaded)
                print(f"| open, close {layer} | {name[4:].upper()} | {len(animation)} | {fps:.1f} "
                      f"| {statistics.median(serial):.1f} | {draw:.1f} | {statistics.median(cpu):.0f} "
                      f"| {statistics.median(whole):.1f} | >= {GOAL_FPS:g}: {'met' if fps >= GOAL_FPS else 'MISSED'} |")
        print(f"\nDrawing only, one thread, open and close {args.layer[0]}:\n")
        print("| drawing | fps | CPU ms/frame | CPU x as shipped |")
        print("|---|---|---|---|")
        rows = drawing_choices(first, args.runs)
        for name, fps, cpu in rows:
            print(f"| {name} | {fps:.1f} | {cpu:.0f} | {cpu / rows[0][2]:.2f} |")
    print(f"\nLoad average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
