"""Where the maps of an open layer sit: a grid as TensorSpace arranges it, or a row (pure)."""
from __future__ import annotations

import math

import numpy as np

MAP_PITCH = 1.5              # centre pitch of open maps, in map sizes


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


def map_centers(count: int, width: float, depth: float, rect: bool) -> np.ndarray:
    """Centres of ``count`` maps in channel order: a grid (rect) or a row (line), centred at 0."""
    if not rect:
        return map_row(count, width)
    cols, rows = closest_factors(count)
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
