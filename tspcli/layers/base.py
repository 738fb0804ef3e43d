"""The Layer base class: configuration, graph links, shapes and visual state.

A subclass declares ``PARAMS`` (its own keys), ``layer_type`` (TensorSpace's
name), ``default_color`` and implements ``compute_output_shape``; layers with
weights implement ``weight_shapes`` and all implement ``forward``.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

from ..errors import ShapeError
from . import params as P
from .params import REQUIRED, Param, coerce_keys

# Keys every layer has: identity, graph and look.
COMMON_PARAMS = (
    Param("name", P.optional(str), None, "Layer name, unique in the model (default: type_N).", "str"),
    Param("shape", P.optional(P.shape), None,
          "Output shape, channels-last [h, w, c]; checked against what the other parameters imply.",
          "list[int]", aliases=("outputShape",)),
    Param("color", P.optional(P.color), None, "Colour of the layer (default: its type's colour).", "'#RRGGBB'"),
    Param("closeButton", P.close_button, {"display": True, "ratio": 1.0},
          "Close button beside the open layer: {display: bool, ratio: size factor}.", "dict"),
    Param("initStatus", P.optional(P.choice("open", "close")), None,
          "State at start: open (feature maps) or close (one slab); default: the model's layerInitStatus.",
          "open|close"),
    Param("animeTime", P.optional(P.duration_ms), None,
          "Open/close animation time in ms; overrides the model's animeTime.", "ms"),
    Param("hidden", P.boolean, False, "Compute the layer but do not draw it.", "bool"),
    Param("apply", P.optional(P.names), None,
          "Functional models: the inbound layer name(s) (TensorSpace's layer.apply(previous)).",
          "str|list[str]", aliases=("inbound",)),
)


def color_key_of(layer_type: str) -> str:
    """TensorSpace's colour key of a layer type: lower camel case, acronyms kept (RGBInput)."""
    if len(layer_type) > 1 and layer_type[1].isupper():
        return layer_type
    return layer_type[0].lower() + layer_type[1:]


class Layer:
    """A layer of a model: the same object whether built in Python or from a description."""

    layer_type: ClassVar[str] = "Layer"
    PARAMS: ClassVar[tuple[Param, ...]] = ()
    default_color: ClassVar[str] = "#F08A5D"
    summary_doc: ClassVar[str] = ""
    # Names of weights this layer may carry, in Keras' order (documented by `tspcli layers`).
    WEIGHT_DOCS: ClassVar[tuple[tuple[str, str], ...]] = ()
    # How many inbound layers it takes: 1, or "many" for merges, or 0 for inputs.
    arity: ClassVar[Any] = 1

    def __init__(self, config: dict | None = None, **kwargs):
        raw = dict(config or {})
        raw.update(kwargs)
        self.config = self.coerce_config(raw)
        self.name: str | None = self.config.pop("name")
        self.given_shape = self.config.pop("shape")
        self.color = self.config.pop("color")
        self.close_button = self.config.pop("closeButton")
        self.init_status = self.config.pop("initStatus")
        self.anime_time = self.config.pop("animeTime")
        self.drawn = not self.config.pop("hidden")
        self.apply_names = self.config.pop("apply")
        self.inbound: list[Layer] = []
        self.input_shape = None
        self.output_shape = None
        self.weights: dict = {}
        self.neural_value = None
        self.is_open = False
        self.validate_config()

    # --- configuration -------------------------------------------------------------
    @classmethod
    def all_params(cls) -> dict[str, Param]:
        return {p.name: p for p in (*COMMON_PARAMS, *cls.PARAMS)}

    @classmethod
    def coerce_config(cls, raw: dict) -> dict:
        return coerce_keys(raw, cls.all_params(), cls.layer_type)

    def validate_config(self) -> None:
        """Checks between keys that no single key can do (override)."""

    @property
    def color_key(self) -> str:
        return color_key_of(self.layer_type)

    # --- graph -----------------------------------------------------------------------
    def apply(self, previous):
        """Connect this layer after ``previous`` (a Layer or a list of Layers); returns self."""
        prev = list(previous) if isinstance(previous, (list, tuple)) else [previous]
        self.inbound = prev
        self.apply_names = tuple(p.name for p in prev)
        return self

    # --- shapes ----------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        """Output shape (no batch axis) for ``input_shape`` (a tuple, or a list for merges)."""
        raise NotImplementedError

    def build_shapes(self, input_shape) -> tuple:
        """Set input_shape/output_shape, checking a given ``shape`` against the parameters."""
        self.input_shape = input_shape
        out = tuple(int(d) for d in self.compute_output_shape(input_shape))
        if min(out, default=1) <= 0:
            raise self._empty_output(out)
        if self.given_shape is not None and tuple(self.given_shape) != out:
            raise ShapeError(f"given shape {list(self.given_shape)} disagrees with {list(out)} "
                             f"computed from its parameters and input {self._fmt_in()}",
                             layer=self.name, key="shape")
        self.output_shape = out
        return out

    def _empty_output(self, out: tuple) -> ShapeError:
        """Say why nothing is left: most often a window larger than its input."""
        window = self.config.get("kernelSize") or self.config.get("poolSize")
        if window and isinstance(self.input_shape, tuple) and len(self.input_shape) > len(window):
            dilation = self.config.get("dilationRate") or (1,) * len(window)
            span = [d * (k - 1) + 1 for k, d in zip(window, dilation)]
            kind = "kernel" if self.config.get("kernelSize") else "pool window"
            shown = "x".join(map(str, span)) + (" (dilated)" if span != list(window) else "")
            return ShapeError(f"the {kind} {shown} is larger than its input "
                              f"{'x'.join(map(str, self.input_shape[:len(window)]))}, so no output is left",
                              layer=self.name, hint="use padding: same, a smaller window, or a larger input")
        return ShapeError(f"no output is left (a size of {min(out)}) for input {self._fmt_in()}",
                          layer=self.name, hint="the input is too small for this layer")

    def _fmt_in(self) -> str:
        s = self.input_shape
        if isinstance(s, list):
            return ", ".join(str(list(x)) for x in s)
        return str(list(s)) if s is not None else "?"

    # --- weights ---------------------------------------------------------------------
    def weight_shapes(self) -> dict[str, tuple]:
        """Shapes of this layer's weights in Keras' order (after shapes are known)."""
        return {}

    @property
    def param_count(self) -> int:
        return int(sum(math.prod(s) for s in self.weight_shapes().values()))

    # --- values ----------------------------------------------------------------------
    # Keras generation whose semantics apply (hard_sigmoid differs between 2 and 3).
    keras_version = "3"

    def forward(self, inputs: list):
        """Neural value (no batch axis) from the inbound values."""
        raise NotImplementedError(f"{self.layer_type} has no forward pass")

    def prepared(self, key: str, make, *sources):
        """``make(*sources)``, made once and remembered until a source changes: the constants a
        layer derives from its weights, config and input shape (BatchNormalization's folded scale,
        a bias repeated along rows) are made once per model, not on every forward pass.

        Sources are compared as a tuple: the same objects match at once (weights are replaced,
        never changed in place), other values by equality; arrays that are not the same object
        match only when equal in value (a comparison numpy cannot reduce to one truth value
        counts as a change).
        """
        cache = self.__dict__.setdefault("_prepared", {})
        hit = cache.get(key)
        try:
            if hit is not None and hit[0] == sources:
                return hit[1]
        except ValueError:
            pass
        value = make(*sources)
        cache[key] = (sources, value)
        return value

    def add_bias(self, y):
        """``y + bias`` per channel, written into ``y``: the layer's own new array (a product or
        convolution it has just made), so no other layer's value changes."""
        import numpy as np

        from ..ops.channelwise import ChannelAffine

        y = np.asarray(y, np.float32)
        return self.prepared("bias", lambda shape, bias: ChannelAffine(shape, shift=bias),
                             y.shape, self.weights["bias"])(y, out=y)

    def missing_parameters(self) -> str | None:
        """Why values cannot be computed (e.g. a layer given by its shape only), or None."""
        return None

    def activate(self, x, own: bool = False):
        """Apply the layer's ``activation`` (if any) the way its Keras generation does.

        ``own``: x is the layer's own new float32 array (its sum before the activation, seen by
        no other layer), so relu and relu6 may overwrite it.
        """
        name = self.config.get("activation")
        if name in (None, "linear"):
            return x
        from ..activations import get_activation, in_place

        fn = in_place(name) if own and x.dtype == "float32" and x.flags.writeable else None
        if fn is None:
            fn = self.prepared("activation", lambda n, v: get_activation(n, keras_version=v), name,
                               self.keras_version)
        return fn(x)

    # --- visual state ----------------------------------------------------------------
    def open_layer(self) -> None:
        self.is_open = True

    def close_layer(self) -> None:
        self.is_open = False

    @property
    def dimension(self) -> int | None:
        """Rank of the output (1, 2 or 3): how the layer is drawn."""
        return None if self.output_shape is None else len(self.output_shape)

    def __repr__(self) -> str:
        return f"<{self.layer_type} {self.name!r} {self.input_shape} -> {self.output_shape}>"


def axis_without_batch(layer: Layer, axis: int, rank: int) -> int:
    """A Keras axis (a positive one counts the batch axis: 1 = first axis of a sample) as a
    non-negative axis of a sample without batch."""
    if axis == 0 or not -rank <= axis <= rank:
        raise ShapeError(f"axis {axis} is out of range for inputs of rank {rank} (axis 0 is the batch)",
                         layer=layer.name, key="axis")
    return axis - 1 if axis > 0 else axis % rank


def single_input(layer: Layer, input_shape, rank: int | tuple[int, ...]) -> tuple:
    """Check that a single-input layer gets a tensor of the rank it works on."""
    ranks = (rank,) if isinstance(rank, int) else rank
    if isinstance(input_shape, list):
        raise ShapeError(f"{layer.layer_type} takes one input, got {len(input_shape)}", layer=layer.name)
    if len(input_shape) not in ranks:
        want = " or ".join(f"{r}-D" for r in ranks)
        flat = 1 in ranks and len(input_shape) > 1
        raise ShapeError(f"{layer.layer_type} needs a {want} input (without batch), got {list(input_shape)}",
                         layer=layer.name, hint="add a Flatten (or GlobalPooling2d) layer before it" if flat
                         else None)
    return input_shape


__all__ = ["Layer", "Param", "REQUIRED", "COMMON_PARAMS", "single_input", "color_key_of", "axis_without_batch"]
