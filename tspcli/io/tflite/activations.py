"""TensorFlow Lite activation operators -> Keras activations and layers.

A standalone activation folds into the layer before it when that layer takes
one (``Lifter.fold_activation``), else it is an Activation layer; RELU_0_TO_1
is Keras' ReLU capped at 1, PRELU Keras' PReLU with its slopes shared along
the axes where the file's slopes have size 1.
"""
from __future__ import annotations

from .flatbuffer import Operator
from .lift import Lifter, Unsupported

ACTIVATION_OPS = {"RELU": "relu", "RELU6": "relu6", "RELU_N1_TO_1": "hard_tanh", "LOGISTIC": "sigmoid",
                  "TANH": "tanh", "HARD_SWISH": "hard_swish", "SOFTMAX": "softmax", "GELU": "gelu"}


def activation(lift: Lifter, op: Operator) -> None:
    name = "gelu_tanh" if op.op == "GELU" and op.options.get("Approximate") else ACTIVATION_OPS[op.op]
    if op.op == "SOFTMAX" and op.options.get("Beta", 1.0) != 1.0:
        raise Unsupported(f"has beta {op.options['Beta']}; tspcli computes softmax with beta 1")
    source = lift.source(op, 0)
    if not lift.fold_activation(op, name):
        lift.add(op, "Activation", {"activation": name}, [source])


def leaky_relu(lift: Lifter, op: Operator) -> None:
    lift.add(op, "LeakyReLU", {"negative_slope": float(op.options.get("Alpha", 0.2))}, [lift.source(op, 0)])


def relu_0_to_1(lift: Lifter, op: Operator) -> None:
    lift.add(op, "ReLU", {"max_value": 1.0}, [lift.source(op, 0)])


def prelu(lift: Lifter, op: Operator) -> None:
    """PRELU(x, alpha): Keras' PReLU, sharing its slope along the axes where alpha has size 1."""
    source = lift.source(op, 0)
    shape = lift.shape(op.inputs[0])
    alpha = lift.constant(op, 1, "slope")
    if alpha is None or alpha.ndim > len(shape) or \
            any(a not in (1, d) for a, d in zip(alpha.shape[::-1], shape[::-1])):
        raise Unsupported(f"has slopes of shape {None if alpha is None else list(alpha.shape)}, which do not "
                          f"broadcast over its input {list(shape)}")
    alpha = alpha.reshape((1,) * (len(shape) - alpha.ndim) + alpha.shape)
    shared = [i + 1 for i, a in enumerate(alpha.shape) if a == 1]
    lift.add(op, "PReLU", {"shared_axes": shared}, [source], {"alpha": alpha})
