"""Which input maps each output map reads (``--links``): lines between two open layers.

For DepthwiseConv2d output map k reads input map k // depthMultiplier alone;
for Conv2d one output map reads every input map; SeparableConv2d's depthwise
stage keeps each input map to itself before its pointwise stage mixes them
all into the output map, so its lines rise straight from each input map and
then converge.  Lines are tinted by the input map they start from, so the
maps one input channel makes share a tint and the multiplier's groups show.
"""
from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

from ..errors import OptionError, did_you_mean
from .scene import Blocks, Lines

LINKED_TYPES = ("DepthwiseConv2d", "Conv2d", "SeparableConv2d")
TINTS = 12                 # tints cycle over input maps: neighbours always differ
LINE_WIDTH = 1.0           # pixels at scale 1
LINE_ALPHA = 0.75
RISE = 0.35                # SeparableConv2d: share of the gap its lines rise before they converge


@dataclass(frozen=True)
class LinkRequest:
    """Links of ``layer``: of output map ``map`` alone, or (None) of every map (a depthwise layer) or of map 0."""

    layer: str
    map: int | None = None


def parse_links(value) -> tuple[LinkRequest, ...]:
    """'dw1,conv1:5' or ['dw1', 'conv1:5'] -> link requests (checked against a model by ``link_sources``)."""
    if value is None or value is False:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise OptionError(f"links must be layer names, got {value!r}", hint="e.g. --links dw1,conv1:5")
    requests = []
    for item in items:
        name, _, index = str(item).strip().partition(":")
        if not name:
            raise OptionError(f"links: empty layer name in {value!r}", hint="e.g. --links dw1,conv1:5")
        if index and not (index.isdigit() and len(index) <= 9):
            raise OptionError(f"links: map '{index}' of '{name}' is not a map number",
                              hint="maps are numbered from 0, e.g. conv1:5")
        requests.append(LinkRequest(name, int(index) if index else None))
    return tuple(requests)


def link_sources(requests, layers: dict, inbound: dict) -> dict[str, str]:
    """Each linked layer's drawn input layer, checked: a conv layer whose input is one layer of maps."""
    sources = {}
    for request in requests:
        layer = layers.get(request.layer)
        if layer is None:
            raise OptionError(f"--links: no drawn layer named '{request.layer}'",
                              hint=did_you_mean(request.layer, list(layers), what="layers"))
        if layer.layer_type not in LINKED_TYPES:
            raise OptionError(f"--links: layer '{layer.name}' is a {layer.layer_type}; links are drawn for "
                              f"{', '.join(LINKED_TYPES)}")
        channels = layer.output_shape[-1]
        if request.map is not None and request.map >= channels:
            raise OptionError(f"--links: layer '{layer.name}' has maps 0..{channels - 1}, not {request.map}")
        drawn_in = inbound[layer.name]
        if len(drawn_in) != 1 or len(drawn_in[0].output_shape) != 3 \
                or drawn_in[0].output_shape[-1] != layer.input_shape[-1]:
            raise OptionError(f"--links: the input of '{layer.name}' is not drawn as one layer of "
                              f"{layer.input_shape[-1]} maps")
        sources[layer.name] = drawn_in[0].name
    return sources


def link_pairs(layer, request: LinkRequest) -> list[tuple[int, int]]:
    """(output map, input map) of every link drawn for ``request``."""
    c_in, c_out = layer.input_shape[-1], layer.output_shape[-1]
    if layer.layer_type == "DepthwiseConv2d":
        m = c_out // c_in
        maps = range(c_out) if request.map is None else [request.map]
        return [(k, k // m) for k in maps]
    j = request.map or 0
    return [(j, k) for k in range(c_in)]


def map_blocks(blocks: list[Blocks], name: str, channels: int) -> Blocks | None:
    """The blocks of ``name``'s ``channels`` maps (one box per channel, in channel order), when drawn so:
    an open layer's maps, an RGB input's channels, or the one map of a single-channel layer."""
    for b in blocks:
        if b.key.rpartition("/")[0] == name and len(b.centers) == channels and \
                b.key.rpartition("/")[2] in ("maps", "channels", "image"):
            return b
    return None


def tint(index: int, light: bool) -> tuple[float, float, float]:
    """The tint of input map ``index``: hues a golden angle apart, darker on light backgrounds."""
    hue = (index % TINTS) * 0.618034 % 1.0
    return colorsys.hsv_to_rgb(hue, 0.85, 0.6) if light else colorsys.hsv_to_rgb(hue, 0.55, 1.0)


def link_lines(layer, request: LinkRequest, out_maps: Blocks, in_maps: Blocks, light: bool) -> list[Lines]:
    """Lines from each linked output map's face toward its input to the input map's face toward it."""
    pairs = link_pairs(layer, request)
    below = out_maps.centers[:, 1].mean() >= in_maps.centers[:, 1].mean()
    out_face = np.array([0.0, -1.0 if below else 1.0, 0.0]) * out_maps.size[1] / 2
    in_face = -np.array([0.0, -1.0 if below else 1.0, 0.0]) * in_maps.size[1] / 2
    separable = layer.layer_type == "SeparableConv2d"
    groups: dict[int, list[np.ndarray]] = {}
    for k_out, k_in in pairs:
        start = out_maps.centers[k_out] + out_face
        end = in_maps.centers[k_in] + in_face
        if separable:   # depthwise: straight out of the input map; pointwise: converge on the output map
            bend = end.copy()
            bend[1] += RISE * (start[1] - end[1])
            path = np.array([start, bend, end])
        else:
            path = np.array([start, end])
        groups.setdefault(k_in % TINTS, []).append(path)
    return [Lines(f"{layer.name}/links/{t}", paths, (*tint(t, light), LINE_ALPHA), LINE_WIDTH)
            for t, paths in sorted(groups.items())]


def link_entries(layer, request: LinkRequest, source: str) -> list[dict]:
    """``--boxes`` entries: ``{"from": [layer, map], "to": [input layer, map]}``."""
    return [{"from": [layer.name, k_out], "to": [source, k_in]} for k_out, k_in in link_pairs(layer, request)]
