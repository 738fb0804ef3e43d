"""The composition rules of issue 11, checked on a ``--boxes`` document (shared by tests and benchmarks).

``faults(doc)`` lists what breaks a rule, in words; ``fill(doc)`` and ``margins(doc)`` give the numbers.
"""
from __future__ import annotations

import numpy as np

FILL = 0.90          # the drawing spans at least this share of the picture's limiting dimension
BALANCE = 0.05       # opposite margins differ by at most this share of the picture
TOUCH = 0.5          # pixels two boxes may share (rounding), not an overlap


def overlaps(a, b, slack: float = TOUCH) -> bool:
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


def union(boxes) -> np.ndarray:
    stack = np.array(list(boxes), dtype=float).reshape(-1, 4)
    return np.array([*stack[:, :2].min(axis=0), *stack[:, 2:].max(axis=0)])


def drawing(doc, legend: bool = True) -> np.ndarray:
    """The union of every drawn layer and label (and the legend)."""
    boxes = [e["box"] for e in doc["layers"]] + [e["box"] for e in doc["labels"]]
    if legend and doc.get("legend"):
        boxes.append(doc["legend"])
    return union(boxes)


def fill(doc) -> float:
    """The share of the limiting dimension that the layers and labels span."""
    w, h = doc["size"]
    x0, y0, x1, y1 = drawing(doc, legend=False)
    return max((x1 - x0) / w, (y1 - y0) / h)


def margins(doc) -> tuple[float, float]:
    """(|left - right| / width, |top - bottom| / height) of the drawing with its legend."""
    w, h = doc["size"]
    x0, y0, x1, y1 = drawing(doc)
    return abs(x0 - (w - x1)) / w, abs(y0 - (h - y1)) / h


def faults(doc, check_fill: bool = True) -> list[str]:
    w, h = doc["size"]
    found = []
    labels = doc["labels"]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            if overlaps(a["box"], b["box"]):
                found.append(f"label {a['layer']} overlaps label {b['layer']}")
        for layer in doc["layers"]:
            if a.get("kind") == "class" and layer["name"] == a["layer"]:
                continue          # a top class names one unit of its layer, beside it
            if overlaps(a["box"], layer["box"]):
                found.append(f"label {a['layer']} overlaps layer {layer['name']}")
        if doc.get("legend") and overlaps(a["box"], doc["legend"]):
            found.append(f"label {a['layer']} overlaps the legend")
    for kind, entries in (("layer", doc["layers"]), ("label", labels)):
        for e in entries:
            x0, y0, x1, y1 = e["box"]
            if x0 < -TOUCH or y0 < -TOUCH or x1 > w + TOUCH or y1 > h + TOUCH:
                found.append(f"{kind} {e.get('name') or e.get('layer')} is outside the picture")
    if check_fill:
        if fill(doc) < FILL:
            found.append(f"the drawing fills {fill(doc):.0%} of the picture")
        mx, my = margins(doc)
        if mx > BALANCE or my > BALANCE:
            found.append(f"margins unbalanced by {mx:.0%} across, {my:.0%} down")
    return found
