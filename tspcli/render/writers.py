"""Frames to files: PNG stills (more writers: PNG frames, MP4, GIF)."""
from __future__ import annotations

import numpy as np

from ..atomic import atomic_output


def write_png(frame: np.ndarray, path: str) -> None:
    """Write an RGB or RGBA uint8 frame to ``path`` atomically."""
    import imageio.v3 as iio

    with atomic_output(path, suffix=".png") as tmp:
        iio.imwrite(tmp, np.ascontiguousarray(frame), extension=".png")
