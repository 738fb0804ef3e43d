"""A Scene flattened into 2-D drawing primitives in painter's order (pure numpy, no drawing library).

Every point goes through the scene's own camera (``scene.camera.project``),
the projection the PNG is drawn with, so each face's outline, each line and
each label lands where it does in the PNG.  The camera is a parallel one (the
iso, front, side and top presets), under which a flat feature map is an
affine image of itself: maps become images placed by exact affine maps
(``sheets``).  Elements are ordered by ``painter``; within an element, faces
turned away come first.  Coordinates are pixels at scale 1, x right and y up
from the bottom-left corner.
"""
from __future__ import annotations

import numpy as np

from ...errors import OptionError
from ...scene import camera as cam
from ...scene import geometry
from ...scene.planes import Plane
from . import glyphs, painter, sheets
from .primitives import Fill, Stroke

MAX_VECTOR_CELLS = 100_000
# Each box edge (geometry's corner pairs) lies between two faces (indices into geometry.FACE_NORMALS).
_EDGE_FACES = np.array([[0 if (a >> 1) & 1 else 1, 4 if a & 1 else 5] if (a ^ b) == 4 else
                        [2 if (a >> 2) & 1 else 3, 4 if a & 1 else 5] if (a ^ b) == 2 else
                        [2 if (a >> 2) & 1 else 3, 0 if (a >> 1) & 1 else 1]
                        for a, b in geometry.box_edges(np.zeros((1, 3)), (1, 1, 1))[1]])


def flatten(scene, cells: bool = False) -> list:
    """The scene's blocks and lines, back to front, as Fill, Picture and Stroke primitives.

    ``cells``: feature maps as one filled polygon per cell instead of images
    (at most ``MAX_VECTOR_CELLS`` cells in all).  The camera must be a parallel one.
    """
    if scene.camera.parallel_scale is None:
        raise OptionError("a vector figure needs a parallel (orthographic) camera: " + ", ".join(cam.PARALLEL),
                          hint="tsp is a perspective view, in which flat maps are no affine images; write a .png")
    eye = np.asarray(scene.camera.position, dtype=float)
    elements, lo, hi = [], [], []
    for blocks in scene.blocks:
        corners = geometry.bounds_corners(blocks.centers, blocks.size)
        elements.append(blocks)
        lo.append(corners.min(axis=0))
        hi.append(corners.max(axis=0))
    for lines in scene.lines:
        for path in lines.paths:
            elements.append((lines, path))
            lo.append(path.min(axis=0))
            hi.append(path.max(axis=0))
    if cells:
        _check_cells(scene.blocks)

    to_px = cam.projector(scene.camera, scene.size)

    out = []
    for i in painter.order(np.array(lo).reshape(-1, 3), np.array(hi).reshape(-1, 3), eye):
        element = elements[i]
        if isinstance(element, tuple):
            lines, path = element
            out.append(Stroke([to_px(path)], lines.color, lines.width))
        else:
            out += _blocks(element, eye, to_px, cells)
    return out


def _blocks(blocks, eye: np.ndarray, to_px, cells: bool) -> list:
    """One Blocks element: the faces turned away (where they show through), their edges, the faces
    turned towards the eye, their edges; boxes farthest first within each group.

    Faces turned away are dropped where the raster drops them too
    (``Blocks.faces == "front"``, one-sided as TensorSpace's materials) or
    where every face is opaque, which hides them.  Otherwise translucent ones
    show through, as in the PNG; the data face behind a map one cell thick
    lies a pixel or two under the one in front, so it is folded into it
    (``sheets.faces``'s ``fold``) rather than drawn twice.
    """
    centers = np.asarray(blocks.centers, dtype=float)
    size = np.asarray(blocks.size, dtype=float)
    rank = np.argsort(-np.linalg.norm(centers - eye, axis=1), kind="stable")
    centers = centers[rank]
    face_centers = centers[:, None, :] + geometry.FACE_NORMALS[None] * size / 2          # (N, 6, 3)
    facing = np.einsum("nfk,fk->nf", eye - face_centers, geometry.FACE_NORMALS) > 0
    points = to_px(geometry.box_points(centers, size).astype(float)).reshape(-1, 6, 4, 2)
    plane = Plane(*blocks.plane)
    axes = np.abs(geometry.FACE_NORMALS).argmax(axis=1)                  # the axis each face lies across
    others = [a for a in range(3) if a != plane.normal]                  # side tiles: the lower axis first
    image = blocks.texture.image
    sides = [_texel(image, tile) for tile in blocks.side_tiles]
    tiles = [_tile(image, tile) for tile in np.asarray(blocks.tiles)[rank]]
    opaque = blocks.opacity >= 1 and all(s[3] == 255 for s in sides) and all(t[..., 3].min() == 255 for t in tiles)
    back = blocks.faces != "front" and not opaque
    button = glyphs.is_close_button(blocks)
    fold = back and len(centers) > 1 and any(t.shape[0] * t.shape[1] > 1 for t in tiles)
    out = []
    for front in ([False, True] if back else [True]):
        shown = facing if front else ~facing
        for face in np.nonzero(axes != plane.normal)[0]:
            side = sides[others.index(axes[face])]
            polygons = list(points[shown[:, face], face])
            if polygons and side[3] > 0:
                out.append(Fill(polygons, sheets.rgba(side, blocks.opacity)))
        for face in np.nonzero(axes == plane.normal)[0]:
            boxes = np.nonzero(shown[:, face])[0]
            if len(boxes) == 0 or (fold and not front):
                continue
            quads = _data_quads(centers[boxes], size, plane, geometry.FACE_NORMALS[face])
            if button:
                out += [f for quad in quads for f in glyphs.close_button(quad, image, blocks.opacity, to_px)]
            else:
                name = f"{blocks.key}-{'xyz'[plane.normal]}{'+' if geometry.FACE_NORMALS[face].sum() > 0 else '-'}"
                out += sheets.faces(blocks, boxes, quads, tiles, fold, to_px, cells, name)
        if blocks.edge is not None:
            out += _edges(blocks, centers, facing, front, to_px)
    return out


def _data_quads(centers: np.ndarray, size: np.ndarray, plane: Plane, normal: np.ndarray) -> np.ndarray:
    """(N, 4, 3) corners of the boxes' data faces on the side ``normal``, in the image's (s, t) order:
    s along its columns (``plane.u``), t down its rows (``plane.v``)."""
    across, _, down = plane.vectors()
    width, height = (float(np.abs(vector) @ size) for vector in (across, down))
    st = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]) - 0.5
    offsets = st[:, :1] * width * across + st[:, 1:] * height * down + normal * (np.abs(normal) @ size) / 2
    return centers[:, None, :] + offsets[None]


def _edges(blocks, centers, facing, front: bool, to_px) -> list:
    """Box outlines: an edge between two faces turned away is hidden behind the box, drawn with the back."""
    points, segments = geometry.box_edges(centers, blocks.size)
    shown = facing[:, _EDGE_FACES].any(axis=2).ravel()          # (N*12,): a face beside it is turned towards
    segments = segments[shown if front else ~shown]
    if len(segments) == 0:
        return []
    xy = to_px(points)
    return [Stroke(list(xy[segments]), (*blocks.edge, blocks.opacity), 1.0)]


def _tile(image: np.ndarray, tile) -> np.ndarray:
    """The texels of a tile (u0, v0, u1, v1), row 0 first; a point tile is its one texel."""
    height, width = image.shape[:2]
    u0, v0, u1, v1 = tile
    x0, x1 = int(round(u0 * width)), int(round(u1 * width))
    y0, y1 = int(round(v0 * height)), int(round(v1 * height))
    if x1 <= x0 or y1 <= y0:
        return _texel(image, tile)[None, None]
    return image[y0:y1, x0:x1]


def _texel(image: np.ndarray, tile) -> np.ndarray:
    height, width = image.shape[:2]
    return image[min(int(tile[1] * height), height - 1), min(int(tile[0] * width), width - 1)]


def _check_cells(blocks_list) -> None:
    total = 0
    for blocks in blocks_list:
        for tile in blocks.tiles:
            pixels = _tile(blocks.texture.image, tile)
            total += pixels.shape[0] * pixels.shape[1]
    if total > MAX_VECTOR_CELLS:
        raise OptionError(f"--vector-cells draws at most {MAX_VECTOR_CELLS:,} cells; this picture has {total:,}",
                          hint="leave it out to draw maps as images, or open fewer layers")
