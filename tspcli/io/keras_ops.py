"""``keras.ops`` calls in a Keras 3 functional graph, as the layers that compute them.

Keras applications write arithmetic on tensors (MobileNetV3's hard sigmoid is
``ReLU(6)(x + 3) * (1 / 6)``); Keras 3 stores each such call as an operation
of ``keras.src.ops.numpy`` with its constant operands in the call's ``args``.
Arithmetic of one tensor and one number is a Rescaling (``x * scale + offset``,
exact in float32 for +, - and *; division by c becomes a product with 1/c, within
one rounding); arithmetic of two tensors is the merge layer of the same name.
Any other operation stays unknown (refused, or drawn generically with --skip-unknown).
"""
from __future__ import annotations

_MERGES = {"Add": "Add", "Subtract": "Subtract", "Multiply": "Multiply", "Maximum": "Maximum"}
_NUMPY_MODULE = "keras.src.ops.numpy"


def _is_tensor(value) -> bool:
    return isinstance(value, dict) and value.get("class_name") == "__keras_tensor__"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def lift_operation(entry: dict, node) -> tuple[str, dict] | None:
    """(Keras layer class, config) computing this operation call, or None."""
    if entry.get("module") != _NUMPY_MODULE or not isinstance(node, dict) or node.get("kwargs"):
        return None
    op, args = entry.get("class_name"), node.get("args")
    if not isinstance(args, list) or len(args) != 2:
        return None
    tensors = [_is_tensor(a) for a in args]
    if all(tensors):
        return (_MERGES[op], {"name": entry.get("name")}) if op in _MERGES else None
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
    return "Rescaling", {"name": entry.get("name"), "scale": scale, "offset": offset}
