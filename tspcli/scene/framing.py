"""The camera and the labels, fitted to each other; the stacking direction; details sized by the picture.

Beyond TensorSpace, for a still picture: labels are placed apart from each
other (``labels``), and the camera is fitted to the layers and their labels
together, clear of the title, note and legend.
"""
from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from . import camera as cam, composition as compose, labels as placing
from .camera import View
from .look import Pose
from .scene import Blocks
from .geometry import blocks_corners, bounds_corners
from .planes import AXES, Plane
from .overlay import TITLE_BAND, items_extent, legend_items, note_items
from .rows import RowPlan

MIN_OUTLINED_PX = 12.0       # boxes narrower than this in the picture (at scale 1) are drawn without outlines
MIN_BUTTON_PX = 7.0          # a button's radius is at least this many pixels (at scale 1), so its cross reads
MAX_BUTTON_FONTS = 0.8       # ... and at most this many font sizes in the picture
END_ON = 0.9                 # a view this close to the stack axis (|cos|) piles the layers up
FRAMING_PASSES = 4           # camera and labels are fitted to each other in at most this many rounds
MAX_RETREAT = 4.0            # room for labels may widen the view at most this many times
JUDGING_PASSES = 2           # enough to compare stackings and row plans by their scale
FILL_ROUNDS = 4              # then moved closer while the drawing does not fill the picture
FILL_SLACK = 1.005           # ... by more than this factor


class Framing:
    """Direction, camera and label placement (mixed into ``SceneBuilder``)."""

    def resolve(self, state: Pose) -> Pose:
        """Replace direction 'auto' by the stacking that shows the model larger in this picture,
        as one stack (a horizontal one may then be wrapped into rows).

        A stacking whose view looks along the stack (``side`` of a horizontal
        one, ``top`` of a vertical one) would pile the layers onto each other:
        it is not a candidate.
        """
        if state.view.direction != "auto":
            return state
        candidates = []
        for direction in cam.DIRECTIONS:
            candidate = replace(state, view=replace(state.view, direction=direction))
            toward = candidate.view.orientation()[0]
            if abs(float(toward[1])) <= END_ON:
                candidates.append(candidate)
        # The last is judged first; an earlier one, which wins unless a later one draws the model larger by
        # a margin, is judged only if its framing without labels (which only shrink it) could still win.
        best = None
        for candidate in reversed(candidates):
            if best is not None:
                points, anchors = self._corners_and_anchors(*self._stack(candidate))
                bare = self._frame(points, anchors, np.zeros((len(anchors), 4)), None, replace(candidate.view, zoom=1.0))
                if best[0] < cam.half_height(bare) * 0.999:
                    continue
            blocks, lines, requests, legend = self._elements(candidate, wrap=False)
            camera, placement = self._judged(blocks, lines, requests, candidate.view)
            self._one_row[candidate.view.direction] = (candidate, camera, placement)   # a row plan starts here
            extent = cam.half_height(camera)
            if best is None or not best[0] < extent * 0.999:
                best = (extent, candidate)
        return best[1] if best else replace(state, view=replace(state.view, direction="vertical"))

    def frame_states(self, states: list[Pose], compact: bool = False):
        """One camera that frames every state (for an animation: no zoom pumping between frames)."""
        states = [self.resolve(s) for s in states]
        view = states[0].view
        elements = [self._elements(state, compact=compact) for state in states]
        points = np.concatenate([scene_points(blocks, lines) for blocks, lines, *_ in elements])
        legend = elements[0][3]
        rough = self._frame(points, [], np.zeros((0, 4)), legend, view)
        anchors, extents = [], []
        for _, _, requests, _ in elements:
            anchors += [r.center for r in requests]
            extents += list(self._place(requests, rough, view).extents)
        return self._frame(points, anchors, np.array(extents).reshape(-1, 4), legend, view)

    def crowded(self, states: list[Pose], camera) -> bool:
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
        if not button and (blocks.edge is None or len(blocks.centers) == 1):
            return blocks
        plane = Plane(*blocks.plane)
        across = plane.vectors()[0]
        center = blocks.centers.mean(axis=0)
        right = cam.basis(np.subtract(camera.position, camera.focal_point), np.asarray(camera.up))[0]
        ends = cam.project(np.array([center, center + right]), camera, self.look.size)
        flat = [s for k, s in enumerate(blocks.size) if k != plane.normal]
        width = min(flat) * float(np.linalg.norm(ends[1] - ends[0]))
        largest = MAX_BUTTON_FONTS * self.look.font_size
        if button and not MIN_BUTTON_PX <= width / 2 <= largest:
            grow = min(max(width / 2, MIN_BUTTON_PX), largest) / max(width / 2, 1e-9)
            wide = blocks.size[AXES.index(plane.u[1])]
            moved = blocks.centers - across * (wide * (grow - 1) / 2)
            size = tuple(s if k == plane.normal else s * grow for k, s in enumerate(blocks.size))
            return replace(blocks, centers=moved, size=size)
        if not button and len(blocks.centers) > 1 and width < MIN_OUTLINED_PX:
            return replace(blocks, edge=None)
        return blocks

    def _label_requests(self, placed, state: Pose, plan: RowPlan, compact: bool = False) -> list[placing.Request]:
        """Each layer's name and output shape (``compact``: its name alone), to be placed beside it:
        two short lines under a horizontal stack, one line beside a vertical one."""
        joiner = "\n" if _label_mode(state.view) == "below" else "  "
        row_of = {name: r for r, names in enumerate(plan.groups) for name in names}
        size, color, ranks = self.label_size, self.look.text_color, self._label_ranks
        requests = []
        for layer in self.layers:
            part, _ = placed[layer.name]
            corners = part.corners
            text = part.label.split("\n")[0] if compact else part.label.replace("\n", joiner)
            button = next((b for b in part.blocks if b.key.endswith("/button")), None)
            requests.append(placing.Request(f"{layer.name}/label", text,
                                            (corners.min(axis=0) + corners.max(axis=0)) / 2, corners,
                                            size, color, ranks[layer.name], row_of[layer.name],
                                            button=button))
            # a top class stands on the far side (above, or left) of its layer, over its unit, tied to it
            requests += [placing.Request(key, text, points.mean(axis=0), corners, self.look.font_size,
                                         self.look.text_color, 0, row_of[layer.name], side=1, bold=True)
                         for key, text, points in part.callouts]
        return requests

    @functools.cached_property
    def _label_ranks(self) -> dict[str, int]:
        """Which labels are kept first when some must be left out: 0 inputs and outputs, 1 where the shape
        changes, 2 the rest."""
        outputs = {out.name for out in getattr(self.model, "outputs", None) or []} | {self.layers[-1].name}
        ranks = {}
        for layer in self.layers:
            inbound = self.inbound[layer.name]
            if not inbound or layer.name in outputs:
                ranks[layer.name] = 0
            else:
                ranks[layer.name] = 1 if tuple(inbound[0].output_shape) != tuple(layer.output_shape) else 2
        return ranks

    def _place(self, requests, camera, view: View, note: bool = False, legend=None, row=None,
               within: bool = False, band: bool = False) -> placing.Placement:
        """Labels placed for ``camera``, kept out of the title, the note (``note``: labels were left out
        for room; ``band``: the note's band is kept whatever the labels do) and a ``legend`` band."""
        left, right, bottom, top = self._insets(legend, view, note or band, row)
        width, height = self.look.size
        pad = cam.MARGIN * min(width, height)        # the margin the camera keeps free all round
        bounds = (left + pad, bottom + pad, width - right - pad, height - top - pad)
        requests = [r if r.button is None else     # the button as this picture draws it is the layer's too
                    replace(r, corners=np.concatenate([r.corners, bounds_corners(
                        (fitted := self._fitted_to_picture(r.button, camera)).centers, fitted.size)]))
                    for r in requests]
        # once labels are left out for room, one that would fall outside the picture is left out too
        return self._placements.place(requests, camera, self.look.size, _label_mode(view), self.linear, bounds,
                                      within or note)

    def _frame_and_place(self, blocks, lines, requests, legend, view: View):
        """(camera, label placement, legend as drawn, where: (x, y of its top left corner, in a row) or
        None), composed (see ``composition``): the camera fitted to the layers and their labels, the
        legend in free room (else in a band the framing keeps for it: ``legend_room``), the whole centred."""
        points = scene_points(blocks, lines)
        # connections count as drawn while composing: filling the picture with the layers and labels
        # must not push an arc (a skip connection, seen from above) out of it
        self._line_paths = [np.asarray(path, dtype=float).reshape(-1, 3) for ln in lines for path in ln.paths]
        whole = replace(view, zoom=1.0)       # fitted as a whole; a zoom then magnifies the middle
        camera, placement, note = self._fitted(points, requests, None, whole, view)
        width, height = self.look.size
        pad = cam.MARGIN * min(width, height)
        area = (pad, pad, width - pad, height - pad - self._insets(None, view, note)[3])
        camera, placement = self._filled(camera, placement, blocks, requests, view, note, area)
        spot = None
        self.legend_left_out = False
        if legend is not None:
            placed = self._legend_spot(legend, blocks, points, requests, (camera, placement, note), view, whole,
                                       area, _legend_row(view))
            if placed is None:      # no room for it anywhere in the picture: left out, which the note says
                legend, self.legend_left_out = None, True
                if not note:        # the note needs its band
                    camera, placement, note = self._fitted(points, requests, None, whole, view, band=True)
                    area = (pad, pad, width - pad, height - pad - self._insets(None, view, True)[3])
                    camera, placement = self._filled(camera, placement, blocks, requests, view, note, area,
                                                     band=True)
            else:
                legend, spot, row = placed.legend, placed.spot, placed.row
                camera, placement, note = placed.camera, placed.placement, placed.note
        camera, moved = compose.centred(camera, lambda c: self._drawn(blocks, placement, c), spot, area,
                                        self.look.size)
        legend_at = None
        if spot is not None:
            legend_at = (float(spot[0] + moved[0]), float(height - spot[3] - moved[1]), row)
        if view.zoom != 1.0:
            camera = cam.zoomed(camera, view.zoom)
            placement = self._place(requests, camera, view, note)
        return camera, placement, legend, legend_at

    def _judged(self, blocks, lines, requests, view: View):
        """(camera, placement) fitted to the layers and labels alone, without the composing steps:
        enough to compare stackings and row plans by the scale they draw the model at."""
        points = scene_points(blocks, lines)
        return self._fitted(points, requests, None, replace(view, zoom=1.0), view, passes=JUDGING_PASSES)[:2]

    def _fitted(self, points, requests, legend, whole: View, view: View, row: bool | None = None,
                passes: int = FRAMING_PASSES, band: bool = False):
        """(camera, placement, whether labels were left out for room): frame with room for the labels,
        place them, and repeat until every label lies in the room it was given (room only grows after a
        few rounds, so this ends).  ``band``: the note's band is kept whatever the labels do."""
        anchors = [r.center for r in requests]
        room = np.zeros((len(requests), 4))
        note = False
        nearest = None
        for attempt in range(passes):
            camera = self._frame(points, anchors, room, legend, whole, note or band, row)
            nearest = nearest or cam.half_height(camera)
            if cam.half_height(camera) > MAX_RETREAT * nearest:      # labels cannot all fit: the model would be a
                room = np.minimum(room, 0.0)                    # speck; frame it alone and leave labels out
                camera = self._frame(points, anchors, room, legend, whole, True, row)
                placement = self._place(requests, camera, view, True, legend, row, within=True)
                return camera, placement, True
            placement = self._place(requests, camera, view, note, legend, row, band=band)
            if np.all(placement.extents <= room + 0.5) and note == (placement.left_out > 0):
                break
            note = note or placement.left_out > 0
            room = placement.extents if attempt < passes // 2 else np.maximum(room, placement.extents)
        if np.any(room > placement.extents + 1.0):      # room left over from an earlier round: take it in
            tight = self._frame(points, anchors, placement.extents, legend, whole, note or band, row)
            again = self._place(requests, tight, view, note, legend, row, band=band)
            if np.all(again.extents <= placement.extents + 0.5) and again.left_out == placement.left_out:
                camera, placement = tight, again
        return camera, placement, note

    def _filled(self, camera, placement, blocks, requests, view, note, area, legend=None, row=None,
                band: bool = False):
        """The camera moved closer while the drawing with its labels does not yet fill ``area`` along
        its limiting side: framing with the labels' room as it was measured leaves slack when labels
        move with the scale (a line of labels under the largest layer)."""
        factor = None
        for _ in range(FILL_ROUNDS):
            layers = compose.drawn_boxes(blocks, [], camera, self.look.size)
            everything = self._drawn(blocks, placement, camera)
            if not len(layers):
                break
            if factor is None:      # short of the edge: near faces grow a little more in perspective
                factor = 1 + (compose.growth(layers, everything, area) - 1) * 0.98
            if factor < FILL_SLACK:
                break
            whole = compose.union(everything)
            trial = compose.dollied(camera, factor, ((whole[0] + whole[2]) / 2, (whole[1] + whole[3]) / 2),
                                    self.look.size)
            again = self._place(requests, trial, view, note, legend, row, band=band)
            fresh = compose.union(self._drawn(blocks, again, trial))
            if (again.left_out > placement.left_out or fresh[2] - fresh[0] > area[2] - area[0] + 0.5
                    or fresh[3] - fresh[1] > area[3] - area[1] + 0.5):
                factor = 1 + (factor - 1) / 2       # too far: half the step
                continue
            camera, placement, factor = trial, again, None
        return camera, placement

    def _drawn(self, blocks, placement, camera) -> np.ndarray:
        """Boxes of the layers, the labels and (while composing) each connection's path."""
        boxes = compose.drawn_boxes(blocks, placement.labels, camera, self.look.size)
        paths = getattr(self, "_line_paths", None)
        if not paths:
            return boxes
        xy = cam.project(np.concatenate(paths), camera, self.look.size)
        starts = np.cumsum([0] + [len(p) for p in paths[:-1]])
        lines = np.concatenate([np.minimum.reduceat(xy, starts), np.maximum.reduceat(xy, starts)], axis=1)
        return np.concatenate([boxes, lines])

    def _insets(self, legend, view, note: bool, row: bool | None = None) -> tuple[float, float, float, float]:
        """Pixels kept free for the title and a note (top) and the legend (left column, or bottom ``row``;
        by default the view's)."""
        row = _legend_row(view) if row is None else row
        top = self.title_band
        if note:
            top += note_items(_LEFT_OUT_EXAMPLE, self.look.size, self.note_size, top)[0].h
        left = bottom = 0.0
        if legend is not None:
            right, height = items_extent(legend_items(legend, self.look.size, top, row))
            if row:
                bottom = height
            else:
                left = right
        return (left, 0.0, bottom, top)

    @property
    def title_band(self) -> float:
        return TITLE_BAND * self.title_size if self.look.title else 0.0

    def _frame(self, points, anchors, extents, legend, view, note: bool = False, row: bool | None = None):
        points = np.asarray(points, dtype=float).reshape(-1, 3)
        room = np.zeros((len(points), 4))
        if len(anchors):
            points = np.concatenate([points, np.asarray(anchors, dtype=float).reshape(-1, 3)])
            room = np.concatenate([room, np.maximum(np.asarray(extents, dtype=float).reshape(-1, 4), 0.0)])
        return cam.frame(points, view, self.look.size, extents=room, insets=self._insets(legend, view, note, row))


def _legend_row(view: View) -> bool:
    return view.direction == "horizontal"


def scene_points(blocks, lines) -> np.ndarray:
    """Every corner of the boxes that hold each element's boxes, and every point of the lines: (N, 3)."""
    paths = [np.asarray(path, dtype=float).reshape(-1, 3) for ln in lines for path in ln.paths]
    return np.concatenate([blocks_corners(blocks), *paths])


def _label_mode(view: View) -> str:
    return "below" if view.direction == "horizontal" else "right"


def _left_out_note(placement, layers: int, legend: bool = False) -> str | None:
    """What was left out for room: labels (how many), the legend."""
    shown = sum(1 for label in placement.labels if label.key.endswith("/label"))
    parts = [f"labels of {layers - shown} of {layers} layers"] if shown < layers else []
    parts += ["the legend"] if legend else []
    return f"{' and '.join(parts)} left out for room" if parts else None


_LEFT_OUT_EXAMPLE = "labels left out"     # the note's height is all the framing needs
