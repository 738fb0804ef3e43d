"""Where each layer goes: levels stacked 50 units apart, layers of one level side by side, connections.

Sizes follow TensorSpace so that its users recognise the picture: every input
layer is 100 units wide and that unit (100 / input width) scales the layers
after it.  A functional model is laid out by level (longest path from the
inputs), layers of one level side by side, with lines to their inbound layers.
"""
from __future__ import annotations


import numpy as np

from . import camera as cam, planes
from .camera import View
from .look import Pose
from .parts import _Part
from .scene import Lines
from . import style

MODEL_WIDTH = 100.0          # width of every input layer
LEVEL_INTERVAL = 50.0        # between levels along y
IN_LEVEL_GAP = 50.0          # between layers of one level, side by side
LEVEL_GAP = 15.0             # at least this between the faces of neighbouring levels
STACKS_KEPT = 4              # stackings remembered per builder (see ``_stack``)
OPEN_ROOM = 0.8              # extra room on each side of an open layer, per unit of its spread seen edgewise


class Stacking:
    """Positions of the parts and the lines between them (mixed into ``SceneBuilder``)."""

    def _stack(self, state: Pose) -> tuple[dict[str, _Part], dict[str, np.ndarray]]:
        """Each drawn layer's part (drawn at the origin) and its position on one stack; the same for
        the same view and openness (a still asks for it while judging directions, row plans and for the
        picture itself), so callers must not change what it returns.

        Levels stack along +y, 50 units apart as in TensorSpace, or further where
        layers need it (an open grid facing the camera spreads along the stack),
        plus room on both sides of a grid that lies flat, in proportion to its
        spread and to how obliquely the camera sees it, so that it does not hide
        its neighbours.  Layers of one level sit side by side 50 units apart
        (TensorSpace's in-level alignment), along the axis across the stack that
        the camera sees broadside: branches lie in the picture's plane.
        """
        key = (state.view, tuple(sorted((name, float(t)) for name, t in state.openness.items())))
        cache = self._stacks
        if key not in cache:
            if len(cache) >= STACKS_KEPT:       # an animation asks for a new openness each frame
                cache.clear()
            cache[key] = self._stacked(state)
        return cache[key]

    def _stacked(self, state: Pose) -> tuple[dict[str, _Part], dict[str, np.ndarray]]:
        axis = _level_axis(state.view)
        toward, up, _ = state.view.orientation()
        right, up, _ = cam.basis(toward, up)
        plane = planes.facing(toward, right, up)
        # How much of a flat grid the camera sees along the stack: none from the side, more from above.
        edgewise = abs(float(toward[1])) if plane == planes.FLAT else 0.0
        parts = {layer.name: self._kept_part(layer, self._openness(layer, state), plane) for layer in self.layers}
        by_level: dict[int, list] = {}
        for layer in self.layers:
            by_level.setdefault(self.level[layer.name], []).append(layer)
        offsets = {}
        y = None
        previous_room = previous_top = 0.0
        for level, members in sorted(by_level.items()):
            bounds = [parts[m.name].bounds() for m in members]
            room = max(OPEN_ROOM * edgewise * parts[m.name].opened * float(max(hi[0] - lo[0], hi[2] - lo[2]))
                       for m, (lo, hi) in zip(members, bounds))
            low = min(float(lo[1]) for lo, _ in bounds)
            if y is not None:
                y += max(LEVEL_INTERVAL + previous_room + room, previous_top + LEVEL_GAP - low)
            y = y or 0.0
            previous_room = room
            previous_top = max(float(hi[1]) for _, hi in bounds)
            # widths are symmetric about each layer's own axis, so its close button never touches a neighbour
            widths = [2 * float(max(-lo[axis], hi[axis])) for lo, hi in bounds]
            along = -(sum(widths) + IN_LEVEL_GAP * (len(members) - 1)) / 2
            for member, w in zip(members, widths):
                offsets[member.name] = np.array([0.0, y, 0.0])
                offsets[member.name][axis] = along + w / 2
                along += w + IN_LEVEL_GAP
        return parts, offsets

    def _corners_and_anchors(self, parts, offsets) -> tuple[np.ndarray, list]:
        """(every layer's box corners, (N, 3); its labels' anchors in the order of the label requests) of
        ``parts`` at ``offsets``: the drawing's extent without building it (nor its connections)."""
        points, anchors = [], []
        for layer in self.layers:
            part, offset = parts[layer.name], offsets[layer.name]
            corners = part.corners + offset
            points.append(corners)
            anchors.append((corners.min(axis=0) + corners.max(axis=0)) / 2)
            anchors += [spot.mean(axis=0) + offset for _, _, spot in part.callouts]
        return np.concatenate(points), anchors

    def _kept_part(self, layer, t: float, plane) -> _Part:
        """``_part``, kept for a closed or open layer: a closed one is the same whatever the plane, so both
        stackings that ``resolve`` compares share it (frames between, of an animation, are not kept)."""
        if t not in (0.0, 1.0):
            return self._part(layer, t, plane)
        key = (layer.name, t, plane if t else None)
        if key not in self._parts:
            self._parts[key] = self._part(layer, t, plane)
        return self._parts[key]

    def _connections(self, placed, axis: int, row_of: dict[str, int]) -> list[Lines]:
        """A line from the top of each inbound layer to the bottom of the layer it feeds, within a row."""
        paths = []
        for layer in self.layers:
            part, offset = placed[layer.name]
            end = np.array([offset[0], part.bounds()[0][1], offset[2]])
            for source in self.inbound[layer.name]:
                if row_of[source.name] != row_of[layer.name]:
                    continue
                spart, soffset = placed[source.name]
                start = np.array([soffset[0], spart.bounds()[1][1], soffset[2]])
                if self.level[layer.name] - self.level[source.name] <= 1:
                    paths.append(np.array([start, end]))
                else:
                    paths.append(self._skip_curve(start, end, source, layer, placed, axis))
        return [Lines("connections", paths, (*style.FRAME_COLOR, 1.0), 1.5)] if paths else []

    def _skip_curve(self, start, end, source, layer, placed, axis: int) -> np.ndarray:
        """A cubic curve that bows out beside the layers it skips (along the in-level axis)."""
        lo, hi = self.level[source.name], self.level[layer.name]
        reach = max(start[axis], end[axis])
        for other in self.layers:
            if lo < self.level[other.name] < hi:
                part, _ = placed[other.name]
                reach = max(reach, float(part.bounds()[1][axis]))
        bow = reach + 0.25 * IN_LEVEL_GAP
        mid = (start[axis] + end[axis]) / 2
        control = mid + (bow - mid) / 0.75      # a cubic reaches 3/4 of the way to its control points
        p1, p2 = start.copy(), end.copy()
        p1[1] = start[1] + (end[1] - start[1]) * 0.25
        p2[1] = start[1] + (end[1] - start[1]) * 0.75
        p1[axis] = p2[axis] = control
        s = np.linspace(0, 1, 33)[:, None]
        return (1 - s) ** 3 * start + 3 * (1 - s) ** 2 * s * p1 + 3 * (1 - s) * s ** 2 * p2 + s ** 3 * end


def _level_axis(view: View) -> int:
    """The scene axis across the stack along which layers of one level sit side by side: the one the
    camera sees most broadside (screen-right of a vertical stack, screen-down of a horizontal one)."""
    toward = view.orientation()[0]
    return 0 if abs(float(toward[0])) <= abs(float(toward[2])) else 2


def _assemble(parts: dict[str, _Part], offsets: dict[str, np.ndarray]) -> dict[str, tuple[_Part, np.ndarray]]:
    """Each part moved to its offset (new parts; those given stay at the origin)."""
    return {name: (part.moved(offsets[name]), offsets[name]) for name, part in parts.items()}


def _levels(layers, inbound, outputs) -> dict[str, int]:
    """Longest path from the inputs; final outputs aligned to the last level (TensorSpace).

    An output that other layers consume (a model exporting intermediate values,
    like TensorSpace's ACGAN) keeps its own level.
    """
    level: dict[str, int] = {}
    for layer in layers:      # topological order
        sources = inbound[layer.name]
        level[layer.name] = 1 + max((level[s.name] for s in sources), default=-1)
    last = max(level.values(), default=0)
    consumed = {s.name for layer in layers for s in inbound[layer.name]}
    for out in outputs:
        if out.name in level and out.name not in consumed:
            level[out.name] = last
    return level


def _units(layers) -> dict[str, float]:
    """TensorSpace's unit length: 100 / input width, inherited along the first inbound; two departures.

    A 1-D input beside other inputs takes the smallest of their units, so that a
    one-unit class label is one cell beside a 100-unit noise vector, not a
    100-unit cube.  Feature maps made from a vector (a generator's Reshape)
    start a scale of their own in which their widest map is 100 units, as an
    input image would be: at the vector's unit a 28x28 output is a speck.
    """
    inputs = [layer for layer in layers if not layer.inbound]
    own = {layer.name: MODEL_WIDTH / (layer.output_shape[1] if len(layer.output_shape) == 3
                                      else layer.output_shape[0]) for layer in inputs}
    unit: dict[str, float] = {}
    root: dict[str, str | None] = {}     # layer -> the vector-made maps whose scale it shares, if any
    widest: dict[str, int] = {}
    for layer in layers:
        shape = layer.output_shape
        if not layer.inbound:
            unit[layer.name] = min(own.values()) if len(shape) == 1 else own[layer.name]
            root[layer.name] = None
            continue
        first = layer.inbound[0]
        unit[layer.name] = unit[first.name]
        made_from_vector = len(shape) == 3 and len(first.output_shape) != 3
        root[layer.name] = layer.name if made_from_vector else root[first.name]
        if len(shape) == 3 and root[layer.name]:
            widest[root[layer.name]] = max(widest.get(root[layer.name], 0), shape[1])
    for name, base in root.items():
        if base:
            unit[name] = MODEL_WIDTH / widest[base]
    return unit
