"""The plane an open layer's maps lie in: TensorSpace's layer plane, or the one that faces the camera (pure).

TensorSpace lays feature maps flat in the layer's plane (x-z) and looks at
them from above.  Seen from the side (its own ``tsp`` view, or any view level
with the stack), that plane is edge-on and a grid of maps is a sliver.  So an
open layer's grid lies in the axis plane that faces the camera most squarely
(within 40 degrees for every preset); its images read as they do in the
picture: columns to the right, rows downward.  Boxes stay axis-aligned; a
``Plane`` only says which scene axes carry an image's columns, rows and
thickness.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AXES = "xyz"


@dataclass(frozen=True)
class Plane:
    """``u``: the signed scene axis of an image's columns (e.g. "+x"); ``v``: that of its rows, downward."""

    u: str = "+x"
    v: str = "+z"

    @property
    def normal(self) -> int:
        return 3 - AXES.index(self.u[1]) - AXES.index(self.v[1])

    def vectors(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scene vectors of the columns' direction, the normal and the rows' direction."""
        return _vector(self.u), np.eye(3)[self.normal], _vector(self.v)

    def points(self, across, out, down) -> np.ndarray:
        """Scene points ``across`` the columns, ``out`` along the normal and ``down`` the rows (arrays)."""
        u, n, v = self.vectors()
        return (np.asarray(across, dtype=float)[:, None] * u + np.asarray(out, dtype=float)[:, None] * n
                + np.asarray(down, dtype=float)[:, None] * v)

    def size(self, width: float, thickness: float, height: float) -> tuple[float, float, float]:
        """A box ``width`` along the columns, ``height`` along the rows, ``thickness`` along the normal."""
        out = [0.0, 0.0, 0.0]
        out[AXES.index(self.u[1])] = width
        out[AXES.index(self.v[1])] = height
        out[self.normal] = thickness
        return tuple(out)


FLAT = Plane()       # TensorSpace's: maps in the layer's plane, columns along +x, rows along +z


def facing(toward: np.ndarray, right: np.ndarray, up: np.ndarray) -> Plane:
    """The axis plane that faces a camera looking along ``-toward`` (scene vectors) most squarely; when
    that is the layer plane (a view from above), TensorSpace's own orientation."""
    normal = int(np.argmax(np.abs(toward)))
    if normal == 1:
        return FLAT
    others = [a for a in range(3) if a != normal]
    across = max(others, key=lambda a: abs(right[a]))
    down = next(a for a in others if a != across)
    return Plane(("+" if right[across] >= 0 else "-") + AXES[across],
                 ("+" if -up[down] >= 0 else "-") + AXES[down])


def _vector(axis: str) -> np.ndarray:
    return np.eye(3)[AXES.index(axis[1])] * (1.0 if axis[0] == "+" else -1.0)
