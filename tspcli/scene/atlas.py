"""Pack many small images into one texture (an atlas), so a layer is one mesh.

MobileNetV1 has about 11,000 feature maps when every layer is open; one
texture per layer keeps the cost with the pixels drawn, not with the number of
maps.  Tiles sit on a grid whose pitch is a multiple of ``ALIGN`` texels and
are padded by repeating their edge, so that linear filtering and the first
mipmap levels never mix one map with its neighbour.
"""
from __future__ import annotations

import math

import numpy as np

PAD = 2
ALIGN = 8
SWATCH = 8                  # texels per side of a flat-colour swatch
MAX_SIDE = 8192             # stays well under the GL texture limit of software renderers


def _round_up(n: int, step: int) -> int:
    return -(-n // step) * step


def grid_columns(count: int, pitch_w: int, pitch_h: int) -> int:
    """Columns of tiles that make the atlas closest to square (and not wider than MAX_SIDE)."""
    cols = max(1, round(math.sqrt(count * pitch_h / pitch_w)))
    cols = min(cols, max(1, MAX_SIDE // pitch_w), count)
    return cols


def pack(images: np.ndarray, swatches: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pack ``images`` (N, h, w, 4) uint8 and flat ``swatches`` (S, 4) uint8 into one RGBA image.

    Returns (atlas, tiles (N, 4), swatch_tiles (S, 4)); a tile is (u0, v0, u1, v1)
    in 0..1 with v = 0 at the top row.  A swatch tile is a single point at the
    centre of its swatch, so every corner of a face reads the same colour.
    """
    images = np.asarray(images, dtype=np.uint8)
    count, h, w = images.shape[:3]
    pitch_w, pitch_h = _round_up(w + 2 * PAD, ALIGN), _round_up(h + 2 * PAD, ALIGN)
    cols = grid_columns(count, pitch_w, pitch_h)
    rows = -(-count // cols)
    n_sw = len(swatches)
    width = max(cols * pitch_w, SWATCH)
    per_row = width // SWATCH
    height = rows * pitch_h + -(-n_sw // per_row) * SWATCH
    atlas = np.zeros((height, width, 4), np.uint8)

    index = np.arange(count)
    r, c = np.divmod(index, cols)
    full = np.zeros((rows * cols, pitch_h, pitch_w, 4), np.uint8)
    edge_padded(images, full[:count])
    atlas[:rows * pitch_h, :cols * pitch_w] = (
        full.reshape(rows, cols, pitch_h, pitch_w, 4).transpose(0, 2, 1, 3, 4).reshape(rows * pitch_h, cols * pitch_w, 4))
    x0 = c * pitch_w + PAD
    y0 = r * pitch_h + PAD
    tiles = np.stack([x0 / width, y0 / height, (x0 + w) / width, (y0 + h) / height], axis=1)

    swatch_tiles = np.zeros((n_sw, 4))
    for i, color in enumerate(np.asarray(swatches, np.uint8)):
        sr, sc = divmod(i, per_row)
        top, left = rows * pitch_h + sr * SWATCH, sc * SWATCH
        atlas[top:top + SWATCH, left:left + SWATCH] = color
        u, v = (left + SWATCH / 2) / width, (top + SWATCH / 2) / height
        swatch_tiles[i] = (u, v, u, v)
    return atlas, tiles, swatch_tiles


def edge_padded(images: np.ndarray, out: np.ndarray, pad: int = PAD) -> None:
    """``images`` (N, h, w, 4) into ``out`` (N, H, W, 4) at (pad, pad), the rest repeating their edges (as
    ``np.pad(mode="edge")``, which costs several times more for the one small image of a closed layer)."""
    h, w = images.shape[1:3]
    out[:, pad:pad + h, pad:pad + w] = images
    out[:, :pad, pad:pad + w] = images[:, :1]
    out[:, pad + h:, pad:pad + w] = images[:, -1:]
    out[:, :, :pad] = out[:, :, pad:pad + 1]
    out[:, :, pad + w:] = out[:, :, pad + w - 1:pad + w]
