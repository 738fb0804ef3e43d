"""Lifting activations and arithmetic: one activation layer per activation, compositions included.

* ``x * Clip(x + 3, 0, 6) / 6`` (PaddlePaddle, TF) and ``x * HardSigmoid(x)``
  with PyTorch's slope 1/6 (opsets before 14) are one hard_swish activation;
  ``x * Sigmoid(x)`` is one silu (swish);
* a feature map times a per-channel gate computed from it is a
  SqueezeExcitation merge; two feature maps of one shape are Add, Subtract or
  Multiply; Concat of feature maps is Concatenate;
* a feature map plus, minus, times or divided by a constant (one value, or one
  per channel) is a per-channel scale and shift: it is drawn as the
  BatchNormalization it computes (mean 0, variance 1, gamma, beta).
"""
from __future__ import annotations

import numpy as np

from tspcli.io.channel_constants import AFFINE_EPSILON, affine_weights
from tspcli.io.channel_constants import channel_vector
from tspcli.io.onnx.graph import Feature, Lifter, Node, Unsupported


def _activation(lifter: Lifter, node: Node, x: Feature, config: dict, last: Node | None = None) -> None:
    from tspcli.layers import Activation

    lifter.add(Activation, config, [x], node, x.shape, last=last)


def _times_self(lifter: Lifter, value: str, x_name: str) -> Node | None:
    """The Mul that multiplies ``value`` by the tensor ``x_name`` (x * f(x)), if it is value's only reader."""
    mul = lifter.sole_consumer(value, "Mul")
    if mul is not None and sorted(mul.inputs) == sorted([value, x_name]):
        return mul
    return None


def _close(a, b) -> bool:
    return a is not None and abs(a - b) < 1e-6


def lift_unary(lifter: Lifter, node: Node) -> None:
    x = lifter.feature(node, 0)
    op, a = node.op, node.attrs
    if op == "Sigmoid":
        mul = _times_self(lifter, node.outputs[0], node.inputs[0])
        if mul is not None:
            lifter.finish(mul)
            return _activation(lifter, node, x, {"activation": "silu"}, last=mul)
        return _activation(lifter, node, x, {"activation": "sigmoid"})
    if op == "HardSigmoid":
        slope, offset = float(a.get("alpha", 0.2)), float(a.get("beta", 0.5))
        mul = _times_self(lifter, node.outputs[0], node.inputs[0])
        if mul is not None and _close(slope, 1 / 6) and _close(offset, 0.5):
            lifter.finish(mul)
            return _activation(lifter, node, x, {"activation": "hard_swish"}, last=mul)
        return _activation(lifter, node, x, {"activation": "hard_sigmoid", "slope": slope, "offset": offset})
    if op == "LeakyRelu":
        slope = float(a.get("alpha", 0.01))
        return _activation(lifter, node, x, {"activation": "leaky_relu", "negativeSlope": slope} if slope
                           else {"activation": "relu"})
    if op == "Elu" and not _close(float(a.get("alpha", 1.0)), 1.0):
        raise Unsupported(f"Elu with alpha {a['alpha']} (tspcli computes alpha 1)")
    if op == "Selu" and not (_close(float(a.get("alpha", 1.6732632)), 1.6732632) and
                             _close(float(a.get("gamma", 1.0507010)), 1.0507010)):
        raise Unsupported("Selu with its own alpha/gamma")
    if op == "Gelu" and a.get("approximate", "none") not in ("none", "tanh"):
        raise Unsupported(f"Gelu with the approximation {a['approximate']!r}")
    if op == "Gelu" and a.get("approximate") == "tanh":
        return _activation(lifter, node, x, {"activation": "gelu_tanh"})
    names = {"Relu": "relu", "Tanh": "tanh", "Elu": "elu", "Selu": "selu", "HardSwish": "hard_swish",
             "Softplus": "softplus", "Softsign": "softsign", "Exp": "exponential", "Gelu": "gelu"}
    _activation(lifter, node, x, {"activation": names[op]})


def lift_clip(lifter: Lifter, node: Node) -> None:
    x = lifter.feature(node, 0)
    low = node.attrs.get("min") if len(node.inputs) < 2 else lifter.scalar(node, 1)
    high = node.attrs.get("max") if len(node.inputs) < 3 else lifter.scalar(node, 2)
    if low not in (0, 0.0) or (high is not None and high <= 0):
        raise Unsupported(f"Clip to [{low}, {high}]: tspcli lifts Clip(0, max) as a ReLU")
    config = {"activation": "relu6"} if high == 6 else {"activation": "relu"}
    if high is not None and high != 6:
        config["maxValue"] = float(high)
    _activation(lifter, node, x, config)


def lift_softmax(lifter: Lifter, node: Node) -> None:
    x = lifter.feature(node, 0)
    rank = len(x.shape)
    axis = int(node.attrs.get("axis", 1 if lifter.opset < 13 else -1)) % rank
    if lifter.opset < 13 and any(d != 1 for d in x.shape[axis + 1:]):
        raise Unsupported("Softmax (before opset 13) over several axes at once")
    _activation(lifter, node, x, {"activation": "softmax", "axis": x.perm.index(axis)})


def lift_prelu(lifter: Lifter, node: Node) -> None:
    from tspcli.layers import PReLU

    x = lifter.feature(node, 0)
    slope = channel_vector(lifter.const(node, 1, "slope"), x.shape[1], len(x.shape))
    if slope is None:
        raise Unsupported("PRelu with a slope that is not one value per channel")
    lifter.add(PReLU, {}, [x], node, x.shape, weights={"alpha": slope})


def _hard_swish_from_add(lifter: Lifter, node: Node, x_name: str) -> Node | None:
    """x + 3 -> Clip(0, 6) -> (Mul x, then Div 6 / Mul 1/6) or (Div 6 / Mul 1/6, then Mul x):
    the last node of the composition, or None."""
    clip = lifter.sole_consumer(node.outputs[0], "Clip")
    if clip is None or lifter.scalar(clip, 1) != 0 or lifter.scalar(clip, 2) != 6:
        return None
    step = lifter.sole_consumer(clip.outputs[0], ("Mul", "Div"))
    if step is None:
        return None

    def divides_by_six(n: Node, value: str) -> bool:
        other = 1 if n.inputs[0] == value else 0
        c = lifter.scalar(n, other)
        return (n.op == "Div" and other == 1 and c == 6) or (n.op == "Mul" and _close(c, 1 / 6))

    if step.op == "Mul" and sorted(step.inputs) == sorted([clip.outputs[0], x_name]):
        last = lifter.sole_consumer(step.outputs[0], ("Mul", "Div"))
        chain = [clip, step, last]
        ok = last is not None and divides_by_six(last, step.outputs[0])
    else:
        last = _times_self(lifter, step.outputs[0], x_name)
        chain = [clip, step, last]
        ok = last is not None and divides_by_six(step, clip.outputs[0])
    if not ok:
        return None
    lifter.finish(*chain)
    return last


def lift_arithmetic(lifter: Lifter, node: Node) -> None:
    """Add, Sub, Mul, Div with at least one feature map."""
    from tspcli.layers import Add, Multiply, SqueezeExcitation, Subtract

    a, b = lifter.value(node, 0), lifter.value(node, 1)
    if isinstance(a, Feature) and isinstance(b, Feature):
        if a.shape == b.shape and node.op in ("Add", "Sub", "Mul"):
            if not (a.channels_last and b.channels_last):
                raise Unsupported("a merge of transposed feature maps")
            cls = {"Add": Add, "Sub": Subtract, "Mul": Multiply}[node.op]
            lifter.add(cls, {}, [a, b], node, a.shape)
            return
        if node.op == "Mul" and len(a.shape) == len(b.shape) == 4:
            big, gate = (a, b) if a.shape[2:] != (1, 1) else (b, a)
            if gate.shape == (1, big.shape[1], 1, 1):
                lifter.add(SqueezeExcitation, {}, [big, gate], node, big.shape)
                return
        raise Unsupported(f"{node.op} of feature maps of shapes {list(a.shape)} and {list(b.shape)}")
    x, position = (a, 0) if isinstance(a, Feature) else (b, 1)
    c = np.asarray(b if position == 0 else a)
    if node.op == "Add" and lifter.scalar(node, 1 - position) == 3:
        last = _hard_swish_from_add(lifter, node, node.inputs[position])
        if last is not None:
            return _activation(lifter, node, x, {"activation": "hard_swish"}, last=last)
    _affine(lifter, node, x, c, position)


def _affine(lifter: Lifter, node: Node, x: Feature, c, position: int) -> None:
    """x op c (or c op x) with c one value or one per channel: a BatchNormalization of it."""
    from tspcli.layers import BatchNormalization

    if not x.channels_last:
        raise Unsupported("arithmetic on a transposed feature map")
    v = channel_vector(c, x.shape[1], len(x.shape))
    weights = None if v is None else affine_weights(node.op, v, constant_first=position == 1)
    if weights is None:
        raise Unsupported(f"{node.op} of a feature map {list(x.shape)} and a constant of shape {list(c.shape)}")
    lifter.add(BatchNormalization, {"epsilon": AFFINE_EPSILON}, [x], node, x.shape, weights=weights)


def lift_variadic(lifter: Lifter, node: Node) -> None:
    """Sum, Max, Mean of feature maps of one shape -> Add, Maximum, Average."""
    from tspcli.layers import Add, Average, Maximum

    parts = [lifter.value(node, i) for i in range(len(node.inputs))]
    if not all(isinstance(p, Feature) and p.channels_last and p.shape == parts[0].shape for p in parts):
        raise Unsupported(f"{node.op} of tensors of different shapes, or of constants")
    if len(parts) == 1:
        lifter.alias(node, parts[0])
        return
    cls = {"Sum": Add, "Max": Maximum, "Mean": Average}[node.op]
    lifter.add(cls, {}, parts, node, parts[0].shape)


def lift_concat(lifter: Lifter, node: Node) -> None:
    from tspcli.layers import Concatenate

    parts = [lifter.value(node, i) for i in range(len(node.inputs))]
    if not all(isinstance(p, Feature) and p.channels_last for p in parts):
        raise Unsupported("Concat of feature maps and constants")
    rank = len(parts[0].shape)
    axis = int(node.attrs["axis"]) % rank
    if axis == 0:
        raise Unsupported("Concat along the batch axis")
    shape = list(parts[0].shape)
    shape[axis] = sum(p.shape[axis] for p in parts)
    lifter.add(Concatenate, {"axis": parts[0].perm.index(axis)}, parts, node, tuple(shape))


HANDLERS = {
    **{op: lift_unary for op in ("Relu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "LeakyRelu",
                                 "Elu", "Selu", "Softplus", "Softsign", "Exp", "Gelu")},
    **{op: lift_variadic for op in ("Sum", "Max", "Mean")},
    "Clip": lift_clip, "PRelu": lift_prelu, "Softmax": lift_softmax, "Concat": lift_concat,
    **{op: lift_arithmetic for op in ("Add", "Sub", "Mul", "Div")},
}
