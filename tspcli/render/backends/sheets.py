"""The data faces of boxes as images, composed into few sheets (pure numpy).

A PDF or SVG pays for every image it holds (matplotlib encodes each on its
own, about 1.5 ms apiece), and MobileNetV1 has 10,947 feature maps.  The maps
of an open layer lie in one plane on a grid whose pitch is a whole number of
cells (half a cell for odd sizes: 1.5 map sizes), so they compose into one
image with transparent gaps in which every cell keeps its place (at twice the
resolution where the pitch has half cells).  Under a parallel projection a
flat image is placed exactly by the affine map of its rectangle's corners.
Boxes off such a grid (strips, maps in flight in an animation) get an image each.
"""
from __future__ import annotations

import numpy as np

from .primitives import Fill, Picture, affine, bilinear

MAX_SPARSITY = 4.0       # a sheet may hold at most this many times the texels of its maps (gaps included)


def faces(blocks, boxes, quads, tiles, fold: bool, to_px, cells: bool, name: str) -> list:
    """Fills and Pictures of one data face of each of the boxes ``boxes`` (indices).

    ``quads``: (len(boxes), 4, 3) those faces' corners, in the order (s, t) = (0, 0), (1, 0), (1, 1),
    (0, 1) of the image's columns and rows; ``tiles``: each box's texels;
    ``fold``: the face also stands for the face behind it (a map one cell
    thick seen through itself), so its alpha becomes 1 - (1 - a)^2.
    """
    opacity = blocks.opacity
    if all(tiles[n].shape[0] * tiles[n].shape[1] == 1 for n in boxes):   # output cubes, plates: flat colours
        return _by_color(np.array([tiles[n][0, 0] for n in boxes]), [to_px(q) for q in quads], opacity)
    if cells:
        return [fill for n, quad in zip(boxes, quads) for fill in _cells(tiles[n], quad, opacity, to_px)]
    f = _lattice(boxes, quads, tiles)
    groups = [list(range(len(boxes)))] if f else [[i] for i in range(len(boxes))]
    out = []
    for k, group in enumerate(groups):
        image, rect = _compose(group, boxes, quads, tiles, f)
        if fold:
            image = image.copy()
            image[..., 3] = 255 - (255 - image[..., 3].astype(np.uint16)) ** 2 // 255
        if len(group) == 1 and not np.any(image != image[:1, :1]):
            out += _by_color(image[:1, 0], [to_px(rect)], opacity)
            continue
        out.append(Picture(image, affine(to_px(rect)), opacity, f"{name}#{k}"))
    return out


def _lattice(boxes, quads, tiles) -> int | None:
    """1 or 2 when the faces lie in one plane with every corner on the cell grid (or the half-cell
    grid) of the first, with equal tiles and not too sparse; else None."""
    if len(boxes) < 2:
        return None
    shape = tiles[boxes[0]].shape
    if any(tiles[n].shape != shape for n in boxes):
        return None
    h, w = shape[:2]
    (a, b), du, dv = _offsets(quads, w, h)
    normal = np.cross(du, dv)
    away = (quads[:, 0] - quads[0, 0]) @ (normal / np.linalg.norm(normal))
    if np.abs(away).max() > 1e-6 * float(np.linalg.norm(du)) * w:
        return None
    offsets = np.stack([a - a.min(), b - b.min()], axis=1)
    for f in (1, 2):
        if np.allclose(offsets * f, np.round(offsets * f), atol=1e-6):
            extent = (offsets.max(axis=0) + [w, h]) * f
            if extent[0] * extent[1] <= MAX_SPARSITY * len(boxes) * w * h * f * f:
                return f
            return None
    return None


def _offsets(quads, w: int, h: int):
    """((columns, rows) of each face's first corner, in cells of the first face; one cell's 3-D step
    along the columns; along the rows)."""
    du = (quads[0, 1] - quads[0, 0]) / w
    dv = (quads[0, 3] - quads[0, 0]) / h
    rel = quads[:, 0] - quads[0, 0]
    return (rel @ du / (du @ du), rel @ dv / (dv @ dv)), du, dv


def _compose(group, boxes, quads, tiles, f: int):
    """(image, 3-D corners of its rectangle) of the faces ``group`` (positions in ``boxes``) at ``f`` texels a cell."""
    if len(group) == 1:
        return np.ascontiguousarray(tiles[boxes[group[0]]]), quads[group[0]]
    h, w = tiles[boxes[group[0]]].shape[:2]
    (a, b), du, dv = _offsets(quads[group], w, h)
    cols_at = np.round((a - a.min()) * f).astype(int)
    rows_at = np.round((b - b.min()) * f).astype(int)
    rows, cols = int(rows_at.max()) + h * f, int(cols_at.max()) + w * f
    image = np.zeros((rows, cols, 4), np.uint8)
    for c, r, i in zip(cols_at, rows_at, group):
        tile = tiles[boxes[i]]
        image[r:r + h * f, c:c + w * f] = np.repeat(np.repeat(tile, f, axis=0), f, axis=1) if f > 1 else tile
    origin = quads[group[0], 0] + a.min() * du + b.min() * dv
    across, down = cols / f * du, rows / f * dv
    rect = np.array([origin, origin + across, origin + across + down, origin + down])
    return image, rect


def _cells(pixels: np.ndarray, corners: np.ndarray, opacity: float, to_px) -> list:
    """Each cell a quadrilateral with its corners projected, grouped by colour."""
    h, w = pixels.shape[:2]
    s, t = np.meshgrid(np.arange(w + 1) / w, np.arange(h + 1) / h)
    grid = to_px(bilinear(corners, np.stack([s.ravel(), t.ravel()], axis=1))).reshape(h + 1, w + 1, 2)
    quads = np.stack([grid[:-1, :-1], grid[:-1, 1:], grid[1:, 1:], grid[1:, :-1]], axis=2).reshape(-1, 4, 2)
    return _by_color(pixels.reshape(-1, 4), list(quads), opacity)


def _by_color(colors: np.ndarray, polygons: list, opacity: float) -> list:
    """One Fill per distinct RGBA colour (uint8 rows of ``colors``, one per polygon); clear ones left out."""
    unique, which = np.unique(colors.reshape(-1, 4), axis=0, return_inverse=True)
    which = which.ravel()
    return [Fill([polygons[i] for i in np.nonzero(which == k)[0]], rgba(c, opacity))
            for k, c in enumerate(unique) if c[3] > 0]


def rgba(texel, opacity: float) -> tuple:
    r, g, b, a = (float(c) / 255 for c in texel)
    return (r, g, b, a * opacity)
