"""Layers that move values without changing them: Permute (axes swapped) and RepeatVector."""
from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from . import params as P
from .base import Layer, single_input
from .params import Param


def _dims(v):
    if not isinstance(v, (list, tuple)) or not v:
        P._fail(f"must be a list of axes such as [2, 1, 3], got {v!r}")
    return tuple(P.positive_int(d, "every axis") for d in v)


class Permute(Layer):
    """The axes of each sample reordered (Keras' Permute: ``dims`` counts from 1, the batch excluded)."""

    layer_type = "Permute"
    default_color = "#A287F4"  # Reshape's: the same values, arranged anew
    PARAMS = (Param("dims", _dims, P.REQUIRED, "The new order of the axes, from 1: [2, 1, 3] swaps height and "
                                               "width.", "list[int]"),)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, (1, 2, 3, 4))
        dims = self.config["dims"]
        if sorted(dims) != list(range(1, len(input_shape) + 1)):
            raise ShapeError(f"dims {list(dims)} is not an order of the axes 1..{len(input_shape)} of input "
                             f"{list(input_shape)}", layer=self.name, key="dims")
        return tuple(input_shape[d - 1] for d in dims)

    def forward(self, inputs):
        return np.ascontiguousarray(inputs[0].transpose([d - 1 for d in self.config["dims"]]))


class RepeatVector(Layer):
    """A vector repeated ``n`` times: (features,) -> (n, features)."""

    layer_type = "RepeatVector"
    default_color = "#30E3CA"  # UpSampling's: repetition
    PARAMS = (Param("n", lambda v: P.positive_int(v, "n"), P.REQUIRED, "How many times.", "int"),)

    def compute_output_shape(self, input_shape):
        single_input(self, input_shape, 1)
        return (self.config["n"], input_shape[0])

    def forward(self, inputs):
        return np.repeat(inputs[0][None, :], self.config["n"], axis=0)
