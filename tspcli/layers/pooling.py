"""Pooling1d/2d (max or average over a window) and GlobalPooling1d/2d."""
from __future__ import annotations

from dataclasses import replace

from . import params as P
from .base import Layer, single_input
from .params import Param
from ..ops._geometry import conv_output_size

POOLING_TYPE = Param("poolingType", P.choice("max", "average"), "max",
                     "max or average over the window.", "max|average", aliases=("mode", "poolType"))


def _pool_params(rank: int):
    item = lambda v: P.positive_int(v, "every entry")  # noqa: E731
    size = P.tuple_of(rank, item)
    t = "int|[h, w]" if rank == 2 else "int"
    return (
        Param("poolSize", size, (2,) * rank, "Size of the pooling window.", t),
        Param("strides", P.optional(size), None, "Step of the window (default: poolSize, as in Keras).", t),
        Param("padding", P.conv_padding(rank, "valid", "same"), "valid",
              "valid: no padding; same: output = ceil(input / stride)" +
              ("; [[top, bottom], [left, right]]: that much border" if rank == 2 else "") +
              "; average pooling divides by the number of real cells in the window.",
              "valid|same" + ("|list" if rank == 2 else "")),
        POOLING_TYPE,
    )


class Pooling2d(Layer):
    """Max or average pooling over height and width."""

    layer_type = "Pooling2d"
    default_color = "#00FFFF"
    rank = 2
    PARAMS = _pool_params(2)

    @property
    def strides(self):
        return self.config["strides"] or self.config["poolSize"]

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, self.rank + 1)
        c = self.config
        spatial = tuple(conv_output_size(n, k, s, p) for n, k, s, p in
                        zip(input_shape[:-1], c["poolSize"], self.strides, P.per_axis(c["padding"], self.rank)))
        return (*spatial, input_shape[-1])

    def forward(self, inputs):
        from .. import ops

        c = self.config
        pool = ops.pool2d if self.rank == 2 else ops.pool1d
        return pool(inputs[0], c["poolSize"], self.strides, c["padding"], c["poolingType"])


class Pooling1d(Pooling2d):
    """Max or average pooling over a sequence."""

    layer_type = "Pooling1d"
    rank = 1
    PARAMS = _pool_params(1)


class GlobalPooling2d(Layer):
    """Max or average over all positions: one value per channel."""

    layer_type = "GlobalPooling2d"
    default_color = "#6EB6FF"
    rank = 2
    PARAMS = (replace(POOLING_TYPE, default="average", doc="max or average over all positions."),
              Param("keepdims", P.boolean, False, "Keep the spatial axes with size 1.", "bool",
                    aliases=("keepDims",)))

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, self.rank + 1)
        if self.config["keepdims"]:
            return (*(1,) * self.rank, input_shape[-1])
        return (input_shape[-1],)

    def forward(self, inputs):
        x = inputs[0]
        axes = tuple(range(self.rank))
        reduce = x.max if self.config["poolingType"] == "max" else x.mean
        return reduce(axis=axes, keepdims=self.config["keepdims"]).astype("float32")


class GlobalPooling1d(GlobalPooling2d):
    layer_type = "GlobalPooling1d"
    rank = 1
    __doc__ = GlobalPooling2d.__doc__
