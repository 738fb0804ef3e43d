"""Core layers: Dense, Output1d, Flatten, Reshape, Activation, BatchNormalization,
Dropout, Embedding and the generic Layer1d/2d/3d."""
from __future__ import annotations

import math

from ..errors import ShapeError, SpecError
from . import params as P
from .base import Layer, axis_without_batch, single_input
from .params import Param

UNITS = Param("units", P.optional(lambda v: P.positive_int(v, "units")), None, "Number of output units.", "int")
USE_BIAS = Param("useBias", P.boolean, True, "Whether a bias is added.", "bool")


class Dense(Layer):
    """Fully connected: every output unit sees every input unit (of the last axis, as in Keras)."""

    layer_type = "Dense"
    default_color = "#00FF00"
    PARAMS = (UNITS,
              Param("activation", P.activation, None, "Activation of the output (default linear).", "str"),
              USE_BIAS)
    WEIGHT_DOCS = (("kernel", "(input_units, units)"), ("bias", "(units,) if useBias"))

    def _units(self) -> int:
        u = self.config["units"]
        if u is None:
            if self.given_shape is None:
                raise SpecError(f"{self.layer_type} needs units (or shape)", layer=self.name, key="units")
            return self.given_shape[-1]
        return u

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3))
        return (*input_shape[:-1], self._units())

    def forward(self, inputs):
        y = inputs[0] @ self.weights["kernel"]
        if self.config["useBias"]:
            y = self.add_bias(y)
        return self.activate(y, own=True)

    def weight_shapes(self):
        w = {"kernel": (self.input_shape[-1], self.output_shape[-1])}
        if self.config["useBias"]:
            w["bias"] = (self.output_shape[-1],)
        return w


class Output1d(Dense):
    """The model's output units (a Dense layer, softmax by default), with optional class labels."""

    layer_type = "Output1d"
    default_color = "#EEEEEE"
    PARAMS = (UNITS,
              Param("activation", P.activation, "softmax", "Activation of the output.", "str"),
              USE_BIAS,
              Param("outputs", P.optional(P.string_list), None,
                    "Labels of the units, shown for the top classes.", "list[str]"))

    def validate_config(self):
        labels, units = self.config["outputs"], self.config["units"]
        if labels is not None and units is not None and len(labels) != units:
            raise SpecError(f"{len(labels)} labels for {units} units", layer=self.name, key="outputs")

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, 1)
        out = super().compute_output_shape(input_shape)
        labels = self.config["outputs"]
        if labels is not None and len(labels) != out[-1]:
            raise SpecError(f"{len(labels)} labels for {out[-1]} units", layer=self.name, key="outputs")
        return out


class Flatten(Layer):
    """All values in one row."""

    layer_type = "Flatten"
    default_color = "#DFE2FE"
    PARAMS = (Param("dataFormat", P.choice("channels_last", "channels_first"), "channels_last",
                    "Order of the row: channels_last (Keras) or channels_first (channel by channel, as "
                    "PyTorch and ONNX models flatten).", "str"),)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3, 4))
        return (math.prod(input_shape),)

    def forward(self, inputs):
        x = inputs[0]
        if self.config["dataFormat"] == "channels_first" and x.ndim > 1:
            x = x.transpose(x.ndim - 1, *range(x.ndim - 1))
        return x.reshape(-1)


class Reshape(Layer):
    """The same values in a new shape (``targetShape``; one entry may be -1)."""

    layer_type = "Reshape"
    default_color = "#A287F4"
    PARAMS = (Param("targetShape", P.target_shape, P.REQUIRED, "New shape without batch axis; -1 is inferred.",
                    "list[int]"),
              Param("dataFormat", P.choice("channels_last", "channels_first"), "channels_last",
                    "channels_first: a vector filled channel by channel (as PyTorch's x.view(C, H, W)), "
                    "shown channels-last: targetShape [h, w, c] holds the values of view(c, h, w).", "str"))

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3, 4))
        if self.config["dataFormat"] == "channels_first" and (len(input_shape) != 1 or
                                                               len(self.config["targetShape"]) < 2):
            raise ShapeError("a channels_first Reshape turns a vector into a 2-D or 3-D map",
                             layer=self.name, key="dataFormat")
        total = math.prod(input_shape)
        target = list(self.config["targetShape"])
        known = math.prod(d for d in target if d != -1)
        if -1 in target:
            if total % known:
                raise ShapeError(f"cannot reshape {list(input_shape)} ({total} values) to {target}",
                                 layer=self.name, key="targetShape")
            target[target.index(-1)] = total // known
        elif known != total:
            raise ShapeError(f"cannot reshape {list(input_shape)} ({total} values) to {target} "
                             f"({known} values)", layer=self.name, key="targetShape")
        return tuple(target)

    def forward(self, inputs):
        if self.config["dataFormat"] == "channels_first":
            import numpy as np

            *spatial, channels = self.output_shape
            x = inputs[0].reshape(channels, *spatial)
            return np.ascontiguousarray(np.moveaxis(x, 0, -1))
        return inputs[0].reshape(self.output_shape)


class Activation(Layer):
    """An activation function applied value by value (softmax along ``axis``).

    ``Activation`` takes any rank and becomes Activation1d/2d/3d once its input is known.
    """

    layer_type = "Activation"
    default_color = "#FC5C9C"
    rank: int | None = None
    PARAMS = (
        Param("activation", P.activation, P.REQUIRED, "The function: relu, relu6, sigmoid, tanh, softmax, ...",
              "str"),
        Param("maxValue", P.optional(P.number), None, "relu only: upper bound of the output.", "float"),
        Param("negativeSlope", P.number, 0.0, "relu / leaky_relu: slope below the threshold.", "float",
              aliases=("alpha",)),
        Param("threshold", P.number, 0.0, "relu only: values below it are damped.", "float"),
        Param("axis", P.axis, -1, "softmax only: the axis it normalises over.", "int"),
        Param("slope", P.optional(P.number), None,
              "hard_sigmoid only: clip(slope * x + offset, 0, 1); default Keras' (1/6 in Keras 3, 0.2 before).",
              "float"),
        Param("offset", P.optional(P.number), None, "hard_sigmoid only: see slope (default 0.5).", "float"),
    )

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, self.rank or (1, 2, 3))
        axis_without_batch(self, self.config["axis"], len(input_shape))
        if self.rank is None and len(input_shape) in RANKED:
            # Become the drawn variant of this rank (TensorSpace's Activation1d/2d/3d).
            self.__class__ = RANKED[len(input_shape)]
        return tuple(input_shape)

    def forward(self, inputs):
        from ..activations import get_activation, relu

        c = self.config
        if c["activation"] in ("relu", "leaky_relu") and (c["maxValue"] is not None or c["negativeSlope"]
                                                          or c["threshold"]):
            # Keras' ReLU layer: slope below the threshold, optional cap
            return relu(inputs[0], negative_slope=c["negativeSlope"], max_value=c["maxValue"],
                        threshold=c["threshold"])
        if c["activation"] == "softmax":
            axis = axis_without_batch(self, c["axis"], len(self.input_shape))
            return get_activation("softmax")(inputs[0], axis=axis)
        if c["activation"] == "hard_sigmoid" and (c["slope"], c["offset"]) != (None, None):
            # ONNX HardSigmoid(alpha, beta): PyTorch's 1/6, PaddlePaddle's and Keras 2's 0.2
            import numpy as np

            slope = np.float32(1 / 6 if c["slope"] is None else c["slope"])
            offset = np.float32(0.5 if c["offset"] is None else c["offset"])
            return np.clip(slope * inputs[0] + offset, 0, 1)
        return self.activate(inputs[0])


class Activation1d(Activation):
    layer_type = "Activation1d"
    rank = 1


class Activation2d(Activation):
    layer_type = "Activation2d"
    rank = 2


class Activation3d(Activation):
    layer_type = "Activation3d"
    rank = 3


RANKED = {1: Activation1d, 2: Activation2d, 3: Activation3d}


class BatchNormalization(Layer):
    """Normalise each channel with its moving mean and variance, then scale (gamma) and shift (beta)."""

    layer_type = "BatchNormalization"
    default_color = "#F08A5D"
    PARAMS = (
        Param("epsilon", P.positive_number, 1e-3, "Added to the variance before the square root.", "float"),
        Param("center", P.boolean, True, "Add beta.", "bool"),
        Param("scale", P.boolean, True, "Multiply by gamma.", "bool"),
        Param("momentum", P.number, 0.99, "Training only; accepted and ignored.", "float"),
        Param("axis", P.axis, -1, "Channel axis; only the last axis (-1) is supported.", "int"),
    )
    WEIGHT_DOCS = (("gamma", "(channels,) if scale"), ("beta", "(channels,) if center"),
                   ("moving_mean", "(channels,)"), ("moving_variance", "(channels,)"))

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3))
        if self.config["axis"] not in (-1, len(input_shape)):
            raise ShapeError(f"only the channel axis (-1) is supported, got axis {self.config['axis']}",
                             layer=self.name, key="axis")
        return tuple(input_shape)

    def forward(self, inputs):
        w, c = self.weights, self.config
        x = inputs[0]
        affine = self.prepared("affine", _batch_norm_affine, x.shape, c["epsilon"], c["scale"], c["center"],
                               *(w.get(n) for n in ("gamma", "beta", "moving_mean", "moving_variance")))
        return affine(x)

    def weight_shapes(self):
        c = (self.output_shape[-1],)
        w = {}
        if self.config["scale"]:
            w["gamma"] = c
        if self.config["center"]:
            w["beta"] = c
        w["moving_mean"] = c
        w["moving_variance"] = c
        return w


def _batch_norm_affine(shape, epsilon, scale, center, gamma, beta, mean, variance):
    """BatchNormalization as x * scale + shift, one pass each: scale and shift folded in float64,
    so the result stays within float32 rounding of Keras' (x - mean) / sqrt(var + eps) * gamma + beta."""
    import numpy as np

    from ..ops.channelwise import ChannelAffine

    inv = 1.0 / np.sqrt(variance.astype(np.float64) + epsilon)
    if scale:
        inv = inv * gamma
    shift = -mean * inv + (beta if center else 0.0)
    return ChannelAffine(shape, inv.astype(np.float32), shift.astype(np.float32))


class Dropout(Layer):
    """Drops values while training; the identity at inference."""

    layer_type = "Dropout"
    default_color = "#F08A5D"
    PARAMS = (Param("rate", P.number, 0.5, "Fraction dropped while training (no effect here).", "float"),)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3, 4))
        return tuple(input_shape)

    def forward(self, inputs):
        return inputs[0]


class Embedding(Layer):
    """Integer ids to learned vectors: (length,) -> (length, outputDim)."""

    layer_type = "Embedding"
    default_color = "#F08A5D"
    PARAMS = (
        Param("inputDim", lambda v: P.positive_int(v, "inputDim"), P.REQUIRED, "Number of distinct ids.", "int"),
        Param("outputDim", lambda v: P.positive_int(v, "outputDim"), P.REQUIRED, "Length of each vector.", "int"),
    )
    WEIGHT_DOCS = (("embeddings", "(inputDim, outputDim)"),)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, 1)
        return (*input_shape, self.config["outputDim"])

    def forward(self, inputs):
        import numpy as np

        ids = inputs[0]
        if not np.all(np.isfinite(ids)) or np.any(ids != np.round(ids)) or ids.min() < 0 or \
                ids.max() >= self.config["inputDim"]:
            from ..errors import InputError

            raise InputError(f"Embedding takes integer ids in [0, {self.config['inputDim']}), got values "
                             f"{ids.min():g}..{ids.max():g}", layer=self.name)
        return self.weights["embeddings"][ids.astype(np.int64)]

    def weight_shapes(self):
        return {"embeddings": (self.config["inputDim"], self.config["outputDim"])}


class GenericLayer(Layer):
    """A layer known only by its output ``shape`` (drawn; values pass through when the size matches)."""

    layer_type = "Layer3d"
    rank = 3

    @property
    def arity(self):
        """It may stand for a layer of several inputs (a user's merge), drawn but not computed."""
        return "many" if len(self.apply_names or ()) > 1 else 1

    def validate_config(self):
        if self.given_shape is None:
            raise SpecError(f"{self.layer_type} needs its output shape", layer=self.name, key="shape")
        if len(self.given_shape) != self.rank:
            raise ShapeError(f"{self.layer_type} shape must have {self.rank} entries, got "
                             f"{list(self.given_shape)}", layer=self.name, key="shape")

    def compute_output_shape(self, input_shape):
        return self.given_shape

    def missing_parameters(self):
        if self.arity == 1 and math.prod(self.input_shape) == math.prod(self.given_shape):
            return None
        return "it is a generic layer: its values pass through only from one input of the same size"

    def forward(self, inputs):
        return inputs[0].reshape(self.given_shape)


class Layer1d(GenericLayer):
    layer_type = "Layer1d"
    rank = 1


class Layer2d(GenericLayer):
    layer_type = "Layer2d"
    rank = 2


class Layer3d(GenericLayer):
    layer_type = "Layer3d"
    rank = 3
