"""TensorFlow Lite (.tflite) files -> FileModel, with no TensorFlow.

``read_tflite_model(path)`` parses the flatbuffer with the ``tflite`` package's
generated accessors (``flatbuffer``), reads and dequantizes its constants
(``tensors``), and lifts its operators into Keras layers (``lift``,
``operators``, ``arithmetic``, ``activations``), so the rest of tspcli treats it
like a Keras file.  Only the first subgraph is read (the model; others belong to
control flow: an operator that runs one, WHILE, IF ..., is refused by name).
"""
from __future__ import annotations

from pathlib import Path

from tspcli.errors import LoadError
from tspcli.io.filemodel import FileModel

from .flatbuffer import IDENTIFIER, read_graph

__all__ = ["IDENTIFIER", "lift_file", "looks_like_tflite", "read_tflite_model"]


def looks_like_tflite(head: bytes) -> bool:
    return head[4:8] == IDENTIFIER


def read_tflite_model(path, max_bytes: int | None = None, input_shape=None) -> FileModel:
    """A .tflite file as a FileModel; ``max_bytes`` bounds the file and its weights as float32;
    ``input_shape`` (``tspcli.io.inputs.InputShape``) sizes a dynamic input."""
    p = Path(path)
    lift = lift_file(p, max_bytes, input_shape)
    graph = lift.graph
    outputs = []
    for t in graph.outputs:
        if t not in lift.layer_of:
            raise LoadError(f"output tensor '{graph.tensors[t].name}' is given by no operator",
                            file=str(p))
        outputs.append(lift.layer_of[t])
    return FileModel(name=p.stem, kind="Functional", layers=lift.layers, inputs=lift.inputs,
                     outputs=outputs, keras_version=None, backend=None, path=str(p), format="tflite",
                     notes=_notes(graph, lift))


def lift_file(p: Path, max_bytes: int | None = None, input_shape=None):
    """The Lifter after every operator: its ``layers``, and ``layer_of`` (tensor -> layer)."""
    from tspcli.io.limits import DEFAULT_MAX_BYTES

    from .lift import Lifter, Unsupported
    from .operators import OPERATORS

    max_bytes = max_bytes or DEFAULT_MAX_BYTES
    graph = read_graph(p, max_bytes)
    lift = Lifter(graph, str(p), max_bytes, input_shape)
    lift.inputs = lift.input_layers()
    for op in graph.operators:
        if op.index in lift.done:
            continue
        if not op.outputs:
            raise LoadError(f"operator {op.index} {op.op} has no output", file=str(p))
        handler = OPERATORS.get(op.op)
        try:
            if handler is None:
                raise Unsupported("is not one tspcli computes")
            lift.fused_activation(op)
            handler(lift, op)
        except Unsupported as why:
            lift.unsupported(op, str(why))
        except (IndexError, ValueError, ZeroDivisionError) as exc:
            # Declared shapes come from the file: ones that cannot belong together (a rank-0
            # feature map, weights of another size) end here rather than in a traceback.
            shapes = [list(graph.tensors[t].shape) for t in op.inputs + op.outputs if t >= 0]
            raise LoadError(f"operator {op.index} {op.op}: its tensors' shapes {shapes} do not fit "
                            f"together ({type(exc).__name__})", file=str(p)) from None
    return lift


def _notes(graph, lift) -> list[str]:
    """What a user should know about how the numbers are computed."""
    notes = []
    if lift.quantized_activations():
        notes.append("the file computes with int8 activations; tspcli computes in float32 from the "
                     "dequantized weights, so values differ from the TensorFlow Lite interpreter's by its "
                     "rounding")
        ints = [graph.tensors[t] for t in graph.inputs if graph.tensors[t].dtype != "FLOAT32"]
        if ints:
            notes.append("the inputs take real values, not the file's "
                         f"{'/'.join(sorted({t.dtype for t in ints}))} codes")
    else:
        weights = sorted({t.dtype for t in graph.tensors if t.data is not None and t.scale is not None
                          and t.dtype in ("INT8", "UINT8", "INT16")} |
                         {t.dtype for t in graph.tensors if t.data is not None and t.dtype == "FLOAT16"})
        if weights:
            notes.append(f"weights stored as {'/'.join(weights).lower()} are dequantized; tspcli computes "
                         "in float32")
    return notes
