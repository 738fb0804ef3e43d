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


def faces(blocks, boxes, face: int, corners, tiles, fold: bool, to_px, cells: bool) -> list:
    """Fills and Pictures of the y face ``face`` (0: +y, 1: -y) of the boxes ``boxes`` (indices).

    ``corners``: (N, 6, 4, 3) face corners; ``tiles``: each box's texels;
    ``fold``: the face also stands for the face behind it (a map one cell
    thick seen through itself), so its alpha becomes 1 - (1 - a)^2.
    """
    opacity = blocks.opacity
    quads = corners[boxes, face]
    if all(tiles[n].shape[0] * tiles[n].shape[1] == 1 for n in boxes):   # output cubes, plates: flat colours
        return _by_color(np.array([tiles[n][0, 0] for n in boxes]), [to_px(q) for q in quads], opacity)
    if cells:
        return [fill for n, quad in zip(boxes, quads) for fill in _cells(tiles[n], quad, opacity, to_px)]
    f = _lattice(blocks, boxes, quads, tiles)
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
        name = f"{blocks.key}#{k}" + ("" if face == 0 else "-below")
        out.append(Picture(image, affine(to_px(rect)), opacity, name))
    return out


def _lattice(blocks, boxes, quads, tiles) -> int | None:
    """1 or 2 when the boxes' faces lie in one plane with every corner on the cell grid (or the
    half-cell grid) of the first box, with equal tiles and not too sparse; else None."""
    if len(boxes) < 2:
        return None
    shape = tiles[boxes[0]].shape
    if any(tiles[n].shape != shape for n in boxes) or np.ptp(quads[:, 0, 1]) > 1e-9:
        return None
    h, w = shape[:2]
    cell = np.array([blocks.size[0] / w, blocks.size[2] / h])
    offsets = (quads[:, 0, [0, 2]] - quads[:, 0, [0, 2]].min(axis=0)) / cell      # in cells
    for f in (1, 2):
        if np.allclose(offsets * f, np.round(offsets * f), atol=1e-6):
            extent = (offsets.max(axis=0) + [w, h]) * f
            if extent[0] * extent[1] <= MAX_SPARSITY * len(boxes) * w * h * f * f:
                return f
            return None
    return None


def _compose(group, boxes, quads, tiles, f: int):
    """(image, 3-D corners of its rectangle) of the boxes ``group`` (positions in ``boxes``) at ``f`` texels a cell."""
    if len(group) == 1:
        return np.ascontiguousarray(tiles[boxes[group[0]]]), quads[group[0]]
    h, w = tiles[boxes[group[0]]].shape[:2]
    first = quads[group, 0]
    lo, hi = first.min(axis=0), quads[group, 2].max(axis=0)
    cell = (quads[group[0], 2] - quads[group[0], 0])[[0, 2]] / [w, h]
    at = np.round((first[:, [0, 2]] - lo[[0, 2]]) / cell * f).astype(int)          # (column, row) of each map
    rows, cols = int(at[:, 1].max()) + h * f, int(at[:, 0].max()) + w * f
    image = np.zeros((rows, cols, 4), np.uint8)
    for (c, r), i in zip(at, group):
        tile = tiles[boxes[i]]
        image[r:r + h * f, c:c + w * f] = np.repeat(np.repeat(tile, f, axis=0), f, axis=1) if f > 1 else tile
    y = lo[1]
    rect = np.array([[lo[0], y, lo[2]], [hi[0], y, lo[2]], [hi[0], y, hi[2]], [lo[0], y, hi[2]]])
    return np.ascontiguousarray(image), rect


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
