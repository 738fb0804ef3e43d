"""Readable, unique layer names from ONNX node names.

PyTorch's exporter names nodes after the module path, one scope per level:
``/features/features.3/conv/conv.0/Conv``.  Each scope repeats its parent's
name as a prefix (``features`` -> ``features.3``), so the path reads
``features.3.conv.0``; the last part (``Conv``, ``Relu_1``) is the operator.
Other exporters' names (PaddlePaddle's ``Conv@3``, tf2onnx's
``model/conv1/Conv2D``) are kept as they are.  A node without a name is named
after its first output.
"""
from __future__ import annotations


def module_path(node_name: str) -> str | None:
    """``/features/features.3/conv/conv.0/Conv`` -> ``features.3.conv.0``; None if not torch's form."""
    if not node_name.startswith("/"):
        return None
    scopes = [s for s in node_name.split("/")[1:-1] if s]
    path: list[str] = []
    for scope in scopes:
        if path and scope.startswith(path[-1] + "."):
            path[-1] = scope  # a child of the previous scope, named with its parent's prefix
        else:
            path.append(scope)
    return ".".join(path)


class Namer:
    """Hands out unique layer names; the first node to claim a name keeps it."""

    def __init__(self, reserved=()):
        self.taken: set[str] = set(reserved)

    def name(self, node_name: str, first_output: str) -> str:
        path = module_path(node_name) if node_name else None
        if path is not None:
            op = node_name.rsplit("/", 1)[-1]
            base = path or op
            candidates = [base, f"{base}.{op}"] if path else [base]
        else:
            candidates = [node_name or first_output]
        for candidate in candidates:
            if candidate and candidate not in self.taken:
                self.taken.add(candidate)
                return candidate
        base, n = candidates[-1], 1
        while f"{base}_{n}" in self.taken:
            n += 1
        self.taken.add(f"{base}_{n}")
        return f"{base}_{n}"
