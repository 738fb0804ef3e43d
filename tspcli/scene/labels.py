"""Where layer labels go in the picture: beside their layers, never on one another (pure).

Labels are horizontal text placed in pixels around each layer's projection.
Under a horizontal stack they hang below the layers, on one line when the
model is a chain; beside a vertical stack they line up in a column to the
right.  When one row cannot hold them, every other label goes to the other
side (above the chain, or left of it), where there is room; a label that
still touches one already placed moves a row further out.  A thin leader line
ties each label to its layer when it stands off.  When even ``MAX_ROWS`` rows
a side cannot hold them all, the labels of the most telling layers (inputs,
outputs, where the shape changes) are kept and the rest left out; the caller
says so in the picture.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import camera as cam
from .fonts import text_height, text_width
from .label_spots import GAP, label_spot, leader_to, spot_box
from .scene import Label
from .spatial import BoxIndex, segment_meets_box

PAD = 0.5            # font sizes of clear space kept around each label (a word space)
ROW_GAP = 0.45       # font sizes between staggered rows
MAX_ROWS = 3
LAYER_PAD = 2.0      # pixels kept between a label and any layer
SIDES = {"below": ("below", "above"), "right": ("right", "left")}


@dataclass(frozen=True)
class Request:
    """A label to place: its text, the layer's centre (the anchor) and the layer's corners."""

    key: str
    text: str
    center: np.ndarray        # (3,)
    corners: np.ndarray       # (K, 3) points of the layer, for its extent in the picture
    size: float
    color: tuple
    rank: int = 2             # 0: kept first when labels must be left out (inputs, outputs) .. 2: last
    row: int = 0              # the row of a chain wrapped into rows: each row has its own lines of labels
    side: int | None = None   # 0: the near side (below, right), 1: the far side, None: either
    bold: bool = False
    button: object = None     # the layer's close button (Blocks), sized by the picture when placed


@dataclass
class Placement:
    labels: list[Label]
    extents: np.ndarray       # (N, 4) pixels (left, right, below, above) each label needs around its anchor
    left_out: int             # labels that found no room


def place(requests: list[Request], camera, size: tuple[int, int], mode: str, chain: bool,
          bounds: tuple[float, float, float, float] | None = None, within: bool = False) -> Placement:
    """Labels for ``requests`` seen through ``camera``.

    ``mode`` 'below' or 'right'; ``chain``: one baseline (below) or one column
    (right) for all, as suits a model without branches; there labels may
    slide along their line, in order, to make room (leaders slant to them).
    Otherwise each label keeps to its own layer and avoids the other layers
    too.  ``bounds`` (x0, y0, x1, y1): the part of the picture labels may
    slide into, by default all of it; ``within``: a label must lie inside the picture, else it is left
    out (when the framing cannot make room for every label).
    """
    n = len(requests)
    if n == 0:
        return Placement([], np.zeros((0, 4)), 0)
    centers = cam.project(np.array([r.center for r in requests]), camera, size)
    # every layer's corners projected at once, then reduced per layer: x0, y0, x1, y1 of each label's layer
    projected = cam.project(np.concatenate([r.corners for r in requests]), camera, size)
    starts = np.cumsum([0] + [len(r.corners) for r in requests[:-1]])
    boxes = np.concatenate([np.minimum.reduceat(projected, starts), np.maximum.reduceat(projected, starts)], axis=1)
    w = np.array([text_width(r.text, r.size, r.bold) for r in requests])
    h = np.array([text_height(r.text, r.size) for r in requests])
    font = max(r.size for r in requests)
    step = (h.max() if mode == "below" else w.max()) + ROW_GAP * font
    lines_up = boxes.copy()     # where each label's rows start from
    rows = np.array([r.row for r in requests])
    if chain:   # one line under (over) every layer of a row, or one column right (left) of them all
        for row in set(rows.tolist()):     # a call-out (a side of its own) stays beside what it names
            mine = (rows == row) & np.array([r.side is None for r in requests])
            lines_up[mine] = (boxes[mine, 0].min(), boxes[mine, 1].min(), boxes[mine, 2].max(),
                              boxes[mine, 3].max())
    owner = _owners(requests)
    sides_of = [r.side for r in requests]
    cell = 2 * float(max(np.max(h), np.median(w)))
    layers = BoxIndex(cell)        # no label overlaps a layer, no leader crosses another layer
    for i in np.unique(owner, return_index=True)[1]:
        layers.add(boxes[i], owner[i])
    along = centers[:, 0] if mode == "below" else -centers[:, 1]
    by_place = np.argsort(along, kind="stable")
    by_rank = np.lexsort((along, [r.rank for r in requests]))     # when not all fit: the telling ones first
    near, far = SIDES[mode]
    turn = np.empty(n, int)
    for row in set(rows.tolist()):              # every other label along each row
        mine = by_place[rows[by_place] == row]
        turn[mine] = np.arange(len(mine)) % 2
    beside = SIDES["right" if mode == "below" else "below"]

    def alternate(i):
        if requests[i].side is not None:
            return (SIDES[mode][requests[i].side],)
        if not chain:    # beside a layer of a branching model, all four sides may be free
            return (near, far, *beside)
        return (near, far) if turn[i] == 0 else (far, near)

    def one_side(i):
        return (SIDES[mode][requests[i].side],) if requests[i].side is not None else (near,)

    attempts = [(by_place, alternate, MAX_ROWS),          # both sides, further rows
                (by_rank, alternate, MAX_ROWS)]           # the same, leaving out what does not fit
    chosen = None
    if chain:
        bounds = bounds or (0.0, 0.0, float(size[0]), float(size[1]))
        for sides in (one_side, alternate):
            chosen = _slid(by_place, sides, rows, boxes, lines_up, centers, w, h, PAD * font, bounds, mode)
            if (chosen is not None and _clear_of_layers(chosen, layers, owner, boxes, sides_of)
                    and _leaders_clear(chosen, cell) and (not within or all(_inside(c[0], size) for c in chosen.values()))):
                attempts = []
                break
            chosen = None
    # plain floats for the spots tried one by one (numpy's scalars are slow in Python arithmetic)
    plain = boxes.tolist(), lines_up.tolist(), centers.tolist(), w.tolist(), h.tolist(), float(step)
    for k, (order, sides, rows) in enumerate(attempts):
        chosen = {}
        taken = _Taken(cell)
        for i in order.tolist():
            boxes_at = (spot_box(side, GAP + row * plain[5], plain[1][i], plain[2][i], plain[3][i], plain[4][i])
                        + (side,) for row in range(rows) for side in sides(i))
            # most spots touch a label already placed: that is known from the label's box alone
            spots = (leader_to(side, (box, attach), plain[0][i], plain[2][i]) for box, attach, side in boxes_at
                     if not taken.labels.hits(box, PAD * requests[i].size))
            spot = next((s for s in spots if taken.free(s, PAD * requests[i].size)
                         and _clear_of_layers({i: s}, layers, owner, boxes, sides_of)
                         and (not within or _inside(s[0], size))), None)
            if spot is not None:
                chosen[i] = spot
                taken.add(spot)
            elif k < len(attempts) - 1:
                break           # not all fit in place order: the next attempt, by rank, decides
        if len(chosen) == n:
            break
    labels, extents = [], np.zeros((n, 4))
    for i in sorted(chosen):
        box, offset, leader, _, _ = chosen[i]
        r = requests[i]
        cx, cy = centers[i]
        x = cx + offset[0]             # the attachment point: a label's left or right end beside, else its middle
        align = "left" if abs(x - box[0]) < 1e-6 else "right" if abs(x - box[2]) < 1e-6 else "center"
        labels.append(Label(r.key, r.text, tuple(map(float, r.center)), r.size, r.color, align=align,
                            offset=offset, bold=r.bold, leader=leader))
        extents[i] = np.maximum([cx - box[0], box[2] - cx, cy - box[1], box[3] - cy], 0.0)
    return Placement(labels, extents, n - len(chosen))


def _slid(order, sides, rows, boxes, lines_up, centers, w, h, gap, bounds, mode):
    """Spots of labels on one line per side of each row, slid along it in order so that none touch;
    None if one line a side cannot hold them (or a label would touch one of another row)."""
    axis = 0 if mode == "below" else 1
    lengths = w if axis == 0 else h
    chosen = {}
    taken = BoxIndex(2 * float(max(np.max(w), np.max(h))))
    for row, side in [(row, side) for row in sorted(set(rows.tolist())) for side in SIDES[mode]]:
        members = [i for i in order if sides(i)[0] == side and rows[i] == row]
        if not members:
            continue
        targets = centers[members, axis]
        if axis == 1:           # a column is read from the top down
            members, targets = members[::-1], targets[::-1]
        positions = _spread(targets, lengths[members], gap, bounds[axis], bounds[axis + 2])
        if positions is None:
            return None
        for i, position in zip(members, positions):
            chosen[i] = label_spot(side, 0, boxes[i], lines_up[i], centers[i], w[i], h[i], 0.0, position)
            if taken.hits(chosen[i][0], gap):      # a label of another line or row
                return None
        for i in members:
            taken.add(chosen[i][0])
    return chosen


def _spread(targets, lengths, gap, lo, hi):
    """Centres of segments on a line, in order, at least ``gap`` apart, as close to ``targets``
    as can be (least squares) within [lo, hi]; None when they do not fit."""
    need = np.concatenate([[0.0], np.cumsum((lengths[:-1] + lengths[1:]) / 2 + gap)])
    low, high = lo + lengths[0] / 2, hi - lengths[-1] / 2 - need[-1]
    if low > high:
        return None
    return np.clip(_isotonic(targets - need), low, high) + need


def _isotonic(values: np.ndarray) -> np.ndarray:
    """The non-decreasing sequence closest to ``values`` (pool adjacent violators)."""
    pools: list[list[float]] = []          # [sum, count]
    for v in values:
        pools.append([float(v), 1])
        while len(pools) > 1 and pools[-2][0] / pools[-2][1] > pools[-1][0] / pools[-1][1]:
            total, count = pools.pop()
            pools[-1][0] += total
            pools[-1][1] += count
    return np.concatenate([np.full(count, total / count) for total, count in pools])


def _owners(requests) -> np.ndarray:
    """The index of each request's layer (a layer's name label and its top class share one)."""
    first: dict[str, int] = {}
    return np.array([first.setdefault(r.key.rsplit("/", 1)[0], len(first)) for r in requests])


def _clear_of_layers(chosen: dict, layers: BoxIndex, owner, boxes, sides) -> bool:
    """Whether no label of ``chosen`` touches a layer and no leader crosses a layer other than its own
    and those drawn over its own (which it cannot help crossing)."""
    for i, (box, _, _, path, ends) in chosen.items():
        # a top class (a request with its side) names one unit: it may stand over its own layer's box
        if layers.hits(box, LAYER_PAD, ignore=owner[i] if sides[i] is not None else None):
            return False
        if ends is not None and layers.crosses(*ends, ignore=layers.touching(boxes[i]) | {owner[i]}):
            return False
    return True


def _inside(box, size) -> bool:
    return box[0] >= 0 and box[1] >= 0 and box[2] <= size[0] and box[3] <= size[1]


def _leaders_clear(chosen: dict, cell: float) -> bool:
    """Whether no leader of ``chosen`` crosses another label of it."""
    labels = BoxIndex(cell)
    for i, spot in chosen.items():
        labels.add(spot[0], i)
    return not any(spot[4] is not None and labels.crosses(*spot[4], ignore={i}) for i, spot in chosen.items())


class _Taken:
    """Labels and leaders placed so far: a spot is free when its label touches no label or leader
    and its leader crosses no label."""

    def __init__(self, cell: float):
        self.labels = BoxIndex(cell)
        self.leaders = BoxIndex(cell)
        self.ends: list = []

    def free(self, spot, pad: float) -> bool:
        box, _, _, path, ends = spot
        if self.labels.hits(box, pad):
            return False
        for k in self.leaders.near(box, pad / 2):
            if segment_meets_box(*self.ends[k], _grown(box, pad / 2)):
                return False
        return ends is None or not self.labels.crosses(*ends)

    def add(self, spot) -> None:
        box, _, _, path, ends = spot
        self.labels.add(box)
        if ends is not None:
            self.leaders.add(path)
            self.ends.append(ends)


def _grown(box, pad: float):
    return (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
