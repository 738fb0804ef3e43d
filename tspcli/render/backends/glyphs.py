"""Shapes the raster backend draws from small textures, drawn here as vector paths (pure numpy).

TensorSpace's close button is a disc with a cross in its layer's colour; the
scene gives it as a thin box (part ``button``) whose top face carries a
64x64 picture of it (``scene.layout``'s ``_button_pixels``).  A vector
figure draws the same shape from the same proportions, so the cross stays
sharp at any zoom: a translucent disc, an opaque ring, two opaque bars.
"""
from __future__ import annotations

import numpy as np

from .primitives import Fill, bilinear

RING = 0.85              # the ring runs from this fraction of the radius to the rim
FILL_ALPHA = 0.35        # the disc inside the ring
BAR_HALF_WIDTH = 0.14 / np.sqrt(2)   # the cross: |x - y| < 0.14 in the picture's -1..1 square
BAR_REACH = 0.6          # ... within this radius
SEGMENTS = 48


def is_close_button(blocks) -> bool:
    return blocks.key.endswith("/button")


def close_button(corners: np.ndarray, image: np.ndarray, opacity: float, to_px) -> list:
    """Fills of a close button on the face with 3-D ``corners`` (in the primitives' s, t order), through
    the projection ``to_px``; its colour is that of the opaque texels of ``image``."""
    flat = image.reshape(-1, 4)
    rgb = tuple(float(c) / 255 for c in flat[int(np.argmax(flat[:, 3])), :3])
    angle = np.linspace(0, 2 * np.pi, SEGMENTS, endpoint=False)
    circle = np.stack([np.cos(angle), np.sin(angle)], axis=1)

    def face(xy):      # -1..1 picture coordinates (x along s, y along t) -> pixels
        return to_px(bilinear(corners, (np.asarray(xy) + 1) / 2))

    half = BAR_REACH
    bar = np.array([[-half, -BAR_HALF_WIDTH], [half, -BAR_HALF_WIDTH], [half, BAR_HALF_WIDTH], [-half, BAR_HALF_WIDTH]])
    turn = np.sqrt(0.5) * np.array([[1.0, -1.0], [1.0, 1.0]])
    bars = [face(bar @ turn.T), face(bar @ turn)]
    return [Fill([face(RING * circle)], (*rgb, FILL_ALPHA * opacity)),
            Fill([face(circle), face(RING * circle[::-1])], (*rgb, opacity)),
            Fill(bars, (*rgb, opacity))]
