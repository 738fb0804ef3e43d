"""Wrapping a long horizontal chain of layers into rows, as lines of text are wrapped (pure).

A 30-layer chain drawn in one row of a 16:9 picture is a thin strip: its
small layers come out a few pixels wide and most of the picture stays empty.
Cut into rows that run down the picture, each starting at the left, it is
drawn two or three times larger.  The layout builder judges how many rows
(see ``SceneBuilder.row_plan``); this module cuts the chain and moves the
rows into place.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import camera as cam
from .geometry import blocks_corners
from .label_spots import extent


@dataclass
class RowPlan:
    """How a chain is wrapped: its runs of layer names, and the room between the rows."""

    groups: list[list[str]]
    band: float = 0.0              # pixels kept for labels on each side of a row
    scale: float = 1.0             # pixels per unit the band is converted at
    gaps: np.ndarray = field(default_factory=lambda: np.zeros(0))   # units added between rows

    @property
    def rows(self) -> int:
        return len(self.groups)


def balanced_cuts(spans: list[tuple[float, float]], rows: int, shortest: int,
                  allowed: set[int] | None = None) -> list[int] | None:
    """Where to cut a chain of layers (their extents along the stack) into ``rows`` runs of at least
    ``shortest`` layers so that the longest run is as short as can be; None if it is too short.
    ``allowed``: the only places (index of the first layer after a cut) a cut may go, if given."""
    n = len(spans)
    if n < rows * shortest:
        return None
    lo, hi = np.array(spans, dtype=float).T
    allowed_end = np.ones(n + 1, bool) if allowed is None else np.isin(np.arange(n + 1), [*allowed, n])
    # longest[r][b]: the shortest possible longest run of r runs over layers 0 .. b-1; cut[r][b]: its last cut
    longest = np.full((rows + 1, n + 1), np.inf)
    cut = np.zeros((rows + 1, n + 1), int)
    longest[0, 0] = 0.0
    for b in range(shortest, n + 1):
        if not allowed_end[b]:
            continue
        # the length of every run a .. b-1 at once: running max and min from b backwards
        run = np.maximum.accumulate(hi[:b][::-1])[::-1] - np.minimum.accumulate(lo[:b][::-1])[::-1]
        starts = np.arange(b - shortest + 1)
        for r in range(1, rows + 1):
            options = np.maximum(longest[r - 1, starts], run[starts])
            k = int(np.argmin(options))
            if options[k] < longest[r, b]:
                longest[r, b], cut[r, b] = options[k], starts[k]
    if not np.isfinite(longest[rows, n]):
        return None
    cuts, b = [], n
    for r in range(rows, 0, -1):
        b = int(cut[r, b])
        cuts.append(b)
    return sorted(cuts)[1:]


def wrap(parts, offsets: dict, plan: RowPlan, view) -> None:
    """Move ``offsets`` so that the runs of ``plan`` are rows down the picture, each starting where
    the first does, with ``plan.band`` pixels for labels on each side of every row.

    Rows move straight down the picture as the camera sees it (along its up
    vector, so at one depth) and so line up at the left however oblique the
    view.  ``parts`` are the layers drawn at the origin.
    """
    up = cam.basis(*view.orientation()[:2])[1]
    extents = row_extents(parts, offsets, plan.groups, up)
    position = 0.0
    for r, names in enumerate(plan.groups):
        if r:
            position += extents[r - 1][1] + extents[r][0] + 2 * plan.band / plan.scale + plan.gaps[r - 1]
        start = offsets[names[0]][1] + float(parts[names[0]].blocks[0].centers[:, 1].mean())
        for name in names:
            offsets[name][1] -= start
            offsets[name] -= position * up


def row_extents(parts, offsets, groups, up) -> list[tuple[float, float]]:
    """(above, below) each row reaches from its first layer's centre, in units up the picture."""
    extents = []
    for names in groups:
        points = np.concatenate([parts[n].corners + offsets[n] for n in names])
        middle = float(parts[names[0]].blocks[0].centers.mean(axis=0) @ up) + float(offsets[names[0]] @ up)
        height = points @ up
        extents.append((float(height.max()) - middle, middle - float(height.min())))
    return extents


def shortfalls(plan: RowPlan, blocks, labels, camera, size, clearance: float) -> np.ndarray:
    """Pixels each pair of neighbouring rows lacks of ``clearance`` between them, layers and labels
    included (positive: too close)."""
    row_of = {name: r for r, names in enumerate(plan.groups) for name in names}
    low = np.full(plan.rows, np.inf)
    high = np.full(plan.rows, -np.inf)
    if blocks:        # every box's corners projected at once
        y = cam.project(blocks_corners(blocks), camera, size)[:, 1].reshape(len(blocks), 8)
        of = np.array([row_of[b.key.rsplit("/", 1)[0]] for b in blocks])
        np.minimum.at(low, of, y.min(axis=1))
        np.maximum.at(high, of, y.max(axis=1))
    if labels:
        anchors = cam.project(np.array([label.anchor for label in labels]), camera, size)[:, 1]
        reach = np.array([extent(label)[2:] for label in labels])      # (below, above) the anchor
        of = np.array([row_of[label.key.rsplit("/", 1)[0]] for label in labels])
        np.minimum.at(low, of, anchors - reach[:, 0])
        np.maximum.at(high, of, anchors + reach[:, 1])
    return clearance - (low[:-1] - high[1:])          # rows run down the picture


def pixels_per_unit(camera, direction: np.ndarray, size) -> float:
    """How many pixels one unit along ``direction`` spans at the camera's focal point."""
    middle = np.asarray(camera.focal_point, dtype=float)
    ends = cam.project(np.array([middle, middle + direction]), camera, size)
    return float(np.linalg.norm(ends[1] - ends[0]))
