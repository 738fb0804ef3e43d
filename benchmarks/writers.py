"""How fast the writers encode, at the video preset's 1280x720, without rendering.

Frames are synthetic but render-like: flat slabs in layer colours on black, and a
grid of shaded feature maps sliding open, so only part of each frame changes.
Each writer gets the same 90 frames; the rate counts the encoder's work only
(frames are made beforehand), and for MP4 the CPU time ffmpeg spent per frame.

    python benchmarks/writers.py            # prints a Markdown table
"""
from __future__ import annotations

import os
import platform
import resource
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from tspcli.render import writers  # noqa: E402

N_FRAMES, H, W = 90, 720, 1280
COLOURS = [(0xFB, 0xBF, 0x1F), (0xF7, 0xFE, 0x2E), (0x00, 0xFF, 0xFF), (0xE2, 0x3E, 0x57)]


def render_like_frames() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    base = np.zeros((H, W, 3), np.uint8)
    for k in range(10):
        base[40 + 60 * k:70 + 60 * k, 200:1080] = COLOURS[k % len(COLOURS)]
    maps = rng.random((8, 48, 48, 1))
    frames = []
    for i in range(N_FRAMES):
        frame = base.copy()
        spread = i / (N_FRAMES - 1)
        for m in range(8):  # feature maps flying from the centre to their grid slots
            x = int(616 + (m - 3.5) * 110 * spread)
            shade = (0.3 + 0.7 * maps[m]) * np.array(COLOURS[0])
            frame[330:378, x:x + 48] = shade.astype(np.uint8)
        frames.append(frame)
    return frames


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(frames, name: str, folder: str, **options) -> tuple[float, float, int]:
    out = os.path.join(folder, name)
    cpu0, t0 = children_cpu_s(), time.perf_counter()
    writers.write_frames(frames, out, quiet=True, **options)
    seconds = time.perf_counter() - t0
    cpu = children_cpu_s() - cpu0
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out)) \
        if os.path.isdir(out) else os.path.getsize(out)
    return len(frames) / seconds, 1000 * cpu / len(frames), size


def main() -> None:
    frames = render_like_frames()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; {N_FRAMES} frames of {W}x{H}\n")
    print("| output | frames/s (wall) | ffmpeg CPU ms/frame | size |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        rows = []
        for preset in ("medium", writers.X264_PRESET):
            writers.X264_PRESET = preset
            rows.append((f"MP4 x264 {preset}, CRF {writers.DEFAULT_CRF}",
                         measure(frames, f"{preset}.mp4", folder)))
        rows.append(("GIF", measure(frames, "a.gif", folder)))
        rows.append(("PNG frames", measure(frames, "frames", folder)))
        for label, (rate, cpu, size) in rows:
            cpu_text = f"{cpu:.1f}" if label.startswith("MP4") else "-"
            print(f"| {label} | {rate:.1f} | {cpu_text} | {size / 1e6:.2f} MB |")


if __name__ == "__main__":
    main()
