"""Layers that change the grid without weights: Padding, Cropping, UpSampling (1-D and 2-D)."""
from __future__ import annotations

from ..errors import ShapeError
from ..ops.bilinear import MODES as BILINEAR_MODES
from ..ops.resize import NEAREST_MODES
from . import params as P
from .base import Layer, single_input
from .params import Param


def _nonneg(v):
    return P.nonneg_int(v, "every entry")


def pair_of_pairs(v):
    """int | [h, w] | [[top, bottom], [left, right]] -> ((top, bottom), (left, right))."""
    if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, (list, tuple)) for x in v):
        return tuple(P.tuple_of(2, _nonneg)(x) for x in v)
    h, w = P.tuple_of(2, _nonneg)(v)
    return ((h, h), (w, w))


def one_pair(v):
    """int | [left, right] -> (left, right)."""
    return P.tuple_of(2, _nonneg)(v)


class Padding2d(Layer):
    """Zero rows and columns around each feature map."""

    layer_type = "Padding2d"
    default_color = "#6EB6FF"
    rank = 2
    PARAMS = (Param("padding", pair_of_pairs, ((1, 1), (1, 1)),
                    "int, [h, w] or [[top, bottom], [left, right]] zeros to add.", "int|list"),)
    amount_key, grows = "padding", 1  # Cropping shares the arithmetic with the opposite sign

    def amounts(self):
        """((before, after), ...) per spatial axis."""
        a = self.config[self.amount_key]
        return a if self.rank == 2 else (a,)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, self.rank + 1)
        spatial = tuple(n + self.grows * (a + b) for n, (a, b) in zip(input_shape[:-1], self.amounts()))
        return (*spatial, input_shape[-1])

    def forward(self, inputs):
        import numpy as np

        return np.pad(inputs[0], (*self.amounts(), (0, 0)))


class Padding1d(Padding2d):
    """Zeros before and after a sequence."""

    layer_type = "Padding1d"
    rank = 1
    PARAMS = (Param("padding", one_pair, (1, 1), "int or [left, right] zeros to add.", "int|[l, r]"),)


class Cropping2d(Padding2d):
    """Remove rows and columns from the borders of each feature map."""

    layer_type = "Cropping2d"
    default_color = "#CEFC86"
    PARAMS = (Param("cropping", pair_of_pairs, ((0, 0), (0, 0)),
                    "int, [h, w] or [[top, bottom], [left, right]] cells to remove.", "int|list"),)
    amount_key, grows = "cropping", -1

    def forward(self, inputs):
        window = tuple(slice(a, n - b) for n, (a, b) in zip(self.input_shape, self.amounts()))
        return inputs[0][window]


class Cropping1d(Cropping2d):
    """Remove values from both ends of a sequence."""

    layer_type = "Cropping1d"
    rank = 1
    PARAMS = (Param("cropping", one_pair, (1, 1), "int or [left, right] cells to remove.", "int|[l, r]"),)


class UpSampling2d(Layer):
    """Repeat rows and columns (nearest neighbour), or interpolate them (bilinear)."""

    layer_type = "UpSampling2d"
    default_color = "#30E3CA"
    rank = 2
    PARAMS = (
        Param("size", P.tuple_of(2, lambda v: P.positive_int(v, "size")), (2, 2), "Repeat factors.", "int|[h, w]"),
        Param("interpolation", P.choice("nearest", "bilinear"), "nearest",
              "nearest (repeat) or bilinear.", "str"),
        Param("coordinateMode", P.choice(*BILINEAR_MODES), "half_pixel",
              "bilinear, and nearest with outputSize: where output pixels sample the input: half_pixel "
              "(Keras, TF2, PyTorch align_corners=False), align_corners (PyTorch align_corners=True), "
              "asymmetric (TF1), pytorch_half_pixel (bilinear only).", "|".join(BILINEAR_MODES)),
        Param("outputSize", P.optional(P.tuple_of(2, lambda v: P.positive_int(v, "outputSize"))), None,
              "Output height and width instead of whole factors (a TensorFlow Lite resize, 7 -> 10): "
              "size is then unused; nearest copies the pixel TensorFlow's rule for coordinateMode picks.",
              "[h, w]"),
    )

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, self.rank + 1)
        spatial = self.config.get("outputSize") or \
            tuple(n * s for n, s in zip(input_shape[:-1], self.config["size"]))
        if self.config.get("outputSize") and self.config["interpolation"] == "nearest" and \
                self.config["coordinateMode"] not in NEAREST_MODES:
            raise ShapeError(f"nearest resizing to outputSize takes coordinateMode {', '.join(NEAREST_MODES)}",
                             layer=self.name, key="coordinateMode")
        return (*spatial, input_shape[-1])

    def forward(self, inputs):
        from .. import ops

        if self.config.get("interpolation") == "bilinear":  # UpSampling1d only repeats
            from ..ops.bilinear import resize_bilinear

            return resize_bilinear(inputs[0], self.output_shape[:2], self.config["coordinateMode"])
        if self.config.get("outputSize"):
            return ops.resize_nearest(inputs[0], self.output_shape[:2], self.config["coordinateMode"])
        up = ops.upsample2d if self.rank == 2 else ops.upsample1d
        return up(inputs[0], self.config["size"])


class UpSampling1d(UpSampling2d):
    """Repeat each step of a sequence."""

    layer_type = "UpSampling1d"
    rank = 1
    PARAMS = (Param("size", P.tuple_of(1, lambda v: P.positive_int(v, "size")), (2,), "Repeat factor.", "int"),)
