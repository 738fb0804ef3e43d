"""The legend: each layer type once, in its colour, with the ramp it is shaded with."""
from __future__ import annotations

import functools

from .scene import Legend, LegendEntry, ShadingKey
from . import style

LEGEND_RAMP_STEPS = 16


class Legends:
    """The model's legend (mixed into ``SceneBuilder``)."""

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
            own = style.legible(style.type_color(first[kind], self.model_colors), self.look.light)
            main = own if own in groups else max(groups, key=lambda c: len(groups[c]))
            for color in [main, *(c for c in groups if c != main)]:
                text = kind if color == main else f"{kind} ({_names(groups[color])})"
                ramp = tuple(map(tuple, self.shader.ramp(color, LEGEND_RAMP_STEPS).round(4))) if ramps else ()
                entries.append(LegendEntry(text, color, ramp))
        entries += _folded_entries(self.layers, self.model_colors, self.look.light)
        key = None
        if self.has_values:
            scope = {"map": "each feature map\n(1-D layers: of the layer)", "layer": "each layer",
                     "model": "the whole model"}[self.look.normalize]
            scheme = f" ({self.look.colormap})" if self.look.colormap else ""
            key = ShadingKey(f"value of {scope}{scheme}",
                             self.shader.ramp(self.look.text_color, LEGEND_RAMP_STEPS), "min", "max")
        return Legend(tuple(entries), key, 0.85 * self.look.font_size)


def _folded_entries(layers, model_colors, light: bool) -> list[LegendEntry]:
    """Each type folded into the layers before it (scene.folding), once, with its label's short name."""
    from .folding import short_name

    seen = {}
    for layer in layers:
        for member in getattr(layer, "folded", ()):
            seen.setdefault((member.layer_type, short_name(member)), member)
    return [LegendEntry(f"{kind} (folded: +{short})", style.legible(style.type_color(member, model_colors), light))
            for (kind, short), member in seen.items()]


def _names(names: list[str], shown: int = 2) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" +{more}" if more > 0 else "")
