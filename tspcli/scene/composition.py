"""Composing the picture: the legend in free room beside the drawing, the whole centred (pure).

After the camera is fitted to the layers and their labels, the drawing fills
the picture along its limiting side and leaves room along the other.  The
legend goes where it covers nothing: in an empty corner of the drawing, or
next to it where the picture has room; only when neither is free does the
framing keep a band for it.  Then the camera pans so that the drawing and its
legend sit in the middle of the picture, with equal margins on opposite sides.
Boxes here are pixels (x0, y0, x1, y1) with y up from the bottom, as the
camera's projection gives them.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import camera as cam
from .geometry import box_corners
from .label_spots import extent
from .spatial import BoxIndex

CENTRING_ROUNDS = 2          # pans (a perspective view shifts near and far points unequally)


def drawn_boxes(blocks, labels, camera, size) -> np.ndarray:
    """(K, 4) boxes of what is drawn in 3-D and as labels: each element's boxes, each label, each leader."""
    boxes = np.zeros((0, 4))
    if blocks:
        corners = [box_corners(b.centers, b.size) for b in blocks]
        xy = cam.project(np.concatenate(corners), camera, size)
        starts = np.cumsum([0] + [len(c) for c in corners[:-1]])
        boxes = np.concatenate([np.minimum.reduceat(xy, starts), np.maximum.reduceat(xy, starts)], axis=1)
    if labels:
        anchors = cam.project(np.array([label.anchor for label in labels]), camera, size)
        extents = np.array([extent(label) for label in labels])
        text = np.stack([anchors[:, 0] - extents[:, 0], anchors[:, 1] - extents[:, 2],
                         anchors[:, 0] + extents[:, 1], anchors[:, 1] + extents[:, 3]], axis=1)
        lead = [(a, label) for a, label in zip(anchors, labels) if label.leader is not None]
        leaders = [[a[0] + min(lab.leader[0], lab.offset[0]), a[1] + min(lab.leader[1], lab.offset[1]),
                    a[0] + max(lab.leader[0], lab.offset[0]), a[1] + max(lab.leader[1], lab.offset[1])]
                   for a, lab in lead]
        boxes = np.concatenate([boxes, text, np.array(leaders).reshape(-1, 4)])
    return boxes


def union(boxes: np.ndarray) -> np.ndarray:
    return np.array([*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0)])


def free_spot(boxes: np.ndarray, legend: tuple[float, float], area, gap: float) -> np.ndarray | None:
    """A place for a legend of ``legend`` (w, h) pixels that covers nothing of ``boxes``: an empty corner
    of the drawing, else beside it where the drawing and the legend together still fit ``area``
    (x0, y0, x1, y1: the part of the picture the drawing may use); None if there is none."""
    if not len(boxes):
        return None
    w, h = legend
    x0, y0, x1, y1 = union(boxes)
    inside = [(x0, y1 - h), (x1 - w, y1 - h), (x0, y0), (x1 - w, y0)]            # bottom-left corners
    beside = [(x0, y0 - gap - h), (x1 - w, y0 - gap - h), (x0, y1 + gap), (x1 - w, y1 + gap),
              (x0 - gap - w, y1 - h), (x1 + gap, y1 - h), (x0 - gap - w, y0), (x1 + gap, y0)]
    index = BoxIndex(max(w, h))
    for box in boxes:
        index.add(box)
    room_w, room_h = area[2] - area[0], area[3] - area[1]
    for left, bottom in inside + beside:
        spot = np.array([left, bottom, left + w, bottom + h])
        whole = union(np.array([[x0, y0, x1, y1], spot]))
        if whole[2] - whole[0] > room_w + 0.5 or whole[3] - whole[1] > room_h + 0.5:
            continue
        if not index.hits(spot, gap / 2):
            return spot
    return None


def beside(boxes: np.ndarray, legend: tuple[float, float], row: bool, gap: float, area) -> np.ndarray:
    """The legend's box next to the drawing: centred below it (``row``), else left of it, top aligned;
    within ``area`` across."""
    w, h = legend
    x0, y0, x1, y1 = union(boxes)
    if row:
        left = min(max((x0 + x1) / 2 - w / 2, area[0]), area[2] - w)
        return np.array([left, y0 - gap - h, left + w, y0 - gap])
    top = max(min(y1, area[3]), area[1] + h)
    return np.array([x0 - gap - w, top - h, x0 - gap, top])


def centred(camera, measure, legend: np.ndarray | None, area, size) -> tuple[object, np.ndarray]:
    """``camera`` panned so that the drawing, ``measure(camera)``'s boxes, and the ``legend`` box (which
    moves with the drawing) sit in the middle of ``area``; returns the camera and the pixels all moved.
    Measured again after each pan: in perspective, points at other depths move a little more or less."""
    moved = np.zeros(2)
    for _ in range(CENTRING_ROUNDS):
        boxes = measure(camera)
        if legend is not None:
            boxes = np.vstack([boxes, legend + np.tile(moved, 2)])
        if not len(boxes):
            break
        x0, y0, x1, y1 = union(boxes)
        shift = np.array([(area[0] + area[2] - x0 - x1) / 2, (area[1] + area[3] - y0 - y1) / 2])
        if np.all(np.abs(shift) < 0.25):
            break
        camera = panned(camera, shift, size)
        moved += shift
    return camera, moved


def panned(camera, shift, size):
    """The camera moved sideways so that its focal plane moves ``shift`` (dx, dy) pixels on the picture."""
    position = np.asarray(camera.position, dtype=float)
    focal = np.asarray(camera.focal_point, dtype=float)
    right, up, _ = cam.basis(position - focal, np.asarray(camera.up, dtype=float))
    per_pixel = 2 * cam.half_height(camera) / size[1]
    step = -(shift[0] * right + shift[1] * up) * per_pixel
    return replace(camera, position=tuple(map(float, position + step)), focal_point=tuple(map(float, focal + step)))


def growth(layers: np.ndarray, everything: np.ndarray, area) -> float:
    """How many times larger the 3-D drawing may be drawn so that it and its labels (which keep their
    size) fill ``area``: the layers' extent grows, what labels add beyond it does not."""
    grown = []
    for axis in (0, 1):
        inner = layers[:, axis + 2].max() - layers[:, axis].min()
        outer = everything[:, axis + 2].max() - everything[:, axis].min()
        room = area[axis + 2] - area[axis]
        if inner > 1e-6:
            grown.append((room - (outer - inner)) / inner)
    return min(grown, default=1.0)


def dollied(camera, factor: float, about, size):
    """The camera panned so that pixel ``about`` is the picture's middle, then moved toward its focal
    point so that what lies at the focal distance is drawn ``factor`` times larger."""
    middle = np.array([size[0] / 2, size[1] / 2])
    camera = panned(camera, middle - np.asarray(about, dtype=float), size)
    if camera.parallel_scale is not None:       # a parallel view magnifies by narrowing, not by coming closer
        return replace(camera, parallel_scale=camera.parallel_scale / factor)
    position = np.asarray(camera.position, dtype=float)
    focal = np.asarray(camera.focal_point, dtype=float)
    position = focal + (position - focal) / factor
    return replace(camera, position=tuple(map(float, position)))
