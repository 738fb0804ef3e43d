"""Activation names a layer may carry (validated here; computed in tspcli.activations)."""
from __future__ import annotations

import difflib

from ..errors import SpecError

KNOWN = (
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "hard_sigmoid",
    "tanh", "softmax", "log_softmax", "softplus", "softsign", "silu", "gelu",
    "exponential", "hard_silu",
)
ALIASES = {"swish": "silu", "hard_swish": "hard_silu", "leakyrelu": "leaky_relu",
           "none": "linear", "identity": "linear"}


def canonical_activation(name: str) -> str:
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key in KNOWN:
        return key
    close = difflib.get_close_matches(key, KNOWN, n=1)
    hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(KNOWN)
    raise SpecError(f"unknown activation {name!r}", hint=hint)
