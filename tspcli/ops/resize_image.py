"""Bilinear and nearest-neighbour resizing with TensorFlow's coordinate rules.

Output pixel ``o`` of an axis reads input position ``o * scale`` with
``scale = n_in / n_out``; ``align_corners`` makes the corners meet
(``scale = (n_in - 1) / (n_out - 1)``), ``half_pixel_centers`` measures from
pixel centres (``(o + 0.5) * scale - 0.5``; nearest: ``(o + 0.5) * scale``).
These are tf.image.resize's and TensorFlow Lite's RESIZE_BILINEAR /
RESIZE_NEAREST_NEIGHBOR rules; Keras' UpSampling2D(interpolation="bilinear")
is half_pixel_centers without align_corners.
"""
from __future__ import annotations

import numpy as np

from tspcli.ops._geometry import as_float32, check_ndim, int_tuple


def resize_bilinear(x, size, align_corners=False, half_pixel_centers=True) -> np.ndarray:
    """x (H, W, C) or (N, H, W, C) resized to ``size`` (rows, cols), bilinearly."""
    op = "resize_bilinear"
    xb, batched = check_ndim(as_float32(x, op), op, 2)
    out_size = int_tuple(size, 2, op, "size")
    for axis, n_out in zip((1, 2), out_size):
        lo, hi, frac = _bilinear_taps(xb.shape[axis], n_out, align_corners, half_pixel_centers)
        shape = [1, 1, 1, 1]
        shape[axis] = n_out
        frac = frac.reshape(shape)
        a, b = np.take(xb, lo, axis=axis), np.take(xb, hi, axis=axis)
        xb = (a + (b - a) * frac).astype(np.float32)
    return xb if batched else xb[0]


def resize_nearest(x, size, align_corners=False, half_pixel_centers=True) -> np.ndarray:
    """x (H, W, C) or (N, H, W, C) resized to ``size`` (rows, cols), nearest neighbour."""
    op = "resize_nearest"
    xb, batched = check_ndim(as_float32(x, op), op, 2)
    out_size = int_tuple(size, 2, op, "size")
    for axis, n_out in zip((1, 2), out_size):
        n_in = xb.shape[axis]
        pos = (np.arange(n_out) + (0.5 if half_pixel_centers else 0.0)) * _scale(n_in, n_out, align_corners)
        index = np.floor(pos + 0.5) if align_corners else np.floor(pos)  # round half up, as C's round
        xb = np.take(xb, np.clip(index.astype(np.int64), 0, n_in - 1), axis=axis)
    return xb if batched else xb[0]


def _scale(n_in: int, n_out: int, align_corners: bool) -> float:
    if align_corners and n_out > 1:
        return (n_in - 1) / (n_out - 1)
    return n_in / n_out


def _bilinear_taps(n_in, n_out, align_corners, half_pixel_centers):
    """(lower index, upper index, weight of the upper) per output position; positions
    outside the input read its edge."""
    scale = _scale(n_in, n_out, align_corners)
    o = np.arange(n_out, dtype=np.float64)
    pos = (o + 0.5) * scale - 0.5 if half_pixel_centers else o * scale
    lo = np.clip(np.floor(pos), 0, n_in - 1).astype(np.int64)
    hi = np.clip(np.ceil(pos), 0, n_in - 1).astype(np.int64)
    frac = np.where(hi > lo, pos - lo, 0.0).astype(np.float32)
    return lo, hi, frac
