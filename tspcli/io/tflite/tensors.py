"""Constant tensors of a .tflite file as numpy arrays: sizes checked, quantized values made real.

TensorFlow Lite stores weights as float32, float16 (half-size models) or
integers with a scale and zero point per tensor or per output channel
(``real = scale * (q - zero_point)``); tspcli computes in float32, so every
weight is dequantized here.  Integer tensors without quantization (shapes,
axes, paddings) stay integers.
"""
from __future__ import annotations

import math

import numpy as np

from tspcli.errors import LoadError

from .flatbuffer import Tensor

DTYPES = {"FLOAT32": "<f4", "FLOAT16": "<f2", "FLOAT64": "<f8", "INT8": "i1", "UINT8": "u1",
          "INT16": "<i2", "INT32": "<i4", "INT64": "<i8", "BOOL": "?"}
QUANTIZED = ("INT8", "UINT8", "INT16", "INT32", "INT64")  # integer types that may carry a scale


def declared_bytes(tensor: Tensor) -> int:
    return math.prod(tensor.shape) * np.dtype(DTYPES[tensor.dtype]).itemsize


def constant_array(tensor: Tensor, file: str) -> np.ndarray:
    """The constant's values: float32 when it is a real-valued (possibly quantized) weight."""
    where = f"tensor {tensor.index} '{tensor.name}'"
    if tensor.sparse:
        raise LoadError(f"{where} is stored sparse, which tspcli does not read", file=file,
                        hint="convert the model without sparsity")
    if tensor.dtype not in DTYPES:
        raise LoadError(f"{where} has type {tensor.dtype}, which tspcli does not read", file=file)
    if any(d < 0 for d in tensor.shape):
        raise LoadError(f"{where} has shape {list(tensor.shape)} with a negative size", file=file)
    need = declared_bytes(tensor)
    if len(tensor.data) != need:
        raise LoadError(f"{where} of shape {list(tensor.shape)} ({tensor.dtype}) needs {need} bytes, its "
                        f"buffer holds {len(tensor.data)} (a corrupt file)", file=file)
    raw = np.frombuffer(tensor.data, DTYPES[tensor.dtype]).reshape(tensor.shape)
    if tensor.scale is not None and tensor.dtype in QUANTIZED:
        return dequantize(raw, tensor, file)
    if raw.dtype.kind == "f":
        return raw.astype(np.float32)
    return raw.copy()


def dequantize(q: np.ndarray, tensor: Tensor, file: str) -> np.ndarray:
    """``scale * (q - zero_point)``, per tensor or per channel along quantized_dimension."""
    scale, zero = tensor.scale.astype(np.float64), tensor.zero_point
    if zero.size == 0:
        zero = np.zeros_like(scale, np.int64)
    if scale.size > 1 or zero.size > 1:
        axis = tensor.quantized_dimension
        if not 0 <= axis < q.ndim or {scale.size, zero.size} - {1, q.shape[axis]}:
            raise LoadError(f"tensor {tensor.index} '{tensor.name}' has {scale.size} scales and "
                            f"{zero.size} zero points for axis {axis} of shape {list(q.shape)}", file=file)
        shape = [1] * q.ndim
        shape[axis] = -1
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    return ((q.astype(np.int64) - zero) * scale).astype(np.float32)


def is_quantized_activation(tensor: Tensor) -> bool:
    """An activation kept as integers by a fully quantized model."""
    return tensor.data is None and tensor.dtype in ("INT8", "UINT8", "INT16")
