"""Shapes the raster backend draws from small textures, drawn here as vector paths (pure numpy).

TensorSpace's close button is a disc with a minus slot in its layer's
colour; the scene gives it as a thin box (part ``button``) whose top face
carries a 64x64 picture of it (``scene.buttons.button_pixels``).  A
vector figure draws the same shape from the same proportions, so that it
stays sharp at any zoom: a disc, its rim, the slot.
"""
from __future__ import annotations

import numpy as np

from ...scene.buttons import BUTTON_RIM, BUTTON_SHADES, BUTTON_SLOT
from .primitives import Fill, bilinear

SEGMENTS = 48


def is_close_button(blocks) -> bool:
    return blocks.key.endswith("/button")


def close_button(corners: np.ndarray, image: np.ndarray, opacity: float, to_px) -> list:
    """Fills of a close button on the face with 3-D ``corners`` (in the primitives' s, t order), through
    the projection ``to_px``; its colour is the brightest opaque texel of ``image`` (the disc's)."""
    flat = image.reshape(-1, 4).astype(float)
    opaque = flat[flat[:, 3] == 255] if np.any(flat[:, 3] == 255) else flat
    rgb = opaque[int(np.argmax(opaque[:, :3].sum(axis=1))), :3] / 255
    angle = np.linspace(0, 2 * np.pi, SEGMENTS, endpoint=False)
    circle = np.stack([np.cos(angle), np.sin(angle)], axis=1)

    def face(xy):      # -1..1 picture coordinates (x along s, y along t) -> pixels
        return to_px(bilinear(corners, (np.asarray(xy) + 1) / 2))

    length, width = BUTTON_SLOT
    slot = np.array([[-length, -width], [length, -width], [length, width], [-length, width]])
    disc, rim, dark = (tuple(float(c) for c in rgb * shade) + (opacity,) for shade in BUTTON_SHADES)
    return [Fill([face(circle), face(BUTTON_RIM * circle[::-1])], rim),
            Fill([face(BUTTON_RIM * circle)], disc),
            Fill([face(slot)], dark)]
