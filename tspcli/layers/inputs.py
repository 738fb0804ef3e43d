"""Input layers: where a model's data enters (no inbound layers)."""
from __future__ import annotations

from ..errors import ShapeError
from .base import Layer

SHAPE_DOC = "Input shape without batch axis, channels-last."


class _Input(Layer):
    arity = 0
    default_color = "#EEEEEE"
    ranks: tuple[int, ...] = ()

    def validate_config(self):
        if self.given_shape is None:
            raise ShapeError(f"{self.layer_type} needs its shape", layer=self.name, key="shape")
        self.given_shape = self.normalise(tuple(self.given_shape))

    def normalise(self, shape: tuple) -> tuple:
        if len(shape) not in self.ranks:
            raise ShapeError(f"{self.layer_type} shape must have {' or '.join(map(str, self.ranks))} "
                             f"entries, got {list(shape)}", layer=self.name, key="shape")
        return shape

    def compute_output_shape(self, input_shape):
        return self.given_shape

    def forward(self, inputs):
        return inputs[0]


class GreyscaleInput(_Input):
    """A one-channel image, shape [h, w] or [h, w, 1]."""

    layer_type = "GreyscaleInput"
    ranks = (2, 3)

    def normalise(self, shape):
        shape = super().normalise(shape)
        if len(shape) == 3 and shape[2] != 1:
            raise ShapeError(f"GreyscaleInput has 1 channel, got shape {list(shape)}", layer=self.name,
                             key="shape", hint="use RGBInput for 3 channels")
        return shape[:2] + (1,)


class RGBInput(_Input):
    """A colour image, shape [h, w, 3] (or [h, w])."""

    layer_type = "RGBInput"
    ranks = (2, 3)

    def normalise(self, shape):
        shape = super().normalise(shape)
        if len(shape) == 3 and shape[2] != 3:
            raise ShapeError(f"RGBInput has 3 channels, got shape {list(shape)}", layer=self.name,
                             key="shape", hint="use GreyscaleInput for 1 channel, Input3d for others")
        return shape[:2] + (3,)


class Input1d(_Input):
    """A vector of values, shape [n]."""

    layer_type = "Input1d"
    ranks = (1,)


class Input2d(_Input):
    """A sequence, shape [length, channels] (input of Conv1d models)."""

    layer_type = "Input2d"
    ranks = (2,)


class Input3d(_Input):
    """A feature map stack with any channel count, shape [h, w, c]."""

    layer_type = "Input3d"
    ranks = (3,)


def input_class_for_shape(shape: tuple) -> type[_Input]:
    """The input layer that draws a tensor of this shape best (used for Keras' InputLayer)."""
    if len(shape) == 1:
        return Input1d
    if len(shape) == 3 and shape[2] == 3:
        return RGBInput
    if len(shape) == 3 and shape[2] == 1:
        return GreyscaleInput
    if len(shape) == 3:
        return Input3d
    if len(shape) == 2:
        return Input2d
    raise ShapeError(f"no input layer for a {len(shape)}-D shape {list(shape)}")


__all__ = ["GreyscaleInput", "RGBInput", "Input1d", "Input2d", "Input3d", "input_class_for_shape"]
