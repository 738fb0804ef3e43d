"""Nearest-neighbour upsampling, as Keras' UpSampling1D / UpSampling2D."""
from __future__ import annotations

import numpy as np

from tspcli.ops._geometry import as_float32, check_ndim, int_tuple


def upsample1d(x, size=2) -> np.ndarray:
    """Repeat each step ``size`` times.  x: (L, C) or (N, L, C)."""
    op = "upsample1d"
    xb, batched = check_ndim(as_float32(x, op), op, 1)
    (s,) = int_tuple(size, 1, op, "size")
    out = np.repeat(xb, s, axis=1)
    return out if batched else out[0]


def upsample2d(x, size=2) -> np.ndarray:
    """Repeat each row and column (size: int or (rows, cols)).  x: (H, W, C) or (N, H, W, C)."""
    op = "upsample2d"
    xb, batched = check_ndim(as_float32(x, op), op, 2)
    sh, sw = int_tuple(size, 2, op, "size")
    out = np.repeat(np.repeat(xb, sh, axis=1), sw, axis=2)
    return out if batched else out[0]


NEAREST_MODES = ("asymmetric", "half_pixel", "align_corners")


def nearest_indices(n_in: int, n_out: int, mode: str) -> np.ndarray:
    """The input index each of ``n_out`` output positions copies, by TensorFlow's rules for
    resize_nearest_neighbor (in float32, as it computes them): ``asymmetric`` floor(o * in / out),
    ``half_pixel`` (half_pixel_centers) floor((o + 0.5) * in / out), ``align_corners``
    round(o * (in - 1) / (out - 1)), half away from zero."""
    from tspcli.errors import OptionError

    o = np.arange(n_out, dtype=np.float32)
    if mode == "align_corners":
        scale = np.float32(n_in - 1) / np.float32(n_out - 1) if n_out > 1 else np.float32(0)
        y = o * scale
        x = np.floor(y)
        x += (y - x) >= 0.5  # std::round's half away from zero, without adding 0.5 in float32
    elif mode in ("asymmetric", "half_pixel"):
        offset = np.float32(0.5 if mode == "half_pixel" else 0)
        x = np.floor((o + offset) * (np.float32(n_in) / np.float32(n_out)))
    else:
        raise OptionError(f"resize_nearest: mode must be one of {', '.join(NEAREST_MODES)}, got {mode!r}")
    return np.clip(x, 0, n_in - 1).astype(np.intp)


def resize_nearest(x, size, mode: str = "half_pixel") -> np.ndarray:
    """x (H, W, C) or (N, H, W, C) resized to ``size`` = (out_h, out_w), each output pixel a copy of
    the input pixel ``nearest_indices`` picks."""
    op = "resize_nearest"
    xb, batched = check_ndim(as_float32(x, op), op, 2)
    rows, cols = (nearest_indices(n, o, mode) for n, o in zip(xb.shape[1:3], size))
    out = xb[:, rows][:, :, cols]
    return out if batched else out[0]
