"""Meshes of scene elements as numpy arrays, ready for any renderer.

A Blocks element becomes one quad mesh: 6 faces x 4 corners per box, each face
with its own texture coordinates.  When only the positions change between
frames, ``box_points`` alone is recomputed (the faces and texture coordinates
stay), which keeps animation cheap.
"""
from __future__ import annotations

import numpy as np

# The 8 corners of a unit cube centred at 0, and each face as 4 of them.
_CORNERS = np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)])
#   index = 4*ix + 2*iy + iz
_FACES = np.array([
    [2, 6, 7, 3],   # +y: (x-,z-) (x+,z-) (x+,z+) (x-,z+)
    [0, 4, 5, 1],   # -y, same corner order so the image is not flipped
    [4, 6, 7, 5],   # +x
    [0, 2, 3, 1],   # -x
    [1, 5, 7, 3],   # +z
    [0, 4, 6, 2],   # -z
])
_FACE_AXES = (1, 1, 0, 0, 2, 2)
FACE_NORMALS = np.array([[0, 1, 0], [0, -1, 0], [1, 0, 0], [-1, 0, 0], [0, 0, 1], [0, 0, -1]], dtype=float)
_FACE_CORNERS = _CORNERS[_FACES.ravel()]             # (24, 3)
_EDGES = np.array([[0, 4], [1, 5], [2, 6], [3, 7], [0, 2], [1, 3], [4, 6], [5, 7],
                   [0, 1], [2, 3], [4, 5], [6, 7]])


def box_points(centers: np.ndarray, size) -> np.ndarray:
    """(N*24, 3) float32 corner positions of N boxes, 4 per face, 6 faces per box."""
    centers = np.asarray(centers, dtype=np.float32).reshape(-1, 1, 3)
    return (centers + _FACE_CORNERS[None] * np.asarray(size, dtype=np.float32)).reshape(-1, 3)


def box_tcoords(tiles: np.ndarray, side_tiles: np.ndarray, plane=("+x", "+z")) -> np.ndarray:
    """(N*24, 2) texture coordinates, v = 0 at the top row of the image.

    ``plane``: the signed axes of the image's columns and rows (see ``Blocks.plane``); the two faces
    across the remaining axis show the tile, the others the side tiles (the lower axis first).
    """
    tiles = np.asarray(tiles, dtype=np.float32).reshape(-1, 4)
    u_axis, v_axis = "xyz".index(plane[0][1]), "xyz".index(plane[1][1])
    normal = 3 - u_axis - v_axis
    sides = [a for a in range(3) if a != normal]
    side = np.asarray(side_tiles, dtype=np.float32)[:, :2]                          # points
    faces = []
    for k, axis in enumerate(_FACE_AXES):
        if axis == normal:
            corners = _CORNERS[_FACES[k]]
            s = (corners[:, u_axis] * (1 if plane[0][0] == "+" else -1) + 0.5).astype(np.float32)
            t = (corners[:, v_axis] * (1 if plane[1][0] == "+" else -1) + 0.5).astype(np.float32)
            u = tiles[:, :1] + s[None] * (tiles[:, 2:3] - tiles[:, :1])
            v = tiles[:, 1:2] + t[None] * (tiles[:, 3:4] - tiles[:, 1:2])
            faces.append(np.stack([u, v], axis=2))                                   # (N, 4, 2)
        else:
            faces.append(np.broadcast_to(side[sides.index(axis)], (len(tiles), 4, 2)))
    return np.concatenate(faces, axis=1).reshape(-1, 2)


def box_quads(count: int) -> np.ndarray:
    """(N*6, 4) vertex indices of the quads of N boxes."""
    return np.arange(count * 24, dtype=np.int64).reshape(-1, 4)


def box_edges(centers: np.ndarray, size) -> tuple[np.ndarray, np.ndarray]:
    """Outline of N boxes: (N*8, 3) points and (N*12, 2) segments."""
    centers = np.asarray(centers, dtype=np.float32).reshape(-1, 1, 3)
    points = (centers + _CORNERS[None] * np.asarray(size, dtype=np.float32)).reshape(-1, 3)
    segments = (_EDGES[None] + 8 * np.arange(len(centers))[:, None, None]).reshape(-1, 2)
    return points, segments


def box_corners(centers: np.ndarray, size) -> np.ndarray:
    """(N*8, 3) corners of each of N boxes."""
    centers = np.asarray(centers, dtype=float).reshape(-1, 1, 3)
    return (centers + _CORNERS[None] * np.asarray(size, dtype=float)).reshape(-1, 3)


def bounds_corners(centers: np.ndarray, size) -> np.ndarray:
    """The 8 corners of the box that holds N boxes."""
    centers = np.asarray(centers, dtype=float).reshape(-1, 3)
    half = np.asarray(size, dtype=float) / 2
    ends = np.stack([centers.min(0) - half, centers.max(0) + half])
    return ends[_CORNER_ENDS, _XYZ]


def blocks_corners(blocks) -> np.ndarray:
    """(8 * len(blocks), 3): ``bounds_corners`` of each Blocks element, in order; those of one box at once."""
    if not blocks:
        return np.zeros((0, 3))
    single = np.array([len(b.centers) == 1 for b in blocks])
    corners = np.empty((len(blocks), 8, 3))
    if single.any():
        centers = np.array([b.centers[0] for b, one in zip(blocks, single) if one], dtype=float)
        half = np.array([b.size for b, one in zip(blocks, single) if one], dtype=float) / 2
        ends = np.stack([centers - half, centers + half], axis=1)          # (M, 2, 3): low and high ends
        corners[single] = ends[:, _CORNER_ENDS, _XYZ]
    for k in np.flatnonzero(~single):
        corners[k] = bounds_corners(blocks[k].centers, blocks[k].size)
    return corners.reshape(-1, 3)


_CORNER_ENDS = (_CORNERS > 0).astype(int)       # which end (low 0, high 1) each corner takes on each axis
_XYZ = np.arange(3)
