"""A Scene flattened into 2-D drawing primitives in painter's order (pure numpy, no drawing library).

Every point goes through the scene's own camera (``scene.camera.project``),
the projection the PNG is drawn with, so each face's outline, each line and
each label lands where it does in the PNG.  A face's feature map becomes an
image placed by an affine map: exact for a parallel projection, and for the
presets' narrow 12-degree view the least-squares fit of the face's four
projected corners; where that fit would be off by more than ``TOLERANCE``
pixels at a corner, the map is cut along its cells into pieces placed one by
one (``_pieces``), so no cell is ever more than that from its place.

Coordinates are pixels at scale 1, x right and y up from the bottom-left
corner, as in ``scene.camera.project``.
"""
from __future__ import annotations

import math

import numpy as np

from ...errors import OptionError
from ...scene import camera as cam
from ...scene import geometry
from . import glyphs, painter
from .primitives import Fill, Picture, Stroke, affine, bilinear

TOLERANCE = 0.5          # pixels a map's corner may be off its projected place
MAX_VECTOR_CELLS = 100_000
# Each box edge (geometry's corner pairs) lies between two faces (indices into geometry.FACE_NORMALS).
_EDGE_FACES = np.array([[0 if (a >> 1) & 1 else 1, 4 if a & 1 else 5] if (a ^ b) == 4 else
                        [2 if (a >> 2) & 1 else 3, 4 if a & 1 else 5] if (a ^ b) == 2 else
                        [2 if (a >> 2) & 1 else 3, 0 if (a >> 1) & 1 else 1]
                        for a, b in geometry.box_edges(np.zeros((1, 3)), (1, 1, 1))[1]])


def flatten(scene, cells: bool = False) -> list:
    """The scene's blocks and lines, back to front, as Fill, Picture and Stroke primitives.

    ``cells``: feature maps as one filled polygon per cell instead of images
    (at most ``MAX_VECTOR_CELLS`` cells in all).
    """
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

    def to_px(points):
        return cam.project(points, scene.camera, scene.size)

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
    """One Blocks element: faces turned away (when they show through), their edges, the faces turned
    towards the eye, their edges; boxes farthest first within each group."""
    centers = np.asarray(blocks.centers, dtype=float)
    size = np.asarray(blocks.size, dtype=float)
    rank = np.argsort(-np.linalg.norm(centers - eye, axis=1), kind="stable")
    centers = centers[rank]
    tiles = np.asarray(blocks.tiles)[rank]
    face_centers = centers[:, None, :] + geometry.FACE_NORMALS[None] * size / 2          # (N, 6, 3)
    facing = np.einsum("nfk,fk->nf", eye - face_centers, geometry.FACE_NORMALS) > 0
    corners = geometry.box_points(centers, size).astype(float)
    points = to_px(corners).reshape(-1, 6, 4, 2)
    corners = corners.reshape(-1, 6, 4, 3)
    image = blocks.texture.image
    sides = [_texel(image, tile) for tile in blocks.side_tiles]
    opaque = blocks.opacity >= 1 and _opaque(image, tiles, sides)
    button = glyphs.is_close_button(blocks)
    cache: dict = {}          # a box's images, shared by its two faces (a PDF stores each image once)
    out = []
    for front in ([False, True] if not opaque else [True]):
        shown = facing if front else ~facing
        for face, side in ((2, 0), (3, 0), (4, 1), (5, 1)):
            rgba = sides[side]
            polygons = [points[n, face] for n in np.nonzero(shown[:, face])[0]]
            if polygons and rgba[3] > 0:
                out.append(Fill(polygons, _color(rgba, blocks.opacity)))
        for face in (0, 1):
            for n in np.nonzero(shown[:, face])[0]:
                if button:
                    out += glyphs.close_button(corners[n, face], image, blocks.opacity, to_px)
                else:
                    out += _data_face(blocks, tiles[n], corners[n, face], rank[n], face, cache, to_px, cells)
        if blocks.edge is not None:
            out += _edges(blocks, centers, facing, front, to_px)
    return out


def _data_face(blocks, tile, corners, index: int, face: int, cache: dict, to_px, cells: bool) -> list:
    """A y face: its tile of the texture as an image (or its cells), or flat when the tile is one colour."""
    pixels = _tile(blocks.texture.image, tile)
    if pixels.shape[0] * pixels.shape[1] == 1 or not np.any(pixels != pixels[:1, :1]):
        if pixels[0, 0, 3] == 0:
            return []
        return [Fill([to_px(corners)], _color(pixels[0, 0], blocks.opacity))]
    if cells:
        return _cells(pixels, corners, blocks.opacity, to_px)
    name = f"{blocks.key}#{index}" + ("" if face == 0 else "-below")
    return [Picture(cache.setdefault((index, *box), np.ascontiguousarray(pixels[box[0]:box[1], box[2]:box[3]])),
                    matrix, blocks.opacity, name)
            for box, matrix in _pieces(pixels.shape[:2], corners, to_px)]


def _pieces(shape: tuple[int, int], corners: np.ndarray, to_px) -> list:
    """((row0, row1, col0, col1), affine matrix) of each piece of a face's image, few enough pieces that each
    is placed within TOLERANCE.

    Under perspective a face's projection is not a parallelogram; the
    least-squares affine fit misses each corner by a quarter of the sum
    p0 - p1 + p2 - p3, and cutting the face k times each way divides that by k^2.
    """
    h, w = shape
    xy = to_px(corners)
    miss = float(np.linalg.norm(xy[0] - xy[1] + xy[2] - xy[3])) / 4
    k = 1 if miss <= TOLERANCE else math.ceil(math.sqrt(miss / TOLERANCE))
    cols = np.unique(np.linspace(0, w, min(k, w) + 1).round().astype(int))
    rows = np.unique(np.linspace(0, h, min(k, h) + 1).round().astype(int))
    pieces = []
    for r0, r1 in zip(rows[:-1], rows[1:]):
        for c0, c1 in zip(cols[:-1], cols[1:]):
            st = np.array([[c0 / w, r0 / h], [c1 / w, r0 / h], [c1 / w, r1 / h], [c0 / w, r1 / h]])
            pieces.append(((int(r0), int(r1), int(c0), int(c1)), affine(to_px(bilinear(corners, st)))))
    return pieces


def _cells(pixels: np.ndarray, corners: np.ndarray, opacity: float, to_px) -> list:
    """Each cell a quadrilateral with its corners projected, grouped by colour."""
    h, w = pixels.shape[:2]
    s, t = np.meshgrid(np.arange(w + 1) / w, np.arange(h + 1) / h)
    grid = to_px(bilinear(corners, np.stack([s.ravel(), t.ravel()], axis=1))).reshape(h + 1, w + 1, 2)
    quads = np.stack([grid[:-1, :-1], grid[:-1, 1:], grid[1:, 1:], grid[1:, :-1]], axis=2).reshape(-1, 4, 2)
    colors, which = np.unique(pixels.reshape(-1, 4), axis=0, return_inverse=True)
    return [Fill(list(quads[which.ravel() == k]), _color(c, opacity)) for k, c in enumerate(colors) if c[3] > 0]


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


def _opaque(image, tiles, sides) -> bool:
    """Whether every face of the boxes is opaque, so that faces turned away are hidden."""
    return all(s[3] == 255 for s in sides) and all(int(_tile(image, tile)[..., 3].min()) == 255 for tile in tiles)


def _color(rgba, opacity: float) -> tuple:
    r, g, b, a = (float(c) / 255 for c in rgba)
    return (r, g, b, a * opacity)


def _check_cells(blocks_list) -> None:
    total = 0
    for blocks in blocks_list:
        for tile in blocks.tiles:
            pixels = _tile(blocks.texture.image, tile)
            total += pixels.shape[0] * pixels.shape[1]
    if total > MAX_VECTOR_CELLS:
        raise OptionError(f"--vector-cells draws at most {MAX_VECTOR_CELLS:,} cells; this picture has {total:,}",
                          hint="leave it out to draw maps as images, or open fewer layers")
