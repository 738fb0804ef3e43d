"""PNG encoding of uint8 frames, through Pillow directly.

imageio's plugin lookup costs a command about 0.1 s (0.08 s to import
imageio.v3, 0.03 s more on its first write) for what Pillow does alone.
"""
from __future__ import annotations

import io

import numpy as np

# zlib level: 3 encodes a 1920x1080 picture 2.5 times faster than Pillow's 6 for a file
# about 12% larger (MobileNetV1 closed: 0.25 s vs 0.64 s, 408 vs 363 kB, on a loaded 2-core machine)
PNG_LEVEL = 3


def save_png(frame: np.ndarray, target) -> None:
    """Encode an (H, W), (H, W, 3) or (H, W, 4) uint8 ``frame`` into ``target`` (a path or a binary file)."""
    from PIL import Image

    Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8)).save(target, format="PNG",
                                                                      compress_level=PNG_LEVEL)


def png_bytes(frame: np.ndarray) -> bytes:
    """``frame`` as the bytes of a PNG file."""
    buffer = io.BytesIO()
    save_png(frame, buffer)
    return buffer.getvalue()
