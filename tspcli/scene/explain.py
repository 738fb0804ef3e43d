"""DepthwiseConv2d explained (``--animate explain:dw1``): what one frame of the explanation shows.

The step plays in two parts.  First a few output maps fill one by one, cell by
cell in reading order: for output cell (i, j) of map k the kernel's window sits
on input map k // depthMultiplier over the cells that cell reads (its taps
spread by the dilation, moved by the stride, reaching into the padding at the
edges), and a line joins the window to the cell.  With a multiplier of 2 the
two kernels of one input map take turns, as their outputs are neighbours.
Then the remaining maps fill at once.  At the end every map shows its values,
so the last frame is the still of the layer open.  Everything here is pure:
(layer, progress) -> what to draw.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..ops._geometry import same_pads
from . import atlas
from .planes import AXES, Plane
from .scene import Blocks, Lines, Texture

DEFAULT_MAPS = 4            # output maps played one by one
MS_PER_MAP = 3000.0         # default time of one map played cell by cell
REST_MS = 1500.0            # default time of the remaining maps filling at once
MAX_MS = 20000.0            # the default length never exceeds this
REST_SHARE = 0.15           # share of the step the remaining maps take
GHOST = 0.12                # opacity of a cell not computed yet: the map's place shows
LIFT = 0.3                  # window and cell outlines sit this many cell units off the face


@dataclass(frozen=True)
class Explaining:
    """How far the explanation of one layer has played: ``progress`` 0..1 of the step, ``maps`` played one by one."""

    progress: float
    maps: int = DEFAULT_MAPS


@dataclass(frozen=True)
class Phase:
    """``current``: the output map filling cell by cell (None when none is); ``cells``: its cells done;
    ``done``: maps before it that are complete; ``rest``: 0..1, how far the remaining maps have filled."""

    current: int | None
    cells: int
    done: int
    rest: float


def default_ms(maps: int, total: int) -> float:
    played = min(maps, total)
    rest = REST_MS if played < total else 0.0
    return min(MAX_MS, played * MS_PER_MAP + rest)


def phase(progress: float, maps: int, total: int, cells: int) -> Phase:
    """Which map fills and how far, at ``progress`` of the step, for ``total`` maps of ``cells`` cells."""
    played = min(maps, total)
    share = 1.0 if played == total else 1.0 - REST_SHARE
    if progress >= 1.0:
        return Phase(None, 0, total, 1.0)
    if progress >= share:
        return Phase(None, 0, played, (progress - share) / (1.0 - share))
    x = max(progress, 0.0) / share * played
    current = min(int(x), played - 1)
    return Phase(current, int((x - current) * cells), current, 0.0)


def pads(layer) -> tuple[tuple[int, int], tuple[int, int]]:
    """((top, bottom), (left, right)) zero padding of the layer's input, as its forward pass pads it."""
    c = layer.config
    padding = c["padding"]
    if padding == "valid":
        return (0, 0), (0, 0)
    if padding == "same":
        return tuple(same_pads(n, k, s, d) for n, k, s, d in
                     zip(layer.input_shape[:2], c["kernelSize"], c["strides"], c["dilationRate"]))
    return tuple(padding[0]), tuple(padding[1])      # explicit, as ONNX files give it


def taps(layer, i: int, j: int) -> list[tuple[int, int, bool]]:
    """The input cells (row, column, inside the input) that output cell (i, j) reads, row by row."""
    c = layer.config
    (kh, kw), (sh, sw), (dh, dw) = c["kernelSize"], c["strides"], c["dilationRate"]
    h, w = layer.input_shape[:2]
    (top, _), (left, _) = pads(layer)
    cells = []
    for a in range(kh):
        for b in range(kw):
            r, q = i * sh - top + a * dh, j * sw - left + b * dw
            cells.append((r, q, 0 <= r < h and 0 <= q < w))
    return cells


def masked_pixels(pixels: np.ndarray, at: Phase) -> np.ndarray:
    """The layer's map pixels (C, h, w, 4) with cells not computed yet at ``at`` faded to a ghost."""
    out = pixels.copy()
    total, h, w = pixels.shape[:3]
    alpha = out[..., 3].astype(np.float32)
    ghost = np.minimum(alpha, GHOST * 255)
    start = at.done if at.current is None else at.current + 1
    if at.current is not None:
        flat = alpha[at.current].reshape(-1)
        flat[at.cells:] = ghost[at.current].reshape(-1)[at.cells:]
    alpha[start:] = ghost[start:] + (alpha[start:] - ghost[start:]) * at.rest
    out[..., 3] = np.rint(alpha).astype(np.uint8)
    return out


def filling_blocks(maps: Blocks, pixels: np.ndarray, sides: np.ndarray, at: Phase) -> Blocks:
    """``maps`` textured with the pixels computed so far (same tiles: the atlas packs deterministically)."""
    image, _, _ = atlas.pack(masked_pixels(pixels, at), sides)
    return replace(maps, texture=Texture(maps.key + "#filling", image))


def cell_center(maps: Blocks, k: int, row: int, col: int, rows: int, cols: int, side: float) -> np.ndarray:
    """The point of map ``k``'s face toward the camera (``side`` +1 or -1 along the plane's normal)
    over cell (row, col).

    Image columns run along the plane's first axis and rows down its second, row 0 and
    column 0 at their low ends; cells outside the map (padding) continue the grid beyond its edges.
    """
    across, normal, down = Plane(*maps.plane).vectors()
    width, height, thick = _extents(maps)
    return (maps.centers[k] + across * (-width / 2 + (col + 0.5) * width / cols)
            + down * (-height / 2 + (row + 0.5) * height / rows) + normal * side * (thick / 2 + LIFT * width / cols))


def _extents(maps: Blocks) -> tuple[float, float, float]:
    """(width along the columns, height along the rows, thickness) of each map."""
    plane = Plane(*maps.plane)
    return (maps.size[AXES.index(plane.u[1])], maps.size[AXES.index(plane.v[1])], maps.size[plane.normal])


def square(maps: Blocks, center: np.ndarray, half_across: float, half_down: float) -> np.ndarray:
    """A closed outline in the maps' plane around ``center``."""
    across, _, down = Plane(*maps.plane).vectors()
    du, dv = across * half_across, down * half_down
    return np.array([center - du - dv, center + du - dv, center + du + dv, center - du + dv, center - du - dv])


def facing_side(maps: Blocks, toward: np.ndarray) -> float:
    """+1 or -1: which side of the maps' plane the camera (in direction ``toward``) sees."""
    return 1.0 if float(np.dot(Plane(*maps.plane).vectors()[1], toward)) >= 0 else -1.0


def window_lines(layer, out_maps: Blocks, in_maps: Blocks, at: Phase, toward: np.ndarray,
                 color, padding_color) -> list[Lines]:
    """The kernel's window over the input cells the current output cell reads, that cell's outline,
    a line joining them, and the padded input's border when the window reaches into padding;
    on the faces the camera (in direction ``toward``) sees."""
    covered = window_cells(layer, at)
    if covered is None:
        return []
    k_in, cell, spots = covered
    h_out, w_out, _ = layer.output_shape
    h_in, w_in, _ = layer.input_shape
    i, j = divmod(cell, w_out)
    side_in, side_out = facing_side(in_maps, toward), facing_side(out_maps, toward)
    width_in, height_in, _ = _extents(in_maps)
    half = (width_in / w_in / 2, height_in / h_in / 2)       # half a cell of the input map
    inside, outside = [], []
    for r, q, within in spots:
        point = cell_center(in_maps, k_in, r, q, h_in, w_in, side_in)
        (inside if within else outside).append(square(in_maps, point, 0.9 * half[0], 0.9 * half[1]))
    first = cell_center(in_maps, k_in, spots[0][0], spots[0][1], h_in, w_in, side_in)
    last = cell_center(in_maps, k_in, spots[-1][0], spots[-1][1], h_in, w_in, side_in)
    span = _span(in_maps, first, last)
    frame = square(in_maps, (first + last) / 2, span[0] / 2 + half[0], span[1] / 2 + half[1])
    out_cell = cell_center(out_maps, at.current, i, j, h_out, w_out, side_out)
    width_out, height_out, _ = _extents(out_maps)
    target = square(out_maps, out_cell, width_out / w_out / 2, height_out / h_out / 2)
    key = f"{layer.name}/explain"
    lines = [Lines(key + "/window", [frame], (*color, 1.0), 2.0),
             Lines(key + "/cell", [target], (*color, 1.0), 2.0),
             Lines(key + "/taps", inside, (*color, 0.8), 1.0),
             Lines(key + "/link", [np.array([(first + last) / 2, out_cell])], (*color, 0.8), 1.0)]
    if outside:
        (top, bottom), (left, right) = pads(layer)
        lo = cell_center(in_maps, k_in, -top, -left, h_in, w_in, side_in)
        hi = cell_center(in_maps, k_in, h_in - 1 + bottom, w_in - 1 + right, h_in, w_in, side_in)
        span = _span(in_maps, lo, hi)
        border = square(in_maps, (lo + hi) / 2, span[0] / 2 + half[0], span[1] / 2 + half[1])
        lines += [Lines(key + "/padding", [border], (*padding_color, 0.7), 1.0),
                  Lines(key + "/padded-taps", outside, (*padding_color, 0.9), 1.0)]
    return lines


def _span(maps: Blocks, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """How far apart two points of the maps' plane are along its columns and along its rows."""
    across, _, down = Plane(*maps.plane).vectors()
    return abs(float(np.dot(b - a, across))), abs(float(np.dot(b - a, down)))


def window_cells(layer, at: Phase) -> tuple[int, int, list[tuple[int, int, bool]]] | None:
    """(input map, output cell index, taps) of the frame at ``at``: what the window covers; None when
    no map is filling cell by cell."""
    if at.current is None:
        return None
    h_out, w_out, c_out = layer.output_shape
    i, j = divmod(min(at.cells, h_out * w_out - 1), w_out)
    return at.current // (c_out // layer.input_shape[-1]), i * w_out + j, taps(layer, i, j)
