"""Layers that change the grid without weights: Padding, Cropping, UpSampling (1-D and 2-D)."""
from __future__ import annotations

from ..errors import SpecError
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
    """Enlarge each feature map by whole factors: nearest neighbour (repeat rows and columns)
    or bilinear, with TensorFlow's coordinate rules."""

    layer_type = "UpSampling2d"
    default_color = "#30E3CA"
    rank = 2
    PARAMS = (
        Param("size", P.tuple_of(2, lambda v: P.positive_int(v, "size")), (2, 2), "Repeat factors.", "int|[h, w]"),
        Param("interpolation", P.choice("nearest", "bilinear"), "nearest", "nearest or bilinear.", "str"),
        Param("alignCorners", P.boolean, False,
              "Corner pixels of input and output meet (TensorFlow's align_corners).", "bool"),
        Param("halfPixelCenters", P.boolean, True,
              "Sample at pixel centres (TensorFlow's half_pixel_centers; Keras' bilinear).", "bool"),
    )

    def validate_config(self):
        if self.config["alignCorners"] and self.config["halfPixelCenters"] and \
                self.config["interpolation"] == "bilinear":
            raise SpecError("alignCorners and halfPixelCenters exclude each other", layer=self.name,
                            key="alignCorners", hint="set halfPixelCenters: false")

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, self.rank + 1)
        spatial = tuple(n * s for n, s in zip(input_shape[:-1], self.config["size"]))
        return (*spatial, input_shape[-1])

    def forward(self, inputs):
        from .. import ops

        c = self.config
        if self.rank == 1:
            return ops.upsample1d(inputs[0], c["size"])
        if c["interpolation"] == "bilinear" or c["alignCorners"]:
            from ..ops.resize_image import resize_bilinear, resize_nearest

            resize = resize_bilinear if c["interpolation"] == "bilinear" else resize_nearest
            return resize(inputs[0], self.output_shape[:2], c["alignCorners"], c["halfPixelCenters"])
        return ops.upsample2d(inputs[0], c["size"])  # nearest, whole factors: a repeat


class UpSampling1d(UpSampling2d):
    """Repeat each step of a sequence."""

    layer_type = "UpSampling1d"
    rank = 1
    PARAMS = (Param("size", P.tuple_of(1, lambda v: P.positive_int(v, "size")), (2,), "Repeat factor.", "int"),)

    def validate_config(self):
        pass
