"""Layers that rescale values and keep the shape: Rescaling, Normalization, LayerNormalization,
LayerScale.

TensorSpace has none of them; real Keras models have many (the preprocessing at
the front of MobileNetV3, EfficientNet and ConvNeXt; ConvNeXt's and
transformers' layer normalisation and per-channel scales).  Each computes what
Keras computes, in float32 where Keras does.
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError, SpecError
from . import params as P
from .base import Layer, axis_without_batch, single_input
from .params import Param

_COLOR = "#F08A5D"  # BatchNormalization's: the same kind of step


def _numbers(v):
    """A number, or a list of numbers (one per channel)."""
    if isinstance(v, (list, tuple)):
        if not v:
            P._fail("must not be an empty list")
        return tuple(P.number(x) for x in v)
    return P.number(v)


def _per_channel(layer, value, shape, key) -> np.ndarray:
    """A scalar or per-channel setting as float32 that broadcasts over ``shape``."""
    arr = np.asarray(value, dtype=np.float32)
    if arr.ndim and arr.size not in (1, shape[-1]):
        raise ShapeError(f"{key} has {arr.size} values for {shape[-1]} channels", layer=layer.name, key=key)
    return arr.reshape(-1) if arr.ndim else arr


class _ShapeKeeping(Layer):
    default_color = _COLOR

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3))
        return tuple(input_shape)


class Rescaling(_ShapeKeeping):
    """Values times scale plus offset (Keras' Rescaling: 1/255, or 1/127.5 and -1, in front of a model)."""

    layer_type = "Rescaling"
    PARAMS = (Param("scale", _numbers, P.REQUIRED, "Factor (a number, or one per channel).", "float|list"),
              Param("offset", _numbers, 0.0, "Added after scaling (a number, or one per channel).", "float|list"))

    def compute_output_shape(self, input_shape):
        out = super().compute_output_shape(input_shape)
        for key in ("scale", "offset"):
            _per_channel(self, self.config[key], out, key)
        return out

    def forward(self, inputs):
        shape = self.output_shape
        return (inputs[0].astype(np.float32) * _per_channel(self, self.config["scale"], shape, "scale")
                + _per_channel(self, self.config["offset"], shape, "offset")).astype(np.float32)


class Normalization(_ShapeKeeping):
    """(x - mean) / sqrt(variance) per channel, as Keras' Normalization (invert: the way back).

    mean and variance come from the config, or else are weights (what ``adapt`` stored)."""

    layer_type = "Normalization"
    PARAMS = (Param("mean", P.optional(_numbers), None, "Per-channel mean (else the weight 'mean').",
                    "float|list"),
              Param("variance", P.optional(_numbers), None, "Per-channel variance (else the weight 'variance').",
                    "float|list"),
              Param("axis", P.axis, -1, "The kept (channel) axis; only the last one is supported.", "int"),
              Param("invert", P.boolean, False, "Undo the normalisation: mean + x * sqrt(variance).", "bool"))
    WEIGHT_DOCS = (("mean", "(channels,) unless in the config"), ("variance", "(channels,) unless in the config"),
                   ("count", "() samples adapt saw; unused"))

    def validate_config(self):
        if (self.config["mean"] is None) != (self.config["variance"] is None):
            raise SpecError("give both mean and variance, or neither (then they are weights)",
                            layer=self.name, key="mean")

    def compute_output_shape(self, input_shape):
        out = super().compute_output_shape(input_shape)
        if axis_without_batch(self, self.config["axis"], len(out)) != len(out) - 1:
            raise ShapeError(f"only the channel axis (-1) is supported, got axis {self.config['axis']}",
                             layer=self.name, key="axis")
        if self.config["mean"] is not None:
            for key in ("mean", "variance"):
                _per_channel(self, self.config[key], out, key)
        return out

    def weight_shapes(self):
        if self.config["mean"] is not None:
            return {}
        c = (self.output_shape[-1],)
        return {"mean": c, "variance": c, "count": ()}

    def forward(self, inputs):
        c, shape = self.config, self.output_shape
        if c["mean"] is not None:
            mean, variance = (_per_channel(self, c[k], shape, k) for k in ("mean", "variance"))
        else:
            mean, variance = self.weights["mean"], self.weights["variance"]
        std = np.maximum(np.sqrt(variance.astype(np.float32)), np.float32(1e-7))  # Keras' epsilon()
        x = inputs[0].astype(np.float32)
        return (mean + x * std if c["invert"] else (x - mean) / std).astype(np.float32)


def _axes(v):
    """An axis or a list of axes."""
    if isinstance(v, (list, tuple)):
        if not v:
            P._fail("must name at least one axis")
        return tuple(P.axis(a) for a in v)
    return (P.axis(v),)


class LayerNormalization(_ShapeKeeping):
    """Each sample normalised over ``axis`` (default the channels), then scaled (gamma) and shifted (beta)."""

    layer_type = "LayerNormalization"
    PARAMS = (Param("axis", _axes, (-1,), "Axes normalised over (Keras' numbering: 1 is the first after "
                                          "the batch).", "int|list"),
              Param("epsilon", P.positive_number, 1e-3, "Added to the variance.", "float"),
              Param("center", P.boolean, True, "Add beta.", "bool"),
              Param("scale", P.boolean, True, "Multiply by gamma.", "bool"),
              Param("rmsScaling", P.boolean, False, "Scale by the root mean square only (not supported).",
                    "bool"))
    WEIGHT_DOCS = (("gamma", "(sizes of axis) if scale"), ("beta", "(sizes of axis) if center"))

    def validate_config(self):
        if self.config["rmsScaling"]:
            raise SpecError("rms_scaling is not supported", layer=self.name, key="rmsScaling")

    def _axes(self, rank: int) -> tuple[int, ...]:
        return tuple(sorted({axis_without_batch(self, a, rank) for a in self.config["axis"]}))

    def compute_output_shape(self, input_shape):
        out = super().compute_output_shape(input_shape)
        self._axes(len(out))
        return out

    def weight_shapes(self):
        shape = tuple(self.output_shape[a] for a in self._axes(len(self.output_shape)))
        return {k: shape for k, on in (("gamma", self.config["scale"]), ("beta", self.config["center"])) if on}

    def forward(self, inputs):
        x = inputs[0].astype(np.float64)
        axes = self._axes(x.ndim)
        broadcast = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
        mean = x.mean(axis=axes, keepdims=True)
        inv = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + self.config["epsilon"])
        y = (x - mean) * inv
        if self.config["scale"]:
            y = y * self.weights["gamma"].reshape(broadcast)
        if self.config["center"]:
            y = y + self.weights["beta"].reshape(broadcast)
        return y.astype(np.float32)


class LayerScale(_ShapeKeeping):
    """Each channel times a learned factor (ConvNeXt's and vision transformers' LayerScale)."""

    layer_type = "LayerScale"
    WEIGHT_DOCS = (("gamma", "(channels,)"),)

    def weight_shapes(self):
        return {"gamma": (self.output_shape[-1],)}

    def forward(self, inputs):
        return (inputs[0] * self.weights["gamma"]).astype(np.float32)
