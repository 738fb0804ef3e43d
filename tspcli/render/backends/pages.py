"""Pack a scene's textures into few large images (pages), so that all textured faces are one mesh (pure numpy).

Every texture of a scene (one per layer: ``scene.atlas`` already packs a
layer's maps) is copied into a page, framed by ``MARGIN`` texels that repeat
its edge, at a place aligned to ``ALIGN`` texels.  Faces are sampled nearest
when magnified and bilinearly from the full image when minified (see
``pyvista_items.texture``), so a face's sample reaches at most half a texel
beyond its tile, which then reads the image's own edge, as clamping did when
it was a texture of its own.  The wider margin and the alignment would also
keep the first mipmap levels (2x2 ... 8x8 averages) from mixing two images,
should mipmaps ever be read.  Pages are as close to square as the textures
allow and no larger than ``limit`` (the GL maximum texture size) a side; one
page holds every texture of the pictures this project makes (MobileNetV1 all
open: 10 M texels, one page of 3264 x 3952).
"""
from __future__ import annotations

import math

import numpy as np

from ...scene.atlas import edge_padded

MARGIN = 8
ALIGN = 16


def _round_up(n: int, step: int) -> int:
    return -(-n // step) * step


def layout(shapes: list[tuple[int, int]], limit: int) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]]]:
    """Shelf packing of images of ``shapes`` (h, w): ((height, width) of each page, (page, y, x) of each image's
    cell).  Tallest first, left to right, a new shelf when a row is full, a new page when a page is."""
    cells = [(_round_up(h + 2 * MARGIN, ALIGN), _round_up(w + 2 * MARGIN, ALIGN)) for h, w in shapes]
    for (h, w), (ch, cw) in zip(shapes, cells):
        if ch > limit or cw > limit:
            raise ValueError(f"a texture of {w}x{h} texels does not fit a page of {limit}")
    area = sum(ch * cw for ch, cw in cells)
    width = min(limit, max([cw for _, cw in cells] + [_round_up(int(math.sqrt(area)), ALIGN)]))
    places: list = [None] * len(cells)
    pages: list[list[int]] = []
    page = x = y = shelf = 0
    for i in sorted(range(len(cells)), key=lambda i: -cells[i][0]):
        ch, cw = cells[i]
        if x + cw > width:                       # the shelf is full: the next one
            x, y, shelf = 0, y + shelf, 0
        if y + ch > limit:                       # the page is full: the next one
            pages.append([y, width])
            page, x, y, shelf = page + 1, 0, 0, 0
        places[i] = (page, y, x)
        x, shelf = x + cw, max(shelf, ch)
    pages.append([y + shelf, width])
    return [tuple(p) for p in pages], places


def pack(images: list[np.ndarray], limit: int) -> tuple[list[np.ndarray], list[tuple[int, np.ndarray]]]:
    """Pages (h, w, 4) uint8, row 0 at the top, holding ``images`` (RGBA uint8); for each image its
    page and the (2, 2) affine map [[su, ou], [sv, ov]] of its unit texture coordinates (u along
    columns, v down the rows from row 0) to the page's."""
    sizes, places = layout([im.shape[:2] for im in images], limit)
    pages = [np.zeros((h, w, 4), np.uint8) for h, w in sizes]
    maps = []
    for image, (p, y, x) in zip(images, places):
        h, w = image.shape[:2]
        page = pages[p]
        top, left = y + MARGIN, x + MARGIN
        edge_padded(image[None], page[None, y:top + h + MARGIN, x:left + w + MARGIN], MARGIN)
        height, width = page.shape[:2]
        maps.append((p, np.array([[w / width, left / width], [h / height, top / height]])))
    return pages, maps
