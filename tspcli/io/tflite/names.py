"""Readable, unique layer names from TensorFlow Lite tensor names.

The converter names a tensor after the TensorFlow ops fused into it, joined by
``;`` (``model/conv2d/Relu;model/conv2d/BiasAdd;model/conv2d/Conv2D``); the
part a user knows is the Keras layer in the middle (``conv2d``).  Inputs and
outputs carry the signature's names (``serving_default_input_1:0``,
``StatefulPartitionedCall:0``), which say nothing: an output is named after
its operator instead.
"""
from __future__ import annotations

import re

_MEANINGLESS = re.compile(r"^(StatefulPartitionedCall|PartitionedCall|Identity|arith\.constant|tfl\.\w+)"
                          r"(_\d+)?$")


def readable_name(tensor_name: str, op: str) -> str:
    """``model/block_1/conv/Relu6;...`` -> ``block_1.conv``; meaningless names -> the operator's."""
    first = tensor_name.split(";")[0].strip()
    first = re.sub(r":\d+$", "", first)
    first = re.sub(r"^serving_default_", "", first)
    parts = [p for p in first.split("/") if p]
    if len(parts) >= 3:
        parts = parts[1:-1]  # the model's scope and the TensorFlow op
    elif len(parts) == 2:
        parts = parts[:1]
    name = ".".join(parts)  # not "/": the scene keys its items "<layer>/<part>"
    if not name or _MEANINGLESS.match(name):
        name = op.lower()
    return name


class UniqueNames:
    """Hands out each name once: later ones get ``_2``, ``_3`` ..."""

    def __init__(self):
        self.taken: set[str] = set()

    def __call__(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.taken:
            n += 1
            candidate = f"{name}_{n}"
        self.taken.add(candidate)
        return candidate
