"""Max and average pooling with Keras' semantics (channels last)."""
from __future__ import annotations

import numpy as np

from tspcli.ops._geometry import (as_float32, axis_geometry, check_ndim, check_padding, int_tuple,
                                  tap_ranges)
from tspcli.errors import OptionError

_MODES = ("max", "average")


def pool2d(x, pool_size=2, strides=None, padding="valid", mode="max") -> np.ndarray:
    """2-D max or average pooling, as Keras' MaxPooling2D / AveragePooling2D.

    x: (H, W, C) or (N, H, W, C).  pool_size, strides: int or (rows, cols);
    strides default to pool_size.  padding: 'valid' or 'same'; 'same' average
    pooling divides by the number of real (unpadded) cells in each window.
    """
    op = "pool2d"
    x = as_float32(x, op)
    xb, batched = check_ndim(x, op, 2)
    out = _pool(op, xb, int_tuple(pool_size, 2, op, "pool_size"),
                None if strides is None else int_tuple(strides, 2, op, "strides"),
                check_padding(padding, op, spatial=2), mode)
    return out if batched else out[0]


def pool1d(x, pool_size=2, strides=None, padding="valid", mode="max") -> np.ndarray:
    """1-D max or average pooling, as Keras' MaxPooling1D / AveragePooling1D.

    x: (L, C) or (N, L, C); otherwise as pool2d.
    """
    op = "pool1d"
    x = as_float32(x, op)
    xb, batched = check_ndim(x, op, 1)
    out = _pool(op, xb[:, None], (1,) + int_tuple(pool_size, 1, op, "pool_size"),
                None if strides is None else (1,) + int_tuple(strides, 1, op, "strides"),
                check_padding(padding, op), mode)
    return out[:, 0] if batched else out[0, 0]


def _pool(op, xb, pool, strides, padding, mode):
    """xb (N, H, W, C) -> (N, oh, ow, C), one elementwise max/add per window cell."""
    if mode not in _MODES:
        raise OptionError(f"{op}: mode must be 'max' or 'average', got {mode!r}")
    strides = pool if strides is None else strides
    n, h, w, c = xb.shape
    (oh, ow), pads = axis_geometry(op, (h, w), pool, strides, (1, 1), padding)
    rows = tap_ranges(h, oh, pool[0], strides[0], 1, pads[0][0])
    cols = tap_ranges(w, ow, pool[1], strides[1], 1, pads[1][0])
    (sh, sw) = strides
    # Padding never wins a max and adds nothing to a sum, so windows cut by the
    # border just combine fewer cells; every output has at least one real cell.
    out = np.full((n, oh, ow, c), -np.inf if mode == "max" else 0.0, np.float32)
    combine = np.maximum if mode == "max" else np.add
    for r0, r1, ri0 in rows:
        for c0, c1, ci0 in cols:
            if r0 < r1 and c0 < c1:
                dst = out[:, r0:r1, c0:c1]
                src = xb[:, ri0:ri0 + (r1 - r0 - 1) * sh + 1:sh,
                         ci0:ci0 + (c1 - c0 - 1) * sw + 1:sw]
                combine(dst, src, dst)
    if mode == "average":
        count_rows = _cells(rows, oh)
        count_cols = _cells(cols, ow)
        out /= (count_rows[:, None] * count_cols[None, :])[None, :, :, None]
    return out


def _cells(ranges, n_out):
    """Real (unpadded) cells per output position along one axis."""
    count = np.zeros(n_out, np.float32)
    for o0, o1, _ in ranges:
        count[o0:o1] += 1
    return count
