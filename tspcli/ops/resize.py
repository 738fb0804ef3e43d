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
