"""TensorFlow Lite test models, written with tests/tflite_builder.py.

``mixed_model`` uses every operator tspcli reads, in float32, with its
weights stored as float32, float16 (each behind a DEQUANTIZE, as the
converter's float16 quantization writes them) or int8 with per-channel
scales (dynamic-range quantization: the interpreter runs hybrid kernels).
``int8_model`` is fully quantized: int8 activations between a QUANTIZE and a
DEQUANTIZE, int32 biases.
"""
from __future__ import annotations

import numpy as np

from tflite_builder import TFLiteBuilder

INPUT_SHAPE = (8, 8, 3)
SAME, VALID = 0, 1
RELU, RELU6 = 1, 3


def mixed_weights(seed=3):
    rng = np.random.default_rng(seed)

    def w(*shape, scale=0.4):
        return (rng.normal(size=shape) * scale).astype(np.float32)

    return {"conv1": (w(4, 3, 3, 3), w(4, scale=0.1)), "dw": (w(1, 3, 3, 8), w(8, scale=0.1)),
            "up": (w(4, 3, 3, 24, scale=0.2), w(4, scale=0.1)), "conv2": (w(6, 3, 3, 4), w(6, scale=0.1)),
            "fc": (w(5, 6, scale=0.8), w(5, scale=0.1))}


def sample_input(seed=11, shape=INPUT_SHAPE):
    return np.random.default_rng(seed).uniform(-1, 1, size=shape).astype(np.float32)


class _Weights:
    """Constant weights in one storage: float32, float16 (+ DEQUANTIZE) or int8 per channel."""

    def __init__(self, m: TFLiteBuilder, storage: str):
        self.m, self.storage = m, storage

    def __call__(self, name, array, axis=0, bias=False):
        m = self.m
        if self.storage == "float32" or (bias and self.storage == "int8"):
            return m.constant(name, array)
        if self.storage == "float16":
            half = m.constant(name + "_fp16", array.astype(np.float16))
            return m.op("DEQUANTIZE", [half], [m.activation(name, array.shape)])
        return int8_constant(m, name, array, axis)[0]


def int8_constant(m: TFLiteBuilder, name, array, axis=None):
    """A weight as symmetric int8, per channel along ``axis`` (per tensor when None); returns
    (tensor, scales)."""
    if axis is None:
        scale = np.array([max(np.abs(array).max(), 1e-6) / 127])
        q = np.clip(np.round(array / scale[0]), -127, 127).astype(np.int8)
        return m.constant(name, q, scale=scale, zero_point=[0]), scale
    moved = np.moveaxis(array, axis, 0).reshape(array.shape[axis], -1)
    scale = np.maximum(np.abs(moved).max(axis=1), 1e-6) / 127
    shape = [1] * array.ndim
    shape[axis] = -1
    q = np.clip(np.round(array / scale.reshape(shape)), -127, 127).astype(np.int8)
    return m.constant(name, q, scale=scale, zero_point=np.zeros(len(scale), np.int64), axis=axis), scale


def mixed_model(storage: str = "float32", weights=None) -> bytes:
    """Input 8x8x3 through every operator tspcli computes; output 5 softmax probabilities."""
    wt = weights or mixed_weights()
    m = TFLiteBuilder()
    W = _Weights(m, storage)
    act = m.activation
    x = act("serving_default_image:0", (1, *INPUT_SHAPE))
    t1 = m.op("CONV_2D", [x, W("model/conv1/Conv2D", wt["conv1"][0]), W("model/conv1/b", wt["conv1"][1], bias=True)],
              [act("model/conv1/Relu;model/conv1/BiasAdd;model/conv1/Conv2D", (1, 8, 8, 4))], "Conv2DOptions",
              Padding=SAME, StrideW=1, StrideH=1, FusedActivationFunction=RELU, DilationWFactor=1, DilationHFactor=1)
    t2 = m.op("DEPTHWISE_CONV_2D", [t1, W("model/dw/depthwise", wt["dw"][0], axis=3),
                                    W("model/dw/b", wt["dw"][1], bias=True)],
              [act("model/dw/Relu6;model/dw/depthwise", (1, 8, 8, 8))], "DepthwiseConv2DOptions",
              Padding=SAME, StrideW=1, StrideH=1, DepthMultiplier=2, FusedActivationFunction=RELU6,
              DilationWFactor=2, DilationHFactor=2)
    t3 = m.op("HARD_SWISH", [t2], [act("model/hswish/HardSwish", (1, 8, 8, 8))])
    t4 = m.op("MAX_POOL_2D", [t3], [act("model/pool/MaxPool", (1, 4, 4, 8))], "Pool2DOptions",
              Padding=VALID, StrideW=2, StrideH=2, FilterWidth=2, FilterHeight=2)
    pads = m.constant("model/pad/paddings", np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))
    t5 = m.op("PAD", [t4, pads], [act("model/pad/Pad", (1, 6, 6, 8))])
    t6 = m.op("AVERAGE_POOL_2D", [t5], [act("model/avg/AvgPool", (1, 4, 4, 8))], "Pool2DOptions",
              Padding=VALID, StrideW=1, StrideH=1, FilterWidth=3, FilterHeight=3)
    t6b = m.op("RELU", [t6], [act("model/avg_relu/Relu", (1, 4, 4, 8))])
    size = m.constant("model/up/size", np.array([8, 8], np.int32))
    t7 = m.op("RESIZE_BILINEAR", [t6b, size], [act("model/bilinear/resize/ResizeBilinear", (1, 8, 8, 8))],
              "ResizeBilinearOptions", AlignCorners=False, HalfPixelCenters=True)
    t8 = m.op("RESIZE_BILINEAR", [t4, size], [act("model/aligned/resize/ResizeBilinear", (1, 8, 8, 8))],
              "ResizeBilinearOptions", AlignCorners=True, HalfPixelCenters=False)
    t8n = m.op("RESIZE_NEAREST_NEIGHBOR", [t4, size], [act("model/nearest/resize", (1, 8, 8, 8))],
               "ResizeNearestNeighborOptions", AlignCorners=False, HalfPixelCenters=True)
    t9 = m.op("ADD", [t7, t8], [act("model/add/add", (1, 8, 8, 8))], "AddOptions", FusedActivationFunction=RELU)
    t10 = m.op("SUB", [t7, t8], [act("model/sub/sub", (1, 8, 8, 8))], "SubOptions", FusedActivationFunction=0)
    t10b = m.op("RELU6", [t10], [act("model/sub_relu6/Relu6", (1, 8, 8, 8))])
    t11 = m.op("MUL", [t9, t10b], [act("model/mul/mul", (1, 8, 8, 8))], "MulOptions", FusedActivationFunction=0)
    t12 = m.op("CONCATENATION", [t11, t3, t8n], [act("model/concat/concat", (1, 8, 8, 24))], "ConcatenationOptions",
               Axis=3, FusedActivationFunction=0)
    out_shape = m.constant("model/up/output_shape", np.array([1, 16, 16, 4], np.int32))
    t13 = m.op("TRANSPOSE_CONV", [out_shape, W("model/up/conv2d_transpose", wt["up"][0]), t12,
                                  W("model/up/b", wt["up"][1], bias=True)],
               [act("model/up/conv2d_transpose1", (1, 16, 16, 4))], "TransposeConvOptions",
               Padding=SAME, StrideW=2, StrideH=2)
    t14 = m.op("LOGISTIC", [t13], [act("model/up/Sigmoid", (1, 16, 16, 4))])
    t15 = m.op("CONV_2D", [t14, W("model/conv2/Conv2D", wt["conv2"][0]), W("model/conv2/b", wt["conv2"][1], bias=True)],
               [act("model/conv2/BiasAdd;model/conv2/Conv2D", (1, 7, 7, 6))], "Conv2DOptions",
               Padding=VALID, StrideW=2, StrideH=2, FusedActivationFunction=0, DilationWFactor=1, DilationHFactor=1)
    t16 = m.op("TANH", [t15], [act("model/conv2/Tanh", (1, 7, 7, 6))])
    axes = m.constant("model/gap/Mean/reduction_indices", np.array([1, 2], np.int32))
    t17 = m.op("MEAN", [t16, axes], [act("model/gap/Mean", (1, 1, 1, 6))], "ReducerOptions", KeepDims=True)
    t18 = m.op("SQUEEZE", [t17], [act("model/squeeze/Squeeze", (1, 6))], "SqueezeOptions", SqueezeDims=[1, 2])
    new_shape = m.constant("model/reshape/shape", np.array([1, 2, 3], np.int32))
    t19 = m.op("RESHAPE", [t18, new_shape], [act("model/reshape/Reshape", (1, 2, 3))])
    t20 = m.op("FULLY_CONNECTED", [t19, W("model/dense/MatMul", wt["fc"][0]), W("model/dense/b", wt["fc"][1], bias=True)],
               [act("model/dense/MatMul;model/dense/BiasAdd", (1, 5))], "FullyConnectedOptions",
               FusedActivationFunction=0, KeepNumDims=False)
    t21 = m.op("SOFTMAX", [t20], [act("StatefulPartitionedCall:0", (1, 5))], "SoftmaxOptions", Beta=1.0)
    return m.build([x], [t21])


def int8_weights(seed=5):
    rng = np.random.default_rng(seed)
    return {"conv": (rng.normal(size=(8, 3, 3, 3)).astype(np.float32) * 0.4, rng.normal(size=8).astype(np.float32) * 0.1),
            "dw": (rng.normal(size=(1, 3, 3, 8)).astype(np.float32) * 0.4, rng.normal(size=8).astype(np.float32) * 0.1),
            "fc": (rng.normal(size=(4, 8)).astype(np.float32) * 0.5, rng.normal(size=4).astype(np.float32) * 0.1)}


def int8_model(ranges: dict | None = None, weights=None) -> bytes:
    """Input 8x8x3 float -> QUANTIZE -> conv (relu) -> depthwise (relu6) -> max pool -> mean ->
    fully connected -> DEQUANTIZE; float32 with ``ranges`` None (the float twin that calibrates),
    else int8 activations quantized over ``ranges`` (tensor name -> (min, max))."""
    wt = weights or int8_weights()
    m = TFLiteBuilder()
    quant = ranges is not None
    scales = {}

    def act(name, shape):
        if not quant:
            return m.activation(name, shape)
        lo, hi = min(ranges[name][0], 0.0), max(ranges[name][1], 0.0)
        scale = max(hi - lo, 1e-6) / 255
        zero = int(np.clip(np.round(-128 - lo / scale), -128, 127))
        scales[name] = scale
        return m.activation(name, shape, "int8", scale=[scale], zero_point=[zero])

    def weight_and_bias(name, array, bias, axis, in_name):
        """Weights and bias; quantized, the bias is int32 at input scale x weight scale."""
        if not quant:
            return m.constant(name, array), m.constant(name + "_bias", bias)
        w, w_scale = int8_constant(m, name, array, axis)
        s = scales[in_name] * np.broadcast_to(w_scale, bias.shape)
        return w, m.constant(name + "_bias", np.round(bias / s).astype(np.int32), scale=s,
                             zero_point=np.zeros(len(s), np.int64))

    x = m.activation("serving_default_input:0", (1, *INPUT_SHAPE))
    names = ["quant", "model/conv/Relu", "model/dw/Relu6", "model/pool/MaxPool", "model/gap/Mean",
             "model/dense/BiasAdd"]
    xq = m.op("QUANTIZE", [x], [act(names[0], (1, *INPUT_SHAPE))]) if quant else x
    w, b = weight_and_bias("model/conv/Conv2D", *wt["conv"], 0, names[0])
    t1 = m.op("CONV_2D", [xq, w, b], [act(names[1], (1, 8, 8, 8))], "Conv2DOptions", Padding=SAME, StrideW=1,
              StrideH=1, FusedActivationFunction=RELU, DilationWFactor=1, DilationHFactor=1)
    w, b = weight_and_bias("model/dw/depthwise", *wt["dw"], 3, names[1])
    t2 = m.op("DEPTHWISE_CONV_2D", [t1, w, b], [act(names[2], (1, 8, 8, 8))], "DepthwiseConv2DOptions",
              Padding=SAME, StrideW=1, StrideH=1, DepthMultiplier=1, FusedActivationFunction=RELU6,
              DilationWFactor=1, DilationHFactor=1)
    pool_name = names[3]
    if quant:  # int8 max pooling keeps its input's quantization
        ranges = {**ranges, pool_name: ranges[names[2]]}
    t3 = m.op("MAX_POOL_2D", [t2], [act(pool_name, (1, 4, 4, 8))], "Pool2DOptions", Padding=VALID, StrideW=2,
              StrideH=2, FilterWidth=2, FilterHeight=2)
    axes = m.constant("model/gap/axes", np.array([1, 2], np.int32))
    t4 = m.op("MEAN", [t3, axes], [act(names[4], (1, 8))], "ReducerOptions", KeepDims=False)
    w, b = weight_and_bias("model/dense/MatMul", *wt["fc"], None, names[4])  # per tensor, as int8 FC wants
    t5 = m.op("FULLY_CONNECTED", [t4, w, b], [act(names[5], (1, 4))], "FullyConnectedOptions",
              FusedActivationFunction=0, KeepNumDims=False)
    out = m.op("DEQUANTIZE", [t5], [m.activation("StatefulPartitionedCall:0", (1, 4))]) if quant else t5
    return m.build([x], [out])


def se_weights(seed=7):
    rng = np.random.default_rng(seed)

    def w(*shape, scale=0.4):
        return (rng.normal(size=shape) * scale).astype(np.float32)

    return {"grouped": (w(8, 3, 3, 2), w(8, scale=0.1)), "dw": (w(1, 3, 3, 8), w(8, scale=0.1)),
            "squeeze": (w(4, 1, 1, 8), w(4, scale=0.1)), "excite": (w(8, 1, 1, 4), w(8, scale=0.1)),
            "scale": w(8, scale=1.0), "prelu": w(1, 1, 8, scale=0.3), "fc": (w(3, 8), w(3, scale=0.1))}


SE_INPUT_SHAPE = (6, 6, 4)


def se_model(weights=None) -> bytes:
    """A MobileNetV3-like block as the converter writes Keras' layers out: grouped convolution, depthwise
    convolution, squeeze-and-excitation with a written-out hard_sigmoid gate, a written-out hard_swish,
    arithmetic with constants and a per-channel vector, and the activations RELU_N1_TO_1, RELU_0_TO_1,
    PRELU, LEAKY_RELU, GELU.  Input 6x6x4, output 3 probabilities."""
    wt = weights or se_weights()
    m = TFLiteBuilder()
    act, const = m.activation, m.constant
    x = act("serving_default_image:0", (1, *SE_INPUT_SHAPE))
    g = m.op("CONV_2D", [x, const("model/grouped/Conv2D", wt["grouped"][0]), const("model/grouped/b", wt["grouped"][1])],
             [act("model/grouped/clip;model/grouped/Conv2D", (1, 6, 6, 8))], "Conv2DOptions", Padding=SAME,
             StrideW=1, StrideH=1, FusedActivationFunction=2, DilationWFactor=1, DilationHFactor=1)  # RELU_N1_TO_1
    d = m.op("DEPTHWISE_CONV_2D", [g, const("model/dw/depthwise", wt["dw"][0]), const("model/dw/b", wt["dw"][1])],
             [act("model/dw/BiasAdd;model/dw/depthwise", (1, 6, 6, 8))], "DepthwiseConv2DOptions", Padding=SAME,
             StrideW=1, StrideH=1, DepthMultiplier=1, FusedActivationFunction=0, DilationWFactor=1, DilationHFactor=1)
    # hard_swish written out: x * relu6(x + 3) / 6
    three, sixth = const("model/c3", np.array(3.0, np.float32)), const("model/c6", np.array(1 / 6, np.float32))
    h1 = m.op("ADD", [d, three], [act("model/hs/add", (1, 6, 6, 8))], "AddOptions", FusedActivationFunction=0)
    h2 = m.op("RELU6", [h1], [act("model/hs/Relu6", (1, 6, 6, 8))])
    h3 = m.op("MUL", [d, h2], [act("model/hs/mul", (1, 6, 6, 8))], "MulOptions", FusedActivationFunction=0)
    hs = m.op("MUL", [h3, sixth], [act("model/hswish/mul_1", (1, 6, 6, 8))], "MulOptions", FusedActivationFunction=0)
    # squeeze-and-excitation, its gate hard_sigmoid written out with a fused RELU6
    axes = const("model/se/axes", np.array([1, 2], np.int32))
    s0 = m.op("MEAN", [hs, axes], [act("model/se/pool/Mean", (1, 1, 1, 8))], "ReducerOptions", KeepDims=True)
    s1 = m.op("CONV_2D", [s0, const("model/se/squeeze/Conv2D", wt["squeeze"][0]), const("model/se/squeeze/b", wt["squeeze"][1])],
              [act("model/se/squeeze/Relu;model/se/squeeze/Conv2D", (1, 1, 1, 4))], "Conv2DOptions", Padding=VALID,
              StrideW=1, StrideH=1, FusedActivationFunction=RELU, DilationWFactor=1, DilationHFactor=1)
    s2 = m.op("CONV_2D", [s1, const("model/se/excite/Conv2D", wt["excite"][0]), const("model/se/excite/b", wt["excite"][1])],
              [act("model/se/excite/BiasAdd;model/se/excite/Conv2D", (1, 1, 1, 8))], "Conv2DOptions", Padding=VALID,
              StrideW=1, StrideH=1, FusedActivationFunction=0, DilationWFactor=1, DilationHFactor=1)
    s3 = m.op("ADD", [s2, three], [act("model/se/gate/add", (1, 1, 1, 8))], "AddOptions", FusedActivationFunction=RELU6)
    s4 = m.op("MUL", [s3, sixth], [act("model/se/gate/mul", (1, 1, 1, 8))], "MulOptions", FusedActivationFunction=0)
    se = m.op("MUL", [hs, s4], [act("model/se/mul", (1, 6, 6, 8))], "MulOptions", FusedActivationFunction=0)
    # arithmetic with constants and with a per-channel vector the model computes
    a1 = m.op("MUL", [se, const("model/scale/mul/y", wt["scale"])], [act("model/scale/mul", (1, 6, 6, 8))],
              "MulOptions", FusedActivationFunction=0)
    a2 = m.op("SUB", [const("model/flip/x", np.array(0.5, np.float32)), a1], [act("model/flip/sub", (1, 6, 6, 8))],
              "SubOptions", FusedActivationFunction=RELU)
    a3 = m.op("DIV", [a2, const("model/half/y", np.array(2.0, np.float32))], [act("model/half/truediv", (1, 6, 6, 8))],
              "DivOptions", FusedActivationFunction=0)
    mean = m.op("MEAN", [a3, axes], [act("model/centre/Mean", (1, 1, 1, 8))], "ReducerOptions", KeepDims=True)
    a4 = m.op("SUB", [a3, mean], [act("model/centre/sub", (1, 6, 6, 8))], "SubOptions", FusedActivationFunction=0)
    # activations
    p = m.op("PRELU", [a4, const("model/prelu/alpha", wt["prelu"])], [act("model/prelu/Relu", (1, 6, 6, 8))])
    r1 = m.op("RELU_N1_TO_1", [p], [act("model/clip/clip", (1, 6, 6, 8))])
    r2 = m.op("LEAKY_RELU", [r1], [act("model/leaky/LeakyRelu", (1, 6, 6, 8))], "LeakyReluOptions", Alpha=0.1)
    r3 = m.op("GELU", [r2], [act("model/gelu/Gelu", (1, 6, 6, 8))], "GeluOptions", Approximate=False)
    r4 = m.op("RELU_0_TO_1", [r3], [act("model/unit/clip", (1, 6, 6, 8))])
    pooled = m.op("MEAN", [r4, axes], [act("model/gap/Mean", (1, 8))], "ReducerOptions", KeepDims=False)
    fc = m.op("FULLY_CONNECTED", [pooled, const("model/dense/MatMul", wt["fc"][0]), const("model/dense/b", wt["fc"][1])],
              [act("model/dense/MatMul;model/dense/BiasAdd", (1, 3))], "FullyConnectedOptions",
              FusedActivationFunction=0, KeepNumDims=False)
    out = m.op("SOFTMAX", [fc], [act("StatefulPartitionedCall:0", (1, 3))], "SoftmaxOptions", Beta=1.0)
    return m.build([x], [out])


def dynamic_model(weights=None) -> bytes:
    """Input (?, ?, 3) as a converter writes a Keras model with input shape (None, None, 3): declared
    sizes 1, signature -1.  Conv (stride 2, same, relu) -> depthwise (relu6) -> squeeze-and-excitation
    gate -> mean -> reshape to (1, 8) -> dense."""
    wt = weights or mixed_weights()
    rng = np.random.default_rng(2)
    m = TFLiteBuilder()

    def act(name, channels, spatial=True):
        return m.activation(name, (1, 1, 1, channels) if spatial else (1, channels),
                            signature=(-1, -1, -1, channels) if spatial else (-1, channels))

    x = act("serving_default_image:0", 3)
    t1 = m.op("CONV_2D", [x, m.constant("model/conv/Conv2D", wt["conv1"][0]), m.constant("model/conv/b", wt["conv1"][1])],
              [act("model/conv/Relu", 4)], "Conv2DOptions", Padding=SAME, StrideW=2, StrideH=2,
              FusedActivationFunction=RELU, DilationWFactor=1, DilationHFactor=1)
    t2 = m.op("DEPTHWISE_CONV_2D", [t1, m.constant("model/dw/depthwise", wt["dw"][0]), m.constant("model/dw/b", wt["dw"][1])],
              [act("model/dw/Relu6", 8)], "DepthwiseConv2DOptions", Padding=VALID, StrideW=1, StrideH=1,
              DepthMultiplier=2, FusedActivationFunction=RELU6, DilationWFactor=1, DilationHFactor=1)
    axes = m.constant("model/axes", np.array([1, 2], np.int32))
    gate = m.op("MEAN", [t2, axes], [m.activation("model/se/pool/Mean", (1, 1, 1, 8))], "ReducerOptions", KeepDims=True)
    gate = m.op("LOGISTIC", [gate], [m.activation("model/se/gate/Sigmoid", (1, 1, 1, 8))])
    t3 = m.op("MUL", [t2, gate], [act("model/se/mul", 8)], "MulOptions", FusedActivationFunction=0)
    t4 = m.op("MEAN", [t3, axes], [m.activation("model/gap/Mean", (1, 1, 1, 8))], "ReducerOptions", KeepDims=True)
    t5 = m.op("RESHAPE", [t4, m.constant("model/flat/shape", np.array([-1, 8], np.int32))],
              [m.activation("model/flat/Reshape", (1, 8), signature=(-1, 8))])
    fc = (rng.normal(size=(5, 8)) * 0.5).astype(np.float32)
    t6 = m.op("FULLY_CONNECTED", [t5, m.constant("model/dense/MatMul", fc), -1],
              [m.activation("model/dense/MatMul", (1, 5), signature=(-1, 5))], "FullyConnectedOptions",
              FusedActivationFunction=0, KeepNumDims=False)
    return m.build([x], [t6])


def resize_model() -> bytes:
    """Input 7x5x2 resized by RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR to 10x8 (up by 10/7, 8/5) with
    each coordinate rule (align_corners, half_pixel_centers, neither), to 4x3 (down), and to 14x10 (whole
    factors, nearest: a repeat, and nearest with aligned corners: not one); every resize an output."""
    m = TFLiteBuilder()
    x = m.activation("serving_default_x:0", (1, 7, 5, 2))
    outputs = []
    rules = {"align": (True, False), "half": (False, True), "plain": (False, False)}
    for op, kind, options in (("RESIZE_BILINEAR", "bilinear", "ResizeBilinearOptions"),
                              ("RESIZE_NEAREST_NEIGHBOR", "nearest", "ResizeNearestNeighborOptions")):
        for rule, (align, half) in rules.items():
            size = m.constant(f"model/{kind}/{rule}/size", np.array([10, 8], np.int32))
            outputs.append(m.op(op, [x, size], [m.activation(f"model/{kind}/{rule}/resize", (1, 10, 8, 2))], options,
                                AlignCorners=align, HalfPixelCenters=half))
    size = m.constant("model/down/size", np.array([4, 3], np.int32))
    outputs.append(m.op("RESIZE_NEAREST_NEIGHBOR", [x, size], [m.activation("model/nearest/down/resize", (1, 4, 3, 2))],
                        "ResizeNearestNeighborOptions", AlignCorners=False, HalfPixelCenters=True))
    size = m.constant("model/twice/size", np.array([14, 10], np.int32))
    for name, align in (("twice", False), ("aligned", True)):
        outputs.append(m.op("RESIZE_NEAREST_NEIGHBOR", [x, size], [m.activation(f"model/nearest/{name}/resize", (1, 14, 10, 2))],
                            "ResizeNearestNeighborOptions", AlignCorners=align, HalfPixelCenters=False))
    return m.build([x], outputs)
