"""Colours: a layer's colour and how neural values become texture pixels.

TensorSpace's style (the default) keeps the layer's colour and lets the value
set the opacity: the lowest value gets ``minOpacity``, the highest 1, after
min-max normalisation.  With a colormap, the value picks the colour instead and
the opacity is 1.  ``normalize`` says over what the minimum and maximum are
taken: each feature map alone (``map``, TensorSpace's choice), the whole layer
(``layer``) or every layer of the model (``model``).
"""
from __future__ import annotations

import re

import numpy as np

from ..errors import OptionError

NORMALIZE_MODES = ("map", "layer", "model")
NAMED_COLORS = {"white": "#FFFFFF", "black": "#000000"}
FRAME_COLOR = (0xA5 / 255, 0xA5 / 255, 0xA5 / 255)   # TensorSpace's outline of closed layers
DEFAULT_MIN_OPACITY = 0.3
# Side faces are shaded flat colours: x faces a little darker than the data faces, z faces darker still.
SIDE_SHADES = (0.78, 0.6)
# On light backgrounds the side faces are at least this opaque, so pale maps keep a visible rim.
LIGHT_RIM_OPACITY = 0.8
# Without neural values, faces show the layer colour at this opacity: solid enough to read as a diagram.
ARCHITECTURE_OPACITY = 0.85

_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def parse_color(text: str, what: str = "colour") -> tuple[float, float, float]:
    """'#RRGGBB', '#RGB' or a name (white, black) -> RGB in 0..1."""
    value = NAMED_COLORS.get(str(text).strip().lower(), str(text).strip())
    match = _HEX.match(value)
    if not match:
        raise OptionError(f"{what} '{text}' is not a colour",
                          hint="use #RRGGBB, #RGB, white or black")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))


def layer_color(layer, model_colors: dict | None) -> tuple[float, float, float]:
    """The layer's own ``color``, else the model's colour for its type, else its type's default."""
    if getattr(layer, "color", None):
        return parse_color(layer.color, f"layer '{layer.name}' color")
    for key, value in (model_colors or {}).items():
        if key.lower() == layer.color_key.lower():
            return parse_color(value, f"color.{key}")
    return parse_color(layer.default_color)


def luminance(rgb) -> float:
    r, g, b = rgb[:3]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def value_range(values: np.ndarray) -> tuple[float, float]:
    if values.size == 0:
        return 0.0, 0.0
    return float(np.nanmin(values)), float(np.nanmax(values))


def normalise(values: np.ndarray, lo_hi: tuple[float, float] | None) -> np.ndarray:
    """Min-max scale to 0..1; ``lo_hi`` None means each map (axis 0 item) over its own range.

    A constant range gives 0 everywhere, as TensorSpace does.
    """
    values = np.asarray(values, dtype=np.float32)
    if lo_hi is None:
        axes = tuple(range(1, values.ndim))
        lo = np.nanmin(values, axis=axes, keepdims=True)
        hi = np.nanmax(values, axis=axes, keepdims=True)
    else:
        lo, hi = (np.float32(v) for v in lo_hi)
    span = hi - lo
    safe = np.where(span > 0, span, 1)
    out = np.where(span > 0, (values - lo) / safe, 0.0)
    return np.clip(np.nan_to_num(out, nan=0.0), 0.0, 1.0).astype(np.float32)


class Shader:
    """Turns normalised values (0..1) into RGBA pixels for one layer colour."""

    def __init__(self, colormap: str | None = None, min_opacity: float = DEFAULT_MIN_OPACITY):
        self.min_opacity = float(min_opacity)
        self.colormap = colormap
        self._lut = colormap_lut(colormap) if colormap else None

    def rgba(self, norm: np.ndarray, rgb) -> np.ndarray:
        """(..., ) values in 0..1 -> (..., 4) uint8 RGBA."""
        out = np.empty(norm.shape + (4,), np.uint8)
        if self._lut is not None:
            idx = np.rint(norm * 255).astype(np.intp)
            out[...] = self._lut[idx]
        else:
            out[..., :3] = np.rint(np.asarray(rgb) * 255).astype(np.uint8)
            alpha = self.min_opacity + norm * (1 - self.min_opacity)
            out[..., 3] = np.rint(alpha * 255).astype(np.uint8)
        return out

    def flat(self, shape: tuple, rgb, opacity: float) -> np.ndarray:
        """A flat layer colour at ``opacity`` (architecture only: no values)."""
        out = np.empty(tuple(shape) + (4,), np.uint8)
        out[..., :3] = np.rint(np.asarray(rgb) * 255).astype(np.uint8)
        out[..., 3] = int(round(opacity * 255))
        return out

    def ramp(self, rgb, steps: int = 64) -> np.ndarray:
        """The legend's key: (steps, 4) RGBA in 0..1 from the lowest to the highest value."""
        return self.rgba(np.linspace(0, 1, steps, dtype=np.float32), rgb).astype(np.float32) / 255


def colormap_lut(name: str) -> np.ndarray:
    """A matplotlib colormap as a 256 x 4 uint8 table (opaque)."""
    import matplotlib

    try:
        cmap = matplotlib.colormaps[name]
    except KeyError:
        raise OptionError(f"unknown colormap '{name}'",
                          hint="any matplotlib colormap, e.g. viridis, magma, inferno, gray") from None
    lut = np.rint(cmap(np.linspace(0, 1, 256)) * 255).astype(np.uint8)
    lut[:, 3] = 255
    return lut


def side_colors(rgb, opacity: float) -> np.ndarray:
    """(2, 4) uint8: the x-face and z-face colours of a box, shaded."""
    return np.array([[*(np.asarray(rgb) * s * 255), opacity * 255] for s in SIDE_SHADES]).round().astype(np.uint8)
