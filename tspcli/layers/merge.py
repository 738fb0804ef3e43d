"""Merges of several inbound layers: Add, Subtract, Multiply, Average, Maximum, Concatenate."""
from __future__ import annotations

import functools

import numpy as np

from ..errors import ShapeError
from . import params as P
from .base import Layer, axis_without_batch
from .params import Param


class _Merge(Layer):
    arity = "many"
    default_color = "#E23E57"
    min_inputs, max_inputs = 2, None

    def check_count(self, input_shape):
        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        n = len(shapes)
        if n < self.min_inputs or (self.max_inputs and n > self.max_inputs):
            want = f"exactly {self.max_inputs}" if self.max_inputs == self.min_inputs else \
                f"at least {self.min_inputs}"
            raise ShapeError(f"{self.layer_type} needs {want} inputs, got {n}", layer=self.name, key="apply")
        return shapes

    def input_names(self):
        return [layer.name for layer in self.inbound] or list(self.apply_names or [])


class _Elementwise(_Merge):
    def compute_output_shape(self, input_shape):
        """Equal shapes, or shapes of one rank whose sizes are equal or 1, broadcast as Keras does
        (squeeze-and-excitation multiplies a (h, w, c) map by a (1, 1, c) gate)."""
        shapes = [tuple(s) for s in self.check_count(input_shape)]
        rank = len(shapes[0])
        out = tuple(max(sizes) for sizes in zip(*shapes))
        if any(len(s) != rank or any(d not in (1, o) for d, o in zip(s, out)) for s in shapes):
            listed = ", ".join(f"{n} {list(x)}" for n, x in zip(self.input_names(), shapes))
            raise ShapeError(f"{self.layer_type} needs equal shapes (or sizes of 1 that broadcast), got {listed}",
                             layer=self.name, key="apply")
        return out


    def forward(self, inputs):
        return functools.reduce(self.combine, inputs).astype(np.float32)


class Add(_Elementwise):
    """Sum of its inputs."""
    layer_type = "Add"
    combine = staticmethod(np.add)


class Subtract(_Elementwise):
    """First input minus the second."""
    layer_type = "Subtract"
    min_inputs = max_inputs = 2
    combine = staticmethod(np.subtract)


class Multiply(_Elementwise):
    """Product of its inputs."""
    layer_type = "Multiply"
    combine = staticmethod(np.multiply)


class Average(_Elementwise):
    """Mean of its inputs."""
    layer_type = "Average"

    def forward(self, inputs):
        return (functools.reduce(np.add, inputs) / len(inputs)).astype(np.float32)


class Maximum(_Elementwise):
    """Largest of its inputs, value by value."""
    layer_type = "Maximum"
    combine = staticmethod(np.maximum)


class Concatenate(_Merge):
    """Inputs joined along ``axis`` (default: the channel axis)."""

    layer_type = "Concatenate"
    default_color = "#F9A1BC"
    PARAMS = (Param("axis", P.axis, -1, "Axis to join along (without batch; -1 = channels).", "int"),)

    def compute_output_shape(self, input_shape):
        shapes = [tuple(s) for s in self.check_count(input_shape)]
        rank = len(shapes[0])
        axis = axis_without_batch(self, self.config["axis"], rank)
        out = list(shapes[0])
        for s in shapes[1:]:
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, shapes[0])) if i != axis):
                listed = ", ".join(f"{n} {list(x)}" for n, x in zip(self.input_names(), shapes))
                raise ShapeError(f"Concatenate needs equal shapes except along axis {self.config['axis']}, "
                                 f"got {listed}", layer=self.name, key="apply")
            out[axis] += s[axis]
        return tuple(out)

    def forward(self, inputs):
        return np.concatenate(inputs, axis=axis_without_batch(self, self.config["axis"], len(self.output_shape)))
