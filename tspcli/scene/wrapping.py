"""Judging how a long horizontal chain is wrapped into rows (``rows`` moves them into place)."""
from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from . import camera as cam, composition as compose, labels as placing, rows
from .fonts import text_height
from .look import Pose
from .rows import RowPlan

MIN_ROW_LAYERS = 3           # a chain is wrapped into rows of at least this many layers
MAX_AUTO_ROWS = 4
ROWS_WORTH = 1.25            # another row must draw the model this much larger
ROW_ROUNDS = 8               # tries to set wrapped rows apart so that their labels keep clear (a parallel view of
                             # MobileNetV2 settles in 5)
SCALE_PROBES = 2             # framings without labels that find where judging a row plan starts
ROW_CLEARANCE = 1.0          # label sizes kept free between wrapped rows, labels included


class Wrapping:
    """The row plan of a horizontal stack (mixed into ``SceneBuilder``)."""

    def row_groups(self, state: Pose) -> list[list[str]]:
        """The runs of layers drawn as rows, in order (see ``row_plan``)."""
        return self.row_plan(state).groups

    def row_plan(self, state: Pose) -> RowPlan:
        """How the stack is wrapped into rows.

        A horizontal stack of levels longer than two short rows is wrapped,
        as lines of text are, into as many rows as draw it largest in the
        picture with no more labels left out than in one row and the rows
        clear of each other (or into ``Look.rows``), cut where the rows come
        out about equally long.  A branching model is cut only between levels
        that one connection alone crosses (between residual blocks, never
        through a skip), and that connection is not drawn, as in a wrapped
        chain.  A vertical stack stays one tower, TensorSpace's way.  The plan
        is judged on the first horizontal state built, so every frame of an
        animation keeps it.
        """
        names = [layer.name for layer in self.layers]
        if (len(self._level_names) < 2 * MIN_ROW_LAYERS or self.look.rows == 1
                or state.view.direction != "horizontal"):
            return RowPlan([names])
        if self._rows is None:
            self._rows = self._best_rows(state)
        return self._rows

    @functools.cached_property
    def _level_names(self) -> list[list[str]]:
        """The layers of each level, level by level."""
        by_level: dict[int, list[str]] = {}
        for layer in self.layers:
            by_level.setdefault(self.level[layer.name], []).append(layer.name)
        return [by_level[k] for k in sorted(by_level)]

    def _cuttable(self) -> set[int]:
        """Indices of levels before which a row may start: one connection alone crosses there."""
        ranks = sorted(set(self.level.values()))
        crossing = np.zeros(len(ranks) + 1, int)
        position = {rank: i for i, rank in enumerate(ranks)}
        for layer in self.layers:
            for source in self.inbound[layer.name]:
                crossing[position[self.level[source.name]] + 1:position[self.level[layer.name]] + 1] += 1
        return {i for i in range(1, len(ranks)) if crossing[i] == 1}

    def _best_rows(self, state: Pose) -> RowPlan:
        stack = self._stack(state)
        parts, offsets = stack
        right = cam.basis(*state.view.orientation()[:2])[0]
        spans = []
        for names in self._level_names:
            ends = np.concatenate([parts[name].corners + offsets[name] for name in names]) @ right
            spans.append((float(ends.min()), float(ends.max())))
        band = text_height("a\nb", self.label_size) + 3 * placing.GAP     # two lines of label and a leader
        best = RowPlan([[layer.name for layer in self.layers]])
        camera, placement = self._one_row_judged(state, stack)
        best_scale, most_left_out = rows.pixels_per_unit(camera, right, self.look.size), placement.left_out
        allowed = self._cuttable()
        chosen = None       # the best plan's judging
        for count in [self.look.rows] if self.look.rows else range(2, MAX_AUTO_ROWS + 1):
            cuts = rows.balanced_cuts(spans, count, MIN_ROW_LAYERS, allowed)
            if cuts is None:
                continue
            edges = zip([0, *cuts], [*cuts, len(spans)])
            plan = RowPlan([[name for names in self._level_names[a:b] for name in names] for a, b in edges],
                           band, best_scale, np.zeros(count - 1))
            for _ in range(SCALE_PROBES):
                plan.scale = self._probed_scale(state, stack, plan, placement.extents) or plan.scale
            judged = self._rows_scale(state, stack, plan)
            if judged is None or judged[1] > most_left_out:
                continue
            if self.look.rows or judged[0] > best_scale * ROWS_WORTH:
                best, best_scale, chosen = plan, judged[0], judged
        if best.rows > 1:
            self._spread(state, stack, best, chosen)
        return best

    def _spread(self, state: Pose, stack, plan: RowPlan, judged) -> None:
        """Rows of a chain moved apart into height the picture has to spare (a drawing as wide as the picture)
        when labels were left out: a gap by what lets the labels of both its rows take all their lines, as many
        gaps as the spare height holds, from the top; kept if more labels fit and the model is drawn as
        large.  (Some height is kept for the margins, a note and a legend in a row.)"""
        scale, left_out, (blocks, placement, camera) = judged
        if not left_out or not self.linear:      # a branching model's labels stand on every side, not in lines
            return
        width, height = self.look.size
        row_of = {name: r for r, names in enumerate(plan.groups) for name in names}
        boxes = compose.drawn_boxes(blocks, [], camera, self.look.size)
        of = np.array([row_of[b.key.rsplit("/", 1)[0]] for b in blocks])
        low, high = np.full(plan.rows, np.inf), np.full(plan.rows, -np.inf)
        np.minimum.at(low, of, boxes[:, 1])
        np.maximum.at(high, of, boxes[:, 3])
        drawn = compose.union(compose.drawn_boxes(blocks, placement.labels, camera, self.look.size))
        kept = 2 * cam.MARGIN * min(width, height) + self._insets(None, state.view, True)[3]
        if self.look.legend:
            kept += self._insets(self._legend, state.view, True, True)[2] + self._legend.size
        spare = height - kept - (drawn[3] - drawn[1])
        lines = text_height("a\nb", self.label_size)
        side = placing.GAP + (placing.MAX_ROWS - 1) * (lines + placing.ROW_GAP * self.label_size) + lines
        extra = np.zeros(plan.rows - 1)
        for gap, lack in enumerate(2 * side + ROW_CLEARANCE * self.label_size - (low[:-1] - high[1:])):
            if 0 < lack <= spare:
                extra[gap], spare = lack, spare - lack
        upward = rows.pixels_per_unit(camera, cam.basis(*state.view.orientation()[:2])[1], self.look.size)
        if not extra.any() or upward <= 0:
            return
        gaps, before = plan.gaps, plan.scale
        plan.gaps = gaps + extra / upward
        again = self._rows_scale(state, stack, plan)
        if again is None or again[1] >= left_out or again[0] < scale * 0.99:
            plan.gaps, plan.scale = gaps, before

    def _one_row_judged(self, state: Pose, stack):
        """(camera, placement) of the stack in one row, as ``resolve`` judged it (else judged now)."""
        judged = self._one_row.get(state.view.direction)
        if judged and judged[0] is state:
            return judged[1:]
        one_row = RowPlan([[layer.name for layer in self.layers]])
        blocks, lines, requests, _ = self._elements(state, stack=stack, plan=one_row)
        return self._judged(blocks, lines, requests, state.view)

    def _probed_scale(self, state: Pose, stack, plan: RowPlan, room: np.ndarray) -> float | None:
        """Pixels per unit of ``plan`` framed with ``room`` around each label's anchor (what the labels took
        in one row) instead of placing them: where judging the plan starts, so that it settles in one
        round of placing labels rather than first finding the scale by them."""
        parts, offsets = stack
        offsets = {name: offset.copy() for name, offset in offsets.items()}
        rows.wrap(parts, offsets, plan, state.view)
        points, anchors = self._corners_and_anchors(parts, offsets)
        camera = self._frame(points, anchors, room, None, replace(state.view, zoom=1.0))
        scale = rows.pixels_per_unit(camera, cam.basis(*state.view.orientation()[:2])[0], self.look.size)
        return scale if scale > 0 else None

    def _rows_scale(self, state: Pose, stack, plan: RowPlan) -> tuple[float, int, tuple] | None:
        """(pixels per unit, labels left out, (blocks, placement, camera)) of the picture drawn by ``plan``,
        after moving rows apart where they came too close (``plan`` keeps those gaps); None if that fails."""
        right, up, _ = cam.basis(*state.view.orientation()[:2])
        for _ in range(ROW_ROUNDS):
            blocks, lines, requests, legend = self._elements(state, stack=stack, plan=plan)
            camera, placement = self._judged(blocks, lines, requests, state.view)
            scale = rows.pixels_per_unit(camera, right, self.look.size)
            if plan.rows > 1 and not scale > 0:  # rows pushed so far apart that the frame holds no width
                return None
            if plan.rows == 1:
                return scale, placement.left_out, (blocks, placement, camera)
            short = rows.shortfalls(plan, blocks, placement.labels, camera, self.look.size,
                                    ROW_CLEARANCE * self.label_size)
            if np.all(short <= 0.5) and scale <= plan.scale * 1.1:
                return scale, placement.left_out, (blocks, placement, camera)
            # rows further apart by what they lack; the band converted at the scale now seen
            upward = rows.pixels_per_unit(camera, up, self.look.size)
            if not np.all(np.isfinite(short)) or upward <= 0:
                return None
            plan.gaps = plan.gaps + np.maximum(short, 0.0) * 1.1 / upward
            plan.scale = scale
        return None
