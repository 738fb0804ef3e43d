"""Where the maps of an open layer sit: a grid as TensorSpace arranges it, or a row (pure)."""
from __future__ import annotations

import math

import numpy as np

MAP_PITCH = 1.5              # centre pitch of open maps, in map sizes
LONG = 2.0                   # maps longer than this (side over side) get a grid shaped to the whole


def closest_factors(n: int) -> tuple[int, int]:
    """(columns, rows) of the grid of n maps: the two closest factors, columns >= rows.

    As TensorSpace means it: a grid at most 2:1 (its loop lets 7 -> 7 x 1
    through; we do not).  Counts that only factor into longer shapes (primes,
    2 x a prime) use a near-square grid with empty slots; 2 and 3 maps stay a row.
    """
    root = math.isqrt(n)
    if root * root == n:
        return root, root
    base = root
    while base > 1 and n % base:
        base -= 1
    if n <= 3 or n // base <= 2 * base:
        return n // base, base
    side = root + 1
    return side, -(-n // side)


def grid_shape(count: int, width: float, depth: float) -> tuple[int, int]:
    """(columns, rows) of the grid of ``count`` maps of ``width`` x ``depth``: TensorSpace's closest
    factors for maps about square; for long maps (one side over twice the other: 2x96 maps of a text
    line, a spectrogram's), the columns and rows that make the whole grid closest to square, without an
    empty column, so that a layer of strips opens into a block of them rather than a hairline."""
    if max(width, depth) <= LONG * min(width, depth):
        return closest_factors(count)
    best = None
    for cols in range(1, count + 1):
        rows = -(-count // cols)
        if (cols - 1) * rows >= count:         # the last column would be empty
            continue
        off = abs(math.log(cols * width / (rows * depth)))
        if best is None or off < best[0]:
            best = (off, cols, rows)
    return best[1], best[2]


def map_centers(count: int, width: float, depth: float, rect: bool) -> np.ndarray:
    """Centres of ``count`` maps in channel order: a grid (rect) or a row (line), centred at 0."""
    if not rect:
        return map_row(count, width)
    cols, rows = grid_shape(count, width, depth)
    index = np.arange(count)
    col, row = index // rows, index % rows     # TensorSpace fills columns first
    centers = np.zeros((count, 3))
    centers[:, 0] = (col - (cols - 1) / 2) * MAP_PITCH * width
    centers[:, 2] = (row - (rows - 1) / 2) * MAP_PITCH * depth
    return centers


def map_row(count: int, width: float) -> np.ndarray:
    """Centres of ``count`` maps in a row along x, centred at 0."""
    centers = np.zeros((count, 3))
    centers[:, 0] = (np.arange(count) - (count - 1) / 2) * MAP_PITCH * width
    return centers
