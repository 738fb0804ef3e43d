"""A .tflite flatbuffer -> plain Python records (``Graph``, ``Tensor``, ``Operator``).

All access to the flatbuffer goes through this module.  The generated
accessors of the ``tflite`` package trust the buffer: on a truncated or
corrupt file they raise whatever Python raises when an offset points nowhere
(IndexError, struct.error, ValueError ...), so every read happens under
``_guarded`` and becomes one LoadError.  Counts read from the file are checked
against the file's size before anything is looped over or allocated, so a
forged count cannot make tspcli spin or swell.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tspcli.errors import LoadError, TspError

IDENTIFIER = b"TFL3"  # the schema's file_identifier, bytes 4..8 of every .tflite file
SCHEMA_VERSION = 3  # the only version of the TensorFlow Lite schema there has been since 2018
MAX_FILE_BYTES = 2**31 - 1  # flatbuffers address 32-bit offsets; TensorFlow Lite's own limit

# Options table of each operator tspcli reads, and the fields it uses.
OPTION_FIELDS = {
    "Conv2DOptions": ("Padding", "StrideW", "StrideH", "FusedActivationFunction",
                      "DilationWFactor", "DilationHFactor"),
    "DepthwiseConv2DOptions": ("Padding", "StrideW", "StrideH", "DepthMultiplier",
                               "FusedActivationFunction", "DilationWFactor", "DilationHFactor"),
    "FullyConnectedOptions": ("FusedActivationFunction", "WeightsFormat", "KeepNumDims"),
    "Pool2DOptions": ("Padding", "StrideW", "StrideH", "FilterWidth", "FilterHeight",
                      "FusedActivationFunction"),
    "ReducerOptions": ("KeepDims",),
    "AddOptions": ("FusedActivationFunction",),
    "SubOptions": ("FusedActivationFunction",),
    "MulOptions": ("FusedActivationFunction",),
    "DivOptions": ("FusedActivationFunction",),
    "GeluOptions": ("Approximate",),
    "ConcatenationOptions": ("Axis", "FusedActivationFunction"),
    "SqueezeOptions": ("SqueezeDimsAsNumpy",),
    "SoftmaxOptions": ("Beta",),
    "LeakyReluOptions": ("Alpha",),
    "ResizeBilinearOptions": ("AlignCorners", "HalfPixelCenters"),
    "ResizeNearestNeighborOptions": ("AlignCorners", "HalfPixelCenters"),
    "TransposeConvOptions": ("Padding", "StrideW", "StrideH", "FusedActivationFunction"),
}


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    signature: tuple[int, ...] | None  # shape_signature: -1 marks a dynamic dimension
    dtype: str  # TensorType name: FLOAT32, INT8 ...
    data: memoryview | None  # the constant's bytes, None for an activation
    scale: np.ndarray | None = None  # quantization: real = scale * (q - zero_point)
    zero_point: np.ndarray | None = None
    quantized_dimension: int = 0
    sparse: bool = False


@dataclass
class Operator:
    index: int
    op: str  # BuiltinOperator name (CONV_2D ...), or "CUSTOM:<code>"
    inputs: list[int]  # tensor indices; -1 is an optional input left out
    outputs: list[int]
    options: dict = field(default_factory=dict)


@dataclass
class Graph:
    tensors: list[Tensor]
    operators: list[Operator]
    inputs: list[int]
    outputs: list[int]


def read_graph(path: Path, max_bytes: int) -> Graph:
    """The first subgraph of a .tflite file (of at most ``max_bytes``), its tensors and operators."""
    from tspcli.io import limits

    buf = memoryview(limits.read_bytes(path, min(max_bytes, MAX_FILE_BYTES), LoadError,
                                       "TensorFlow Lite file", hint="raise --max-memory"))
    if len(buf) < 8 or buf[4:8] != IDENTIFIER:
        raise LoadError(f"not a TensorFlow Lite file: bytes 4-8 are {bytes(buf[4:8])!r}, not the "
                        f"flatbuffer identifier {IDENTIFIER!r}", file=str(path))
    with _guarded(path, "the model table"):
        import tflite

        model = tflite.Model.GetRootAs(buf, 0)
        version = model.Version()
        if version != SCHEMA_VERSION:
            raise LoadError(f"TensorFlow Lite schema version {version} is not one tspcli reads "
                            f"(version {SCHEMA_VERSION})", file=str(path),
                            hint="re-convert the model with a current TFLiteConverter")
        if _count(model.SubgraphsLength(), buf, path, "subgraphs") < 1:
            raise LoadError("the file has no subgraph (no network in it)", file=str(path))
        codes = _operator_codes(model, buf, path)
        buffers = _buffers(model, buf, path)
        sub = model.Subgraphs(0)
    with _guarded(path, "the tensors"):
        tensors = [_tensor(sub.Tensors(i), i, buffers, path)
                   for i in range(_count(sub.TensorsLength(), buf, path, "tensors"))]
        inputs = [int(i) for i in _vector(sub.InputsAsNumpy())]
        outputs = [int(i) for i in _vector(sub.OutputsAsNumpy())]
        n_operators = _count(sub.OperatorsLength(), buf, path, "operators")
    operators = []
    for i in range(n_operators):
        with _guarded(path, f"operator {i}"):
            operators.append(_operator(sub.Operators(i), i, codes, path))
    given = inputs + outputs + [t for op in operators for t in op.outputs]
    read = [t for op in operators for t in op.inputs if t != -1]  # -1: an optional input left out
    for i in given + read:
        if not 0 <= i < len(tensors):
            raise LoadError(f"a tensor index {i} is out of range (the graph has {len(tensors)} tensors)",
                            file=str(path))
    for t in tensors:
        if any(d < 0 for d in t.shape) or (t.data is None and 0 in t.shape):
            raise LoadError(f"tensor {t.index} '{t.name}' has shape {list(t.shape)}, with a size below 1",
                            file=str(path))
    return Graph(tensors, operators, inputs, outputs)


# --- the pieces ------------------------------------------------------------------------
def _count(n: int, buf, path: Path, what: str) -> int:
    """A vector length from the file: every element takes at least 4 bytes of it."""
    if not 0 <= n <= len(buf) // 4:
        raise LoadError(f"the file declares {n} {what}, more than its {len(buf)} bytes can hold "
                        "(a corrupt flatbuffer)", file=str(path))
    return n


def _vector(value) -> np.ndarray:
    """An ``...AsNumpy()`` result: the generated code returns 0 for an absent vector."""
    return np.zeros(0, np.int32) if isinstance(value, int) else value


def _operator_codes(model, buf, path) -> list[str]:
    import tflite

    names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    codes = []
    for i in range(_count(model.OperatorCodesLength(), buf, path, "operator codes")):
        code = model.OperatorCodes(i)
        # Codes above 127 live only in builtin_code; old files set only the deprecated int8 one.
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        if builtin == tflite.BuiltinOperator.CUSTOM:
            name = "CUSTOM:" + (code.CustomCode() or b"?").decode("utf-8", "replace")
        else:
            name = names.get(builtin, f"operator code {builtin} (newer than tspcli's schema)")
        codes.append(name)
    return codes


def _buffers(model, buf, path) -> list[memoryview | None]:
    out = []
    for i in range(_count(model.BuffersLength(), buf, path, "buffers")):
        b = model.Buffers(i)
        offset, size = b.Offset(), b.Size()
        if offset > 1:  # files over 2 GiB keep big buffers after the flatbuffer, by offset
            if offset + size > len(buf):
                raise LoadError(f"buffer {i} lies at bytes {offset}..{offset + size}, beyond the "
                                f"file's {len(buf)} bytes (truncated?)", file=str(path))
            out.append(buf[offset:offset + size])
        elif b.DataLength():
            data = b.DataAsNumpy()
            out.append(memoryview(data.tobytes()) if data.size else None)
        else:
            out.append(None)
    return out


def _tensor(t, index: int, buffers, path) -> Tensor:
    import tflite

    types = {v: k for k, v in vars(tflite.TensorType).items() if not k.startswith("_")}
    name = (t.Name() or b"").decode("utf-8", "replace")
    b = t.Buffer()
    if not 0 <= b < max(len(buffers), 1):
        raise LoadError(f"tensor {index} '{name}' names buffer {b}, but the file has {len(buffers)}",
                        file=str(path))
    tensor = Tensor(index, name, tuple(int(d) for d in _vector(t.ShapeAsNumpy())),
                    tuple(int(d) for d in _vector(t.ShapeSignatureAsNumpy())) or None,
                    types.get(t.Type(), f"type {t.Type()}"), buffers[b] if buffers else None,
                    sparse=t.Sparsity() is not None)
    q = t.Quantization()
    if q is not None and q.ScaleLength():
        tensor.scale = np.asarray(q.ScaleAsNumpy(), np.float32)
        tensor.zero_point = np.asarray(_vector(q.ZeroPointAsNumpy()), np.int64)
        tensor.quantized_dimension = int(q.QuantizedDimension())
    return tensor


def _operator(o, index: int, codes, path) -> Operator:
    import tflite

    c = o.OpcodeIndex()
    if not 0 <= c < len(codes):
        raise LoadError(f"operator {index} names operator code {c}, but the file has {len(codes)}",
                        file=str(path))
    op = Operator(index, codes[c], [int(i) for i in _vector(o.InputsAsNumpy())],
                  [int(i) for i in _vector(o.OutputsAsNumpy())])
    kinds = {v: k for k, v in vars(tflite.BuiltinOptions).items() if not k.startswith("_")}
    kind = kinds.get(o.BuiltinOptionsType())
    table = o.BuiltinOptions()
    if kind in OPTION_FIELDS and table is not None:
        options = getattr(tflite, kind)()
        options.Init(table.Bytes, table.Pos)
        op.options = {f: getattr(options, f)() for f in OPTION_FIELDS[kind]}
    return op


@contextlib.contextmanager
def _guarded(path: Path, what: str):
    """Any failure of the generated accessors is a corrupt file, said in one line."""
    try:
        yield
    except TspError:
        raise
    except Exception as exc:  # noqa: BLE001 - the accessors raise anything on garbage
        raise LoadError(f"corrupt TensorFlow Lite flatbuffer while reading {what} "
                        f"({type(exc).__name__})", file=str(path),
                        hint="the file is truncated or damaged; convert the model again") from None
