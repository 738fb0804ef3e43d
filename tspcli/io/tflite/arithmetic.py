"""TensorFlow Lite ADD, SUB, MUL, DIV -> layers, as the ONNX reader lifts Add, Sub, Mul, Div.

* Two feature maps of one shape: Add, Subtract, Multiply.
* A feature map times a per-channel gate the model computes from it ((1, 1, 1, C):
  squeeze-and-excitation in MobileNetV3 and EfficientNet-Lite) is the SqueezeExcitation
  merge the ONNX reader draws; plus or minus such a vector is Add or Subtract, which
  broadcast as Keras' do.
* A feature map and a constant of one value or one per channel is the BatchNormalization
  that scales and shifts each channel (``tspcli.io.channel_constants``, shared with ONNX).
* ``relu6(x + 3) / 6`` written out (ADD 3, RELU6 or a fused one, MUL 1/6 or DIV 6) is one
  hard_sigmoid activation, and ``x`` times it one hard_swish, as Keras' MobileNetV3 writes
  them when the converter does not fuse them into HARD_SWISH.
"""
from __future__ import annotations

from tspcli.errors import LoadError
from tspcli.io.channel_constants import AFFINE_EPSILON, affine_weights, channel_vector

from .flatbuffer import Operator
from .lift import Lifter, Unsupported

# Not a Keras class (no Keras file names a class with a dot): tspcli.io.keras_layers draws it.
SQUEEZE_EXCITATION = "tspcli.SqueezeExcitation"
MERGES = {"ADD": "Add", "SUB": "Subtract", "MUL": "Multiply"}


def elementwise(lift: Lifter, op: Operator) -> None:
    if len(op.inputs) != 2:
        raise LoadError(f"operator {op.index} {op.op} has {len(op.inputs)} inputs, not 2", file=lift.file)
    constant = [lift.is_constant(t) for t in op.inputs]
    if all(constant):
        raise Unsupported("computes on two constants, which the converter folds")
    if any(constant):
        return _with_constant(lift, op, constant_first=constant[0])
    sources = [lift.source(op, 0), lift.source(op, 1)]
    shapes = [lift.shape(op.inputs[0]), lift.shape(op.inputs[1])]
    if shapes[0] == shapes[1] and op.op in MERGES:
        return lift.fused(op, lift.add(op, MERGES[op.op], {}, sources))
    big = 0 if _is_vector_of(shapes[1], shapes[0]) else 1 if _is_vector_of(shapes[0], shapes[1]) else None
    if big is not None and op.op == "MUL":
        return lift.fused(op, lift.add(op, SQUEEZE_EXCITATION, {}, [sources[big], sources[1 - big]]))
    if big is not None and op.op in ("ADD", "SUB") and len(shapes[0]) == len(shapes[1]):
        return lift.fused(op, lift.add(op, MERGES[op.op], {}, sources))  # Keras' Add broadcasts sizes of 1
    raise Unsupported(f"broadcasts {list(shapes[0])} with {list(shapes[1])}; tspcli merges equal shapes, "
                      "and a feature map with one value per channel")


def _is_vector_of(small: tuple, big: tuple) -> bool:
    """``small`` is one value per channel of the feature map ``big``: (C,), (1, C) or (1, 1, C)."""
    return len(small) <= len(big) and small[-1:] == big[-1:] and all(d == 1 for d in small[:-1]) \
        and small != big


def _with_constant(lift: Lifter, op: Operator, constant_first: bool) -> None:
    k = 0 if constant_first else 1
    source = lift.source(op, 1 - k)
    c = lift.constant(op, k, "operand")
    shape = lift.shape(op.inputs[1 - k])
    if op.op == "ADD" and _is_value(c, 3):
        hard = _hard_sigmoid_chain(lift, op, op.inputs[1 - k])
        if hard is not None:
            name, last = hard
            if not lift.fold_activation(op, name, t=op.inputs[1 - k], last=last):
                lift.add(last, "Activation", {"activation": name}, [source])
            return
    v = channel_vector(c, shape[-1], len(shape) + 1, channels_last=True) if shape else None
    weights = None if v is None else affine_weights(op.op, v, constant_first)
    if weights is None:
        raise Unsupported(f"computes a feature map {list(shape)} with a constant of shape {list(c.shape)}; "
                          "tspcli lifts a constant of one value or one per channel"
                          + (" (and divides by it, never it by a map)" if op.op == "DIV" else ""))
    lift.fused(op, lift.add(op, "BatchNormalization", {"epsilon": AFFINE_EPSILON}, [source], weights))


def _is_value(c, value: float, tolerance: float = 1e-6) -> bool:
    return c.size == 1 and abs(float(c.reshape(-1)[0]) - value) < tolerance


def _hard_sigmoid_chain(lift: Lifter, add: Operator, x: int):
    """(activation, last operator) when ADD(x, 3) starts ``relu6(x + 3) / 6`` (hard_sigmoid) or
    ``x * relu6(x + 3) / 6`` in either order (hard_swish); the operators after ADD are marked done."""
    chain, t = [], add.outputs[0]
    fused = add.options.get("FusedActivationFunction", 0)
    if fused == 0:
        relu6 = lift.sole_reader(t, "RELU6")
        if relu6 is None:
            return None
        chain.append(relu6)
        t = relu6.outputs[0]
    elif fused != 3:
        return None
    step = lift.sole_reader(t, "MUL", "DIV")
    if step is None or _fused(step):
        return None
    if _divides_by_six(lift, step, t):
        after = lift.sole_reader(step.outputs[0], "MUL")
        if after is not None and not _fused(after) and sorted(after.inputs) == sorted([step.outputs[0], x]):
            return _done(lift, "hard_swish", chain + [step, after])
        return _done(lift, "hard_sigmoid", chain + [step])
    if step.op == "MUL" and sorted(step.inputs) == sorted([t, x]):
        last = lift.sole_reader(step.outputs[0], "MUL", "DIV")
        if last is not None and not _fused(last) and _divides_by_six(lift, last, step.outputs[0]):
            return _done(lift, "hard_swish", chain + [step, last])
    return None


def _fused(op: Operator) -> bool:
    return op.options.get("FusedActivationFunction", 0) != 0


def _divides_by_six(lift: Lifter, op: Operator, t: int) -> bool:
    """``op`` is ``t * (1/6)``, ``(1/6) * t`` or ``t / 6``."""
    if len(op.inputs) != 2 or t not in op.inputs:
        return False
    other = 1 if op.inputs[0] == t else 0
    if not lift.is_constant(op.inputs[other]):
        return False
    c = lift.constant(op, other, "operand")
    return (op.op == "MUL" and _is_value(c, 1 / 6)) or (op.op == "DIV" and other == 1 and _is_value(c, 6))


def _done(lift: Lifter, name: str, chain: list[Operator]):
    lift.done.update(o.index for o in chain)
    return name, chain[-1]
