"""What a layer reads, drawn over the layout: ``--links`` lines and the explain step's window."""
from __future__ import annotations

from . import explain, style
from .drawn import drawn_inbound
from .links import link_entries, link_lines, link_sources, map_blocks
from .look import Pose

WINDOW_ON_DARK, WINDOW_ON_LIGHT = (1.0, 1.0, 1.0), (0.1, 0.1, 0.1)
PADDING_ON_DARK, PADDING_ON_LIGHT = (1.0, 0.45, 0.45), (0.75, 0.1, 0.1)


class Annotations:
    """Links and explanations (mixed into ``SceneBuilder``, whose attributes it reads)."""

    def _layer_named(self) -> dict:
        """Drawn layers by name (once per builder)."""
        if "_drawn_by_name" not in self.__dict__:
            self._drawn_by_name = {layer.name: layer for layer in self.layers}
        return self._drawn_by_name

    def _sources(self) -> dict[str, str]:
        """The drawn input layer of each linked layer (checked once per builder)."""
        if "_link_sources" not in self.__dict__:
            self._link_sources = link_sources(self.look.links, self._layer_named(), self.inbound)
        return self._link_sources

    def _annotate(self, blocks: list, lines: list, state: Pose) -> tuple[list, list]:
        """``blocks`` and ``lines`` with the links of open layers and each explained layer's progress added."""
        by_name = self._layer_named()
        sources = self._sources()
        lines = list(lines)
        for request in self.look.links:
            layer = by_name[request.layer]
            out_maps = map_blocks(blocks, layer.name, layer.output_shape[-1])
            in_maps = map_blocks(blocks, sources[layer.name], layer.input_shape[-1])
            if out_maps is not None and in_maps is not None:
                lines += link_lines(layer, request, out_maps, in_maps, self.look.light)
        for name, explaining in state.explaining.items():
            blocks, extra = self._explained(by_name[name], blocks, explaining, state)
            lines += extra
        return blocks, lines

    def _link_entries(self, state: Pose) -> list[dict]:
        """``--boxes``' links: those of layers drawn open with their input open."""
        entries = []
        for request in self.look.links:
            source = self._sources()[request.layer]
            if self._openness_of(request.layer, state) >= 1 and self._openness_of(source, state) >= 1:
                entries += link_entries(self._layer_named()[request.layer], request, source)
        return entries

    def _openness_of(self, name: str, state: Pose) -> float:
        """How open a layer is; a single map counts as open (it is drawn as its map)."""
        layer = self._layer_named()[name]
        return self._openness(layer, state) if layer.output_shape[-1] > 1 else 1.0

    def _explained(self, layer, blocks: list, explaining: explain.Explaining, state: Pose):
        """The layer's maps filled as far as ``explaining`` says, and the window over its input."""
        out_maps = map_blocks(blocks, layer.name, layer.output_shape[-1])
        source = self.inbound[layer.name][0]
        in_maps = map_blocks(blocks, source.name, layer.input_shape[-1])
        if out_maps is None or in_maps is None:
            return blocks, []
        h, w, c = layer.output_shape
        at = explain.phase(explaining.progress, explaining.maps, c, h * w)
        cache = self.__dict__.setdefault("_explain_pixels", {})
        if layer.name not in cache:
            cache[layer.name] = (self._map_pixels(layer),
                                 style.side_colors(self.colors[layer.name], self._side_opacity(True)))
        pixels, sides = cache[layer.name]
        filled = explain.filling_blocks(out_maps, pixels, sides, at)
        blocks = [filled if b is out_maps else b for b in blocks]
        light = self.look.light
        lines = explain.window_lines(layer, out_maps, in_maps, at, state.view.orientation()[0],
                                     WINDOW_ON_LIGHT if light else WINDOW_ON_DARK,
                                     PADDING_ON_LIGHT if light else PADDING_ON_DARK)
        return blocks, lines


def check_links(model, requests) -> None:
    """Raise OptionError for links that cannot be drawn on ``model`` (before any work is done)."""
    drawn = {layer.name: layer for layer in model.layers if layer.drawn}
    link_sources(requests, drawn, {name: drawn_inbound(layer) for name, layer in drawn.items()})


def with_links_open(model, requests, open_layers):
    """``open_layers`` (None, 'all' or names) with every linked layer and its input added: links need both open."""
    if not requests or open_layers == "all":
        return open_layers
    names = list(open_layers or ())
    by_name = {layer.name: layer for layer in model.layers}
    for request in requests:
        layer = by_name.get(request.layer)
        if layer is None:
            continue     # reported by the builder with a did-you-mean
        for name in [request.layer, *[s.name for s in drawn_inbound(layer)]]:
            if name not in names:
                names.append(name)
    return tuple(names)

