"""Boxes in the picture, found by where they are: a grid of buckets (pure).

Label placement asks, for each of a few thousand candidate spots, whether it
touches any of the boxes already taken (layers, labels, leaders).  Testing every
box each time costs (spots x boxes); a grid of square cells about the size of a
label finds the few boxes near a spot instead, so the cost grows with the
number of spots alone.
"""
from __future__ import annotations

import math


class BoxIndex:
    """Axis-aligned boxes (x0, y0, x1, y1) in pixels, each with an owner (e.g. its layer's index)."""

    def __init__(self, cell: float = 64.0):
        self.cell = max(float(cell), 1.0)
        self.boxes: list[tuple[float, float, float, float]] = []
        self.owners: list[int] = []
        self.buckets: dict[tuple[int, int], list[int]] = {}

    def __len__(self) -> int:
        return len(self.boxes)

    def _cells(self, box, pad: float = 0.0):
        c = self.cell
        columns = range(int((box[0] - pad) // c), int((box[2] + pad) // c) + 1)
        rows = range(int((box[1] - pad) // c), int((box[3] + pad) // c) + 1)
        return [(i, j) for i in columns for j in rows]

    def add(self, box, owner: int = -1) -> None:
        box = tuple(map(float, box))
        if not all(map(math.isfinite, box)):
            return
        k = len(self.boxes)
        self.boxes.append(box)
        self.owners.append(owner)
        for key in self._cells(box):
            self.buckets.setdefault(key, []).append(k)

    def touching(self, box) -> set[int]:
        """Owners of the boxes here that overlap ``box``."""
        return {self.owners[k] for k in self.near(box) if _overlap(box, self.boxes[k])}

    def near(self, box, pad: float = 0.0) -> set[int]:
        found: set[int] = set()
        get = self.buckets.get
        for key in self._cells(box, pad):
            members = get(key)
            if members:
                found.update(members)
        return found

    def hits(self, box, pad: float = 0.0, ignore: int | None = None) -> bool:
        """Whether ``box`` comes within ``pad`` of a box here (not one owned by ``ignore``)."""
        x0, y0, x1, y1 = box
        c, get, boxes, owners = self.cell, self.buckets.get, self.boxes, self.owners
        # cell by cell (a box in two cells may be tested twice: cheaper than collecting them first)
        for i in range(int((x0 - pad) // c), int((x1 + pad) // c) + 1):
            for j in range(int((y0 - pad) // c), int((y1 + pad) // c) + 1):
                for k in get((i, j), ()):
                    if ignore is not None and owners[k] == ignore:
                        continue
                    b = boxes[k]
                    if x0 - pad < b[2] and b[0] - pad < x1 and y0 - pad < b[3] and b[1] - pad < y1:
                        return True
        return False

    def crosses(self, start, end, ignore=()) -> bool:
        """Whether the segment from ``start`` to ``end`` passes through a box here (not one of those
        owned by ``ignore``, a set of owners)."""
        box = (min(start[0], end[0]), min(start[1], end[1]), max(start[0], end[0]), max(start[1], end[1]))
        for k in self.near(box):
            if self.owners[k] in ignore:
                continue
            if segment_meets_box(start, end, self.boxes[k]):
                return True
        return False


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def segment_meets_box(start, end, box, inset: float = -1.0) -> bool:
    """Whether a segment passes through ``box`` shrunk by ``inset`` (Liang-Barsky clipping); by default
    the box grown by a pixel, so that a line grazing its edge counts too."""
    x0, y0, x1, y1 = box[0] + inset, box[1] + inset, box[2] - inset, box[3] - inset
    if x0 >= x1 or y0 >= y1:
        return False
    if max(start[0], end[0]) < x0 or min(start[0], end[0]) > x1 or \
            max(start[1], end[1]) < y0 or min(start[1], end[1]) > y1:      # wholly beside the box
        return False
    dx, dy = end[0] - start[0], end[1] - start[1]
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, start[0] - x0), (dx, x1 - start[0]), (-dy, start[1] - y0), (dy, y1 - start[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True

