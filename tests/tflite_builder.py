"""Write .tflite files by hand: the flatbuffers Builder with the tflite schema's builder functions.

TensorFlow is too heavy for CI, so tests build their TensorFlow Lite models
here, operator by operator, with the layouts the converter writes (CONV_2D
weights (out, kh, kw, in), DEPTHWISE_CONV_2D (1, kh, kw, in x multiplier),
FULLY_CONNECTED (units, in), TRANSPOSE_CONV (out, kh, kw, in)).
"""
from __future__ import annotations

import flatbuffers
import numpy as np
import tflite

_TYPES = {"float32": "FLOAT32", "float16": "FLOAT16", "int32": "INT32", "int8": "INT8", "int64": "INT64",
          "uint8": "UINT8"}


class TFLiteBuilder:
    def __init__(self):
        self.tensors = []  # (name, shape, type name, buffer index, quantization or None)
        self.buffers = [b""]  # buffer 0 is the empty one every activation points at
        self.codes: dict[str, int] = {}
        self.operators = []  # (opcode index, inputs, outputs, options kind, options)
        self.signatures = {}  # tensor -> shape_signature (-1: a size known only at run time)

    def activation(self, name, shape, dtype="float32", scale=None, zero_point=None, signature=None):
        """An activation; with a ``signature``, ``shape`` holds 1 for its dynamic sizes, as the converter
        writes them."""
        t = self._add(name, shape, _TYPES[dtype], 0, _quant(scale, zero_point))
        if signature is not None:
            self.signatures[t] = tuple(signature)
        return t

    def constant(self, name, array, scale=None, zero_point=None, axis=0):
        array = np.ascontiguousarray(array)
        self.buffers.append(array.tobytes())
        return self._add(name, array.shape, _TYPES[str(array.dtype)], len(self.buffers) - 1,
                         _quant(scale, zero_point, axis))

    def _add(self, name, shape, type_name, buffer, quant):
        self.tensors.append((name, tuple(int(d) for d in shape), type_name, buffer, quant))
        return len(self.tensors) - 1

    def op(self, name, inputs, outputs, kind=None, **options):
        code = self.codes.setdefault(name, len(self.codes))
        self.operators.append((code, list(inputs), list(outputs), kind, options))
        return outputs[0]

    def build(self, inputs, outputs, version=3, subgraphs=()) -> bytes:
        """The file; ``subgraphs``: (builder, inputs, outputs) of further subgraphs (control flow's
        bodies), whose tensors are activations only."""
        b = flatbuffers.Builder(1024)
        buffers = [_table(b, "Buffer", Data=b.CreateNumpyVector(np.frombuffer(data, np.uint8)))
                   if data else _table(b, "Buffer") for data in self.buffers]
        graphs = [self._subgraph(b, self, inputs, outputs)]
        for other, sub_inputs, sub_outputs in subgraphs:
            assert all(t[3] == 0 for t in other.tensors), "a further subgraph holds activations only"
            names = {code: name for name, code in other.codes.items()}
            other.operators = [(self.codes.setdefault(names[c], len(self.codes)), *rest) for c, *rest in other.operators]
            graphs.append(self._subgraph(b, other, sub_inputs, sub_outputs))
        codes = [_table(b, "OperatorCode", DeprecatedBuiltinCode=min(value, 127), BuiltinCode=value, Version=1)
                 for value in (getattr(tflite.BuiltinOperator, name) for name in self.codes)]
        model = _table(b, "Model", Version=version,
                       OperatorCodes=_offsets(b, tflite.ModelStartOperatorCodesVector, codes),
                       Subgraphs=_offsets(b, tflite.ModelStartSubgraphsVector, graphs),
                       Buffers=_offsets(b, tflite.ModelStartBuffersVector, buffers),
                       Description=b.CreateString("tspcli test fixture"))
        b.Finish(model, file_identifier=b"TFL3")
        return bytes(b.Output())

    @classmethod
    def _subgraph(cls, b, graph, inputs, outputs):
        tensors = [cls._tensor(b, *t, signature=graph.signatures.get(i)) for i, t in enumerate(graph.tensors)]
        operators = [cls._operator(b, *o) for o in graph.operators]
        return _table(b, "SubGraph", Tensors=_offsets(b, tflite.SubGraphStartTensorsVector, tensors),
                      Operators=_offsets(b, tflite.SubGraphStartOperatorsVector, operators),
                      Inputs=b.CreateNumpyVector(np.asarray(inputs, np.int32)),
                      Outputs=b.CreateNumpyVector(np.asarray(outputs, np.int32)))

    @staticmethod
    def _tensor(b, name, shape, type_name, buffer, quant, signature=None):
        fields = {"Name": b.CreateString(name), "Shape": b.CreateNumpyVector(np.asarray(shape, np.int32))}
        if signature is not None:
            fields["ShapeSignature"] = b.CreateNumpyVector(np.asarray(signature, np.int32))
        if quant is not None:
            scale, zero, axis = quant
            fields["Quantization"] = _table(b, "QuantizationParameters",
                                            Scale=b.CreateNumpyVector(np.asarray(scale, np.float32)),
                                            ZeroPoint=b.CreateNumpyVector(np.asarray(zero, np.int64)),
                                            QuantizedDimension=axis)
        return _table(b, "Tensor", Type=getattr(tflite.TensorType, type_name), Buffer=buffer, **fields)

    @staticmethod
    def _operator(b, code, inputs, outputs, kind, options):
        fields = {"OpcodeIndex": code, "Inputs": b.CreateNumpyVector(np.asarray(inputs, np.int32)),
                  "Outputs": b.CreateNumpyVector(np.asarray(outputs, np.int32))}
        if kind is not None:
            vectors = {k: b.CreateNumpyVector(np.asarray(v, np.int32)) for k, v in options.items()
                       if isinstance(v, (list, tuple))}
            fields["BuiltinOptionsType"] = getattr(tflite.BuiltinOptions, kind)
            fields["BuiltinOptions"] = _table(b, kind, **{**options, **vectors})
        return _table(b, "Operator", **fields)


def _table(b, kind, **fields):
    """One flatbuffer table of the schema: ``<kind>Start``, ``<kind>Add<Field>`` ..., ``<kind>End``;
    its vectors and strings made before."""
    getattr(tflite, f"{kind}Start")(b)
    for key, value in fields.items():
        getattr(tflite, f"{kind}Add{key}")(b, value)
    return getattr(tflite, f"{kind}End")(b)


def _quant(scale, zero_point, axis=0):
    if scale is None:
        return None
    scale = np.atleast_1d(np.asarray(scale, np.float32))
    zero = np.zeros(scale.shape, np.int64) if zero_point is None else np.atleast_1d(zero_point)
    return scale, zero, axis


def _offsets(b, start, offsets):
    start(b, len(offsets))
    for off in reversed(offsets):
        b.PrependUOffsetTRelative(off)
    return b.EndVector()


def interpreter_outputs(path, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """The TensorFlow Lite interpreter's outputs (batch axis dropped) for inputs without a batch axis."""
    from ai_edge_litert.interpreter import Interpreter

    it = Interpreter(model_path=str(path))
    it.allocate_tensors()
    for detail, x in zip(it.get_input_details(), inputs):
        it.set_tensor(detail["index"], np.asarray(x, detail["dtype"])[None])
    it.invoke()
    return [it.get_tensor(d["index"])[0] for d in it.get_output_details()]
