"""Frames between two composed pictures of an animation: camera, labels and legend moved smoothly (pure).

An animation composes a few key states fully (camera fitted, labels placed,
legend set: ``SceneBuilder.build``).  A frame between two keys takes its
geometry from its own state and everything composed from the two keys, mixed
by how far it is from one to the other: the camera glides from one framing to
the next, so the drawing fills the picture at every key, and a label keeps
its place relative to its layer, gliding to where the next key puts it,
instead of being placed afresh (and jumping) each frame.  A label that only
one key has shows from the nearer key.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .scene import Camera, Scene


def between(scene: Scene, first: Scene, second: Scene, s: float, anchors: dict) -> Scene:
    """``scene`` (a frame's geometry) with the camera, labels and legend of the keys ``first`` and
    ``second`` mixed at ``s`` (0: the first, 1: the second); ``anchors``: each label's point in this
    frame (its layer's centre), which its text follows."""
    s = min(1.0, max(0.0, float(s)))
    labels = []
    later = {label.key: label for label in second.labels}
    earlier = {label.key: label for label in first.labels}
    for key in dict.fromkeys([*earlier, *later]):
        a, b = earlier.get(key), later.get(key)
        if a is None or b is None:
            shown = a if (b is None and s < 0.5) else b if (a is None and s >= 0.5) else None
            if shown is not None:
                labels.append(replace(shown, anchor=anchors.get(key, shown.anchor)))
            continue
        mixed = replace(b if s >= 0.5 else a, anchor=anchors.get(key, _mix(a.anchor, b.anchor, s)),
                        offset=_mix(a.offset, b.offset, s))
        if a.leader is not None or b.leader is not None:
            mixed = replace(mixed, leader=_mix(a.leader or a.offset, b.leader or b.offset, s))
        labels.append(mixed)
    legend_at = first.legend_at if s < 0.5 else second.legend_at
    if first.legend_at is not None and second.legend_at is not None and first.legend_row == second.legend_row:
        legend_at = _mix(first.legend_at, second.legend_at, s)
    return replace(scene, camera=camera(first.camera, second.camera, s), labels=labels, legend_at=legend_at,
                   legend_row=(first if s < 0.5 else second).legend_row,
                   legend=(first if s < 0.5 else second).legend,      # as the key drew it (maybe smaller)
                   note=(first if s < 0.5 else second).note)


def camera(a: Camera, b: Camera, s: float) -> Camera:
    """Position, focal point, view angle and a parallel view's scale glide; up is mixed and kept a unit vector."""
    up = np.asarray(_mix(a.up, b.up, s))
    up = up / max(float(np.linalg.norm(up)), 1e-9)
    scale = None
    if a.parallel_scale is not None and b.parallel_scale is not None:
        scale = a.parallel_scale + (b.parallel_scale - a.parallel_scale) * s
    return Camera(_mix(a.position, b.position, s), _mix(a.focal_point, b.focal_point, s),
                  tuple(map(float, up)), a.view_angle + (b.view_angle - a.view_angle) * s, scale)


def _mix(a, b, s: float) -> tuple:
    return tuple(float(x + (y - x) * s) for x, y in zip(a, b))
