"""Colours: a layer's colour and how neural values become texture pixels.

TensorSpace's style (the default) keeps the layer's colour and lets the value
set the opacity: the lowest value gets ``minOpacity``, the highest 1, after
min-max normalisation.  That reads on black, where more value is more light;
on white paper it would wash out to white, so light backgrounds get *ink*
shading instead: opaque shades of the layer's colour from a light tint (the
lowest value) to a dark shade (the highest), evenly spaced in lightness, so
more value is more ink.  With a colormap, the value picks the colour instead
and the opacity is 1.  ``normalize`` says over what the minimum and maximum are
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
# Ink shading: the lowest value is this much of the layer colour on white, the highest has this luminance.
INK_TINT = 0.25
INK_DARKEST = 0.3
OUTLINE_SHADE = 0.5      # outlines: this shade of the layer colour
# On light backgrounds colours lighter and greyer than these are darkened to PALE_DARKENED luminance.
PALE_LUMINANCE, PALE_CHROMA, PALE_DARKENED = 0.75, 0.25, 0.55
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
    return type_color(layer, model_colors)


def type_color(layer, model_colors: dict | None) -> tuple[float, float, float]:
    """The colour of the layer's type: the model's ``color`` for it, else TensorSpace's default."""
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


def levels(values: np.ndarray, lo_hi: tuple[float, float] | None) -> np.ndarray:
    """(..., C) values -> (C, ...) uint8 steps 0..255: ``normalise`` of each channel's map x 255,
    rounded, exactly; worked out in one float32 buffer in the values' own layout (channels last),
    three times faster than ``normalise`` of the channels-first view (MobileNetV1 all open: 27 layers)."""
    values = np.asarray(values, dtype=np.float32)
    flat = values.reshape(-1, values.shape[-1])
    if lo_hi is None:
        lo, hi = flat.min(axis=0), flat.max(axis=0)
    else:
        lo, hi = (np.full(values.shape[-1], v, np.float32) for v in lo_hi)
    if flat.size == 0 or not (np.isfinite(lo).all() and np.isfinite(hi).all()):   # NaN or inf: the careful way
        return np.rint(normalise(np.moveaxis(values, -1, 0), lo_hi) * 255).astype(np.uint8)
    span = hi - lo
    steps = np.subtract(values, lo)
    np.divide(steps, np.where(span > 0, span, np.float32(1)), out=steps)
    np.multiply(steps, np.float32(255), out=steps)
    np.rint(steps, out=steps)
    np.clip(steps, 0, 255, out=steps)
    steps[..., span <= 0] = 0
    return np.moveaxis(steps.astype(np.uint8), -1, 0)


class Shader:
    """Turns normalised values (0..1) into RGBA pixels for one layer colour.

    ``ink``: opaque shades from light to dark (for light backgrounds) instead
    of TensorSpace's opacity from ``min_opacity`` to 1.
    """

    def __init__(self, colormap: str | None = None, min_opacity: float = DEFAULT_MIN_OPACITY, ink: bool = False):
        self.min_opacity = float(min_opacity)
        self.colormap = colormap
        self.ink = ink
        self._lut = colormap_lut(colormap) if colormap else None
        self._luts: dict[tuple, np.ndarray] = {}       # colour -> its table (every layer of a type shares one)

    def rgba(self, norm: np.ndarray, rgb) -> np.ndarray:
        """(..., ) values in 0..1 -> (..., 4) uint8 RGBA."""
        return self._table(rgb)[np.rint(norm * 255).astype(np.intp)]

    def _table(self, rgb) -> np.ndarray:
        """The colormap's table, else ``rgb``'s (made once per colour)."""
        if self._lut is not None:
            return self._lut
        key = tuple(np.asarray(rgb, dtype=float).ravel())
        lut = self._luts.get(key)
        if lut is None:
            lut = self._luts[key] = self.lut(rgb)
        return lut

    def rgba_levels(self, steps: np.ndarray, rgb) -> np.ndarray:
        """(...) uint8 steps 0..255 (``levels``) -> (..., 4) uint8 RGBA, as ``rgba`` of steps / 255."""
        return np.take(self._table(rgb), steps, axis=0)

    def lut(self, rgb) -> np.ndarray:
        """(256, 4) uint8: the pixel of each value step 0..255 in colour ``rgb``."""
        steps = np.linspace(0, 1, 256)
        out = np.empty((256, 4), np.uint8)
        if self.ink:
            out[:, :3] = np.rint(ink_shades(rgb, steps) * 255)
            out[:, 3] = 255
        else:
            out[:, :3] = np.rint(np.asarray(rgb) * 255)
            out[:, 3] = np.rint((self.min_opacity + steps * (1 - self.min_opacity)) * 255)
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


def ink_shades(rgb, steps: np.ndarray) -> np.ndarray:
    """(K, 3) shades of ``rgb`` whose luminance runs evenly from a light tint (step 0: ``INK_TINT`` of the
    colour on white) to a dark shade (step 1: luminance ``INK_DARKEST``).

    Lighter than the colour: mixed with white; darker: scaled towards black;
    both keep the hue, and the luminance is linear in either mix.
    """
    color = np.asarray(rgb, dtype=float)
    lum = luminance(color)
    lightest = luminance(1 - (1 - color) * INK_TINT)
    target = lightest + np.asarray(steps, dtype=float)[:, None] * (INK_DARKEST - lightest)
    lighter = color + (1 - color) * (target - lum) / max(1 - lum, 1e-6)
    darker = color * target / max(lum, 1e-6)
    return np.clip(np.where(target >= lum, lighter, darker), 0, 1)


def legible(rgb, light: bool) -> tuple[float, float, float]:
    """``rgb``, or on a light background a near-white colour (TensorSpace's Output1d #EEEEEE, whose tints
    vanish on paper) darkened to a mid grey of its hue; strong colours (yellow, cyan) keep theirs."""
    lum = luminance(rgb)
    if not light or lum <= PALE_LUMINANCE or max(rgb) - min(rgb) > PALE_CHROMA:
        return tuple(rgb)
    return tuple(float(c) * PALE_DARKENED / lum for c in rgb)


def outline_color(rgb) -> tuple[float, float, float]:
    """A darker shade of the layer colour: thin outlines that give pale shapes an edge on white."""
    return tuple(float(c) * OUTLINE_SHADE for c in rgb)


def side_colors(rgb, opacity: float) -> np.ndarray:
    """(2, 4) uint8: the x-face and z-face colours of a box, shaded."""
    return np.array([[*(np.asarray(rgb) * s * 255), opacity * 255] for s in SIDE_SHADES]).round().astype(np.uint8)
