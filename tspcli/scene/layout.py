"""Model -> Scene: TensorSpace's geometry as a pure function of (model, state).

``SceneBuilder`` puts together what the modules beside it decide:
``look`` (the picture's look and a frame's state), ``parts`` and ``textures``
(each layer drawn at the origin), ``stacking`` (where layers go, connections),
``wrapping`` (a long chain in rows), ``framing`` (direction, camera and
labels) and ``legend``.
"""
from __future__ import annotations

import numpy as np

from . import rows, style, tween
from .annotate import Annotations
from .framing import MAX_BUTTON_FONTS, MIN_BUTTON_PX, MIN_OUTLINED_PX, Framing, _left_out_note, _legend_row
from .legend import Legends
from .legend_room import LegendRoom
from .look import Look, Pose, initial_state
from .placements import Placements
from .grids import MAP_PITCH, closest_factors
from .parts import BUTTON_SHARE, MAX_SLAB_DEPTH, Parts
from .rows import RowPlan
from .scene import Scene, Texture
from .drawn import drawn_inbound
from .stacking import LEVEL_INTERVAL, MODEL_WIDTH, Stacking, _assemble, _level_axis, _levels, _units
from .textures import Textures
from .wrapping import Wrapping

BAR_CAP = 2.0                # a 1-D layer is drawn at most this many model widths long

__all__ = ["Look", "Pose", "initial_state", "SceneBuilder", "closest_factors", "BUTTON_SHARE", "LEVEL_INTERVAL",
           "MAP_PITCH", "MAX_BUTTON_FONTS", "MAX_SLAB_DEPTH", "MIN_BUTTON_PX", "MIN_OUTLINED_PX", "MODEL_WIDTH"]


class SceneBuilder(Framing, LegendRoom, Wrapping, Stacking, Parts, Textures, Legends, Annotations):
    """Builds scenes of one model for many states; caches textures, which do not change with state."""

    def __init__(self, model, look: Look = Look()):
        self.model = model
        self.look = look
        options = getattr(model, "options", None) or {}
        self.min_opacity = float(options.get("minOpacity", style.DEFAULT_MIN_OPACITY))
        self.rect = (options.get("layerShape") or "rect") == "rect"
        self.aggregate_max = (options.get("aggregationStrategy") or "average") == "max"
        self.model_colors = options.get("color") or {}
        self.buttons = options.get("hasCloseButton", True) and look.close_buttons
        self.shader = style.Shader(look.colormap, self.min_opacity, ink=look.light)
        self.layers = [layer for layer in model.layers if layer.drawn]
        self.inbound = {layer.name: drawn_inbound(layer) for layer in self.layers}
        self.level = _levels(self.layers, self.inbound, getattr(model, "outputs", []) or [])
        self.unit = _units(model.layers)
        self.colors = {layer.name: style.legible(style.layer_color(layer, self.model_colors), look.light)
                       for layer in self.layers}
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
        self._stacks: dict = {}              # (view, openness) -> the stack (see ``_stack``)
        self._parts: dict = {}               # (name, openness, plane) -> part (see ``_kept_part``)
        self._placements = Placements()      # label placements asked again while composing
        self._one_row: dict = {}             # direction -> (state, camera, placement) judged by ``resolve``

    # --- public ---------------------------------------------------------------------------
    def build(self, state: Pose, camera=None, compact: bool = False) -> Scene:
        """The scene for ``state``; ``camera`` (a scene.Camera) skips automatic framing,
        and then ``compact`` says whether labels take their compact form, the layer's name
        alone (see ``crowded``)."""
        state = self.resolve(state)
        blocks, lines, requests, legend = self._elements(state, compact=compact and camera is not None)
        legend_left_out = False
        if camera is None:
            camera, placement, legend, legend_at = self._frame_and_place(blocks, lines, requests, legend, state.view)
            legend_left_out = self.legend_left_out
        else:
            placement, legend_at = self._place(requests, camera, state.view), None
        blocks = [self._fitted_to_picture(b, camera) for b in blocks]
        return Scene(blocks=blocks, lines=lines, labels=placement.labels, camera=camera,
                     background=self.look.background_rgba, text_color=self.look.text_color,
                     legend=legend, legend_row=legend_at[2] if legend_at else _legend_row(state.view),
                     legend_at=legend_at[:2] if legend_at else None,
                     title=self.look.title, title_size=self.title_size, size=self.look.size,
                     note=_left_out_note(placement, len(self.layers), legend_left_out)
                     if requests or legend_left_out else None,
                     note_size=self.note_size, meta={"links": self._link_entries(state)})

    def tweened(self, state: Pose, first: Scene, second: Scene, s: float) -> Scene:
        """A frame of ``state`` between the composed key scenes ``first`` and ``second`` (see ``tween``)."""
        state = self.resolve(state)
        blocks, lines, requests, legend = self._elements(state)
        camera = tween.camera(first.camera, second.camera, s)
        frame = Scene(blocks=[self._fitted_to_picture(b, camera) for b in blocks], lines=lines, labels=[],
                      camera=camera, background=self.look.background_rgba, text_color=self.look.text_color,
                      legend=legend, legend_row=first.legend_row, title=self.look.title,
                      title_size=self.title_size, size=self.look.size, note_size=self.note_size,
                      meta={"links": self._link_entries(state)})
        return tween.between(frame, first, second, s, {r.key: tuple(map(float, r.center)) for r in requests})

    def _elements(self, state: Pose, wrap: bool = True, stack=None, plan: RowPlan | None = None,
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
        blocks, lines = self._annotate(blocks, lines, state)
        requests = self._label_requests(placed, state, plan, compact) if self.look.labels else []
        return blocks, lines, requests, self._legend if self.look.legend else None
