"""TensorSpace's close button: a disc in the layer's colour with a dark minus slot (pure)."""
from __future__ import annotations

import numpy as np

# The close button's face, in radii: the rim from BUTTON_RIM out, the minus slot's half-length and
# half-width; and the shades of the layer colour of the disc, the rim and the slot (a vector backend
# draws the same shape from these).
BUTTON_RIM = 0.85
BUTTON_SLOT = (0.55, 0.11)
BUTTON_SHADES = (1.0, 0.7, 0.15)


def button_pixels(rgb) -> np.ndarray:
    """TensorSpace's close button seen from above: a disc in the layer's colour with a dark minus slot."""
    n = 64
    yy, xx = (np.mgrid[0:n, 0:n] + 0.5) / n * 2 - 1
    r = np.hypot(xx, yy)
    minus = (np.abs(yy) < BUTTON_SLOT[1]) & (np.abs(xx) < BUTTON_SLOT[0])
    out = np.empty((1, n, n, 4), np.uint8)
    disc, rim, slot = BUTTON_SHADES
    shade = np.where(minus, slot, np.where(r > BUTTON_RIM, rim, disc))      # the slot dark, the rim a little darker
    out[0, ..., :3] = np.rint(np.asarray(rgb)[None, None, :] * shade[..., None] * 255)
    out[0, ..., 3] = np.where(r <= 1, 255, 0)
    return out
