"""Lifting the weighted operators: Conv, ConvTranspose, Gemm, MatMul, BatchNormalization, pooling.

Weights go from ONNX's layouts to Keras' (what tspcli's layers hold):
Conv (Cout, Cin/g, kh, kw) -> (kh, kw, Cin/g, Cout); a depthwise Conv
(group = Cin, Cout = M*Cin) -> (kh, kw, Cin, M), output channel c*M+m as in
both; ConvTranspose (Cin, Cout, kh, kw) -> (kh, kw, Cout, Cin); Gemm/MatMul
(K, N) kernels as they are (Gemm's transB undone).  A bias written as a
separate Add of a per-channel constant (PaddlePaddle, MatMul + Add) joins its
layer, and a Softmax right after a Dense layer becomes its activation.
"""
from __future__ import annotations

import numpy as np

from tspcli.io.channel_constants import channel_vector
from tspcli.io.onnx.graph import Feature, Lifter, Node, Unsupported
from tspcli.ops._geometry import conv_output_size, same_pads


def _pairs(node: Node, rank: int = 2):
    """ONNX pads [x1_begin, x2_begin, x1_end, x2_end] -> ((top, bottom), (left, right))."""
    pads = [int(p) for p in node.attrs.get("pads", [0] * 2 * rank)]
    if len(pads) != 2 * rank or min(pads) < 0:
        raise Unsupported(f"pads {pads} are not {2 * rank} non-negative numbers")
    return tuple((pads[i], pads[i + rank]) for i in range(rank))


def spatial_padding(node: Node, sizes, kernel, strides, dilations, extra=((0, 0), (0, 0))):
    """'valid', 'same' (Keras' = ONNX SAME_UPPER) or explicit pairs, from auto_pad and pads."""
    auto = node.attrs.get("auto_pad", "NOTSET")
    if auto == "VALID":
        pads = ((0, 0), (0, 0))
    elif auto in ("SAME_UPPER", "SAME_LOWER"):
        pads = tuple(same_pads(n, k, s, d) for n, k, s, d in zip(sizes, kernel, strides, dilations))
        if auto == "SAME_LOWER":
            pads = tuple((b, a) for a, b in pads)
    elif auto == "NOTSET":
        pads = _pairs(node)
    else:
        raise Unsupported(f"auto_pad {auto!r} is not an ONNX padding mode")
    pads = tuple((a + ea, b + eb) for (a, b), (ea, eb) in zip(pads, extra))
    if pads == ((0, 0), (0, 0)):
        return "valid"
    if pads == tuple(same_pads(n, k, s, d) for n, k, s, d in zip(sizes, kernel, strides, dilations)):
        return "same"
    return pads


def _geometry(node: Node, w_shape):
    kernel = tuple(int(k) for k in node.attrs.get("kernel_shape", w_shape[2:]))
    if len(kernel) != 2:
        raise Unsupported(f"a {len(kernel)}-D kernel {list(kernel)}: tspcli lifts 2-D convolutions")
    strides = tuple(int(s) for s in node.attrs.get("strides", (1, 1)))
    dilations = tuple(int(d) for d in node.attrs.get("dilations", (1, 1)))
    return kernel, strides, dilations


def take_bias(lifter: Lifter, value: str, channels: int, rank: int):
    """(bias, Add node) when ``value``'s only reader adds a per-channel constant to it."""
    add = lifter.sole_consumer(value, "Add")
    if add is None:
        return None, None
    c = lifter.values.get(add.inputs[1 if add.inputs[0] == value else 0])
    if c is None or isinstance(c, Feature):
        return None, None
    bias = channel_vector(c, channels, rank, scalar=False)
    return (None, None) if bias is None else (bias, add)


def lift_conv(lifter: Lifter, node: Node, extra=((0, 0), (0, 0)), first: Node | None = None) -> None:
    """Conv -> Conv2d, DepthwiseConv2d (group = input channels) or a grouped Conv2d.

    ``first``: a Pad node folded into this convolution (its pads are ``extra``)."""
    from tspcli.layers import Conv2d, DepthwiseConv2d

    x = lifter.feature(first or node, 0)
    w = np.asarray(lifter.const(node, 1, "weights"), np.float32)
    b = lifter.const(node, 2, "bias") if len(node.inputs) > 2 else None
    if len(x.shape) != 4 or w.ndim != 4:
        raise Unsupported(f"a convolution of a {len(x.shape)}-D input: tspcli lifts 2-D convolutions (NCHW)")
    kernel, strides, dilations = _geometry(node, w.shape)
    group = int(node.attrs.get("group", 1))
    cin, cout = x.shape[1], w.shape[0]
    if w.shape[1] * group != cin or cout % group:
        raise lifter.error(node, f"weights {list(w.shape)} with group {group} do not fit {cin} input channels")
    padding = spatial_padding(node, x.shape[2:], kernel, strides, dilations, extra)
    out_hw = tuple(conv_output_size(n, k, s, p, d) for n, k, s, d, p in
                   zip(x.shape[2:], kernel, strides, dilations,
                       (padding,) * 2 if isinstance(padding, str) else padding))
    config = {"kernelSize": list(kernel), "strides": list(strides), "dilationRate": list(dilations),
              "padding": padding if isinstance(padding, str) else [list(p) for p in padding]}
    last = node
    if b is None:
        b, add = take_bias(lifter, node.outputs[0], cout, 4)
        if add is not None:
            lifter.finish(add)
            last = add
    config["useBias"] = b is not None
    weights = {} if b is None else {"bias": np.asarray(b, np.float32).reshape(-1)}
    if group == cin and group > 1:
        cls = DepthwiseConv2d
        config["depthMultiplier"] = cout // cin
        weights["depthwise_kernel"] = w.reshape(cin, cout // cin, *kernel).transpose(2, 3, 0, 1)
    else:
        cls = Conv2d
        config.update(filters=cout, groups=group)
        weights["kernel"] = w.transpose(2, 3, 1, 0)
    lifter.add(cls, config, [x], node, (1, cout, *out_hw), weights=weights, last=last)
    if first is not None:
        lifter.finish(node)


def lift_conv_transpose(lifter: Lifter, node: Node) -> None:
    from tspcli.layers import Conv2dTranspose

    x = lifter.feature(node, 0)
    w = np.asarray(lifter.const(node, 1, "weights"), np.float32)
    b = lifter.const(node, 2, "bias") if len(node.inputs) > 2 else None
    if len(x.shape) != 4 or w.ndim != 4:
        raise Unsupported("tspcli lifts 2-D transposed convolutions (NCHW)")
    if int(node.attrs.get("group", 1)) != 1:
        raise Unsupported("a grouped ConvTranspose is not one tspcli computes")
    if "output_shape" in node.attrs or node.attrs.get("auto_pad", "NOTSET") != "NOTSET":
        raise Unsupported("ConvTranspose with output_shape or auto_pad: tspcli takes explicit pads")
    kernel, strides, dilations = _geometry(node, w.shape)
    pads = _pairs(node)
    out_pad = tuple(int(p) for p in node.attrs.get("output_padding", (0, 0)))
    cout = w.shape[1]
    out_hw = tuple((n - 1) * s + d * (k - 1) + 1 - a - e + o for n, s, d, k, (a, e), o in
                   zip(x.shape[2:], strides, dilations, kernel, pads, out_pad))
    config = {"filters": cout, "kernelSize": list(kernel), "strides": list(strides),
              "dilationRate": list(dilations), "padding": [list(p) for p in pads],
              "outputPadding": list(out_pad), "useBias": b is not None}
    weights = {"kernel": w.transpose(2, 3, 1, 0)}
    if b is not None:
        weights["bias"] = np.asarray(b, np.float32).reshape(-1)
    lifter.add(Conv2dTranspose, config, [x], node, (1, cout, *out_hw), weights=weights)


def _dense(lifter: Lifter, node: Node, x: Feature, kernel, bias, last: Node) -> None:
    from tspcli.layers import Dense

    if bias is None:
        bias, add = take_bias(lifter, last.outputs[0], kernel.shape[1], 2)
        if add is not None:
            lifter.finish(add)
            last = add
    config = {"units": int(kernel.shape[1]), "useBias": bias is not None}
    soft = lifter.sole_consumer(last.outputs[0], "Softmax")
    if soft is not None and soft.attrs.get("axis", -1) in (-1, 1):
        config["activation"] = "softmax"  # TensorSpace's output layer: Dense with softmax
        lifter.finish(soft)
        last = soft
    weights = {"kernel": np.asarray(kernel, np.float32)}
    if bias is not None:
        weights["bias"] = np.broadcast_to(np.asarray(bias, np.float32).reshape(-1), (kernel.shape[1],))
    lifter.add(Dense, config, [x], node, (1, int(kernel.shape[1])), weights=weights, last=last)


def lift_gemm(lifter: Lifter, node: Node) -> None:
    x = lifter.feature(node, 0)
    b = np.asarray(lifter.const(node, 1, "weights"), np.float32)
    if len(x.shape) != 2 or b.ndim != 2 or node.attrs.get("transA", 0):
        raise Unsupported("tspcli lifts Gemm of a (1, K) feature vector and a constant matrix")
    kernel = (b.T if node.attrs.get("transB", 0) else b) * np.float32(node.attrs.get("alpha", 1.0))
    c = lifter.const(node, 2, "bias") if len(node.inputs) > 2 else None
    bias = None if c is None else np.asarray(c, np.float32) * np.float32(node.attrs.get("beta", 1.0))
    if bias is not None and bias.size not in (1, kernel.shape[1]):
        raise Unsupported(f"a Gemm bias of shape {list(bias.shape)}")
    _dense(lifter, node, x, kernel, bias, node)


def lift_matmul(lifter: Lifter, node: Node) -> None:
    x = lifter.feature(node, 0)
    b = lifter.const(node, 1, "weights")
    if len(x.shape) != 2 or np.ndim(b) != 2:
        raise Unsupported("tspcli lifts MatMul of a (1, K) feature vector and a constant (K, N) matrix")
    _dense(lifter, node, x, np.asarray(b, np.float32), None, node)


def lift_batchnorm(lifter: Lifter, node: Node) -> None:
    from tspcli.layers import BatchNormalization

    x = lifter.feature(node, 0)
    if node.attrs.get("training_mode", 0) or any(lifter.consumers.get(o) for o in node.outputs[1:]):
        raise Unsupported("BatchNormalization in training mode")
    scale, shift, mean, var = (np.asarray(lifter.const(node, i), np.float32).reshape(-1) for i in range(1, 5))
    weights = {"gamma": scale, "beta": shift, "moving_mean": mean, "moving_variance": var}
    lifter.add(BatchNormalization, {"epsilon": float(node.attrs.get("epsilon", 1e-5))}, [x], node, x.shape,
               weights=weights)


def lift_pool(lifter: Lifter, node: Node) -> None:
    """MaxPool / AveragePool -> Pooling2d; ceil_mode as extra bottom/right padding (never counted)."""
    from tspcli.layers import Padding2d, Pooling2d

    x = lifter.feature(node, 0)
    if len(x.shape) != 4:
        raise Unsupported("tspcli lifts 2-D pooling (NCHW)")
    if any(lifter.consumers.get(o) for o in node.outputs[1:]):
        raise Unsupported("MaxPool's indices output is used")
    kernel = tuple(int(k) for k in node.attrs["kernel_shape"])
    strides = tuple(int(s) for s in node.attrs.get("strides", (1, 1)))
    if tuple(node.attrs.get("dilations", (1, 1))) != (1, 1):
        raise Unsupported("dilated pooling")
    padding = spatial_padding(node, x.shape[2:], kernel, strides, (1, 1))
    pads = padding if isinstance(padding, tuple) else \
        (((0, 0), (0, 0)) if padding == "valid" else
         tuple(same_pads(n, k, s, 1) for n, k, s in zip(x.shape[2:], kernel, strides)))
    average = node.op == "AveragePool"
    if node.attrs.get("ceil_mode", 0):
        outs = [-(-(n + a + b - k) // s) + 1 for n, k, s, (a, b) in zip(x.shape[2:], kernel, strides, pads)]
        # a last window must start inside the input or its left padding (PyTorch's rule)
        outs = [o - 1 if (o - 1) * s >= n + a else o for o, n, s, (a, _) in zip(outs, x.shape[2:], strides, pads)]
        pads = tuple((a, max(b, (o - 1) * s + k - n - a)) for o, n, k, s, (a, b) in
                     zip(outs, x.shape[2:], kernel, strides, pads))
    if average and node.attrs.get("count_include_pad", 0) and any(sum(p) for p in pads):
        x = lifter.add(Padding2d, {"padding": [list(p) for p in pads]}, [x], node,
                       (*x.shape[:2], *(n + a + b for n, (a, b) in zip(x.shape[2:], pads))),
                       output=f"{node.outputs[0]}/padded")
        pads = ((0, 0), (0, 0))
    out_hw = tuple((n + a + b - k) // s + 1 for n, k, s, (a, b) in zip(x.shape[2:], kernel, strides, pads))
    padding = "valid" if pads == ((0, 0), (0, 0)) else [list(p) for p in pads]
    config = {"poolSize": list(kernel), "strides": list(strides), "padding": padding,
              "poolingType": "average" if average else "max"}
    lifter.add(Pooling2d, config, [x], node, (*x.shape[:2], *out_hw))


def lift_global_pool(lifter: Lifter, node: Node) -> None:
    """GlobalAveragePool / GlobalMaxPool, and ReduceMean / ReduceMax over H and W -> GlobalPooling2d.

    A reduction may run on an NHWC tensor (tf2onnx): what counts is that it takes the layer's height
    and width away."""
    from tspcli.layers import GlobalPooling2d

    x = lifter.value(node, 0)
    if not isinstance(x, Feature) or x.perm is None or len(x.shape) != 4:
        raise Unsupported("tspcli lifts global pooling of 4-D feature maps")
    axes, keep = [2, 3], True
    if node.op.startswith("Reduce"):
        axes = node.attrs.get("axes")
        if axes is None and len(node.inputs) > 1 and node.inputs[1]:
            axes = lifter.const(node, 1, "axes").reshape(-1).tolist()
        keep = bool(node.attrs.get("keepdims", 1))
    elif not x.channels_last:
        raise Unsupported(f"{node.op} of a transposed tensor")
    if axes is None or sorted(int(a) % 4 for a in axes) != sorted(x.perm[1:3]):
        raise Unsupported(f"{node.op} over axes {axes}: tspcli lifts a reduction over height and width")
    kind = "max" if node.op in ("GlobalMaxPool", "ReduceMax") else "average"
    channel_axis = x.perm[3]
    shape = tuple(1 if a in x.perm[1:3] else d for a, d in enumerate(x.shape)) if keep \
        else (1, x.shape[channel_axis])
    lifter.add(GlobalPooling2d, {"poolingType": kind, "keepdims": keep}, [x], node, shape,
               perm=x.perm if keep else (0, 1))


HANDLERS = {
    "Conv": lift_conv, "ConvTranspose": lift_conv_transpose, "Gemm": lift_gemm, "MatMul": lift_matmul,
    "BatchNormalization": lift_batchnorm, "MaxPool": lift_pool, "AveragePool": lift_pool,
    "GlobalAveragePool": lift_global_pool, "GlobalMaxPool": lift_global_pool,
    "ReduceMean": lift_global_pool, "ReduceMax": lift_global_pool,
}
