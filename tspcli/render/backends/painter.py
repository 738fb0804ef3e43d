"""Painter's order: which scene elements a 2-D drawing must paint first (pure numpy).

A vector figure has no depth buffer: whatever is painted later covers what
was painted before.  Elements are compared by their axis-aligned bounding
boxes.  When two boxes are apart along an axis and the eye is beyond the
nearer one's face on that axis, every ray from the eye meets the far one
first, so it is painted first; with the eye between them no ray meets both
and either order is right.  This is exact for separated convex elements
(layers, which stand apart along the stacking axis, and the connections in
the gaps between them).  Elements whose boxes intersect (a layer drawn
through another, a skip connection bowing past a layer) have no exact order:
the one whose centre is farther from the eye is painted whole first, so in
the picture the nearer one covers it where they overlap.
"""
from __future__ import annotations

import numpy as np


def order(lo: np.ndarray, hi: np.ndarray, eye: np.ndarray) -> list[int]:
    """Indices of N boxes (``lo``, ``hi``: (N, 3) corners) back to front as seen from ``eye``."""
    lo, hi, eye = (np.asarray(a, dtype=float) for a in (lo, hi, eye))
    n = len(lo)
    if n == 0:
        return []
    centers = (lo + hi) / 2
    distance = np.linalg.norm(centers - eye, axis=1)
    # before[a, b]: a must be painted before b (a is behind b along some axis that separates them)
    a_lo, a_hi = lo[:, None, :], hi[:, None, :]
    b_lo, b_hi = lo[None, :, :], hi[None, :, :]
    below = (a_hi <= b_lo) & (eye >= b_lo)       # a under b along the axis, the eye on b's far side
    above = (b_hi <= a_lo) & (eye <= b_hi)
    before = np.any(below | above, axis=2)
    np.fill_diagonal(before, False)
    waiting = before.sum(axis=0)                 # how many must go before each
    done = np.zeros(n, bool)
    result = []
    for _ in range(n):
        ready = np.nonzero(~done & (waiting == 0))[0]
        if len(ready) == 0:    # a cycle of constraints (cannot happen for separated boxes): farthest first
            ready = np.nonzero(~done)[0]
        pick = int(ready[np.argmax(distance[ready])])
        done[pick] = True
        result.append(pick)
        waiting -= before[pick]
    return result
