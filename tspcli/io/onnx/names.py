"""Readable, unique layer names from ONNX node names.

PyTorch's exporter names nodes after the module path, one scope per level:
``/features/features.3/conv/conv.0/Conv``.  Each scope repeats its parent's
name as a prefix (``features`` -> ``features.3``), so the path reads
``features.3.conv.0``; the last part (``Conv``, ``Relu_1``) is the operator.
The dynamo exporter names nodes after the operation (``node_Conv_0``,
``conv2d_3``) and records the module paths in the node's metadata,
``pkg.torch.onnx.name_scopes = "['', 'features', 'features.3', 'conv2d_3']"``
(cumulative paths, the node's own name last): the deepest path is the name.
Other exporters' names (PaddlePaddle's ``Conv@3``, tf2onnx's
``model/conv1/Conv2D``) are kept as they are.  A node without a name is named
after its first output.
"""
from __future__ import annotations

import re

SCOPES_KEY = "pkg.torch.onnx.name_scopes"
_QUOTED = re.compile(r"'((?:[^'\\]|\\.){0,1000})'")


def dynamo_scope(metadata: dict) -> str | None:
    """The deepest module path of the dynamo exporter's name_scopes metadata (read as quoted strings,
    never evaluated), or None."""
    text = metadata.get(SCOPES_KEY)
    if not text or len(text) > 100_000:
        return None
    scopes = _QUOTED.findall(text)
    return scopes[-2] if len(scopes) >= 2 and scopes[-2] else None


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

    def __init__(self):
        self.taken: set[str] = set()

    def name(self, node_name: str, first_output: str, scope: str | None = None) -> str:
        path = module_path(node_name) if node_name else None
        if scope:
            candidates = [scope, f"{scope}.{node_name or first_output}"]
        elif path is not None:
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
