"""Model -> Scene: TensorSpace's geometry as a pure function of (model, state).

Sizes follow TensorSpace so that its users recognise the picture: every input
layer is 100 units wide and that unit (100 / input width) scales the layers
after it; levels stack 50 units apart along +y; a closed layer with feature
maps is one slab whose thickness grows with its channel count; an open one is
a grid of maps with a centre pitch of 1.5 map sizes.  A functional model is
laid out by level (longest path from the inputs), layers of one level side by
side, with lines to their inbound layers.

``State.openness`` gives each layer's openness from 0 (closed) to 1 (open);
values in between are the frames of an opening: maps fly out from the slab's
centre, a 1-D bar stretches, RGB channels separate then spread.

Beyond TensorSpace, for a still picture: a long horizontal chain may be
wrapped into rows (``rows``), labels are placed apart from each other
(``labels``), and the camera is fitted to the layers and their labels
together.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from typing import Mapping

import numpy as np

from ..errors import OptionError
from . import atlas, camera as cam, labels as placing, rows, style
from .camera import View
from .geometry import bounds_corners
from .fonts import text_height
from .overlay import TITLE_BAND, items_extent, legend_items, note_items
from .rows import RowPlan
from .scene import Blocks, Legend, LegendEntry, Lines, Scene, ShadingKey, Texture

MODEL_WIDTH = 100.0          # width of every input layer
LEVEL_INTERVAL = 50.0        # between levels along y
IN_LEVEL_GAP = 50.0          # between layers of one level along x
MAX_SLAB_DEPTH = 30.0        # thickness of the slab with the most channels
OPEN_ROOM = 0.8              # extra room on each side of an open layer, per unit of its spread seen edgewise
MAP_PITCH = 1.5              # centre pitch of open maps, in map sizes
CLOSE_BUTTON_RATIO = 0.03    # button radius per open height
BUTTON_GAP = 30.0            # TensorSpace: from the open layer's left edge to the button's centre
MIN_OUTLINED_PX = 12.0       # boxes narrower than this in the picture (at scale 1) are drawn without outlines
MIN_BUTTON_PX = 7.0          # a button's radius is at least this many pixels (at scale 1), so its cross reads
BUTTON_THICKNESS = 0.1       # in units: a flat disc (a thick one shows its two faces apart)
BAR_CAP = 2.0                # a 1-D layer is drawn at most this many model widths long
BAR_ASPECT = 20              # a bar of more units than this is this many times longer than thick
BUTTON_SHARE = 0.12          # a button's radius is at most this share of its layer's longest side
MAX_BUTTON_FONTS = 0.8       # ... and at most this many font sizes in the picture
MAX_BAR_TEXELS = 4096        # longer 1-D values are shown by the maximum of each bin
RGB_SEPARATION = 20.0        # how far R and B move from G while an RGB input opens
END_ON = 0.9                 # a view this close to the stack axis (|cos|) piles the layers up
MIN_ROW_LAYERS = 3           # a chain is wrapped into rows of at least this many layers
MAX_AUTO_ROWS = 4
ROWS_WORTH = 1.25            # another row must draw the model this much larger
ROW_ROUNDS = 6               # tries to set wrapped rows apart so that their labels keep clear
ROW_CLEARANCE = 1.0          # label sizes kept free between wrapped rows, labels included
FRAMING_PASSES = 6           # camera and labels are fitted to each other in at most this many rounds
LEGEND_RAMP_STEPS = 16

CAN_OPEN_MESSAGE = "layers that open: those with more than one feature map or unit"


@dataclass(frozen=True)
class Look:
    """How the picture looks, apart from what the state (openness, camera) says."""

    size: tuple[int, int] = (1920, 1080)
    background: str = "black"          # a colour, or 'transparent'
    colormap: str | None = None        # None: TensorSpace's layer colour with opacity by value
    normalize: str = "map"
    labels: bool = True
    legend: bool = True
    title: str | None = None
    text_scale: float = 1.0            # multiplies every font size (larger for figures printed small)
    rows: int | None = None            # rows a chain is wrapped into; None: as many as draw it largest

    def __post_init__(self):
        if self.normalize not in style.NORMALIZE_MODES:
            raise OptionError(f"unknown normalize mode '{self.normalize}'",
                              hint="map, layer or model")
        if not (self.text_scale > 0 and math.isfinite(self.text_scale)):
            raise OptionError(f"text scale must be a positive number, got {self.text_scale}")

    @property
    def background_rgba(self) -> tuple[float, float, float, float]:
        if str(self.background).lower() == "transparent":
            return (0.0, 0.0, 0.0, 0.0)
        return (*style.parse_color(self.background, "background"), 1.0)

    @property
    def light(self) -> bool:
        """A light background (transparent pictures count: they go on paper and slides)."""
        r, g, b, a = self.background_rgba
        return a == 0 or style.luminance((r, g, b)) > 0.5

    @property
    def text_color(self) -> tuple[float, float, float]:
        return (0.15, 0.15, 0.15) if self.light else (0.9, 0.9, 0.9)

    @property
    def font_size(self) -> float:
        """The base font size in pixels at scale 1: 1/60 of the picture's shorter side (18 px at 1080p)."""
        return max(10.0, min(self.size) / 60) * self.text_scale


@dataclass(frozen=True)
class State:
    """What changes from frame to frame: how open each layer is, and the camera."""

    openness: Mapping[str, float] = field(default_factory=dict)   # layer name -> 0..1; missing: closed
    view: View = View()


def initial_state(model, open_layers=None, view: View = View()) -> State:
    """Each layer's initStatus (else the model's layerInitStatus), then ``open_layers`` opened.

    ``open_layers`` is None, 'all', or names; an unknown name is an OptionError.
    """
    default = (getattr(model, "options", None) or {}).get("layerInitStatus") or "close"
    openness = {}
    for layer in model.layers:
        status = getattr(layer, "init_status", None) or default
        if status == "open" or getattr(layer, "is_open", False):
            openness[layer.name] = 1.0
    if open_layers == "all":
        openness.update({layer.name: 1.0 for layer in model.layers})
    elif open_layers:
        names = {layer.name for layer in model.layers if layer.drawn}
        for name in open_layers:
            if name not in names:
                close = sorted(names, key=lambda n: _distance(n, name))[:3]
                raise OptionError(f"--open: no drawn layer named '{name}'",
                                  hint="layers include " + ", ".join(close))
            openness[name] = 1.0
    return State(openness, view)


def _distance(a: str, b: str) -> float:
    import difflib

    return -difflib.SequenceMatcher(None, a, b).ratio()


@dataclass
class _Part:
    """One layer drawn at the origin, before it is placed."""

    blocks: list[Blocks]
    label: str
    opened: float = 0.0        # openness of a layer that spreads out: it gets room in its level
    callouts: list[tuple[str, str, np.ndarray]] = field(default_factory=list)   # (key, text, point it names)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        corners = np.concatenate([bounds_corners(b.centers, b.size) for b in self.blocks])
        return corners.min(axis=0), corners.max(axis=0)


class SceneBuilder:
    """Builds scenes of one model for many states; caches textures, which do not change with state."""

    def __init__(self, model, look: Look = Look()):
        self.model = model
        self.look = look
        options = getattr(model, "options", None) or {}
        self.min_opacity = float(options.get("minOpacity", style.DEFAULT_MIN_OPACITY))
        self.rect = (options.get("layerShape") or "rect") == "rect"
        self.aggregate_max = (options.get("aggregationStrategy") or "average") == "max"
        self.model_colors = options.get("color") or {}
        self.buttons = options.get("hasCloseButton", True)
        self.shader = style.Shader(look.colormap, self.min_opacity, ink=look.light)
        self.layers = [layer for layer in model.layers if layer.drawn]
        self.inbound = {layer.name: _drawn_inbound(layer) for layer in self.layers}
        self.level = _levels(self.layers, self.inbound, getattr(model, "outputs", []) or [])
        self.unit = _units(model.layers)
        self.colors = {layer.name: style.layer_color(layer, self.model_colors) for layer in self.layers}
        depths = [layer.output_shape[-1] for layer in self.layers if len(layer.output_shape) == 3]
        self.max_channels = max(depths, default=1)
        footprints = [layer.output_shape[1] * self.unit[layer.name]
                      for layer in self.layers if len(layer.output_shape) == 3]
        self.bar_cap = BAR_CAP * max([MODEL_WIDTH, *footprints])
        self.has_values = any(layer.neural_value is not None for layer in self.layers)
        self.model_range = None
        if look.normalize == "model" and self.has_values:
            ranges = [style.value_range(np.asarray(layer.neural_value)) for layer in self.layers
                      if layer.neural_value is not None]
            self.model_range = (min(r[0] for r in ranges), max(r[1] for r in ranges))
        self.linear = all(len(self.inbound[layer.name]) <= 1 for layer in self.layers) and \
            len(set(self.level.values())) == len(self.layers)
        self._textures: dict[str, tuple[Texture, np.ndarray, np.ndarray]] = {}
        self._rows: RowPlan | None = None    # how a horizontal stack is wrapped, once judged

    # --- public ---------------------------------------------------------------------------
    def build(self, state: State, camera=None, compact: bool = False) -> Scene:
        """The scene for ``state``; ``camera`` (a scene.Camera) skips automatic framing,
        and then ``compact`` says whether labels take their compact form, the layer's name
        alone (see ``crowded``)."""
        state = self.resolve(state)
        blocks, lines, requests, legend = self._elements(state, compact=compact and camera is not None)
        if camera is None:
            camera, placement = self._frame_and_place(blocks, lines, requests, legend, state.view)
        else:
            placement = self._place(requests, camera, state.view)
        blocks = [self._fitted_to_picture(b, camera) for b in blocks]
        return Scene(blocks=blocks, lines=lines, labels=placement.labels, camera=camera,
                     background=self.look.background_rgba, text_color=self.look.text_color,
                     legend=legend, legend_row=_legend_row(state.view),
                     title=self.look.title, title_size=self.title_size, size=self.look.size,
                     note=_left_out_note(placement, len(self.layers)) if requests else None,
                     note_size=self.note_size)

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

    def _elements(self, state: State, wrap: bool = True, stack=None, plan: RowPlan | None = None,
                  compact: bool = False):
        """(blocks, lines, label requests, legend) of a state: its layers in rows when ``wrap`` (by
        ``plan``, else the builder's), on one stack otherwise; ``stack``: the state's (parts, offsets);
        ``compact``: labels of names alone."""
        plan = plan or (self.row_plan(state) if wrap else RowPlan([[layer.name for layer in self.layers]]))
        parts, offsets = stack or self._stack(state)
        offsets = {name: offset.copy() for name, offset in offsets.items()}
        if plan.rows > 1:
            rows.wrap(parts, offsets, plan, state.view)
        placed = _assemble(parts, offsets)
        blocks = [b for part, _ in placed.values() for b in part.blocks]
        row_of = {name: r for r, names in enumerate(plan.groups) for name in names}
        lines = [] if self.linear else self._connections(placed, _level_axis(state.view), row_of)
        requests = self._label_requests(placed, state, plan, compact) if self.look.labels else []
        return blocks, lines, requests, self._legend if self.look.legend else None

    # --- placement ------------------------------------------------------------------------
    def _stack(self, state: State) -> tuple[dict[str, _Part], dict[str, np.ndarray]]:
        """Each drawn layer's part (drawn at the origin) and its position on one stack.

        Levels stack along +y, 50 units apart as in TensorSpace, plus room on
        both sides of an open layer in proportion to its spread and to how
        obliquely the camera sees it, so that a grid of maps does not hide its
        neighbours (none in TensorSpace's own side view).  Layers of one level sit
        side by side 50 units apart (TensorSpace's in-level alignment), along
        x when stacked vertically and along z (screen-down) when horizontal.
        """
        axis = _level_axis(state.view)
        # How much of a layer's plane the camera sees along the stack: none from the side (tsp), more from above.
        edgewise = abs(float(state.view.orientation()[0][1]))
        parts = {layer.name: self._part(layer, self._openness(layer, state)) for layer in self.layers}
        by_level: dict[int, list] = {}
        for layer in self.layers:
            by_level.setdefault(self.level[layer.name], []).append(layer)
        offsets = {}
        y = None
        previous_room = 0.0
        for level, members in sorted(by_level.items()):
            bounds = [parts[m.name].bounds() for m in members]
            room = max(OPEN_ROOM * edgewise * parts[m.name].opened * float(max(hi[0] - lo[0], hi[2] - lo[2]))
                       for m, (lo, hi) in zip(members, bounds))
            y = 0.0 if y is None else y + LEVEL_INTERVAL + previous_room + room
            previous_room = room
            # widths are symmetric about each layer's own axis, so its close button never touches a neighbour
            widths = [2 * float(max(-lo[axis], hi[axis])) for lo, hi in bounds]
            along = -(sum(widths) + IN_LEVEL_GAP * (len(members) - 1)) / 2
            for member, w in zip(members, widths):
                offsets[member.name] = np.array([0.0, y, 0.0])
                offsets[member.name][axis] = along + w / 2
                along += w + IN_LEVEL_GAP
        return parts, offsets

    # --- wrapping a long chain into rows --------------------------------------------------
    def row_groups(self, state: State) -> list[list[str]]:
        """The runs of layers drawn as rows, in order (see ``row_plan``)."""
        return self.row_plan(state).groups

    def row_plan(self, state: State) -> RowPlan:
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

    def _best_rows(self, state: State) -> RowPlan:
        stack = self._stack(state)
        parts, offsets = stack
        right = cam.basis(*state.view.orientation()[:2])[0]
        spans = []
        for names in self._level_names:
            ends = np.concatenate([bounds_corners(b.centers, b.size) + offsets[name]
                                   for name in names for b in parts[name].blocks]) @ right
            spans.append((float(ends.min()), float(ends.max())))
        band = text_height("a\nb", self.label_size) + 3 * placing.GAP     # two lines of label and a leader
        best = RowPlan([[layer.name for layer in self.layers]])
        best_scale, most_left_out = self._rows_scale(state, stack, best)
        allowed = self._cuttable()
        for count in [self.look.rows] if self.look.rows else range(2, MAX_AUTO_ROWS + 1):
            cuts = rows.balanced_cuts(spans, count, MIN_ROW_LAYERS, allowed)
            if cuts is None:
                continue
            edges = zip([0, *cuts], [*cuts, len(spans)])
            plan = RowPlan([[name for names in self._level_names[a:b] for name in names] for a, b in edges],
                           band, best_scale, np.zeros(count - 1))
            judged = self._rows_scale(state, stack, plan)
            if judged is None or judged[1] > most_left_out:
                continue
            if self.look.rows or judged[0] > best_scale * ROWS_WORTH:
                best, best_scale = plan, judged[0]
        return best

    def _rows_scale(self, state: State, stack, plan: RowPlan) -> tuple[float, int] | None:
        """(pixels per unit, labels left out) of the picture drawn by ``plan``, after moving rows apart
        where they came too close (``plan`` keeps those gaps); None if that fails."""
        right, up, _ = cam.basis(*state.view.orientation()[:2])
        for _ in range(ROW_ROUNDS):
            blocks, lines, requests, legend = self._elements(state, stack=stack, plan=plan)
            camera, placement = self._frame_and_place(blocks, lines, requests, legend, state.view)
            scale = rows.pixels_per_unit(camera, right, self.look.size)
            if plan.rows == 1:
                return scale, placement.left_out
            short = rows.shortfalls(plan, blocks, placement.labels, camera, self.look.size,
                                    ROW_CLEARANCE * self.label_size)
            if np.all(short <= 0.5) and scale <= plan.scale * 1.1:
                return scale, placement.left_out
            # rows further apart by what they lack; the band converted at the scale now seen
            upward = rows.pixels_per_unit(camera, up, self.look.size)
            if not np.all(np.isfinite(short)) or upward <= 0:
                return None
            plan.gaps = plan.gaps + np.maximum(short, 0.0) * 1.1 / upward
            plan.scale = scale
        return None

    def _openness(self, layer, state: State) -> float:
        t = float(state.openness.get(layer.name, 0.0))
        return min(1.0, max(0.0, t))

    # --- one layer ------------------------------------------------------------------------
    def _part(self, layer, t: float) -> _Part:
        shape = tuple(layer.output_shape)
        if len(shape) == 3:
            if layer.layer_type == "RGBInput":
                return self._rgb_input(layer, t)
            return self._maps(layer, t)
        if len(shape) == 2:
            return self._strips(layer, t)
        if len(shape) == 1:
            if layer.layer_type == "Output1d":
                return self._cubes(layer, t)
            return self._bar(layer, t)
        raise OptionError(f"cannot draw a {len(shape)}-D output {list(shape)}", layer=layer.name)

    def _maps(self, layer, t: float) -> _Part:
        h, w, c = layer.output_shape
        u = self.unit[layer.name]
        fw, fd = w * u, h * u
        label = f"{layer.name}\n{h}×{w}×{c}"
        if layer.layer_type == "GreyscaleInput":
            return _Part([self._blocks(layer, "image", np.zeros((1, 3)), (fw, u, fd), self._image_pixels,
                                       open_=False)], label)
        if c == 1 or t > 0:
            grid = _grid(c, fw, fd, self.rect)
            blocks = [self._blocks(layer, "maps", grid * t, (fw, u, fd), self._map_pixels, open_=True)]
            if t >= 1 and c > 1:
                depth = float(np.ptp(grid[:, 2])) + fd
                self._attach_button(layer, blocks, depth * CLOSE_BUTTON_RATIO, u)
            return _Part(blocks, label, t if c > 1 else 0.0)
        thickness = max(1.0, c / self.max_channels * MAX_SLAB_DEPTH)
        return _Part([self._blocks(layer, "slab", np.zeros((1, 3)), (fw, thickness, fd), self._aggregate_pixels,
                                   open_=False, framed=True)], label)

    def _rgb_input(self, layer, t: float) -> _Part:
        h, w, _ = layer.output_shape
        u = self.unit[layer.name]
        fw, fd = w * u, h * u
        label = f"{layer.name}\n{h}×{w}×3"
        if t == 0:
            return _Part([self._blocks(layer, "image", np.zeros((1, 3)), (fw, u, fd), self._image_pixels,
                                       open_=False)], label)
        # TensorSpace: first R and B move apart from G vertically, then all three spread into a row.
        lift = np.array([1.0, 0.0, -1.0]) * RGB_SEPARATION
        if t <= 0.5:
            centers = np.zeros((3, 3))
            centers[:, 1] = lift * (t / 0.5)
        else:
            s = (t - 0.5) / 0.5
            centers = _line(3, fw) * s
            centers[:, 1] = lift * (1 - s)
        blocks = [self._blocks(layer, "channels", centers, (fw, u, fd), self._channel_pixels, open_=True)]
        if t >= 1:
            self._attach_button(layer, blocks, fd * CLOSE_BUTTON_RATIO, u)
        return _Part(blocks, label, t)

    def _strips(self, layer, t: float) -> _Part:
        length, c = layer.output_shape
        u = self.unit[layer.name]
        drawn, ratio = self._capped(length * u)
        s = max(u, drawn / 40)
        label = f"{layer.name}\n{length}×{c}" + _ratio_text(ratio)
        if c == 1 or t > 0:
            pitch = min(2 * s, 1.5 * max(drawn, c * u) / max(c - 1, 1))    # short sequences: a cell apart
            thick = min(s, 0.6 * pitch)
            centers = np.zeros((c, 3))
            centers[:, 2] = (np.arange(c) - (c - 1) / 2) * pitch * t
            blocks = [self._blocks(layer, "strips", centers, (drawn, thick, thick), self._strip_pixels, open_=True)]
            return _Part(blocks, label, t if c > 1 else 0.0)
        return _Part([self._blocks(layer, "strip", np.zeros((1, 3)), (drawn, s, s), self._strip_aggregate,
                                   open_=False, framed=True)], label)

    def _bar(self, layer, t: float) -> _Part:
        (n,) = layer.output_shape
        u = self.unit[layer.name]
        drawn, ratio = self._capped(n * u)
        label = f"{layer.name}\n{n}" + _ratio_text(ratio)
        agg_w, agg_d = self._aggregate_footprint(layer)
        # a row of unit cells, no thicker than a twentieth of its length however large the unit
        thick = min(u, drawn / min(n, BAR_ASPECT))
        if n == 1 or t > 0:   # TensorSpace: the closed plate stretches into the bar
            size = (_lerp(agg_w, drawn, t), thick, _lerp(agg_d, thick, t))
            blocks = [self._blocks(layer, "bar", np.zeros((1, 3)), size, self._bar_pixels, open_=True)]
            if t >= 1:
                self._attach_button(layer, blocks, _queue_button_radius(n, u), thick)
            return _Part(blocks, label, t)
        return _Part([self._closed_queue(layer, agg_w, agg_d, u)], label)

    def _cubes(self, layer, t: float) -> _Part:
        (n,) = layer.output_shape
        u = self.unit[layer.name]
        cube = min(u * 1.3, self.bar_cap / (2 * n))
        label = f"{layer.name}\n{n}"
        if n > 1 and t == 0:
            agg_w, agg_d = self._aggregate_footprint(layer)
            return _Part([self._closed_queue(layer, agg_w, agg_d, u)], label)
        centers = np.zeros((n, 3))
        centers[:, 0] = (np.arange(n) - (n - 1) / 2) * 2 * cube * t
        blocks = [self._blocks(layer, "cubes", centers, (cube, cube, cube), self._cube_pixels, open_=True)]
        callouts = []
        if t >= 1:
            callouts = self._top_classes(layer, centers)
            if n > 1:
                self._attach_button(layer, blocks, _queue_button_radius(n, u), u)
        return _Part(blocks, label, t if n > 1 else 0.0, callouts)

    def _closed_queue(self, layer, width: float, depth: float, u: float) -> Blocks:
        """TensorSpace's closed 1-D layer: a flat plate the size of the last layer with maps."""
        return self._blocks(layer, "block", np.zeros((1, 3)), (width, u, depth),
                            lambda lay: self._flat_pixels(lay, (1, 1)), open_=False, framed=True)

    def _top_classes(self, layer, centers) -> list[tuple[str, str, np.ndarray]]:
        """The most likely class and its value, named from the layer's ``outputs`` when given, pointing at its cube."""
        if layer.neural_value is None:
            return []
        names = (getattr(layer, "config", None) or {}).get("outputs")
        values = np.asarray(layer.neural_value, dtype=float).ravel()
        best = int(np.argmax(values))
        name = names[best] if names else f"unit {best}"
        return [(f"{layer.name}/top", f"{name}: {values[best]:.3g}", np.asarray(centers[best], dtype=float))]

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

    def _attach_button(self, layer, blocks: list[Blocks], radius: float, u: float) -> None:
        """TensorSpace's close button: a disc left of the open layer, if the layer shows one."""
        settings = getattr(layer, "close_button", None) or {}
        if not (self.buttons and settings.get("display", True)):
            return
        corners = np.concatenate([bounds_corners(b.centers, b.size) for b in blocks])
        longest = float(np.ptp(corners[:, [0, 2]], axis=0).max())
        radius = min(radius, BUTTON_SHARE * longest) * float(settings.get("ratio", 1.0))
        left = min(float((b.centers[:, 0] - b.size[0] / 2).min()) for b in blocks)
        center = [[left - max(BUTTON_GAP, 2 * radius), 0.0, 0.0]]
        blocks.append(self._blocks(layer, "button", center, (2 * radius, BUTTON_THICKNESS * u, 2 * radius),
                                   lambda lay: _button_pixels(self.colors[lay.name]), side_opacity=0.0,
                                   outline=False))

    def _blocks(self, layer, part: str, centers, size, pixels, open_: bool = True, framed: bool = False,
                side_opacity: float | None = None, outline: bool = True) -> Blocks:
        """A Blocks element whose texture ``pixels(layer)`` is computed once per builder.

        Edges: on dark backgrounds TensorSpace's grey frame around closed
        layers (``framed``); on light ones a darker shade of the layer colour
        around every box (``outline``), which gives pale maps an edge on paper.
        """
        key = f"{layer.name}/{part}"
        if key not in self._textures:
            if side_opacity is None:
                side_opacity = self._side_opacity(open_)
            sides = style.side_colors(self.colors[layer.name], side_opacity)
            image, tiles, side_tiles = atlas.pack(pixels(layer), sides)
            self._textures[key] = (Texture(key, image), tiles, side_tiles)
        tex, tiles, side_tiles = self._textures[key]
        if self.look.light:
            edge = style.outline_color(self.colors[layer.name]) if outline else None
        else:
            edge = style.FRAME_COLOR if framed else None
        return Blocks(key, np.asarray(centers, dtype=float), tuple(map(float, size)), tex, tiles, side_tiles, edge)

    def _capped(self, length: float) -> tuple[float, int]:
        """(drawn length, ratio): long 1-D layers are shortened by a whole ratio."""
        if length <= self.bar_cap:
            return length, 1
        ratio = math.ceil(length / self.bar_cap)
        return length / ratio, ratio

    def _aggregate_footprint(self, layer) -> tuple[float, float]:
        """TensorSpace: a closed 1-D layer is a plate the size of the last layer with maps."""
        u = self.unit[layer.name]
        node = layer
        while node.inbound:
            node = node.inbound[0]
            shape = node.output_shape
            if len(shape) == 3:
                return shape[1] * self.unit[node.name], shape[0] * self.unit[node.name]
        return 3 * u, 3 * u

    def _side_opacity(self, open_: bool) -> float:
        if not self.has_values:
            return style.ARCHITECTURE_OPACITY
        if self.shader.ink or self.look.colormap:      # opaque faces get opaque sides
            return 1.0
        return self.min_opacity * (0.6 if open_ else 1.0)   # TensorSpace: map sides at 60% of minOpacity

    # --- textures -------------------------------------------------------------------------
    def _range(self, layer, values):
        if self.look.normalize == "model":
            return self.model_range
        if self.look.normalize == "layer":
            return style.value_range(values)
        return None

    def _channels_first(self, layer) -> np.ndarray | None:
        value = layer.neural_value
        if value is None:
            return None
        value = np.asarray(value, dtype=np.float32)
        return np.moveaxis(value, -1, 0)      # (C, ...) one image per channel

    def _map_pixels(self, layer):
        maps = self._channels_first(layer)
        rgb = self.colors[layer.name]
        h, w, c = layer.output_shape
        if maps is None:
            return self.shader.flat((c, h, w), rgb, style.ARCHITECTURE_OPACITY)
        return self.shader.rgba(style.normalise(maps, self._range(layer, maps)), rgb)

    def _aggregate_pixels(self, layer):
        maps = self._channels_first(layer)
        rgb = self.colors[layer.name]
        h, w, _ = layer.output_shape
        if maps is None:
            return self.shader.flat((1, h, w), rgb, style.ARCHITECTURE_OPACITY)
        agg = (maps.max(axis=0) if self.aggregate_max else maps.mean(axis=0))[None]
        return self.shader.rgba(style.normalise(agg, self._range(layer, maps)), rgb)

    def _image_pixels(self, layer):
        """An input image as it is (RGB, or grey for one channel), opaque: readable on any background."""
        value = layer.neural_value
        h, w, _ = layer.output_shape
        if value is None:
            return self.shader.flat((1, h, w), self.colors[layer.name], style.ARCHITECTURE_OPACITY)
        norm = style.normalise(np.asarray(value, dtype=np.float32)[None], None)[0]
        out = np.empty((1, h, w, 4), np.uint8)
        out[0, ..., :3] = np.rint(norm * 255)     # one channel broadcasts to grey
        out[0, ..., 3] = 255
        return out

    def _channel_pixels(self, layer):
        maps = self._channels_first(layer)
        h, w, _ = layer.output_shape
        primaries = np.eye(3)
        if maps is None:
            return np.concatenate([self.shader.flat((1, h, w), p, style.ARCHITECTURE_OPACITY) for p in primaries])
        norm = style.normalise(maps, self._range(layer, maps))
        if self.look.colormap:
            return self.shader.rgba(norm, None)
        return np.concatenate([self.shader.rgba(norm[i:i + 1], primaries[i]) for i in range(3)])

    def _strip_pixels(self, layer):
        maps = self._channels_first(layer)            # (C, L)
        length, c = layer.output_shape
        rgb = self.colors[layer.name]
        if maps is None:
            return self.shader.flat((c, 1, length), rgb, style.ARCHITECTURE_OPACITY)
        return self.shader.rgba(style.normalise(maps, self._range(layer, maps)), rgb)[:, None]

    def _strip_aggregate(self, layer):
        maps = self._channels_first(layer)
        length, _ = layer.output_shape
        rgb = self.colors[layer.name]
        if maps is None:
            return self.shader.flat((1, 1, length), rgb, style.ARCHITECTURE_OPACITY)
        agg = (maps.max(axis=0) if self.aggregate_max else maps.mean(axis=0))[None]
        return self.shader.rgba(style.normalise(agg, self._range(layer, maps)), rgb)[:, None]

    def _bar_pixels(self, layer):
        (n,) = layer.output_shape
        rgb = self.colors[layer.name]
        if layer.neural_value is None:
            return self.shader.flat((1, 1, min(n, MAX_BAR_TEXELS)), rgb, style.ARCHITECTURE_OPACITY)
        values = np.asarray(layer.neural_value, dtype=np.float32).ravel()
        lo_hi = self._range(layer, values)
        shown = _bin_max(values, MAX_BAR_TEXELS)
        return self.shader.rgba(style.normalise(shown[None], lo_hi or style.value_range(values)), rgb)[:, None]

    def _cube_pixels(self, layer):
        (n,) = layer.output_shape
        rgb = self.colors[layer.name]
        if layer.neural_value is None:
            return self.shader.flat((n, 1, 1), rgb, style.ARCHITECTURE_OPACITY)
        values = np.asarray(layer.neural_value, dtype=np.float32).ravel()
        lo_hi = self._range(layer, values) or style.value_range(values)
        return self.shader.rgba(style.normalise(values, lo_hi), rgb).reshape(n, 1, 1, 4)

    def _flat_pixels(self, layer, shape):
        opacity = self.min_opacity if self.has_values else style.ARCHITECTURE_OPACITY
        return self.shader.flat((1, *shape), self.colors[layer.name], opacity)

    # --- lines, labels, legend, camera ----------------------------------------------------
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
            # a top class stands on the far side (above, or left) with a leader to its cube
            requests += [placing.Request(key, text, point, corners, self.look.font_size, self.look.text_color, 0,
                                         row_of[layer.name], side=1, bold=True)
                         for key, text, point in part.callouts]
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

    @functools.cached_property
    def _legend(self) -> Legend:
        """Each layer type once, in its colour; layers with colours of their own are named beside their type.

        With values (and no colormap) each swatch is the ramp its type is
        shaded with, lowest value on the left, and a key says how and over what
        the minimum and maximum are taken.
        """
        by_type: dict[str, dict[tuple, list[str]]] = {}
        first = {}
        for layer in self.layers:
            first.setdefault(layer.layer_type, layer)
            by_type.setdefault(layer.layer_type, {}).setdefault(self.colors[layer.name], []).append(layer.name)
        ramps = self.has_values and not self.look.colormap
        entries = []
        for kind, groups in by_type.items():
            own = style.type_color(first[kind], self.model_colors)
            main = own if own in groups else max(groups, key=lambda c: len(groups[c]))
            for color in [main, *(c for c in groups if c != main)]:
                text = kind if color == main else f"{kind} ({_names(groups[color])})"
                ramp = tuple(map(tuple, self.shader.ramp(color, LEGEND_RAMP_STEPS).round(4))) if ramps else ()
                entries.append(LegendEntry(text, color, ramp))
        key = None
        if self.has_values:
            scope = {"map": "each feature map\n(1-D layers: of the layer)", "layer": "each layer",
                     "model": "the whole model"}[self.look.normalize]
            scheme = f" ({self.look.colormap})" if self.look.colormap else ""
            key = ShadingKey(f"value of {scope}{scheme}",
                             self.shader.ramp(self.look.text_color, LEGEND_RAMP_STEPS), "min", "max")
        return Legend(tuple(entries), key, 0.85 * self.look.font_size)

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


def _level_axis(view: View) -> int:
    """The scene axis along which layers of one level sit side by side: screen-right or screen-down."""
    return 2 if view.direction == "horizontal" else 0


def _legend_row(view: View) -> bool:
    return view.direction == "horizontal"


def _scene_points(blocks, lines) -> list:
    points = [c for b in blocks for c in bounds_corners(b.centers, b.size)]
    points += [p for ln in lines for path in ln.paths for p in path]
    return points


def _assemble(parts: dict[str, _Part], offsets: dict[str, np.ndarray]) -> dict[str, tuple[_Part, np.ndarray]]:
    """Each part moved to its offset (new parts; those given stay at the origin)."""
    placed = {}
    for name, part in parts.items():
        offset = offsets[name]
        moved = replace(part, blocks=[replace(b, centers=b.centers + offset) for b in part.blocks],
                        callouts=[(key, text, point + offset) for key, text, point in part.callouts])
        placed[name] = (moved, offset)
    return placed


def _label_mode(view: View) -> str:
    return "below" if view.direction == "horizontal" else "right"


def _names(names: list[str], shown: int = 2) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" +{more}" if more > 0 else "")


def _left_out_note(placement, layers: int) -> str | None:
    shown = sum(1 for label in placement.labels if label.key.endswith("/label"))
    if shown == layers:
        return None
    return f"labels of {layers - shown} of {layers} layers left out for room"


_LEFT_OUT_EXAMPLE = "labels left out"     # the note's height is all the framing needs


def _queue_button_radius(n: int, u: float) -> float:
    return (2.0 if n > 50 else 1.1) * u     # TensorSpace's size for 1-D layers


def _ratio_text(ratio: int) -> str:
    return f" (drawn 1:{ratio})" if ratio > 1 else ""


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t


def _bin_max(values: np.ndarray, bins: int) -> np.ndarray:
    if len(values) <= bins:
        return values
    edges = np.linspace(0, len(values), bins + 1).astype(int)
    return np.maximum.reduceat(values, edges[:-1])


def closest_factors(n: int) -> tuple[int, int]:
    """(columns, rows) of the grid of n maps: the two closest factors, columns >= rows.

    As TensorSpace means it: a grid at most 2:1 (its loop lets 7 -> 7 x 1
    through; we do not).  Counts that only factor into longer shapes (primes,
    2 x a prime) use a near-square grid with empty slots; 2 and 3 maps stay a row.
    """
    root = math.isqrt(n)
    if root * root == n:
        return root, root
    base = root
    while base > 1 and n % base:
        base -= 1
    if n <= 3 or n // base <= 2 * base:
        return n // base, base
    side = root + 1
    return side, -(-n // side)


def _grid(count: int, width: float, depth: float, rect: bool) -> np.ndarray:
    """Centres of ``count`` maps in channel order: a grid (rect) or a row (line), centred at 0."""
    if not rect:
        return _line(count, width)
    cols, rows = closest_factors(count)
    index = np.arange(count)
    col, row = index // rows, index % rows     # TensorSpace fills columns first
    centers = np.zeros((count, 3))
    centers[:, 0] = (col - (cols - 1) / 2) * MAP_PITCH * width
    centers[:, 2] = (row - (rows - 1) / 2) * MAP_PITCH * depth
    return centers


def _line(count: int, width: float) -> np.ndarray:
    centers = np.zeros((count, 3))
    centers[:, 0] = (np.arange(count) - (count - 1) / 2) * MAP_PITCH * width
    return centers


def _button_pixels(rgb) -> np.ndarray:
    """A disc with a cross, in the layer's colour: TensorSpace's close button."""
    n = 64
    yy, xx = (np.mgrid[0:n, 0:n] + 0.5) / n * 2 - 1
    r = np.hypot(xx, yy)
    cross = (np.minimum(np.abs(xx - yy), np.abs(xx + yy)) < 0.14) & (r < 0.6)
    alpha = np.where(r <= 1, 0.35, 0.0)
    alpha = np.where((r > 0.85) & (r <= 1), 1.0, alpha)
    alpha = np.where(cross, 1.0, alpha)
    out = np.empty((1, n, n, 4), np.uint8)
    out[..., :3] = np.rint(np.asarray(rgb) * 255)
    out[0, ..., 3] = np.rint(alpha * 255)
    return out


def _drawn_inbound(layer) -> list:
    """Inbound layers that are drawn, looking through hidden ones."""
    found = []
    for source in layer.inbound:
        for node in ([source] if source.drawn else _drawn_inbound(source)):
            if node not in found:
                found.append(node)
    return found


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
