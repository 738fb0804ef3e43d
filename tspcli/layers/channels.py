"""Layers of mobile networks that work across channels: ChannelShuffle, SqueezeExcitation, PReLU.

TensorSpace has no such layers; they come from ONNX (and TFLite) files, where
they are a few operators each.  Each is drawn as one layer:

* ``ChannelShuffle`` (ShuffleNet): the channels reordered so that the groups of a
  grouped convolution mix, ``out[j * groups + i] = in[i * (C / groups) + j]``
  (ONNX writes it Reshape -> Transpose -> Reshape);
* ``SqueezeExcitation`` (MobileNetV3, EfficientNet): a merge of a feature map and
  a per-channel gate (the "excitation" computed from the squeezed map), the map
  scaled channel by channel;
* ``PReLU``: a ReLU whose negative slope is learned, one per channel;
* ``ChannelSlice``: a run of its input's channels (ShuffleNetV2's channel split,
  YOLO's Slice of channels; ONNX Split and Slice along the channel axis).
"""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from . import params as P
from .base import Layer, single_input
from .merge import _Merge
from .params import Param


class ChannelShuffle(Layer):
    """ShuffleNet's channel shuffle: channels regrouped so grouped convolutions exchange information."""

    layer_type = "ChannelShuffle"
    default_color = "#A287F4"
    PARAMS = (Param("groups", lambda v: P.positive_int(v, "groups"), P.REQUIRED,
                    "Groups the channels are split into; output channel j*groups+i is input channel "
                    "i*(C/groups)+j.", "int"),)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3))
        if input_shape[-1] % self.config["groups"]:
            raise ShapeError(f"groups {self.config['groups']} do not divide the {input_shape[-1]} channels",
                             layer=self.name, key="groups")
        return tuple(input_shape)

    def forward(self, inputs):
        x, g = inputs[0], self.config["groups"]
        c = x.shape[-1]
        return np.ascontiguousarray(x.reshape(*x.shape[:-1], g, c // g).swapaxes(-1, -2)).reshape(x.shape)


class SqueezeExcitation(_Merge):
    """A feature map scaled channel by channel by a gate: inputs [map (h, w, c), gate (c,) or (1, 1, c)]."""

    layer_type = "SqueezeExcitation"
    min_inputs = max_inputs = 2

    def compute_output_shape(self, input_shape):
        feature, gate = (tuple(s) for s in self.check_count(input_shape))
        channels = feature[-1]
        if gate[-1] != channels or any(d != 1 for d in gate[:-1]) or len(gate) > len(feature):
            names = self.input_names()
            raise ShapeError(f"SqueezeExcitation scales the channels of its first input {list(feature)} by its "
                             f"second, which must be ({channels},) or (1, 1, {channels}), got {list(gate)}"
                             + (f" from {names[1]}" if len(names) > 1 else ""), layer=self.name, key="apply")
        return feature

    def forward(self, inputs):
        feature, gate = inputs
        return (feature * gate.reshape(-1)).astype(np.float32)


def _axis_list(v) -> tuple:
    if not isinstance(v, (list, tuple)):
        P._fail(f"must be a list of axes, got {v!r}")
    return tuple(P.positive_int(a, "every axis") for a in v)


class PReLU(Layer):
    """ReLU with a learned negative slope per channel: x if x >= 0 else alpha[c] * x."""

    layer_type = "PReLU"
    default_color = "#FC5C9C"
    PARAMS = (Param("sharedAxes", P.optional(_axis_list), None, "Keras' shared_axes (from 1, the batch excluded): axes that share one slope; default: "
                          "one slope per channel; [] one per value.", "list[int]"),)
    WEIGHT_DOCS = (("alpha", "(channels,), or the input's shape with 1 on each shared axis"),)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3))
        shared = self.config["sharedAxes"] or ()
        if any(a > len(input_shape) for a in shared):
            raise ShapeError(f"sharedAxes {list(shared)} name an axis beyond the input {list(input_shape)}",
                             layer=self.name, key="sharedAxes")
        return tuple(input_shape)

    def weight_shapes(self):
        shared = self.config["sharedAxes"]
        if shared is None:
            return {"alpha": (self.output_shape[-1],)}
        return {"alpha": tuple(1 if i + 1 in shared else d for i, d in enumerate(self.output_shape))}

    def forward(self, inputs):
        x = inputs[0]
        return np.where(x >= 0, x, x * self.weights["alpha"]).astype(np.float32)


class ChannelSlice(Layer):
    """Channels ``start`` to ``stop`` (excluded) of its input: one part of a channel split."""

    layer_type = "ChannelSlice"
    default_color = "#CEFC86"
    PARAMS = (Param("start", lambda v: P.nonneg_int(v, "start"), P.REQUIRED, "First channel kept.", "int"),
              Param("stop", lambda v: P.positive_int(v, "stop"), P.REQUIRED, "Channel after the last kept.", "int"))

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3))
        start, stop = self.config["start"], self.config["stop"]
        if not start < stop <= input_shape[-1]:
            raise ShapeError(f"channels {start}..{stop} are not a run of the {input_shape[-1]} channels",
                             layer=self.name, key="stop")
        return (*input_shape[:-1], stop - start)

    def forward(self, inputs):
        return np.ascontiguousarray(inputs[0][..., self.config["start"]:self.config["stop"]])
