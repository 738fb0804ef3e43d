"""Read MP4s back in tests with the bundled ffmpeg, started without a pre-exec hook.

imageio's FFMPEG reader starts ffmpeg with ``preexec_fn=os.setpgrp``, which runs
Python's at-fork handlers: once jax is imported (the Keras tests) that prints
jax's "os.fork() was called ... JAX is multithreaded" warning.  A plain
``subprocess.run`` (fork_exec without a hook) does not.
"""
import re
import subprocess

import numpy as np


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def mp4_meta(path) -> dict:
    """``{"codec", "pix_fmt", "size": (w, h), "fps"}`` of the first video stream."""
    said = subprocess.run([_ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    found = re.search(r"Video: (\w+).*?, (\w+)\(.*?\), (\d+)x(\d+).*?, ([\d.]+) fps", said)
    assert found, said
    codec, pix_fmt, w, h, fps = found.groups()
    return {"codec": codec, "pix_fmt": pix_fmt, "size": (int(w), int(h)), "fps": float(fps)}


def mp4_frames(path) -> list:
    """Every frame as an RGB uint8 array."""
    w, h = mp4_meta(path)["size"]
    raw = subprocess.run([_ffmpeg(), "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return list(np.frombuffer(raw, np.uint8).reshape(-1, h, w, 3))
