"""ONNX graphs in the exporters' patterns -> tspcli layers, every layer equal to onnxruntime's value."""
from __future__ import annotations

import numpy as np
import onnx
import pytest

from onnx_graphs import Graph, compare_layers
from tspcli.io.inputs import InputShape
from tspcli.io.onnx import read_onnx_model

pytest.importorskip("onnxruntime")

SIXTH = 1.0 / 6.0


def load(tmp_path, proto, shape=None, name="m.onnx", **options):
    path = tmp_path / name
    onnx.save(proto, str(path))
    model = read_onnx_model(path, input_shape=InputShape(shape) if shape else None, **options).model
    model.init()
    return model


def types(model) -> dict:
    return {layer.name: layer.layer_type for layer in model.layers}


def mobilenet_v2_block(opset=11):
    """The legacy exporter's MobileNetV2 pieces: Clip(0, 6), a depthwise conv with multiplier 2 and
    dilation 2, a residual Add, stride-2 pads of 1 (not 'same'), x.view(x.size(0), -1) -> Gemm."""
    g = Graph(opset)
    y = g.conv("input", 3, 8, 3, stride=2, name="/features/features.0/features.0.0/Conv")
    y = g.bn(y, 8, name="/features/features.0/features.0.1/BatchNormalization")
    y = g.clip(y, 0, 6, name="/features/features.0/features.0.2/Clip")
    e = g.conv(y, 8, 16, 1, name="/features/features.1/conv/conv.0/conv.0.0/Conv")
    e = g.clip(e, 0, 6, name="/features/features.1/conv/conv.0/conv.0.2/Clip")
    d = g.conv(e, 16, 32, 3, group=16, dilation=2, name="/features/features.1/conv/conv.1/conv.1.0/Conv")
    d = g.bn(d, 32, name="/features/features.1/conv/conv.1/conv.1.1/BatchNormalization")
    d = g.clip(d, 0, 6, name="/features/features.1/conv/conv.1/conv.1.2/Clip")
    p = g.conv(d, 32, 8, 1, bias=False, name="/features/features.1/conv/conv.2/Conv")
    p = g.bn(p, 8, name="/features/features.1/conv/conv.3/BatchNormalization")
    y = g.op("Add", [y, p], "/features/features.1/Add")
    y = g.conv(y, 8, 8, 3, stride=2, group=8, name="/features/features.2/Conv")
    y = g.op("Relu", [y], "/features/features.2/Relu")
    y = g.op("GlobalAveragePool", [y], "/GlobalAveragePool")
    y = g.torch_flatten(y)
    y = g.op("Dropout", [y], "/classifier/classifier.0/Dropout")
    y = g.gemm(y, 8, 5, "/classifier/classifier.1/Gemm")
    return g.model({"input": ["batch", 3, "height", "width"]}, [y])


def test_mobilenet_v2_block_lifts_layer_by_layer(tmp_path):
    proto = mobilenet_v2_block()
    model = load(tmp_path, proto, (20, 18, 3))
    t = types(model)
    assert t["features.1.conv.1.0"] == "DepthwiseConv2d"
    dw = model.get_layer("features.1.conv.1.0")
    assert dw.config["depthMultiplier"] == 2 and dw.config["dilationRate"] == (2, 2)
    assert t["features.0.0"] == "Conv2d" and model.get_layer("features.0.0").config["padding"] == ((1, 1), (1, 1))
    assert t["features.0.2"] == "Activation3d" and model.get_layer("features.0.2").config["activation"] == "relu6"
    assert t["features.1"] == "Add" and t["classifier.1"] == "Output1d"
    assert "classifier.0" not in t  # Dropout dropped; the flatten chain folded into one Flatten
    assert model.inputs[0].output_shape == (20, 18, 3)
    assert model.get_layer("features.2").output_shape == (5, 5, 8)
    x = np.random.default_rng(1).normal(size=(20, 18, 3)).astype(np.float32)
    assert compare_layers(model, proto, x) == len(model.layers) - 1


def mobilenet_v3_block():
    """Hard-swish three ways (HardSwish, x*Clip(x+3,0,6)/6, x*HardSigmoid(x)), squeeze-and-excitation,
    SiLU, PRelu, LeakyRelu, Tanh, Elu, padded pooling (ceil mode), MatMul + Add + Softmax."""
    g = Graph(14)
    y = g.conv("x", 3, 8, 3, stride=2, name="stem")
    y = g.bn(y, 8, name="stem_bn")
    t = g.op("Add", [y, g.const(3.0, np.float32)], "hs_add")
    t = g.clip(t, 0.0, 6.0, name="hs_clip")
    t = g.op("Mul", [y, t], "hs_mul")
    y = g.op("Div", [t, g.const(6.0, np.float32)], "hs_div")
    d = g.conv(y, 8, 8, 3, group=8, name="dw")
    d = g.op("Relu", [d], "dw_relu")
    s = g.op("GlobalAveragePool", [d], "se_pool")
    s = g.conv(s, 8, 4, 1, name="se_reduce")
    s = g.op("Relu", [s], "se_relu")
    s = g.conv(s, 4, 8, 1, name="se_expand")
    s = g.op("HardSigmoid", [s], "se_gate", alpha=SIXTH, beta=0.5)
    y = g.op("Mul", [d, s], "se")
    y = g.conv(y, 8, 8, 1, name="pw")
    h = g.op("HardSigmoid", [y], "hs2_gate", alpha=SIXTH, beta=0.5)
    y = g.op("Mul", [y, h], "hs2")
    y = g.op("HardSwish", [g.conv(y, 8, 8, 1, name="pw2")], "hs3")
    s = g.op("Sigmoid", [y], "silu_gate")
    y = g.op("Mul", [s, y], "silu")
    y = g.op("PRelu", [y, g.tensor("slope", np.linspace(-0.5, 0.5, 8).reshape(8, 1, 1).astype(np.float32))], "prelu")
    y = g.op("LeakyRelu", [y], "leaky", alpha=0.1)
    y = g.op("AveragePool", [y], "avg", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    y = g.op("Tanh", [y], "tanh")
    y = g.op("MaxPool", [y], "max", kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1)
    y = g.op("Elu", [y], "elu")
    y = g.op("HardSigmoid", [y], "paddle_hsig", alpha=0.2, beta=0.5)
    y = g.op("GlobalMaxPool", [y], "gmax")
    y = g.op("Flatten", [y], "flat", axis=1)
    y = g.op("MatMul", [y, g.tensor("fc_w", g.rng.normal(0, 0.5, (8, 4)).astype(np.float32))], "fc")
    y = g.op("Add", [y, g.tensor("fc_b", np.arange(4, dtype=np.float32))], "fc_add")
    y = g.op("Softmax", [y], "softmax", axis=-1)
    return g.model({"x": [1, 3, 23, 21]}, [y])


def test_mobilenet_v3_activations_are_one_layer_each(tmp_path):
    proto = mobilenet_v3_block()
    model = load(tmp_path, proto)
    t = types(model)
    assert "hs_clip" not in t and "hs_mul" not in t and "hs_div" not in t and "hs2_gate" in t
    assert model.get_layer("hs_add").config["activation"] == "hard_swish"
    assert model.get_layer("hs2_gate").config["activation"] == "hard_swish"
    assert model.get_layer("silu_gate").config["activation"] == "silu"
    assert t["se"] == "SqueezeExcitation" and [s.name for s in model.get_layer("se").inbound] == ["dw_relu", "se_gate"]
    assert model.get_layer("se_gate").config["slope"] == pytest.approx(SIXTH)
    assert t["prelu"] == "PReLU" and t["fc"] == "Output1d" and t["flat"] == "Flatten"
    assert model.get_layer("fc").config["activation"] == "softmax"
    assert model.get_layer("max").output_shape == (3, 3, 8)  # ceil mode: 6x6 -> 3x3
    x = np.random.default_rng(2).normal(size=(23, 21, 3)).astype(np.float32)
    compare_layers(model, proto, x)


def shufflenet_unit():
    """A grouped 1x1 conv, ShuffleNet's channel shuffle (Reshape-Transpose-Reshape), a grouped 3x3 conv,
    Concat with a second branch."""
    g = Graph(11)
    y = g.conv("x", 3, 8, 3, name="/conv1/Conv")
    a = g.conv(y, 8, 8, 1, group=2, name="/stage2/stage2.0/gconv1/Conv")
    a = g.op("Reshape", [a, g.const([1, 2, 4, 12, 10])], "/stage2/stage2.0/Reshape")
    a = g.op("Transpose", [a], "/stage2/stage2.0/Transpose", perm=[0, 2, 1, 3, 4])
    a = g.op("Reshape", [a, g.const([1, -1, 12, 10])], "/stage2/stage2.0/Reshape_1")
    a = g.conv(a, 8, 16, 3, group=4, name="/stage2/stage2.0/gconv2/Conv")
    b = g.conv(y, 8, 4, 1, name="/stage2/stage2.0/branch/Conv")
    y = g.op("Concat", [a, b], "/stage2/stage2.0/Concat", axis=1)
    return g.model({"x": [1, 3, 12, 10]}, [y], rank=4)


def test_channel_shuffle_and_grouped_convolutions(tmp_path):
    proto = shufflenet_unit()
    model = load(tmp_path, proto)
    t = types(model)
    assert t["stage2.0"] == "ChannelShuffle" and model.get_layer("stage2.0").config["groups"] == 2
    assert t["stage2.0.gconv2"] == "Conv2d" and model.get_layer("stage2.0.gconv2").config["groups"] == 4
    assert model.get_layer("stage2.0.gconv2").weights["kernel"].shape == (3, 3, 2, 16)
    assert len(model.layers) == 7  # input, conv1, gconv1, shuffle, gconv2, branch, concat
    assert model.get_layer("stage2.0.Concat").output_shape == (12, 10, 20)
    compare_layers(model, proto, np.random.default_rng(3).normal(size=(12, 10, 3)).astype(np.float32))


def decoder():
    """ConvTranspose, nearest and bilinear upsampling in PyTorch's and TF's coordinate modes, Concat,
    a Pad folded into a Conv, a Pad before a MaxPool, a crop (Slice)."""
    g = Graph(13)
    y = g.conv("x", 3, 8, 3, name="enc")
    w = g.rng.normal(0, 0.3, (8, 4, 3, 3)).astype(np.float32)
    up = g.op("ConvTranspose", [y, g.tensor("deconv.w", w), g.tensor("deconv.b", np.ones(4, np.float32))],
              "deconv", strides=[2, 2], pads=[1, 1, 1, 1], output_padding=[1, 1], kernel_shape=[3, 3])
    scales = g.const([1, 1, 2, 2], np.float32)
    bil = g.op("Resize", [y, "", scales], "up_bilinear", mode="linear",
               coordinate_transformation_mode="half_pixel")
    y = g.op("Concat", [up, bil], "cat", axis=1)
    y = g.op("Resize", [y, "", scales], "up_nearest", mode="nearest",
             coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    y = g.op("Resize", [y, "", "", g.const([1, 12, 40, 32])], "up_corners", mode="linear",
             coordinate_transformation_mode="align_corners")
    y = g.op("Pad", [y, g.const([0, 0, 1, 2, 0, 0, 2, 1])], "pad")
    y = g.conv(y, 12, 6, 3, pad=0, name="conv_after_pad")
    y = g.op("Pad", [y, g.const([0, 0, 1, 1, 0, 0, 1, 1])], "pad2")
    y = g.op("MaxPool", [y], "pool", kernel_shape=[2, 2], strides=[2, 2])
    y = g.op("Slice", [y, g.const([1, 2]), g.const([-1, 100]), g.const([2, 3])], "crop")
    return g.model({"x": [1, 3, 5, 4]}, [y], rank=4)


def test_decoder_transposed_conv_upsampling_padding(tmp_path):
    proto = decoder()
    model = load(tmp_path, proto)
    t = types(model)
    assert t["deconv"] == "Conv2dTranspose" and model.get_layer("deconv").output_shape == (10, 8, 4)
    assert model.get_layer("up_bilinear").config["interpolation"] == "bilinear"
    assert model.get_layer("up_corners").config["coordinateMode"] == "align_corners"
    assert model.get_layer("up_nearest").config["interpolation"] == "nearest"
    assert "pad" not in t and model.get_layer("conv_after_pad").config["padding"] == ((1, 2), (2, 1))
    assert t["pad2"] == "Padding2d" and t["crop"] == "Cropping2d"
    compare_layers(model, proto, np.random.default_rng(4).normal(size=(5, 4, 3)).astype(np.float32))


def resizes_to_any_size():
    """Resize to sizes that are not whole factors: bilinear (two coordinate modes), nearest (torch's
    'nearest', and ONNX's defaults, as torch's 'nearest-exact'), down and up."""
    g = Graph(13)
    y = g.conv("x", 3, 4, 3, name="enc")
    a = g.op("Resize", [y, "", "", g.const([1, 4, 10, 5])], "bilinear_7_to_10", mode="linear",
             coordinate_transformation_mode="half_pixel")
    b = g.op("Resize", [y, "", "", g.const([1, 4, 10, 5])], "corners_7_to_10", mode="linear",
             coordinate_transformation_mode="align_corners")
    c = g.op("Resize", [y, "", "", g.const([1, 4, 10, 5])], "nearest_floor", mode="nearest",
             coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    d = g.op("Resize", [y, "", "", g.const([1, 4, 10, 5])], "nearest_exact", mode="nearest")  # ONNX defaults
    y = g.op("Concat", [a, b, c, d], "cat", axis=1)
    y = g.op("Resize", [y, "", g.const([1, 1, 0.5, 0.6], np.float32)], "down", mode="linear",
             coordinate_transformation_mode="half_pixel")
    return g.model({"x": [1, 3, 7, 3]}, [y], rank=4)


def test_resizes_to_sizes_that_are_not_whole_factors(tmp_path):
    proto = resizes_to_any_size()
    model = load(tmp_path, proto)
    assert model.get_layer("bilinear_7_to_10").output_shape == (10, 5, 4)
    assert model.get_layer("bilinear_7_to_10").config["outputSize"] == (10, 5)
    assert model.get_layer("nearest_floor").config["coordinateMode"] == "asymmetric"
    assert model.get_layer("nearest_exact").config["coordinateMode"] == "half_pixel"
    assert model.get_layer("down").output_shape == (5, 3, 16)
    compare_layers(model, proto, np.random.default_rng(5).normal(size=(7, 3, 3)).astype(np.float32))


def dynamo_graph():
    """The dynamo exporter's opset 18: ReduceMean with axes as an input, Split with sizes as an input."""
    g = Graph(18)
    y = g.conv("l_x_", 3, 6, 3, name="node_Conv_0")
    g.nodes[-1].metadata_props.add(key="pkg.torch.onnx.name_scopes",
                                   value="['', 'features', 'features.0', 'conv2d']")
    top, bottom = g.op("Split", [y, g.const([3, 5])], "node_Split_1", outputs=2, axis=2)
    top = g.op("Relu", [top], "node_Relu_2")
    bottom = g.op("Sigmoid", [bottom], "node_Sigmoid_3")
    y = g.op("Concat", [top, bottom], "node_Concat_4", axis=2)
    y = g.op("ReduceMean", [y, g.const([2, 3])], "node_ReduceMean_5", keepdims=0)
    y = g.gemm(y, 6, 3, "node_Gemm_6")
    return g.model({"l_x_": [1, 3, 8, 7]}, [y], ir_version=9)


def test_dynamo_patterns(tmp_path):
    proto = dynamo_graph()
    model = load(tmp_path, proto)
    t = types(model)
    assert t["features.0"] == "Conv2d"  # the module path from the node's metadata
    assert t["node_Split_1"] == t["node_Split_1_1"] == "Cropping2d"
    assert t["node_ReduceMean_5"] == "GlobalPooling2d" and model.get_layer("node_ReduceMean_5").output_shape == (6,)
    compare_layers(model, proto, np.random.default_rng(5).normal(size=(8, 7, 3)).astype(np.float32))


def tf2onnx_graph():
    """tf2onnx keeps TensorFlow's NHWC input and transposes it; convolutions pad SAME_UPPER; the
    classifier flattens NHWC values."""
    g = Graph(13, constants=True)
    y = g.op("Transpose", ["input_1"], "model/conv1/Conv2D__6", perm=[0, 3, 1, 2])
    y = g.conv(y, 3, 4, 3, stride=2, name="model/conv1/Conv2D")
    g.nodes[-1].attribute.pop(next(i for i, a in enumerate(g.nodes[-1].attribute) if a.name == "pads"))
    g.nodes[-1].attribute.append(onnx.helper.make_attribute("auto_pad", "SAME_UPPER"))
    y = g.op("Relu", [y], "model/conv1/Relu")
    y = g.op("Transpose", [y], "model/conv1/Relu__8", perm=[0, 2, 3, 1])
    y = g.op("Reshape", [y, g.const([-1, 4 * 4 * 4])], "model/flatten/Reshape")
    y = g.op("MatMul", [y, g.tensor("dense_w", g.rng.normal(0, 0.3, (64, 3)).astype(np.float32))], "model/dense/MatMul")
    return g.model({"input_1": ["unk__1", 7, 8, 3]}, [y])


def test_tf2onnx_nhwc_input(tmp_path):
    proto = tf2onnx_graph()
    model = load(tmp_path, proto)
    assert model.inputs[0].output_shape == (7, 8, 3)
    assert model.get_layer("model/conv1/Conv2D").config["padding"] == "same"
    assert types(model)["model/flatten/Reshape"] == "Flatten"
    compare_layers(model, proto, np.random.default_rng(6).normal(size=(7, 8, 3)).astype(np.float32))


def test_dynamic_sizes_come_from_the_input_shape(tmp_path):
    model = load(tmp_path, mobilenet_v2_block(), (31, 17, 3))
    assert model.inputs[0].output_shape == (31, 17, 3)
    assert model.get_layer("features.2").output_shape == (8, 5, 8)


def arithmetic_and_reshapes():
    """Constants times, minus and over feature maps (drawn as the BatchNormalization they compute),
    channel softmax, Squeeze/Unsqueeze, ReduceMax, Clip(0, 4), Concat of vectors."""
    g = Graph(13)
    y = g.op("Mul", ["x", g.const(2.0, np.float32)], "double")
    y = g.op("Sub", [g.const(1.0, np.float32), y], "one_minus")
    y = g.op("Div", [y, g.const(np.array([1, 2, 4], np.float32).reshape(1, 3, 1, 1), np.float32)], "scale")
    y = g.op("Clip", [y, g.const(0.0, np.float32), g.const(4.0, np.float32)], "clip4")
    y = g.op("Softmax", [y], "channel_softmax", axis=1)
    p = g.op("ReduceMax", [y], "rmax", axes=[2, 3], keepdims=1)
    v = g.op("Squeeze", [p, g.const([2, 3])], "squeeze")
    a = g.gemm(v, 3, 4, "fc_a")
    b = g.op("Softplus", [g.gemm(v, 3, 2, "fc_b")], "softplus")
    y = g.op("Concat", [a, b], "cat", axis=1)
    y = g.op("Unsqueeze", [y, g.const([2, 3])], "unsqueeze")
    y = g.op("LeakyRelu", [y], "relu_by_zero_slope", alpha=0.0)
    e = g.op("Exp", [g.op("Tanh", [y], "tanh")], "exp")
    y = g.op("Sum", [y, e, y], "sum3")
    y = g.op("Mean", [y, g.op("Max", [y, e], "max2")], "mean2")
    return g.model({"x": [1, 3, 6, 5]}, [y], rank=4)


def test_arithmetic_with_constants_and_reshapes(tmp_path):
    proto = arithmetic_and_reshapes()
    model = load(tmp_path, proto)
    t = types(model)
    assert t["double"] == t["one_minus"] == t["scale"] == "BatchNormalization"
    np.testing.assert_allclose(model.get_layer("scale").weights["gamma"], [1, 0.5, 0.25])
    assert model.get_layer("clip4").config["maxValue"] == 4
    assert model.get_layer("channel_softmax").config["axis"] == 3
    assert t["squeeze"] == "Flatten" and t["unsqueeze"] == "Reshape" and t["cat"] == "Concatenate"
    assert model.get_layer("unsqueeze").output_shape == (1, 1, 6)
    assert model.get_layer("relu_by_zero_slope").config["activation"] == "relu"
    assert (t["sum3"], t["max2"], t["mean2"]) == ("Add", "Maximum", "Average")
    assert model.get_layer("exp").config["activation"] == "exponential"
    compare_layers(model, proto, np.random.default_rng(7).normal(size=(6, 5, 3)).astype(np.float32))


def test_a_transposed_map_cannot_feed_a_convolution(tmp_path):
    g = Graph(13)
    y = g.op("Transpose", ["x"], "swap_hw", perm=[0, 1, 3, 2])
    y = g.conv(y, 3, 4, 3, name="conv")
    path = tmp_path / "m.onnx"
    onnx.save(g.model({"x": [1, 3, 6, 5]}, [y], rank=4), str(path))
    with pytest.raises(Exception, match="layer 'conv': Conv node: input 0 is a 4-D tensor .* in a layout"):
        read_onnx_model(path)


def test_flatten_of_a_feature_map_is_channel_by_channel(tmp_path):
    g = Graph(11)
    y = g.conv("x", 3, 4, 3, name="conv")
    y = g.torch_flatten(y, "/flatten")
    y = g.gemm(y, 4 * 5 * 6, 3, "fc")
    proto = g.model({"x": [1, 3, 5, 6]}, [y])
    model = load(tmp_path, proto)
    flat = model.get_layer("flatten")
    assert flat.layer_type == "Flatten" and flat.config["dataFormat"] == "channels_first"
    compare_layers(model, proto, np.random.default_rng(8).normal(size=(5, 6, 3)).astype(np.float32))


def test_a_generator_reshapes_a_vector_into_maps(tmp_path):
    """DCGAN's generator: Gemm -> x.view(-1, C, H, W) -> ConvTranspose -> Tanh."""
    g = Graph(13)
    y = g.gemm("z", 6, 4 * 3 * 2, "/fc/Gemm")
    y = g.op("Reshape", [y, g.const([-1, 4, 3, 2])], "/Reshape")
    w = g.rng.normal(0, 0.3, (4, 2, 4, 4)).astype(np.float32)
    y = g.op("ConvTranspose", [y, g.tensor("up.w", w)], "/up/ConvTranspose", strides=[2, 2], pads=[1, 1, 1, 1],
             kernel_shape=[4, 4])
    y = g.op("Tanh", [y], "/Tanh")
    proto = g.model({"z": ["batch", 6]}, [y], rank=4)
    model = load(tmp_path, proto)
    assert model.get_layer("Reshape").config["dataFormat"] == "channels_first"
    assert model.get_layer("Reshape").output_shape == (3, 2, 4)
    assert model.get_layer("up").output_shape == (6, 4, 2)
    compare_layers(model, proto, np.random.default_rng(9).normal(size=(6,)).astype(np.float32))


def shufflenet_v2_unit():
    """ShuffleNetV2's unit as torch exports x.chunk(2, dim=1): Split of channels, a branch, Concat,
    channel shuffle; and a YOLO-style Slice of channels."""
    g = Graph(13)
    y = g.conv("x", 3, 8, 3, name="/conv1/Conv")
    left, right = g.op("Split", [y, g.const([4, 4])], "/stage2/stage2.0/Split", outputs=2, axis=1)
    right = g.conv(right, 4, 4, 1, name="/stage2/stage2.0/branch2/branch2.0/Conv")
    right = g.conv(right, 4, 4, 3, group=4, name="/stage2/stage2.0/branch2/branch2.3/Conv")
    y = g.op("Concat", [left, right], "/stage2/stage2.0/Concat", axis=1)
    y = g.op("Reshape", [y, g.const([1, 2, 4, 6, 7])], "/stage2/stage2.0/Reshape")
    y = g.op("Transpose", [y], "/stage2/stage2.0/Transpose", perm=[0, 2, 1, 3, 4])
    y = g.op("Reshape", [y, g.const([1, 8, 6, 7])], "/stage2/stage2.0/Reshape_1")
    y = g.op("Slice", [y, g.const([2]), g.const([7]), g.const([1])], "/head/Slice")
    return g.model({"x": [1, 3, 6, 7]}, [y], rank=4)


def test_channel_split_and_slice(tmp_path):
    proto = shufflenet_v2_unit()
    model = load(tmp_path, proto)
    t = types(model)
    assert t["stage2.0"] == t["stage2.0.Split"] == "ChannelSlice" and t["head"] == "ChannelSlice"
    assert model.get_layer("stage2.0.Split").config == {"start": 4, "stop": 8}
    assert t["stage2.0.Reshape"] == "ChannelShuffle"
    assert model.get_layer("head").output_shape == (6, 7, 5)
    compare_layers(model, proto, np.random.default_rng(10).normal(size=(6, 7, 3)).astype(np.float32))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_opset_20_gelu(tmp_path, approximate):
    g = Graph(20)
    y = g.op("Gelu", [g.conv("x", 3, 4, 3, name="conv")], "gelu", approximate=approximate)
    proto = g.model({"x": [1, 3, 5, 5]}, [y], ir_version=9, rank=4)
    model = load(tmp_path, proto)
    assert model.get_layer("gelu").config["activation"] == {"none": "gelu", "tanh": "gelu_tanh"}[approximate]
    compare_layers(model, proto, np.random.default_rng(11).normal(size=(5, 5, 3)).astype(np.float32))


def test_int8_weights_are_dequantized_at_load(tmp_path):
    """A weight-quantized model: int8 kernels through DequantizeLinear (per output channel)."""
    g = Graph(13)
    q = g.rng.integers(-127, 128, (4, 3, 3, 3)).astype(np.int8)
    scale = np.array([0.01, 0.02, 0.03, 0.04], np.float32)
    w = g.op("DequantizeLinear", [g.tensor("w_q", q), g.tensor("w_scale", scale),
                                  g.tensor("w_zero", np.zeros(4, np.int8))], "dequant", axis=0)
    y = g.op("Conv", ["x", w], "conv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    proto = g.model({"x": [1, 3, 5, 5]}, [y], rank=4)
    model = load(tmp_path, proto)
    np.testing.assert_allclose(model.get_layer("conv").weights["kernel"][..., 2],
                               q[2].transpose(1, 2, 0) * np.float32(0.03), rtol=1e-6)
    compare_layers(model, proto, np.random.default_rng(12).normal(size=(5, 5, 3)).astype(np.float32))
