"""The camera and the labels, fitted to each other; the stacking direction; details sized by the picture.

Beyond TensorSpace, for a still picture: labels are placed apart from each
other (``labels``), and the camera is fitted to the layers and their labels
together, clear of the title, note and legend.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from . import camera as cam, labels as placing
from .camera import View
from .look import State
from .scene import Blocks
from .geometry import bounds_corners
from .overlay import TITLE_BAND, items_extent, legend_items, note_items
from .rows import RowPlan

MIN_OUTLINED_PX = 12.0       # boxes narrower than this in the picture (at scale 1) are drawn without outlines
MIN_BUTTON_PX = 7.0          # a button's radius is at least this many pixels (at scale 1), so its cross reads
MAX_BUTTON_FONTS = 0.8       # ... and at most this many font sizes in the picture
END_ON = 0.9                 # a view this close to the stack axis (|cos|) piles the layers up
FRAMING_PASSES = 6           # camera and labels are fitted to each other in at most this many rounds


class Framing:
    """Direction, camera and label placement (mixed into ``SceneBuilder``)."""

    def resolve(self, state: State) -> State:
        """Replace direction 'auto' by the stacking that shows the model larger in this picture,
        as one stack (a horizontal one may then be wrapped into rows).

        A stacking whose view looks along the stack (``side`` of a horizontal
        one, ``top`` of a vertical one) would pile the layers onto each other:
        it is not a candidate.
        """
        if state.view.direction != "auto":
            return state
        if state.view.preset == "tsp":      # TensorSpace's own view is of its vertical stack
            return replace(state, view=replace(state.view, direction="vertical"))
        best = None
        for direction in cam.DIRECTIONS:
            candidate = replace(state, view=replace(state.view, direction=direction))
            toward = candidate.view.orientation()[0]
            if abs(float(toward[1])) > END_ON:
                continue
            blocks, lines, requests, legend = self._elements(candidate, wrap=False)
            camera, _ = self._frame_and_place(blocks, lines, requests, legend, candidate.view)
            extent = cam.half_height(camera)
            if best is None or extent < best[0] * 0.999:
                best = (extent, candidate)
        return best[1] if best else replace(state, view=replace(state.view, direction="vertical"))

    def frame_states(self, states: list[State], compact: bool = False):
        """One camera that frames every state (for an animation: no zoom pumping between frames)."""
        states = [self.resolve(s) for s in states]
        view = states[0].view
        elements = [self._elements(state, compact=compact) for state in states]
        points = [p for blocks, lines, *_ in elements for p in _scene_points(blocks, lines)]
        legend = elements[0][3]
        rough = self._frame(points, [], np.zeros((0, 4)), legend, view)
        anchors, extents = [], []
        for _, _, requests, _ in elements:
            anchors += [r.center for r in requests]
            extents += list(self._place(requests, rough, view).extents)
        return self._frame(points, anchors, np.array(extents).reshape(-1, 4), legend, view)

    def crowded(self, states: list[State], camera) -> bool:
        """Whether any state seen by ``camera`` would leave labels out for room (then use compact ones)."""
        states = [self.resolve(s) for s in states]
        return any(self._place(self._elements(s)[2], camera, s.view).left_out for s in states)

    @property
    def title_size(self) -> float:
        return 1.4 * self.look.font_size

    @property
    def label_size(self) -> float:
        return 0.85 * self.look.font_size

    @property
    def note_size(self) -> float:
        return 0.75 * self.look.font_size

    def _fitted_to_picture(self, blocks: Blocks, camera) -> Blocks:
        """Details by their size in the picture: a close button grows or shrinks about its right edge
        into ``MIN_BUTTON_PX`` .. ``MAX_BUTTON_FONTS`` font sizes of radius; many boxes narrower than ``MIN_OUTLINED_PX`` (feature maps) lose their
        outlines, which would otherwise cover them."""
        button = blocks.key.endswith("/button")
        if not button and blocks.edge is None:
            return blocks
        center = blocks.centers.mean(axis=0)
        right = cam.basis(np.subtract(camera.position, camera.focal_point), np.asarray(camera.up))[0]
        ends = cam.project(np.array([center, center + right]), camera, self.look.size)
        width = min(blocks.size[0], blocks.size[2]) * float(np.linalg.norm(ends[1] - ends[0]))
        largest = MAX_BUTTON_FONTS * self.look.font_size
        if button and not MIN_BUTTON_PX <= width / 2 <= largest:
            grow = min(max(width / 2, MIN_BUTTON_PX), largest) / max(width / 2, 1e-9)
            w, h, d = blocks.size
            moved = blocks.centers - [w * (grow - 1) / 2, 0.0, 0.0]
            return replace(blocks, centers=moved, size=(w * grow, h, d * grow))
        if not button and len(blocks.centers) > 1 and width < MIN_OUTLINED_PX:
            return replace(blocks, edge=None)
        return blocks

    def _label_requests(self, placed, state: State, plan: RowPlan, compact: bool = False) -> list[placing.Request]:
        """Each layer's name and output shape (``compact``: its name alone), to be placed beside it:
        two short lines under a horizontal stack, one line beside a vertical one."""
        joiner = "\n" if _label_mode(state.view) == "below" else "  "
        row_of = {name: r for r, names in enumerate(plan.groups) for name in names}
        outputs = {out.name for out in getattr(self.model, "outputs", None) or []} | {self.layers[-1].name}
        requests = []
        for layer in self.layers:
            part, _ = placed[layer.name]
            corners = np.concatenate([bounds_corners(b.centers, b.size) for b in part.blocks])
            inbound = self.inbound[layer.name]
            if not inbound or layer.name in outputs:
                rank = 0
            else:
                rank = 1 if tuple(inbound[0].output_shape) != tuple(layer.output_shape) else 2
            text = part.label.split("\n")[0] if compact else part.label.replace("\n", joiner)
            requests.append(placing.Request(f"{layer.name}/label", text,
                                            (corners.min(axis=0) + corners.max(axis=0)) / 2, corners,
                                            self.label_size, self.look.text_color, rank, row_of[layer.name]))
            # a top class stands on the far side (above, or left) of its unit
            requests += [placing.Request(key, text, points.mean(axis=0), points, self.look.font_size,
                                         self.look.text_color, 0, row_of[layer.name], side=1, bold=True)
                         for key, text, points in part.callouts]
        return requests

    def _place(self, requests, camera, view: View, note: bool = False) -> placing.Placement:
        """Labels placed for ``camera``, kept out of the title, note and legend."""
        left, right, bottom, top = self._insets(self._legend if self.look.legend else None, view, note)
        width, height = self.look.size
        pad = cam.MARGIN * min(width, height)        # the margin the camera keeps free all round
        bounds = (left + pad, bottom + pad, width - right - pad, height - top - pad)
        return placing.place(requests, camera, self.look.size, _label_mode(view), self.linear, bounds)

    def _frame_and_place(self, blocks, lines, requests, legend, view: View):
        """The camera and the labels, fitted to each other.

        Frame with room for the labels, place them, and repeat until every
        label lies in the room it was given (room grows after a few rounds,
        so this ends).
        """
        points = _scene_points(blocks, lines)
        anchors = [r.center for r in requests]
        room = np.zeros((len(requests), 4))
        note = False
        whole = replace(view, zoom=1.0)       # fitted as a whole; a zoom then magnifies the middle
        for attempt in range(FRAMING_PASSES):
            camera = self._frame(points, anchors, room, legend, whole, note)
            placement = self._place(requests, camera, view, note)
            if np.all(placement.extents <= room + 0.5) and note == (placement.left_out > 0):
                break
            note = note or placement.left_out > 0
            room = placement.extents if attempt < FRAMING_PASSES // 2 else np.maximum(room, placement.extents)
        if view.zoom != 1.0:
            camera = cam.zoomed(camera, view.zoom)
            placement = self._place(requests, camera, view, note)
        return camera, placement

    def _insets(self, legend, view, note: bool) -> tuple[float, float, float, float]:
        """Pixels kept free for the title and a note (top) and the legend (left column or bottom row)."""
        top = self.title_band
        if note:
            top += note_items(_LEFT_OUT_EXAMPLE, self.look.size, self.note_size, top)[0].h
        left = bottom = 0.0
        if legend is not None:
            right, height = items_extent(legend_items(legend, self.look.size, top, _legend_row(view)))
            if _legend_row(view):
                bottom = height
            else:
                left = right
        return (left, 0.0, bottom, top)

    @property
    def title_band(self) -> float:
        return TITLE_BAND * self.title_size if self.look.title else 0.0

    def _frame(self, points, anchors, extents, legend, view, note: bool = False):
        points = np.asarray(points, dtype=float).reshape(-1, 3)
        room = np.zeros((len(points), 4))
        if len(anchors):
            points = np.concatenate([points, np.asarray(anchors, dtype=float).reshape(-1, 3)])
            room = np.concatenate([room, np.maximum(np.asarray(extents, dtype=float).reshape(-1, 4), 0.0)])
        return cam.frame(points, view, self.look.size, extents=room, insets=self._insets(legend, view, note))


def _legend_row(view: View) -> bool:
    return view.direction == "horizontal"


def _scene_points(blocks, lines) -> list:
    points = [c for b in blocks for c in bounds_corners(b.centers, b.size)]
    points += [p for ln in lines for path in ln.paths for p in path]
    return points


def _label_mode(view: View) -> str:
    return "below" if view.direction == "horizontal" else "right"


def _left_out_note(placement, layers: int) -> str | None:
    shown = sum(1 for label in placement.labels if label.key.endswith("/label"))
    if shown == layers:
        return None
    return f"labels of {layers - shown} of {layers} layers left out for room"


_LEFT_OUT_EXAMPLE = "labels left out"     # the note's height is all the framing needs
