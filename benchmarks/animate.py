"""Frames per second of `tspcli render --animate` on MobileNetV1 at 1280x720: render + encode.

Two measures:

* steady state, in this process: the frames of one animation drawn and encoded
  to H.264 (configs/video.yaml, no start-up, model loaded and values computed
  beforehand), as `tspcli render` does it (drawing in a thread of its own while
  the encoder takes the previous frames); in the same run, for proportion, the
  same frames drawn and encoded in one thread, and drawn only (no encoder).
  CPU ms/frame adds this process (Python, Mesa's llvmpipe threads) and ffmpeg.
* whole process: the command as a user runs it (imports, loading, the forward
  pass, framing, every frame, the MP4), frames / wall seconds.

A second table puts the drawing choices in proportion (drawing only, one thread,
same run): as shipped, with VTK's default order-independent transparency, with
the stills' 4x MSAA, and with every mesh sent to GL again each frame.

    python benchmarks/animate.py [--runs 3] [--layer conv_dw_1]     # prints Markdown
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


def cpu_s() -> tuple[float, float]:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def steady(animation, out: str | None, threaded: bool) -> tuple[float, float]:
    """(frames per second, CPU ms per frame) of drawing every frame and, with ``out``, encoding it."""
    from tspcli.render import writers

    frames = animation.frames() if threaded else animation._draw()
    cpu0, t0 = sum(cpu_s()), time.perf_counter()
    if out:
        count = writers.write_frames(frames, out, fps=animation.options.fps, total=len(animation), quiet=True)
    else:
        count = sum(1 for _ in frames)
    seconds = time.perf_counter() - t0
    return count / seconds, 1000 * (sum(cpu_s()) - cpu0) / count


def variants(animation):
    """(name, fps, CPU ms/frame) of drawing every frame one way or another."""
    from tspcli.render import animation as anim, vtk_backend

    class Variant(vtk_backend.Renderer):
        oit = False
        reupload = False

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.renderer.SetUseOIT(self.oit)

        def _sync(self, scene):
            super()._sync(scene)
            if self.reupload:
                for item in self._items.values():
                    getattr(item, "poly", None) and item.poly.Modified()

    cases = [("as shipped (no MSAA)", {}, anim.MULTISAMPLES), ("VTK's default OIT on", {"oit": True}, 0),
             ("4x MSAA (as stills)", {}, 4), ("every mesh re-sent each frame", {"reupload": True}, 0)]
    rows = []
    saved = vtk_backend.Renderer, anim.MULTISAMPLES
    try:
        for name, flags, samples in cases:
            vtk_backend.Renderer, anim.MULTISAMPLES = type("Case", (Variant,), flags), samples
            rows.append((name, *steady(animation, None, threaded=False)))
    finally:
        vtk_backend.Renderer, anim.MULTISAMPLES = saved
    return rows


def whole_process(steps: str, out: str) -> tuple[float, int]:
    """(seconds, frames) of one `tspcli render ... --animate STEPS -o out.mp4` process."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tspcli", "render", MODEL, "--config", CONFIG, "--animate", steps,
                    "-o", out, "--quiet"], cwd=ROOT, check=True, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    import imageio_ffmpeg

    frames, _ = imageio_ffmpeg.count_frames_and_secs(out)
    return seconds, frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--layer", action="append", help="layers to open (default conv_dw_1 and conv_dw_7)")
    args = parser.parse_args()
    layers = args.layer or ["conv_dw_1", "conv_dw_7"]

    import tspcli
    from tspcli.render.animation import Animation, timeline_for
    from tspcli.render.options import resolve
    from tspcli.render.pipeline import compute_values

    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load average before {os.getloadavg()[0]:.1f}; 1280x720 (configs/video.yaml), 30 fps, "
          f"x264 CRF 20; median of {args.runs} runs.\n")
    print("| animation | frames | draw + encode fps (as the command) | same, one thread | draw only fps "
          "| CPU ms/frame | whole process fps | goal |")
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out.mp4")
        for layer in layers:
            steps = f"open:{layer},close:{layer}"
            model = tspcli.load(MODEL)
            options = resolve(CONFIG, {"timeline": steps})
            compute_values(model, options)
            animation = Animation(model, options, timeline_for(model, options, from_flag=True))
            steady(animation, None, True)                      # warm caches (textures, file cache)
            rows = {name: [] for name in ("threaded", "serial", "draw", "cpu", "whole")}
            for _ in range(args.runs):
                fps, cpu = steady(animation, out, threaded=True)
                rows["threaded"].append(fps)
                rows["cpu"].append(cpu)
                rows["serial"].append(steady(animation, out, threaded=False)[0])
                rows["draw"].append(steady(animation, None, threaded=True)[0])
                seconds, frames = whole_process(steps, out)
                rows["whole"].append(frames / seconds)
            med = {k: statistics.median(v) for k, v in rows.items()}
            verdict = "met" if med["threaded"] >= GOAL_FPS else "MISSED"
            print(f"| open, close {layer} | {len(animation)} | {med['threaded']:.1f} | {med['serial']:.1f} "
                  f"| {med['draw']:.1f} | {med['cpu']:.0f} | {med['whole']:.1f} | >= {GOAL_FPS:g}: {verdict} |")
            if layer == layers[0]:
                drawing = variants(animation)
    print(f"\nDrawing only, one thread, open and close {layers[0]}:\n")
    print("| drawing | fps | CPU ms/frame | x as shipped |")
    print("|---|---|---|---|")
    for name, fps, cpu in drawing:
        print(f"| {name} | {fps:.1f} | {cpu:.0f} | {cpu / drawing[0][2]:.2f} |")
    print(f"\nLoad average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
