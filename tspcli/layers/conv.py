"""Convolutions: Conv1d, Conv2d, Conv2dTranspose, DepthwiseConv2d, SeparableConv2d.

Each can be configured by its network parameters (TensorSpace's "method one"),
by its output ``shape`` alone ("method two": drawn, but values need the
parameters), or both (then they must agree).  Inside a model loaded from a
file the parameters come from the file ("case one").
"""
from __future__ import annotations

from ..errors import ShapeError, SpecError
from . import params as P
from .base import Layer, single_input
from .params import Param
from ..ops._geometry import conv_output_size, conv_transpose_output_size

PAIR = P.tuple_of(2, lambda v: P.positive_int(v, "every entry"))
ONE = P.tuple_of(1, lambda v: P.positive_int(v, "every entry"))
NONNEG_PAIR = P.tuple_of(2, lambda v: P.nonneg_int(v, "every entry"))


def _common(rank: int, paddings=("valid", "same")) -> tuple[Param, ...]:
    size = PAIR if rank == 2 else ONE
    t = "int|[h, w]" if rank == 2 else "int"
    return (
        Param("kernelSize", P.optional(size), None, "Size of the convolution window.", t),
        Param("strides", size, (1,) * rank, "Step of the window along each axis.", t),
        Param("padding", P.conv_padding(rank, *paddings), "valid",
              "valid: no padding; same: zero-pad so that output = ceil(input / stride), "
              "the extra row/column at the bottom/right" + ("; causal: pad on the left only" if
                                                            "causal" in paddings else
                                                            "; [[top, bottom], [left, right]]: these zeros")
              + ".", "|".join(paddings) + ("|list" if rank == 2 else "")),
        Param("dilationRate", size, (1,) * rank, "Spacing between kernel taps (atrous convolution).", t),
        Param("activation", P.activation, None, "Activation applied to the output (default linear).", "str"),
        Param("useBias", P.boolean, True, "Whether a bias is added.", "bool"),
    )


FILTERS = Param("filters", P.optional(lambda v: P.positive_int(v, "filters")), None,
                "Number of output channels.", "int")


class _Conv(Layer):
    """Shared shape logic: spatial sizes from the window, channels from ``out_channels``."""

    rank = 2

    def validate_config(self):
        if self.config["kernelSize"] is None and self.given_shape is None:
            raise SpecError(f"{self.layer_type} needs kernelSize (its network parameters) or shape "
                            f"(its output shape)", layer=self.name, key="kernelSize")

    def spatial_out(self, spatial_in) -> tuple:
        c = self.config
        if c["kernelSize"] is None:  # method two: spatial sizes as given
            return tuple(self.given_shape[:-1])
        return tuple(conv_output_size(n, k, s, p, d) for n, k, s, d, p in
                     zip(spatial_in, c["kernelSize"], c["strides"], c["dilationRate"],
                         P.per_axis(c["padding"], self.rank)))

    def out_channels(self, in_channels: int) -> int:
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, self.rank + 1)
        if len(self.given_shape or ()) not in (0, self.rank + 1):
            raise ShapeError(f"shape must have {self.rank + 1} entries, got {list(self.given_shape)}",
                             layer=self.name, key="shape")
        return (*self.spatial_out(input_shape[:-1]), self.out_channels(input_shape[-1]))

    def missing_parameters(self):
        if self.config["kernelSize"] is None:
            return "it is given by its output shape only (no kernelSize)"
        return None

    def _bias_act(self, y):
        if self.config["useBias"]:
            y = self.add_bias(y)
        return self.activate(y, own=True)

    def _filters(self) -> int:
        f = self.config["filters"]
        if f is None:
            if self.given_shape is None:
                raise SpecError(f"{self.layer_type} needs filters (or shape)", layer=self.name, key="filters")
            return self.given_shape[-1]
        return f


class Conv2d(_Conv):
    """2-D convolution over height and width: ``filters`` kernels of ``kernelSize`` x input channels
    (x input channels / ``groups`` for a grouped convolution)."""

    layer_type = "Conv2d"
    default_color = "#F7FE2E"
    PARAMS = (FILTERS, *_common(2),
              Param("groups", lambda v: P.positive_int(v, "groups"), 1,
                    "Grouped convolution (ResNeXt, ShuffleNet): input and output channels split into this many "
                    "groups, each output group sees only its input group.", "int"))
    WEIGHT_DOCS = (("kernel", "(kh, kw, in_channels / groups, filters)"), ("bias", "(filters,) if useBias"))

    def out_channels(self, in_channels):
        filters, groups = self._filters(), self.config.get("groups", 1)
        if in_channels % groups or filters % groups:
            raise ShapeError(f"groups {groups} must divide the input channels {in_channels} and the filters "
                             f"{filters}", layer=self.name, key="groups")
        return filters

    def forward(self, inputs):
        from .. import ops

        c = self.config
        if c.get("groups", 1) > 1:
            from ..ops.grouped import grouped_conv2d

            return self._bias_act(grouped_conv2d(inputs[0], self.weights["kernel"], c["groups"], c["strides"],
                                                 c["padding"], c["dilationRate"]))
        if self.rank == 2:  # a 1x1 convolution is one product, its kernel as a matrix made once
            matrix = self.prepared("pointwise", _pointwise_matrix, self.weights["kernel"], c["kernelSize"],
                                   c["strides"], c["padding"])
            if matrix is not None:
                x = inputs[0]
                return self._bias_act((x.reshape(-1, x.shape[-1]) @ matrix).reshape(*x.shape[:-1], -1))
        conv = ops.conv2d if self.rank == 2 else ops.conv1d
        return self._bias_act(conv(inputs[0], self.weights["kernel"], strides=c["strides"], padding=c["padding"],
                                   dilation_rate=c["dilationRate"]))

    def weight_shapes(self):
        c = self.config
        if c["kernelSize"] is None:
            return {}
        w = {"kernel": (*c["kernelSize"], self.input_shape[-1] // c.get("groups", 1), self.output_shape[-1])}
        if c["useBias"]:
            w["bias"] = (self.output_shape[-1],)
        return w


def _pointwise_matrix(kernel, size, strides, padding):
    """A 1x1 convolution's kernel as a float32 (Cin, Cout) matrix when it reads every pixel
    (stride 1, no padding), else None."""
    import numpy as np

    flat = padding in ("valid", "same") or not any(n for pair in padding for n in pair)
    if tuple(size) != (1, 1) or tuple(strides) != (1, 1) or not flat:
        return None
    return np.ascontiguousarray(kernel[0, 0], np.float32)


class Conv1d(Conv2d):
    """1-D convolution over a sequence (length, channels)."""

    layer_type = "Conv1d"
    default_color = "#F7FE2E"
    rank = 1
    PARAMS = (FILTERS, *_common(1, ("valid", "same", "causal")))
    WEIGHT_DOCS = (("kernel", "(k, in_channels, filters)"), ("bias", "(filters,) if useBias"))


class Conv2dTranspose(Conv2d):
    """Transposed 2-D convolution (upsampling by ``strides``), as Keras' Conv2DTranspose."""

    layer_type = "Conv2dTranspose"
    default_color = "#FF5722"
    PARAMS = (FILTERS, *_common(2),
              Param("outputPadding", P.optional(NONNEG_PAIR), None,
                    "Extra rows/columns added to one side of the output (must be < stride).", "int|[h, w]"))
    WEIGHT_DOCS = (("kernel", "(kh, kw, filters, in_channels)"), ("bias", "(filters,) if useBias"))

    def validate_config(self):
        super().validate_config()
        op, st = self.config["outputPadding"], self.config["strides"]
        if op is not None and any(o >= s for o, s in zip(op, st)):
            raise SpecError(f"outputPadding {list(op)} must be smaller than strides {list(st)}",
                            layer=self.name, key="outputPadding")

    def spatial_out(self, spatial_in):
        c = self.config
        if c["kernelSize"] is None:
            return tuple(self.given_shape[:-1])
        op = c["outputPadding"] or (None, None)
        return tuple(conv_transpose_output_size(n, k, s, p, o, d) for n, k, s, d, o, p in
                     zip(spatial_in, c["kernelSize"], c["strides"], c["dilationRate"], op,
                         P.per_axis(c["padding"], 2)))

    def forward(self, inputs):
        from .. import ops

        c = self.config
        return self._bias_act(ops.conv2d_transpose(inputs[0], self.weights["kernel"], strides=c["strides"],
                                                   padding=c["padding"], output_padding=c["outputPadding"],
                                                   dilation_rate=c["dilationRate"]))

    def weight_shapes(self):
        c = self.config
        if c["kernelSize"] is None:
            return {}
        w = {"kernel": (*c["kernelSize"], self.output_shape[-1], self.input_shape[-1])}
        if c["useBias"]:
            w["bias"] = (self.output_shape[-1],)
        return w


class DepthwiseConv2d(_Conv):
    """Depthwise 2-D convolution: each input channel convolved with its own
    ``depthMultiplier`` kernels; output channel ``c * depthMultiplier + m``.

    It has no ``filters``: the output channels are input channels x depthMultiplier
    (32 inputs with depthMultiplier 2 give 64).  ``filters`` is accepted only
    when it equals that number.
    """

    layer_type = "DepthwiseConv2d"
    default_color = "#FBBF1F"
    PARAMS = (
        *_common(2),
        Param("depthMultiplier", P.optional(lambda v: P.positive_int(v, "depthMultiplier")), None,
              "Kernels per input channel: output channels = input channels x depthMultiplier (default 1).",
              "int"),
        Param("filters", P.optional(lambda v: P.positive_int(v, "filters")), None,
              "Accepted only when it equals input channels x depthMultiplier (a depthwise layer has no "
              "filters of its own).", "int"),
    )
    WEIGHT_DOCS = (("depthwise_kernel", "(kh, kw, in_channels, depthMultiplier)"),
                   ("bias", "(in_channels * depthMultiplier,) if useBias"))

    def multiplier(self, in_channels: int) -> int:
        m = self.config["depthMultiplier"]
        if self.given_shape is not None:
            c = self.given_shape[-1]
            if c % in_channels:
                raise ShapeError(f"output channels {c} of shape {list(self.given_shape)} is not a multiple of "
                                 f"the {in_channels} input channels", layer=self.name, key="shape",
                                 hint="a depthwise layer has input channels x depthMultiplier outputs")
            if m is not None and m * in_channels != c:
                raise ShapeError(f"shape {list(self.given_shape)} has {c} channels but depthMultiplier {m} "
                                 f"x {in_channels} inputs gives {m * in_channels}", layer=self.name, key="shape")
            m = c // in_channels
        return 1 if m is None else m

    def out_channels(self, in_channels):
        m = self.multiplier(in_channels)
        f = self.config["filters"]
        if f is not None and f != in_channels * m:
            raise SpecError(f"filters {f} is not input channels {in_channels} x depthMultiplier {m} = "
                            f"{in_channels * m}: a depthwise layer has no filters of its own",
                            layer=self.name, key="filters",
                            hint=f"use depthMultiplier: {f // in_channels} if {f} is a multiple of "
                                 f"{in_channels}, or SeparableConv2d to mix channels into {f} filters"
                            if f % in_channels == 0 else
                            f"use SeparableConv2d (depthwise then pointwise) for {f} output channels")
        return in_channels * m

    def forward(self, inputs):
        import numpy as np

        from .. import ops

        c, x = self.config, inputs[0]
        # geometry and the tiled kernel made once per model (tspcli.ops.depthwise.DepthwisePlan)
        plan = self.prepared("plan", ops.DepthwisePlan, x.shape, self.weights["depthwise_kernel"], c["strides"],
                             c["padding"], c["dilationRate"])
        return self._bias_act(plan(np.asarray(x, np.float32)))

    def weight_shapes(self):
        c = self.config
        if c["kernelSize"] is None:
            return {}
        cin = self.input_shape[-1]
        m = self.output_shape[-1] // cin
        w = {"depthwise_kernel": (*c["kernelSize"], cin, m)}
        if c["useBias"]:
            w["bias"] = (cin * m,)
        return w


class SeparableConv2d(_Conv):
    """Depthwise convolution (no bias) followed by a pointwise 1x1 convolution to ``filters``."""

    layer_type = "SeparableConv2d"
    default_color = "#FBBF1F"
    PARAMS = (
        FILTERS, *_common(2),
        Param("depthMultiplier", lambda v: P.positive_int(v, "depthMultiplier"), 1,
              "Depthwise kernels per input channel before the pointwise step.", "int"),
    )
    WEIGHT_DOCS = (("depthwise_kernel", "(kh, kw, in_channels, depthMultiplier)"),
                   ("pointwise_kernel", "(1, 1, in_channels * depthMultiplier, filters)"),
                   ("bias", "(filters,) if useBias"))

    def out_channels(self, in_channels):
        return self._filters()

    def forward(self, inputs):
        from .. import ops

        c = self.config
        return self._bias_act(ops.separable_conv2d(inputs[0], self.weights["depthwise_kernel"],
                                                   self.weights["pointwise_kernel"], strides=c["strides"],
                                                   padding=c["padding"], dilation_rate=c["dilationRate"]))

    def weight_shapes(self):
        c = self.config
        if c["kernelSize"] is None:
            return {}
        cin, m = self.input_shape[-1], c["depthMultiplier"]
        w = {"depthwise_kernel": (*c["kernelSize"], cin, m),
             "pointwise_kernel": (1, 1, cin * m, self.output_shape[-1])}
        if c["useBias"]:
            w["bias"] = (self.output_shape[-1],)
        return w
