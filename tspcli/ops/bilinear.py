"""Bilinear resizing with the coordinate conventions frameworks use (channels last).

An output pixel o maps to an input coordinate by the mode (scale s = out/in):

* ``half_pixel``: (o + 0.5) / s - 0.5, as Keras' UpSampling2D(interpolation='bilinear'),
  TF2 and PyTorch with align_corners=False;
* ``pytorch_half_pixel``: the same, but 0 when the output has length 1;
* ``align_corners``: o * (in - 1) / (out - 1), PyTorch with align_corners=True;
* ``asymmetric``: o / s, TF1's resize_bilinear without half-pixel centres.

Coordinates are clamped to the input, as ONNX Resize does.
"""
from __future__ import annotations

import numpy as np

from tspcli.errors import OptionError
from tspcli.ops._geometry import as_float32, check_ndim

MODES = ("half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric")


def source_coordinates(n_in: int, n_out: int, mode: str) -> np.ndarray:
    """Input coordinate (float64) of each output position along one axis."""
    o = np.arange(n_out, dtype=np.float64)
    scale = n_out / n_in
    if mode == "half_pixel":
        x = (o + 0.5) / scale - 0.5
    elif mode == "pytorch_half_pixel":
        x = (o + 0.5) / scale - 0.5 if n_out > 1 else np.zeros(1)
    elif mode == "align_corners":
        x = o * (n_in - 1) / (n_out - 1) if n_out > 1 else np.zeros(1)
    elif mode == "asymmetric":
        x = o / scale
    else:
        raise OptionError(f"resize_bilinear: mode must be one of {', '.join(MODES)}, got {mode!r}")
    return np.clip(x, 0, n_in - 1)


def _weights(n_in: int, n_out: int, mode: str):
    x = source_coordinates(n_in, n_out, mode)
    lo = np.floor(x).astype(np.intp)
    hi = np.minimum(lo + 1, n_in - 1)
    frac = (x - lo).astype(np.float32)
    return lo, hi, frac


def resize_bilinear(x, size, mode: str = "half_pixel") -> np.ndarray:
    """x (H, W, C) or (N, H, W, C) resized to ``size`` = (out_h, out_w) by bilinear interpolation."""
    op = "resize_bilinear"
    xb, batched = check_ndim(as_float32(x, op), op, 2)
    (out_h, out_w) = size
    r0, r1, fr = _weights(xb.shape[1], out_h, mode)
    c0, c1, fc = _weights(xb.shape[2], out_w, mode)
    # rows first (a weighted sum of two gathered row sets), then columns
    rows = xb[:, r0] * (1 - fr)[None, :, None, None] + xb[:, r1] * fr[None, :, None, None]
    out = rows[:, :, c0] * (1 - fc)[None, None, :, None] + rows[:, :, c1] * fc[None, None, :, None]
    out = out.astype(np.float32, copy=False)
    return out if batched else out[0]
