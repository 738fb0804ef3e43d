"""The pixels each part is textured with: values shaded by the builder's ``style.Shader``."""
from __future__ import annotations

import numpy as np

from . import style

MAX_BAR_TEXELS = 4096        # longer 1-D values are shown by the maximum of each bin


class Textures:
    """Texture pixels of each kind of part (mixed into ``SceneBuilder``); computed once per builder."""

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
        value = layer.neural_value
        rgb = self.colors[layer.name]
        h, w, c = layer.output_shape
        if value is None:
            return self.shader.flat((c, h, w), rgb, style.ARCHITECTURE_OPACITY)
        value = np.asarray(value, dtype=np.float32)
        return self.shader.rgba_levels(style.levels(value, self._range(layer, value)), rgb)

    def _aggregate_pixels(self, layer):
        maps = self._channels_first(layer)
        rgb = self.colors[layer.name]
        h, w, _ = layer.output_shape
        if maps is None:
            return self.shader.flat((1, h, w), rgb, style.ARCHITECTURE_OPACITY)
        agg = (maps.max(axis=0) if self.aggregate_max else maps.mean(axis=0))[None]
        return self.shader.rgba(style.normalise(agg, self._range(layer, maps)), rgb)

    def _image_pixels(self, layer):
        """An input image: RGB as it is, opaque; one channel shaded by the value rule of every layer
        (TensorSpace's translucent plate on black, ink on white), so polarity is one across a figure."""
        value = layer.neural_value
        h, w, c = layer.output_shape
        if value is None:
            return self.shader.flat((1, h, w), self.colors[layer.name], style.ARCHITECTURE_OPACITY)
        if c == 1:
            return self._map_pixels(layer)
        norm = style.normalise(np.asarray(value, dtype=np.float32)[None], None)[0]
        out = np.empty((1, h, w, 4), np.uint8)
        out[0, ..., :3] = np.rint(norm * 255)
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


def _bin_max(values: np.ndarray, bins: int) -> np.ndarray:
    if len(values) <= bins:
        return values
    edges = np.linspace(0, len(values), bins + 1).astype(int)
    return np.maximum.reduceat(values, edges[:-1])
