"""ONNX models -> tspcli Models, channels-last, with no onnxruntime (or PyTorch) at run time.

``read_onnx_model(path)`` reads the file within bounds (``load``, ``tensors``),
fixes the input's size (dynamic dimensions from ``input_shape``), then walks
the graph once (``graph``): constants and shape computations are folded
(``fold``) and every other operator becomes the tspcli layer that draws it
(``lift_conv``, ``lift_elementwise``, ``lift_shape``).  NCHW tensors are held
as HWC values, so users see (H, W, C) shapes and give and get HWC arrays.
The result is a ``FileModel`` (what views list) holding the built Model.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tspcli.errors import LoadError
from tspcli.io.filemodel import FileLayer, FileModel
from tspcli.io.inputs import InputShape
from tspcli.io.onnx.load import looks_like_onnx

__all__ = ["read_onnx_model", "looks_like_onnx", "apply_overrides"]


@dataclass
class OnnxFileModel(FileModel):
    model: object = None


def read_onnx_model(path, *, input_shape: InputShape | None = None, skip_unknown: bool = False,
                    max_memory: int | None = None) -> OnnxFileModel:
    from tspcli.io.onnx.graph import Lifter
    from tspcli.io.onnx.load import check_opset, read_model_proto
    from tspcli.io.onnx.model_inputs import add_inputs, graph_nodes, recorded_shapes
    from tspcli.io.onnx.tensors import TensorReader
    from tspcli.io.onnx import lift_conv, lift_elementwise, lift_shape
    from tspcli.model import DEFAULT_MAX_MEMORY

    path = Path(path)
    budget = max_memory or DEFAULT_MAX_MEMORY
    proto = read_model_proto(path, budget)
    file = str(path)
    reader = TensorReader(path, budget)
    graph = proto.graph
    lifter = Lifter(file, graph_nodes(graph, reader), [o.name for o in graph.output], skip_unknown,
                    check_opset(proto, file))
    for tensor in graph.initializer:
        lifter.values[tensor.name] = reader.array(tensor)
    lifter.value_shapes = recorded_shapes(graph)
    inputs = add_inputs(lifter, graph, input_shape)
    lifter.run({**lift_conv.HANDLERS, **lift_elementwise.HANDLERS, **lift_shape.HANDLERS})
    return _file_model(lifter, graph, inputs, proto, file)


def _file_model(lifter, graph, inputs: list, proto, file: str) -> OnnxFileModel:
    from tspcli.io.onnx.graph import Feature
    from tspcli.layers import Dense, Output1d
    from tspcli.model import Model

    outputs = []
    for out in graph.output:
        value = lifter.values.get(out.name)
        if not isinstance(value, Feature) or value.perm is None:
            raise LoadError(f"graph output '{out.name}' is not computed from the input by layers tspcli "
                            "draws", file=file)
        if value.layer not in outputs:
            outputs.append(value.layer)
    for layer in outputs:
        if type(layer) is Dense and len(layer.output_shape) == 1:
            layer.__class__ = Output1d  # the model's output units, as TensorSpace draws them
            layer.config.setdefault("outputs", None)
            layer.config["activation"] = layer.config["activation"] or "linear"  # not Output1d's softmax
    model = Model(inputs, outputs, layers=lifter.layers, name=graph.name or Path(file).stem)
    model.source = file
    layers = [FileLayer(name=layer.name, inbound=[s.name for s in layer.inbound], shape=layer.output_shape,
                        config={}, class_name="InputLayer" if layer.arity == 0 else
                        "Dense" if isinstance(layer, Dense) else layer.keras_class)
              for layer in lifter.layers]
    producer = f"{proto.producer_name} {proto.producer_version}".strip() or None
    return OnnxFileModel(name=model.name, kind="Functional", layers=layers,
                         inputs=[layer.name for layer in inputs], outputs=[layer.name for layer in outputs],
                         keras_version=None, backend=producer, path=file, format="onnx", model=model)


def apply_overrides(fm: OnnxFileModel, overrides: dict):
    """The Model, with the classes a view chose for inputs and Dense/Output1d layers."""
    model = fm.model
    for layer in model.layers:
        cls = overrides.get(layer.name)
        if cls is None or type(layer) is cls:
            continue
        layer.__class__ = cls
        if layer.arity == 0:
            layer.validate_config()  # the input's shape in the new class' form
        else:
            layer.config.setdefault("outputs", None)  # Output1d's labels
    return model
