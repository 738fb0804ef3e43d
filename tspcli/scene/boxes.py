"""Where everything was drawn, in pixels of the written picture (pure: the scene and its camera, no renderer).

Users build image maps and annotations from it (``--boxes FILE.json``), the
tests prove the layout's rules with it, and a vector backend can reuse it.
Pixels have their origin at the top left, x to the right and y down; a box is
``[x0, y0, x1, y1]``.  ``Boxes.entries`` is open: other outputs add lists of
their own (a link map, say) beside ``layers``, ``labels`` and ``legend``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import camera as cam
from .geometry import box_corners
from .label_spots import label_box
from .fonts import text_height, text_width
from .overlay import overlay_groups

CROP_MARGIN = 0.02       # of the picture's shorter side kept around the drawing by --crop

# Label keys end in the part they name: "conv1/label" (name and shape), "out/top" (a top class).
TOP_CLASS = "/top"


@dataclass
class Boxes:
    """Boxes of one picture; ``entries`` maps a kind to its list (or one box, or None)."""

    size: tuple[float, float]
    entries: dict = field(default_factory=dict)

    def scaled(self, factor: float) -> "Boxes":
        return Boxes((self.size[0] * factor, self.size[1] * factor), _map(self.entries, lambda b: b * factor))

    def cropped(self, box) -> "Boxes":
        """The same boxes in the pixels of the part ``box`` (x0, y0, x1, y1) of the picture."""
        x0, y0, x1, y1 = box
        shift = np.array([x0, y0, x0, y0], dtype=float)
        return Boxes((x1 - x0, y1 - y0), _map(self.entries, lambda b: b - shift))

    def union(self) -> np.ndarray:
        """The box that holds everything drawn (the whole picture when nothing is)."""
        found = []
        _map(self.entries, lambda b: found.append(b) or b)
        if not found:
            return np.array([0.0, 0.0, *self.size])
        stack = np.array(found)
        return np.array([*stack[:, :2].min(axis=0), *stack[:, 2:].max(axis=0)])

    def as_json(self) -> dict:
        doc = {"size": [int(round(self.size[0])), int(round(self.size[1]))]}
        doc.update(_map(self.entries, lambda b: [round(float(v), 1) for v in b]))
        return doc


def scene_boxes(scene) -> Boxes:
    """Boxes of what ``scene`` draws at scale 1: each layer's geometry (every box it is made of,
    close button included), each label (with its leader), the legend, the title and a note."""
    width, height = scene.size
    flip = _flipper(height)
    layers: dict[str, np.ndarray] = {}
    for blocks in scene.blocks:
        xy = cam.project(box_corners(blocks.centers, blocks.size), scene.camera, scene.size)
        box = np.array([*xy.min(axis=0), *xy.max(axis=0)])
        name = _layer(blocks.key)
        layers[name] = box if name not in layers else _join(layers[name], box)
    labels, leaders = [], []
    for label in scene.labels:
        labels.append({"layer": _layer(label.key), "box": flip(np.array(label_box(label, scene.camera, scene.size))),
                       "kind": "class" if label.key.endswith(TOP_CLASS) else "name"})
        if label.leader is not None:
            (ax, ay), = cam.project(np.array([label.anchor]), scene.camera, scene.size)
            line = np.array([ax + label.leader[0], ay + label.leader[1], ax + label.offset[0], ay + label.offset[1]])
            leaders.append({"layer": _layer(label.key), "line": flip(line, line=True)})
    entries = {"layers": [{"name": name, "box": flip(box)} for name, box in layers.items()],
               "labels": labels, "leaders": leaders, "legend": None, "title": None, "note": None}
    for kind, items in overlay_groups(scene).items():
        entries[kind] = flip(_items_box(items)) if items else None
    entries["links"] = list(scene.meta.get("links", []))      # pairs of maps, not boxes: they pass through as they are
    return Boxes((float(width), float(height)), entries)


def _items_box(items) -> np.ndarray:
    x0 = min(i.x for i in items)
    y0 = min(i.y for i in items)
    x1 = max(i.x + (i.w or text_width(i.text, i.size, i.bold)) for i in items)
    y1 = max(i.y + (i.h or text_height(i.text, i.size)) for i in items)
    return np.array([x0, y0, x1, y1])


def crop_box(boxes: Boxes, margin: float = CROP_MARGIN) -> tuple[int, int, int, int]:
    """Whole pixels (x0, y0, x1, y1) of the picture that hold everything drawn plus ``margin`` of its
    shorter side all round, within the picture."""
    width, height = boxes.size
    pad = margin * min(width, height)
    x0, y0, x1, y1 = boxes.union()
    return (max(0, int(np.floor(x0 - pad))), max(0, int(np.floor(y0 - pad))),
            min(int(round(width)), int(np.ceil(x1 + pad))), min(int(round(height)), int(np.ceil(y1 + pad))))


def _flipper(height: float):
    """y up from the bottom -> y down from the top: a box (x0, y0, x1, y1) stays ordered; a line
    (x0, y0, x1, y1) from its first point to its second, ``line=True``, keeps its ends."""

    def flip(box, line: bool = False):
        x0, y0, x1, y1 = box
        if line:
            return np.array([x0, height - y0, x1, height - y1], dtype=float)
        return np.array([x0, height - y1, x1, height - y0], dtype=float)
    return flip


def _layer(key: str) -> str:
    return key.rsplit("/", 1)[0]


def _join(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.array([min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])])


def _map(entries: dict, fn) -> dict:
    """``entries`` with ``fn`` applied to every box (and line) in it."""
    out = {}
    for kind, value in entries.items():
        if value is None:
            out[kind] = None
        elif isinstance(value, list):
            out[kind] = [{k: (fn(np.asarray(v, dtype=float)) if k in ("box", "line") else v) for k, v in e.items()}
                         for e in value]
        else:
            out[kind] = fn(np.asarray(value, dtype=float))
    return out
