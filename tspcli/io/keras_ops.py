"""``keras.ops`` calls in a Keras 3 functional graph, as the layers that compute them.

Keras applications write arithmetic on tensors (MobileNetV3's hard sigmoid is
``ReLU(6)(x + 3) * (1 / 6)``); Keras 3 stores each such call as an operation
of ``keras.src.ops.numpy`` with its constant operands in the call's ``args``.
Arithmetic of one tensor and one number is a Rescaling (``x * scale + offset``,
exact in float32 for +, - and *; division by c becomes a product with 1/c, within
one rounding); arithmetic of two tensors is the merge layer of the same name.
tf.keras 2 writes the same arithmetic as ``TFOpLambda`` layers (``function``
``math.multiply``, the other operand in the call's kwargs as ``y``): lifted alike.
Any other operation stays unknown (refused, or drawn generically with --skip-unknown).
"""
from __future__ import annotations

# Classes an operation call may have where the file does not say it is one (.h5, tf.keras 2).
OPERATION_CLASSES = {"TFOpLambda", "Add", "Subtract", "Multiply", "TrueDivide", "Divide", "Maximum"}
_MERGES = {"Add": "Add", "Subtract": "Subtract", "Multiply": "Multiply", "Maximum": "Maximum"}
_NUMPY_MODULE = "keras.src.ops.numpy"


def _is_tensor(value) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_TF_FUNCTIONS = {"__operators__.add": "Add", "math.add": "Add", "math.subtract": "Subtract",
                 "math.multiply": "Multiply", "math.truediv": "TrueDivide", "math.maximum": "Maximum"}


def _is_ref(value) -> bool:
    """A Keras 2 tensor reference: [layer name, node, tensor(, kwargs)]."""
    return isinstance(value, list) and len(value) in (3, 4) and isinstance(value[0], str)


def lift_operation(entry: dict, node) -> tuple[str, dict] | None:
    """(Keras layer class, config) computing this operation call, or None (also for a layer)."""
    if entry.get("class_name") == "TFOpLambda":
        return _lift_tf_op(entry, node)
    # Keras 3's .h5 drops the module: then a merge layer's call has one argument (the list of
    # its inputs) and an operation's two.
    if entry.get("module", _NUMPY_MODULE) != _NUMPY_MODULE or not isinstance(node, dict) or node.get("kwargs"):
        return None
    op, args = entry.get("class_name"), node.get("args")
    if not isinstance(args, list) or len(args) != 2:
        return None
    return _lift(op, [_is_tensor(a) for a in args], args, entry.get("name"))


def _lift_tf_op(entry: dict, node) -> tuple[str, dict] | None:
    """tf.keras 2: [[x, 0, 0, {"y": 3.0, "name": null}]]; the function in the config."""
    config = entry.get("config")
    op = _TF_FUNCTIONS.get(config.get("function")) if isinstance(config, dict) else None
    if op is None or not isinstance(node, list) or len(node) != 1 or not _is_ref(node[0]) or len(node[0]) != 4:
        return None
    kwargs = node[0][3]
    if not isinstance(kwargs, dict) or set(kwargs) - {"y", "name"} or "y" not in kwargs:
        return None
    y = kwargs["y"]
    return _lift(op, [True, _is_ref(y)], [node[0], y], config.get("name"))


def _lift(op, tensors: list[bool], args: list, name) -> tuple[str, dict] | None:
    if all(tensors):
        return (_MERGES[op], {"name": name}) if op in _MERGES else None
    if tensors.count(True) != 1 or not _is_number(args[tensors.index(False)]):
        return None
    c, tensor_first = float(args[tensors.index(False)]), tensors[0]
    scale, offset = {
        "Add": (1.0, c),
        "Subtract": (1.0, -c) if tensor_first else (-1.0, c),
        "Multiply": (c, 0.0),
        "TrueDivide": (1.0 / c, 0.0) if tensor_first and c else (None, None),
        "Divide": (1.0 / c, 0.0) if tensor_first and c else (None, None),
    }.get(op, (None, None))
    if scale is None:
        return None
    return "Rescaling", {"name": name, "scale": scale, "offset": offset}
