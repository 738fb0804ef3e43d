"""Arithmetic of a feature map and a constant, as the model-file readers (ONNX, TensorFlow Lite) lift it.

A feature map plus, minus, times or divided by a constant that is one value,
or one value per channel, scales and shifts each channel: it is lifted as the
BatchNormalization that computes it (mean 0, variance 1, gamma the scale,
beta the shift), so it is drawn and computed as one layer.  Anything else
(a constant that varies along height or width) is not lifted.
"""
from __future__ import annotations

import numpy as np

# Added to the variance 1: sqrt(1 + 1e-12) is 1 in float32, so the layer computes x * gamma + beta.
AFFINE_EPSILON = 1e-12


def channel_vector(c, channels: int, rank: int, scalar: bool = True, channels_last: bool = False):
    """A constant that broadcasts along the channel axis of a rank-``rank`` tensor (batch axis
    included) as one value per channel, as a (C,) float32 vector; None for anything else.

    NC... layouts (ONNX): (C, 1, 1), (1, C, 1, 1), and (C,), (1, C) for vectors; channels last
    (TensorFlow Lite): (C,), (1, C), (1, 1, C), (1, 1, 1, C) up to ``rank`` axes.  A single value
    counts when ``scalar``."""
    c = np.asarray(c, np.float32)
    if scalar and c.size == 1 and c.ndim <= rank:
        return np.full(channels, c.reshape(-1)[0], np.float32)
    if channels_last:
        fits = c.ndim <= rank and c.shape[-1:] == (channels,) and all(d == 1 for d in c.shape[:-1])
    else:
        trailing = (1,) * (rank - 2)
        fits = tuple(c.shape) in ((channels, *trailing), (1, channels, *trailing))
    return c.reshape(-1) if fits else None


def affine_weights(op: str, v: np.ndarray, constant_first: bool) -> dict | None:
    """BatchNormalization weights computing ``x op v`` (or ``v op x`` when ``constant_first``) for
    op add, sub, mul or div (any case) and v one value per channel; None for ``v / x``, which is
    not affine."""
    op = op.lower()
    if op == "div" and constant_first:
        return None
    ones, zeros = np.ones_like(v), np.zeros_like(v)
    scale, shift = {"add": (ones, v), "mul": (v, zeros), "div": (1 / v, zeros),
                    "sub": (-ones, v) if constant_first else (ones, -v)}[op]
    return {"gamma": scale, "beta": shift, "moving_mean": zeros, "moving_variance": ones}
