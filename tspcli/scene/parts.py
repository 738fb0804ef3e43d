"""One layer drawn at the origin: its boxes (slab, maps, bar, cubes, button) before it is placed.

TensorSpace's sizes: a closed layer with feature maps is one slab whose
thickness grows with its channel count; an open one is a grid of maps with a
centre pitch of 1.5 map sizes.  Openness between 0 and 1 gives the frames of
an opening: maps fly out from the slab's centre, a 1-D bar stretches, RGB
channels separate then spread.  Textures come from ``textures.Textures``.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import OptionError
from ..io.class_names import class_names
from . import atlas, style
from .buttons import button_pixels
from .geometry import bounds_corners
from .grids import map_centers, map_row
from .look import Pose
from .planes import FLAT, Plane
from .scene import Blocks, Texture

MAX_SLAB_DEPTH = 30.0        # thickness of the slab with the most channels
CLOSE_BUTTON_RATIO = 0.03    # button radius per open height
BUTTON_GAP = 30.0            # TensorSpace: from the open layer's left edge to the button's centre
BUTTON_THICKNESS = 0.1       # in units: a flat disc (a thick one shows its two faces apart)
BAR_ASPECT = 20              # a bar of more units than this is this many times longer than thick
BUTTON_SHARE = 0.12          # a button's radius is at most this share of its layer's longest side
BUTTON_WIDTH_SHARE = 0.02    # ... and its diameter at least this share of its layer's width
RGB_SEPARATION = 20.0        # how far R and B move from G while an RGB input opens


@dataclass
class _Part:
    """One layer drawn at the origin, before it is placed."""

    blocks: list[Blocks]
    label: str
    opened: float = 0.0        # openness of a layer that spreads out: it gets room in its level
    callouts: list[tuple[str, str, np.ndarray]] = field(default_factory=list)   # (key, text, corners it names)

    @functools.cached_property
    def corners(self) -> np.ndarray:
        """(8 * blocks, 3): the corners of the box around each block's boxes (worked out once a part)."""
        return np.concatenate([bounds_corners(b.centers, b.size) for b in self.blocks])

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.corners.min(axis=0), self.corners.max(axis=0)

    def moved(self, offset: np.ndarray) -> "_Part":
        """The part moved by ``offset`` (a new one; this one stays where it is)."""
        part = replace(self, blocks=[replace(b, centers=b.centers + offset) for b in self.blocks],
                       callouts=[(key, text, points + offset) for key, text, points in self.callouts])
        part.__dict__["corners"] = self.corners + offset      # the cached corners, moved
        return part


class Parts:
    """The part of each layer (mixed into ``SceneBuilder``, whose attributes it reads)."""

    def _openness(self, layer, state: Pose) -> float:
        t = float(state.openness.get(layer.name, 0.0))
        return min(1.0, max(0.0, t))

    # --- one layer ------------------------------------------------------------------------
    def _part(self, layer, t: float, plane: Plane = FLAT) -> _Part:
        """The layer ``t`` open; an open layer's maps (or channels) lie in ``plane``."""
        part = self._layer_part(layer, t, plane)
        caption = getattr(layer, "caption", None)      # a fold group's name: 'conv1 +BN +ReLU' (scene.folding)
        if caption:
            part.label = caption + part.label[len(layer.name):]
        return part

    def _layer_part(self, layer, t: float, plane: Plane) -> _Part:
        shape = tuple(layer.output_shape)
        if len(shape) == 3:
            if layer.layer_type == "RGBInput":
                return self._rgb_input(layer, t, plane)
            return self._maps(layer, t, plane)
        if len(shape) == 2:
            return self._strips(layer, t)
        if len(shape) == 1:
            if layer.layer_type == "Output1d":
                return self._cubes(layer, t)
            return self._bar(layer, t)
        raise OptionError(f"cannot draw a {len(shape)}-D output {list(shape)}", layer=layer.name)

    def _maps(self, layer, t: float, plane: Plane) -> _Part:
        h, w, c = layer.output_shape
        u = self.unit[layer.name]
        fw, fd = w * u, h * u
        label = f"{layer.name}\n{h}×{w}×{c}"
        if layer.layer_type == "GreyscaleInput":
            return _Part([self._blocks(layer, "image", np.zeros((1, 3)), (fw, u, fd), self._image_pixels,
                                       open_=False)], label)
        if c == 1 or t > 0:
            plane = plane if c > 1 else FLAT       # a single map stays a plate, as TensorSpace draws it
            grid = map_centers(c, fw, fd, self.rect) * t
            blocks = [self._blocks(layer, "maps", plane.points(grid[:, 0], grid[:, 1], grid[:, 2]),
                                   plane.size(fw, u, fd), self._map_pixels, open_=True, plane=plane)]
            if t >= 1 and c > 1:
                depth = float(np.ptp(grid[:, 2])) + fd
                self._attach_button(layer, blocks, depth * CLOSE_BUTTON_RATIO, u, plane)
            return _Part(blocks, label, t if c > 1 else 0.0)
        thickness = self._slab_thickness(c)
        return _Part([self._blocks(layer, "slab", np.zeros((1, 3)), (fw, thickness, fd), self._aggregate_pixels,
                                   open_=False, framed=True)], label)

    def _rgb_input(self, layer, t: float, plane: Plane) -> _Part:
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
            centers = map_row(3, fw) * s
            centers[:, 1] = lift * (1 - s)
        blocks = [self._blocks(layer, "channels", plane.points(centers[:, 0], centers[:, 1], centers[:, 2]),
                               plane.size(fw, u, fd), self._channel_pixels, open_=True, plane=plane)]
        if t >= 1:
            self._attach_button(layer, blocks, fd * CLOSE_BUTTON_RATIO, u, plane)
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
        thick = self._bar_thickness(layer, n, drawn)
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
        tall = max(cube, self._bar_thickness(layer, n, 2 * cube * n))      # many units: thin cells, not specks
        label = f"{layer.name}\n{n}"
        if n > 1 and t == 0:
            agg_w, agg_d = self._aggregate_footprint(layer)
            return _Part([self._closed_queue(layer, agg_w, agg_d, u)], label)
        centers = np.zeros((n, 3))
        centers[:, 0] = (np.arange(n) - (n - 1) / 2) * 2 * cube * t
        blocks = [self._blocks(layer, "cubes", centers, (cube, tall, tall), self._cube_pixels, open_=True)]
        callouts = []
        if t >= 1:
            callouts = self._top_classes(layer, centers, (cube, tall, tall))
            if n > 1:
                self._attach_button(layer, blocks, _queue_button_radius(n, u), u)
        return _Part(blocks, label, t if n > 1 else 0.0, callouts)

    def _closed_queue(self, layer, width: float, depth: float, u: float) -> Blocks:
        """TensorSpace's closed 1-D layer: a flat plate the size of the last layer with maps."""
        return self._blocks(layer, "block", np.zeros((1, 3)), (width, u, depth),
                            lambda lay: self._flat_pixels(lay, (1, 1)), open_=False, framed=True)

    def _top_classes(self, layer, centers, size) -> list[tuple[str, str, np.ndarray]]:
        """The most likely class and its value (``neutral 0.84``), beside its cube; none when the weights
        were drawn at random (tspcli.initializers): the figure would claim a prediction never learned."""
        if layer.neural_value is None or getattr(self.model, "random_weights", False):
            return []
        names = class_names(layer, self.model, self.look.class_names)
        values = np.asarray(layer.neural_value, dtype=float).ravel()
        best = int(np.argmax(values))
        name = names[best] if names else str(best)
        return [(f"{layer.name}/top", f"{name} {values[best]:.2f}", bounds_corners(centers[best:best + 1], size))]

    def _attach_button(self, layer, blocks: list[Blocks], radius: float, u: float, plane: Plane = FLAT) -> None:
        """TensorSpace's close button: a disc left of the open layer (in its ``plane``), if it shows one."""
        settings = getattr(layer, "close_button", None) or {}
        if not (self.buttons and settings.get("display", True)):
            return
        across, _, down = plane.vectors()
        corners = np.concatenate([bounds_corners(b.centers, b.size) for b in blocks])
        width = float(np.ptp(corners @ across))
        longest = float(max(width, np.ptp(corners @ down)))
        radius = min(max(radius, BUTTON_WIDTH_SHARE / 2 * width), BUTTON_SHARE * longest)
        radius *= float(settings.get("ratio", 1.0))
        left = float((corners @ across).min())
        center = plane.points([left - max(BUTTON_GAP, 2 * radius)], [0.0], [0.0])
        blocks.append(self._blocks(layer, "button", center, plane.size(2 * radius, BUTTON_THICKNESS * u, 2 * radius),
                                   lambda lay: button_pixels(self.colors[lay.name]), side_opacity=0.0,
                                   outline=False, plane=plane))

    def _blocks(self, layer, part: str, centers, size, pixels, open_: bool = True, framed: bool = False,
                side_opacity: float | None = None, outline: bool = True, plane: Plane = FLAT) -> Blocks:
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
        return Blocks(key, np.asarray(centers, dtype=float), tuple(map(float, size)), tex, tiles, side_tiles, edge,
                      faces="front", plane=(plane.u, plane.v))

    def _capped(self, length: float) -> tuple[float, int]:
        """(drawn length, ratio): long 1-D layers are shortened by a whole ratio."""
        if length <= self.bar_cap:
            return length, 1
        ratio = math.ceil(length / self.bar_cap)
        return length / ratio, ratio

    def _aggregate_footprint(self, layer) -> tuple[float, float]:
        """TensorSpace: a closed 1-D layer is a plate the size of the last layer with maps."""
        node = _maps_before(layer)
        if node is None:
            return 3 * self.unit[layer.name], 3 * self.unit[layer.name]
        return node.output_shape[1] * self.unit[node.name], node.output_shape[0] * self.unit[node.name]

    def _slab_thickness(self, channels: int) -> float:
        """A closed layer's thickness: it grows with its channel count up to ``MAX_SLAB_DEPTH``."""
        return max(1.0, channels / self.max_channels * MAX_SLAB_DEPTH)

    def _bar_thickness(self, layer, n: int, length: float) -> float:
        """How thick an open 1-D layer of ``n`` units drawn ``length`` long is: a row of unit cells, but
        at least as thick as the closed slab it opens from (else a long layer is a hairline) unless that
        is more than a twentieth of its length."""
        node = _maps_before(layer)
        slab = self._slab_thickness(node.output_shape[-1] if node is not None else 1)    # else: the thinnest
        cells = min(self.unit[layer.name], length / min(n, BAR_ASPECT))
        return max(cells, min(slab, length / BAR_ASPECT))

    def _side_opacity(self, open_: bool) -> float:
        if not self.has_values:
            return style.ARCHITECTURE_OPACITY
        if self.shader.ink or self.look.colormap:      # opaque faces get opaque sides
            return 1.0
        return self.min_opacity * (0.6 if open_ else 1.0)   # TensorSpace: map sides at 60% of minOpacity


def _maps_before(layer):
    """The last layer with feature maps before ``layer`` (along first inbounds), or None."""
    node = layer
    while node.inbound:
        node = node.inbound[0]
        if len(node.output_shape) == 3:
            return node
    return None


def _queue_button_radius(n: int, u: float) -> float:
    return (2.0 if n > 50 else 1.1) * u     # TensorSpace's size for 1-D layers


def _ratio_text(ratio: int) -> str:
    return f" (drawn 1:{ratio})" if ratio > 1 else ""


def _lerp(a: float, b: float, t: float) -> float:
    return a + (b - a) * t
