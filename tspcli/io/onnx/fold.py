"""Constant folding: operators whose inputs are all known are computed at load time.

Exporters write shapes as computations (PyTorch's legacy exporter:
Shape -> Gather -> Unsqueeze -> Concat -> Reshape; PaddlePaddle: Shape ->
Cast -> Slice -> Concat), weights as Constant nodes and casts of them.  Once
the input size is fixed every such value is a constant; this module computes
them with numpy, so the lifting only ever sees feature maps and constants.
Shape of a feature map is its ONNX shape (batch 1), known from the lifting.
"""
from __future__ import annotations

import numpy as np

from tspcli.io.onnx.tensors import DTYPES


def _axes(attrs, inputs, index=1):
    """Axes from the attribute (older opsets) or the second input (newer)."""
    if "axes" in attrs:
        return [int(a) for a in attrs["axes"]]
    if len(inputs) > index and inputs[index] is not None:
        return [int(a) for a in np.asarray(inputs[index]).reshape(-1)]
    return None


def _unsqueeze(attrs, x, *rest):
    axes = _axes(attrs, [x, *rest])
    rank = x.ndim + len(axes)
    for a in sorted(a % rank for a in axes):
        x = np.expand_dims(x, a)
    return x


def _squeeze(attrs, x, *rest):
    axes = _axes(attrs, [x, *rest])
    return np.squeeze(x, axis=None if axes is None else tuple(a % x.ndim for a in axes))


def reshape_target(x_shape, target, allowzero=0) -> tuple:
    """ONNX Reshape's shape: 0 copies the input's dimension (unless allowzero), -1 is inferred."""
    out = [int(d) for d in np.asarray(target).reshape(-1)]
    if not allowzero:
        out = [x_shape[i] if d == 0 else d for i, d in enumerate(out)]
    if -1 in out:
        known = int(np.prod([d for d in out if d != -1]))
        total = int(np.prod(x_shape))
        out[out.index(-1)] = total // known if known else 0
    return tuple(out)


def _slice(attrs, x, starts=None, ends=None, axes=None, steps=None):
    if starts is None:  # opset < 10 attributes
        starts, ends, axes = attrs["starts"], attrs["ends"], attrs.get("axes")
    starts = np.asarray(starts).reshape(-1)
    ends = np.asarray(ends).reshape(-1)
    axes = range(len(starts)) if axes is None else np.asarray(axes).reshape(-1)
    steps = np.ones(len(starts), np.int64) if steps is None else np.asarray(steps).reshape(-1)
    index = [slice(None)] * x.ndim
    for s, e, a, st in zip(starts, ends, axes, steps):
        n = x.shape[int(a)]
        s, e, st = int(s), int(e), int(st)
        # clamp the huge sentinels exporters use (INT64_MAX, INT64_MIN)
        s = max(min(s, n), -n - 1)
        e = max(min(e, n), -n - 1)
        index[int(a) % x.ndim] = slice(s, e if e != -n - 1 else None, st)
    return x[tuple(index)]


def _cast(attrs, x):
    return x.astype(DTYPES.get(attrs["to"], np.float32))


def _range(attrs, start, limit, delta):
    return np.arange(start, limit, delta).astype(np.asarray(start).dtype)


def _constant_of_shape(attrs, shape):
    value = attrs.get("value", np.zeros(1, np.float32))
    return np.full([int(d) for d in shape], value.reshape(-1)[0], value.dtype)


def _gather(attrs, x, idx):
    return np.take(x, idx, axis=attrs.get("axis", 0))


def _concat(attrs, *xs):
    return np.concatenate([np.atleast_1d(x) if x.ndim == 0 else x for x in xs], axis=attrs["axis"])


def _div(attrs, a, b):
    if np.issubdtype(a.dtype, np.integer) and np.issubdtype(b.dtype, np.integer):
        return (a // b).astype(a.dtype)  # shape arithmetic: integer division
    return (a / b).astype(np.result_type(a, b))


def _reduce(fn):
    def reduce(attrs, x, *rest):
        axes = _axes(attrs, [x, *rest])
        keep = bool(attrs.get("keepdims", 1))
        return fn(x, axis=None if not axes else tuple(axes), keepdims=keep)
    return reduce


def _dequantize(attrs, x, scale, zero_point=None):
    """DequantizeLinear of a constant (weight-quantized models): (x - zero_point) * scale, per tensor
    or per channel along ``axis``."""
    scale = scale.astype(np.float32)
    zero = np.float32(0) if zero_point is None else zero_point.astype(np.float32)
    if scale.size > 1:  # one scale (and zero point) per channel of ``axis``
        shape = [1] * x.ndim
        shape[attrs.get("axis", 1) % x.ndim] = -1
        scale = scale.reshape(shape)
        zero = zero.reshape(shape) if np.size(zero) > 1 else zero
    return (x.astype(np.float32) - zero) * scale


FOLD = {
    "Identity": lambda attrs, x: x,
    "Cast": _cast,
    "Gather": _gather,
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
    "Concat": _concat,
    "Reshape": lambda attrs, x, shape: x.reshape(reshape_target(x.shape, shape, attrs.get("allowzero", 0))),
    "Flatten": lambda attrs, x: x.reshape(int(np.prod(x.shape[:attrs.get("axis", 1)])), -1),
    "Slice": _slice,
    "Transpose": lambda attrs, x: np.transpose(x, attrs.get("perm")),
    "Add": lambda attrs, a, b: a + b,
    "Sub": lambda attrs, a, b: a - b,
    "Mul": lambda attrs, a, b: a * b,
    "Div": _div,
    "Neg": lambda attrs, x: -x,
    "Sqrt": lambda attrs, x: np.sqrt(x),
    "Pow": lambda attrs, a, b: np.power(a, b).astype(a.dtype),
    "Floor": lambda attrs, x: np.floor(x),
    "Ceil": lambda attrs, x: np.ceil(x),
    "Min": lambda attrs, *xs: np.minimum.reduce(np.broadcast_arrays(*xs)),
    "Max": lambda attrs, *xs: np.maximum.reduce(np.broadcast_arrays(*xs)),
    "Equal": lambda attrs, a, b: np.equal(a, b),
    "Where": lambda attrs, c, a, b: np.where(c, a, b),
    "Expand": lambda attrs, x, shape: x * np.ones([int(d) for d in shape], x.dtype),
    "Range": _range,
    "ConstantOfShape": _constant_of_shape,
    "ReduceProd": _reduce(np.prod),
    "ReduceSum": _reduce(np.sum),
    "ReduceMean": _reduce(np.mean),
    "Size": lambda attrs, x: np.array(x.size, np.int64),
    "Relu": lambda attrs, x: np.maximum(x, 0),
    "DequantizeLinear": _dequantize,
}
