"""A label's place in pixels: its box on a side of its layer, the leader that ties it there, and the
room a placed label takes around its anchor (pure)."""
from __future__ import annotations

import numpy as np

from . import camera as cam
from .fonts import text_height, text_width
from .scene import Label

GAP = 8.0            # pixels between a layer and its first row of labels


def label_spot(side, row, layer_box, line_box, center, w, h, step, along=None):
    """(box, offset, leader, leader's path box, leader's ends) of the label on ``side`` of its layer,
    ``row`` rows out from ``line_box``, centred on its layer or at ``along`` on its line.  The leader
    runs from the layer's own edge (``layer_box``), as straight as the edge allows, to the middle of
    the label's near edge; ``leader`` and the ends are None when the label stands close.
    """
    return leader_to(side, spot_box(side, GAP + row * step, line_box, center, w, h, along), layer_box, center)


def leader_to(side, at, layer_box, center):
    """``label_spot`` of the label at ``at`` (its box and attachment point, see ``spot_box``)."""
    box, attach = at
    x0, y0, x1, y1 = layer_box
    cx, cy = center
    if side in ("below", "above"):
        start = (min(max(attach[0], x0), x1), y0 if side == "below" else y1)
    else:
        start = (x1 if side == "right" else x0, min(max(attach[1], y0), y1))
    offset = (float(attach[0] - cx), float(attach[1] - cy))
    reach = abs(attach[0] - start[0]) + abs(attach[1] - start[1])
    if reach <= 1.5 * GAP:
        return box, offset, None, (attach[0], attach[1], attach[0], attach[1]), None
    leader = (float(start[0] - cx), float(start[1] - cy))
    # the leader's path, kept clear of other labels
    path = (min(start[0], attach[0]), min(start[1], attach[1]), max(start[0], attach[0]), max(start[1], attach[1]))
    return box, offset, leader, path, (start, attach)


def spot_box(side, out, line_box, center, w, h, along=None):
    """(box, attachment point) of the label on ``side``, ``out`` pixels from ``line_box`` (see ``label_spot``)."""
    lx0, ly0, lx1, ly1 = line_box
    if side in ("below", "above"):
        mid = center[0] if along is None else along
        if side == "below":
            top = ly0 - out
            return (mid - w / 2, top - h, mid + w / 2, top), (mid, top)
        bottom = ly1 + out
        return (mid - w / 2, bottom, mid + w / 2, bottom + h), (mid, bottom)
    mid = center[1] if along is None else along
    if side == "right":
        left = lx1 + out
        return (left, mid - h / 2, left + w, mid + h / 2), (left, mid)
    right = lx0 - out
    return (right - w, mid - h / 2, right, mid + h / 2), (right, mid)


def extent(label: Label) -> np.ndarray:
    """Pixels (left, right, below, above) that ``label`` takes around its anchor's projection."""
    w, h = text_width(label.text, label.size, label.bold), text_height(label.text, label.size)
    dx, dy = label.offset
    x0 = {"left": dx, "center": dx - w / 2, "right": dx - w}[label.align]
    if label.align == "center":
        y0 = dy if dy > 0 else dy - h        # stands on its attachment point, or hangs from it
    else:
        y0 = dy - h / 2
    return np.array([-x0, x0 + w, -y0, y0 + h])


def label_box(label: Label, camera, size) -> tuple[float, float, float, float]:
    """Pixel box (x0, y0, x1, y1; y up from the bottom) that ``label`` takes in the picture."""
    (ax, ay), = cam.project(np.array([label.anchor]), camera, size)
    left, right, below, above = extent(label)
    return (ax - left, ay - below, ax + right, ay + above)
