"""Where the legend goes beside a fitted drawing: free room, else a band the framing keeps for it.

The legend first takes free room in a corner of the drawing or beside it
(``composition.free_spot``); the camera stays.  When there is none, the
framing keeps a band for it, a row under the drawing or a column beside it:
of the two, the one that draws the model larger while the drawing with its
labels still spans ``FILL`` of the picture's limiting side.  A band across a
drawing that is limited by the picture's height would take that height; beside
it, it takes width the drawing does not use.  When neither band keeps the
drawing that large (a small picture, whose fonts do not shrink with it), the
legend is drawn smaller (``SHRINKS``) and placed again; failing all, the band
that draws the model largest at full size, unless even that leaves the
picture (a thumbnail): then the legend is left out, and the note says so.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import composition as compose
from .overlay import items_size, legend_items

FILL = 0.905                 # the drawing's span kept in a band's picture (the rule is 90 %; a little over)
SHRINKS = (1.0, 0.87, 0.75)  # the legend's size tried in turn when it takes a band


@dataclass
class LegendSpot:
    """The legend as placed: how it is drawn, where (``spot``: its box in pixels, y up) and in which shape
    (``row``), with the camera and labels the drawing was fitted to around it."""

    legend: object
    spot: np.ndarray
    row: bool
    camera: object
    placement: object
    note: bool


class LegendRoom:
    """The legend's place (mixed into ``SceneBuilder``: uses its framing)."""

    def _legend_spot(self, legend, blocks, points, requests, fitted, view, whole, area,
                     own_row: bool) -> LegendSpot | None:
        """Where ``legend`` goes beside the drawing of ``blocks`` fitted as ``fitted`` (camera, placement,
        note) in ``area``; its ``own_row`` shape first; None when it fits in the picture nowhere."""
        camera, placement, note = fitted
        fallback = None
        for shrink in SHRINKS:
            drawn = legend if shrink == 1.0 else replace(legend, size=legend.size * shrink)
            boxes = self._drawn(blocks, placement, camera)
            for row in (own_row, not own_row):
                spot = compose.free_spot(boxes, self._legend_size(drawn, row), area, drawn.size)
                if spot is not None:
                    return LegendSpot(drawn, spot, row, camera, placement, note)
            bands = [self._banded(drawn, row, blocks, points, requests, view, whole, area)
                     for row in (own_row, not own_row)]
            best = None
            for scale, fills, placed in bands:
                if best is None or (fills, scale) > (best[1], best[0] * 1.001):
                    best = (scale, fills, placed)
            inside = self._inside(blocks, best[2])
            if best[1] and inside:
                return best[2]
            if inside:
                fallback = fallback or best[2]
        return fallback

    def _inside(self, blocks, placed: LegendSpot) -> bool:
        """Whether a legend band and the layers and labels fitted around it all lie in the picture."""
        boxes = np.concatenate([self._drawn(blocks, placed.placement, placed.camera), [placed.spot]])
        x0, y0, x1, y1 = compose.union(boxes)
        width, height = self.look.size
        return x0 >= -0.5 and y0 >= -0.5 and x1 <= width + 0.5 and y1 <= height + 0.5

    def _legend_size(self, legend, row: bool) -> tuple[float, float]:
        return items_size(legend_items(legend, self.look.size, 0.0, row))

    def _banded(self, legend, row: bool, blocks, points, requests, view, whole, area):
        """(pixels the model spans across, whether the drawing fills the picture, the LegendSpot) with a
        band kept for ``legend`` in the shape ``row``."""
        gap = legend.size
        camera, placement, note = self._fitted(points, requests, legend, whole, view, row)
        left, _, bottom, _ = self._insets(legend, view, note, row)
        banded = (area[0] + left + (gap if left else 0), area[1] + bottom + (gap if bottom else 0), area[2], area[3])
        camera, placement = self._filled(camera, placement, blocks, requests, view, note, banded, legend, row)
        boxes = self._drawn(blocks, placement, camera)
        spot = compose.beside(boxes, self._legend_size(legend, row), row, gap, area)
        scale = float(np.ptp(compose.drawn_boxes(blocks, [], camera, self.look.size)[:, [0, 2]]))
        span = compose.union(boxes)
        width, height = self.look.size
        fills = max((span[2] - span[0]) / width, (span[3] - span[1]) / height) >= FILL
        return scale, fills, LegendSpot(legend, spot, row, camera, placement, note)
