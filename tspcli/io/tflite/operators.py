"""TensorFlow Lite operators -> Keras layers (class, config, weights), one function each.

Each function reads one operator through the ``Lifter`` and adds the layer(s)
that compute it, or raises ``Unsupported`` for a setting tspcli does not
compute.  Layouts differ from Keras': CONV_2D weights are (out, kh, kw, in),
DEPTHWISE_CONV_2D (1, kh, kw, in x multiplier), FULLY_CONNECTED (units, in),
TRANSPOSE_CONV (out, kh, kw, in); axes count the batch axis, as Keras' do.
"""
from __future__ import annotations

import math

from tspcli.errors import LoadError
from tspcli.ops._geometry import transpose_geometry

from .activations import ACTIVATION_OPS, activation, leaky_relu, prelu, relu_0_to_1
from .arithmetic import elementwise
from .flatbuffer import Operator
from .lift import Lifter, Unsupported

PADDING = {0: "same", 1: "valid"}
# Operators that run another subgraph of the file: tspcli reads the first subgraph only.
CONTROL_FLOW = ("WHILE", "IF", "CALL_ONCE", "CALL", "STABLEHLO_WHILE")


def _padding(op: Operator) -> str:
    code = op.options.get("Padding")
    if code not in PADDING:
        raise Unsupported(f"has padding {code!r} (neither SAME nor VALID)")
    return PADDING[code]


def _pair(op: Operator, key_h: str, key_w: str, what: str) -> list[int]:
    pair = [op.options.get(key_h, 0), op.options.get(key_w, 0)]
    if min(pair) < 1:
        raise Unsupported(f"has {what} {pair}; they must be at least 1")
    return pair


def _bias(lift: Lifter, op: Operator, k: int, units: int, weights: dict) -> bool:
    bias = lift.constant(op, k, "bias")
    if bias is None:
        return False
    if bias.shape != (units,):
        raise LoadError(f"operator {op.index} {op.op}: bias has shape {list(bias.shape)}, not [{units}]",
                        file=lift.file)
    weights["bias"] = bias
    return True


def _kernel(lift: Lifter, op: Operator, rank: int):
    kernel = lift.constant(op, 1, "weights")
    if kernel is None or kernel.ndim != rank:
        raise LoadError(f"operator {op.index} {op.op}: weights must be a {rank}-D constant, got "
                        f"{None if kernel is None else list(kernel.shape)}", file=lift.file)
    return kernel


def conv_2d(lift: Lifter, op: Operator) -> None:
    source = lift.source(op, 0)
    kernel = _kernel(lift, op, 4)  # (out, kh, kw, in)
    out, kh, kw, cin = kernel.shape
    channels = lift.shape(op.inputs[0])[-1]
    # kernels over fewer channels than the input has: a grouped convolution, each group of
    # out/groups filters reading its own run of cin channels (Keras' Conv2D groups; drawn as a
    # DepthwiseConv2d when every group is one channel)
    if cin < 1 or channels % cin or out % (channels // cin):
        raise LoadError(f"operator {op.index} {op.op}: weights {list(kernel.shape)} do not fit {channels} "
                        "input channels (in groups)", file=lift.file)
    weights = {"kernel": kernel.transpose(1, 2, 3, 0)}
    config = {"filters": out, "kernel_size": [kh, kw], "strides": _pair(op, "StrideH", "StrideW", "strides"),
              "groups": channels // cin,
              "padding": _padding(op), "activation": "linear",
              "dilation_rate": _pair(op, "DilationHFactor", "DilationWFactor", "dilations"),
              "use_bias": _bias(lift, op, 2, out, weights)}
    lift.fused(op, lift.add(op, "Conv2D", config, [source], weights))


def depthwise_conv_2d(lift: Lifter, op: Operator) -> None:
    source = lift.source(op, 0)
    kernel = _kernel(lift, op, 4)  # (1, kh, kw, in x multiplier)
    _, kh, kw, total = kernel.shape
    channels = lift.shape(op.inputs[0])[-1]
    if kernel.shape[0] != 1 or total % channels:
        raise LoadError(f"operator {op.index} {op.op}: weights of shape {list(kernel.shape)} do not fit "
                        f"{channels} input channels", file=lift.file)
    multiplier = total // channels  # the option is 0 or stale in files from newer converters
    weights = {"depthwise_kernel": kernel.reshape(kh, kw, channels, multiplier)}
    config = {"kernel_size": [kh, kw], "strides": _pair(op, "StrideH", "StrideW", "strides"),
              "padding": _padding(op), "depth_multiplier": multiplier, "activation": "linear",
              "dilation_rate": _pair(op, "DilationHFactor", "DilationWFactor", "dilations"),
              "use_bias": _bias(lift, op, 2, total, weights)}
    lift.fused(op, lift.add(op, "DepthwiseConv2D", config, [source], weights))


def fully_connected(lift: Lifter, op: Operator) -> None:
    source = lift.source(op, 0)
    if op.options.get("WeightsFormat", 0) != 0:
        raise Unsupported("stores its weights shuffled for int8 kernels, which tspcli does not read")
    kernel = _kernel(lift, op, 2)  # (units, in)
    units, n_in = kernel.shape
    shape = lift.shape(op.inputs[0])
    keep = bool(op.options.get("KeepNumDims"))
    if shape[-1:] == (n_in,) and (len(shape) == 1 or keep):
        pass  # a Dense over the last axis
    elif not keep and math.prod(shape) == n_in:  # TensorFlow Lite flattens; Keras needs a Flatten
        source = lift.add(op, "Flatten", {}, [source], suffix="flatten", output=False).name
    else:
        raise Unsupported(f"reads its {list(shape)} input as rows of {n_in}, across the batch axis")
    weights = {"kernel": kernel.T}
    config = {"units": units, "activation": "linear", "use_bias": _bias(lift, op, 2, units, weights)}
    lift.fused(op, lift.add(op, "Dense", config, [source], weights))


def pool_2d(lift: Lifter, op: Operator) -> None:
    source = lift.source(op, 0)
    kind = "AveragePooling2D" if op.op == "AVERAGE_POOL_2D" else "MaxPooling2D"
    config = {"pool_size": _pair(op, "FilterHeight", "FilterWidth", "filter sizes"),
              "strides": _pair(op, "StrideH", "StrideW", "strides"), "padding": _padding(op)}
    lift.fused(op, lift.add(op, kind, config, [source]))


def reduce(lift: Lifter, op: Operator) -> None:
    """MEAN / REDUCE_MAX over the spatial axes: global pooling."""
    source = lift.source(op, 0)
    rank = len(lift.graph.tensors[op.inputs[0]].shape)
    axes = lift.constant(op, 1, "axes")
    axes = sorted({int(a) % rank for a in axes.reshape(-1)}) if axes is not None and rank else []
    spatial = list(range(1, rank - 1))
    if rank not in (3, 4) or axes != spatial:
        raise Unsupported(f"reduces axes {axes} of a rank-{rank} tensor; tspcli computes it over the "
                          f"spatial axes {spatial or '(none)'} only (global pooling)")
    kind = ("GlobalAveragePooling" if op.op == "MEAN" else "GlobalMaxPooling") + f"{rank - 2}D"
    lift.add(op, kind, {"keepdims": bool(op.options.get("KeepDims"))}, [source])


def concatenation(lift: Lifter, op: Operator) -> None:
    sources = [lift.source(op, k) for k in range(len(op.inputs))]
    lift.fused(op, lift.add(op, "Concatenate", {"axis": int(op.options.get("Axis", -1))}, sources))


def reshape(lift: Lifter, op: Operator) -> None:
    """RESHAPE and SQUEEZE: the output shape the file declares."""
    source = lift.source(op, 0)
    before = (1, *lift.shape(op.inputs[0]))
    after = _computed_target(lift, op, before) if lift.dynamic else lift.graph.tensors[op.outputs[0]].shape
    if not before or not after or before[0] != after[0] or math.prod(before) != math.prod(after):
        raise Unsupported(f"reshapes {list(before)} to {list(after)}, across the batch axis")
    if len(after) == 2:
        lift.add(op, "Flatten", {}, [source])
    else:
        lift.add(op, "Reshape", {"target_shape": list(after[1:])}, [source])


def _computed_target(lift: Lifter, op: Operator, before: tuple) -> tuple:
    """RESHAPE's or SQUEEZE's output shape for a dynamic input, from its shape constant (-1: the
    size left over) or its squeezed axes."""
    if op.op == "SQUEEZE":
        axes = {int(a) % len(before) for a in op.options.get("SqueezeDimsAsNumpy", 0) or ()} or \
            {a for a, d in enumerate(before) if d == 1 and a > 0}
        return tuple(d for a, d in enumerate(before) if a not in axes)
    target = lift.constant(op, 1, "new shape") if len(op.inputs) > 1 else None
    if target is None:
        raise Unsupported("takes its new shape from options, not a constant; tspcli needs the constant "
                          "for a dynamic input")
    target = [1 if a == 0 else int(d) for a, d in enumerate(target.reshape(-1))]
    known = math.prod(d for d in target if d != -1)
    return tuple(math.prod(before) // known if d == -1 and known > 0 else d for d in target)


def pad(lift: Lifter, op: Operator) -> None:
    source = lift.source(op, 0)
    pads = lift.constant(op, 1, "paddings")
    value = lift.constant(op, 2, "padding value") if op.op == "PADV2" else None
    rank = len(lift.graph.tensors[op.inputs[0]].shape)
    if pads is None or pads.shape != (rank, 2) or rank not in (3, 4):
        raise Unsupported(f"pads a rank-{rank} tensor by {None if pads is None else pads.tolist()}; tspcli "
                          "pads the spatial axes of 3-D and 4-D tensors")
    pads = [[int(a), int(b)] for a, b in pads]
    if pads[0] != [0, 0] or pads[-1] != [0, 0] or (value is not None and value.reshape(-1)[0] != 0):
        raise Unsupported(f"pads {pads} (with value {0 if value is None else value.reshape(-1)[0]}); "
                          "tspcli pads height and width with zeros only")
    if rank == 4:
        lift.add(op, "ZeroPadding2D", {"padding": pads[1:3]}, [source])
    else:
        lift.add(op, "ZeroPadding1D", {"padding": pads[1]}, [source])


def control_flow(lift: Lifter, op: Operator) -> None:
    raise Unsupported("runs another subgraph of the file (control flow); tspcli reads the first subgraph, "
                      "a network without loops or branches")


def resize(lift: Lifter, op: Operator) -> None:
    """RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR: an UpSampling2d by whole factors (nearest ones
    repeat pixels), else to its output size by TensorFlow Lite's coordinate rules."""
    source = lift.source(op, 0)
    size = lift.constant(op, 1, "output size")
    shape = lift.shape(op.inputs[0])
    if size is None or size.shape != (2,) or len(shape) != 3:
        raise Unsupported("resizes something other than a feature map (H, W, C) to a constant size")
    out = [int(o) for o in size]
    if min(out) < 1:
        raise LoadError(f"operator {op.index} {op.op}: output size {out} has a size below 1", file=lift.file)
    align, half = bool(op.options.get("AlignCorners")), bool(op.options.get("HalfPixelCenters"))
    if align and half:
        raise Unsupported("both aligns corners and centres half pixels, which TensorFlow refuses")
    mode = "align_corners" if align else "half_pixel" if half else "asymmetric"
    factors = [o // n if o % n == 0 else 0 for o, n in zip(out, shape[:2])]
    nearest = op.op == "RESIZE_NEAREST_NEIGHBOR"
    if 0 not in factors and nearest and not align:  # floor((o + offset) / f) = o // f: a repeat
        config = {"size": factors, "interpolation": "nearest"}
    elif 0 not in factors and not nearest:
        config = {"size": factors, "interpolation": "bilinear", "coordinate_mode": mode}
    else:
        config = {"output_size": out, "interpolation": "nearest" if nearest else "bilinear", "coordinate_mode": mode}
    lift.add(op, "UpSampling2D", config, [source])


def transpose_conv(lift: Lifter, op: Operator) -> None:
    """TRANSPOSE_CONV (inputs: output shape, weights, input, bias) as Keras' Conv2DTranspose.

    TensorFlow Lite crops the full scatter at the padding a forward convolution
    of the output would have; Keras' padding and output_padding are found that
    crop at the same place to the same size."""
    source = lift.source(op, 2)
    out_shape = lift.constant(op, 0, "output shape")
    kernel = _kernel(lift, op, 4)  # (out, kh, kw, in)
    cout, kh, kw, cin = kernel.shape
    shape = lift.shape(op.inputs[2])
    if out_shape is None or out_shape.shape != (4,) or len(shape) != 3 or cin != shape[-1] or \
            int(out_shape[3]) != cout:
        raise LoadError(f"operator {op.index} {op.op}: output shape "
                        f"{None if out_shape is None else out_shape.tolist()} and weights {list(kernel.shape)} "
                        f"do not fit the input {list(shape)}", file=lift.file)
    strides = _pair(op, "StrideH", "StrideW", "strides")
    padding = _padding(op)
    keras = _keras_transpose(shape[:2], (kh, kw), strides, padding, [int(d) for d in out_shape[1:3]])
    if keras is None:
        raise Unsupported(f"gives {out_shape[1:3].tolist()} from {list(shape[:2])}, which no Keras "
                          "padding gives")
    weights = {"kernel": kernel.transpose(1, 2, 0, 3)}
    config = {"filters": cout, "kernel_size": [kh, kw], "strides": strides, "padding": keras[0],
              "output_padding": keras[1], "activation": "linear",
              "use_bias": _bias(lift, op, 3, cout, weights)}
    lift.fused(op, lift.add(op, "Conv2DTranspose", config, [source], weights))


def _keras_transpose(sizes, kernel, strides, padding, outs):
    """(padding, output_padding) of Keras that crop the scatter as TensorFlow Lite does, or None."""
    targets = []
    for n, k, s, o in zip(sizes, kernel, strides, outs):
        small = -(-o // s) if padding == "same" else (o - k + s) // s
        cut = max((small - 1) * s + k - o, 0) // 2
        targets.append((cut, o))
    for mode in ("same", "valid"):
        choice = []
        for (n, k, s, target) in zip(sizes, kernel, strides, targets):
            fits = [p for p in range(s) if transpose_geometry(n, k, s, 1, mode, p) == target]
            if not fits:
                break
            choice.append(fits[0])
        else:
            return mode, choice
    return None


def quantize(lift: Lifter, op: Operator) -> None:
    """DEQUANTIZE of a weight is folded into it; QUANTIZE/DEQUANTIZE of an activation drops out."""
    if op.op == "DEQUANTIZE" and op.inputs and lift.is_constant(op.inputs[0]):
        lift.constants[op.outputs[0]] = lift.constant(op, 0, "input")
    else:
        lift.alias(op, lift.source(op, 0))


OPERATORS = {
    "CONV_2D": conv_2d, "DEPTHWISE_CONV_2D": depthwise_conv_2d, "FULLY_CONNECTED": fully_connected,
    "AVERAGE_POOL_2D": pool_2d, "MAX_POOL_2D": pool_2d, "MEAN": reduce, "REDUCE_MAX": reduce,
    "ADD": elementwise, "SUB": elementwise, "MUL": elementwise, "DIV": elementwise,
    "CONCATENATION": concatenation,
    "RESHAPE": reshape, "SQUEEZE": reshape, "PAD": pad, "PADV2": pad,
    **{name: activation for name in ACTIVATION_OPS}, "LEAKY_RELU": leaky_relu, "PRELU": prelu,
    "RELU_0_TO_1": relu_0_to_1, **{name: control_flow for name in CONTROL_FLOW},
    "RESIZE_BILINEAR": resize, "RESIZE_NEAREST_NEIGHBOR": resize, "TRANSPOSE_CONV": transpose_conv,
    "DEQUANTIZE": quantize, "QUANTIZE": quantize,
}
