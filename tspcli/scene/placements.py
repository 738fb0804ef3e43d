"""The last few label placements, remembered by everything they were computed from (pure).

Choosing a layout frames a candidate again and again with the same labels:
the picture's own framing repeats the first steps of judging the layout it
chose (the same requests seen by the same camera), and placing a thousand
labels costs tens of milliseconds.  A placement depends only on the requests,
the camera and the options of ``labels.place``, so an equal question gets the
same answer back.
"""
from __future__ import annotations

import numpy as np

from . import labels as placing

KEPT = 8             # placements remembered (a still asks for about 10 to 20)


class Placements:
    def __init__(self):
        self._kept: dict = {}

    def place(self, requests: list[placing.Request], camera, *options) -> placing.Placement:
        """``labels.place(requests, camera, *options)``, or the same question's answer if remembered."""
        key = (camera, options, _fingerprint(requests))
        found = self._kept.get(key)
        if found is None:
            if len(self._kept) >= KEPT:
                self._kept.pop(next(iter(self._kept)))       # the oldest
            found = self._kept[key] = placing.place(requests, camera, *options)
        return found


def _fingerprint(requests: list[placing.Request]) -> tuple:
    """Everything about ``requests`` that placing them reads, as a hashable value."""
    if not requests:
        return ()
    points = np.concatenate([np.array([r.center for r in requests]).ravel(),
                             np.concatenate([r.corners for r in requests]).ravel()])
    return (points.tobytes(),
            tuple((r.key, r.text, r.size, r.color, r.rank, r.row, r.side, r.bold, len(r.corners)) for r in requests))
