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

    def activation(self, name, shape, dtype="float32", scale=None, zero_point=None):
        return self._add(name, shape, _TYPES[dtype], 0, _quant(scale, zero_point))

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

    def build(self, inputs, outputs, version=3) -> bytes:
        b = flatbuffers.Builder(1024)
        buffers = []
        for data in self.buffers:
            vec = b.CreateNumpyVector(np.frombuffer(data, np.uint8)) if data else None
            tflite.BufferStart(b)
            if vec is not None:
                tflite.BufferAddData(b, vec)
            buffers.append(tflite.BufferEnd(b))
        tensors = [self._tensor(b, *t) for t in self.tensors]
        operators = [self._operator(b, *o) for o in self.operators]
        codes = []
        for name in self.codes:
            value = getattr(tflite.BuiltinOperator, name)
            tflite.OperatorCodeStart(b)
            tflite.OperatorCodeAddDeprecatedBuiltinCode(b, min(value, 127))
            tflite.OperatorCodeAddBuiltinCode(b, value)
            tflite.OperatorCodeAddVersion(b, 1)
            codes.append(tflite.OperatorCodeEnd(b))
        t_vec = _offsets(b, tflite.SubGraphStartTensorsVector, tensors)
        o_vec = _offsets(b, tflite.SubGraphStartOperatorsVector, operators)
        i_vec = b.CreateNumpyVector(np.asarray(inputs, np.int32))
        out_vec = b.CreateNumpyVector(np.asarray(outputs, np.int32))
        tflite.SubGraphStart(b)
        tflite.SubGraphAddTensors(b, t_vec)
        tflite.SubGraphAddOperators(b, o_vec)
        tflite.SubGraphAddInputs(b, i_vec)
        tflite.SubGraphAddOutputs(b, out_vec)
        subgraph = tflite.SubGraphEnd(b)
        s_vec = _offsets(b, tflite.ModelStartSubgraphsVector, [subgraph])
        c_vec = _offsets(b, tflite.ModelStartOperatorCodesVector, codes)
        b_vec = _offsets(b, tflite.ModelStartBuffersVector, buffers)
        desc = b.CreateString("tspcli test fixture")
        tflite.ModelStart(b)
        tflite.ModelAddVersion(b, version)
        tflite.ModelAddOperatorCodes(b, c_vec)
        tflite.ModelAddSubgraphs(b, s_vec)
        tflite.ModelAddBuffers(b, b_vec)
        tflite.ModelAddDescription(b, desc)
        b.Finish(tflite.ModelEnd(b), file_identifier=b"TFL3")
        return bytes(b.Output())

    @staticmethod
    def _tensor(b, name, shape, type_name, buffer, quant):
        name_off = b.CreateString(name)
        shape_off = b.CreateNumpyVector(np.asarray(shape, np.int32))
        q_off = None
        if quant is not None:
            scale, zero, axis = quant
            s_off = b.CreateNumpyVector(np.asarray(scale, np.float32))
            z_off = b.CreateNumpyVector(np.asarray(zero, np.int64))
            tflite.QuantizationParametersStart(b)
            tflite.QuantizationParametersAddScale(b, s_off)
            tflite.QuantizationParametersAddZeroPoint(b, z_off)
            tflite.QuantizationParametersAddQuantizedDimension(b, axis)
            q_off = tflite.QuantizationParametersEnd(b)
        tflite.TensorStart(b)
        tflite.TensorAddShape(b, shape_off)
        tflite.TensorAddType(b, getattr(tflite.TensorType, type_name))
        tflite.TensorAddBuffer(b, buffer)
        tflite.TensorAddName(b, name_off)
        if q_off is not None:
            tflite.TensorAddQuantization(b, q_off)
        return tflite.TensorEnd(b)

    @staticmethod
    def _operator(b, code, inputs, outputs, kind, options):
        in_off = b.CreateNumpyVector(np.asarray(inputs, np.int32))
        out_off = b.CreateNumpyVector(np.asarray(outputs, np.int32))
        opt_off = None
        if kind is not None:
            vectors = {k: b.CreateNumpyVector(np.asarray(v, np.int32)) for k, v in options.items()
                       if isinstance(v, (list, tuple))}
            getattr(tflite, f"{kind}Start")(b)
            for key, value in options.items():
                getattr(tflite, f"{kind}Add{key}")(b, vectors.get(key, value))
            opt_off = getattr(tflite, f"{kind}End")(b)
        tflite.OperatorStart(b)
        tflite.OperatorAddOpcodeIndex(b, code)
        tflite.OperatorAddInputs(b, in_off)
        tflite.OperatorAddOutputs(b, out_off)
        if opt_off is not None:
            tflite.OperatorAddBuiltinOptionsType(b, getattr(tflite.BuiltinOptions, kind))
            tflite.OperatorAddBuiltinOptions(b, opt_off)
        return tflite.OperatorEnd(b)


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
