"""Layer parameters: declaration, coercion of user values, key aliases.

A layer class declares its parameters once as ``Param`` objects; the same
declaration validates a description, fills defaults and prints the parameter
table of ``tspcli layers TYPE``.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import SpecError, TspError, did_you_mean

REQUIRED = object()  # sentinel: the parameter has no default


def _fail(message: str, hint: str | None = None):
    raise SpecError(message, hint=hint)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def positive_int(v, what="value"):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if not _is_int(v) or v <= 0:
        _fail(f"{what} must be a positive integer, got {v!r}")
    return v


def nonneg_int(v, what="value"):
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if not _is_int(v) or v < 0:
        _fail(f"{what} must be a non-negative integer, got {v!r}")
    return v


def tuple_of(n: int, item: Callable) -> Callable:
    """An int (repeated n times) or a list of exactly n items."""

    def coerce(v):
        if isinstance(v, (list, tuple)):
            if len(v) != n:
                _fail(f"expected {n} value{'s' if n > 1 else ''}, got {len(v)}: {list(v)!r}")
            return tuple(item(x) for x in v)
        return (item(v),) * n

    return coerce


def padding_mode(*allowed: str) -> Callable:
    def coerce(v):
        if not isinstance(v, str) or v.lower() not in allowed:
            _fail(f"must be one of {', '.join(allowed)}, got {v!r}")
        return v.lower()

    return coerce


def conv_padding(rank: int, *modes: str) -> Callable:
    """A padding mode, or (2-D layers) explicit zeros [[top, bottom], [left, right]] as ONNX
    and PyTorch models pad; returned as a mode string or ((top, bottom), (left, right))."""
    mode = padding_mode(*modes)

    def coerce(v):
        if isinstance(v, str) or rank != 2:
            return mode(v)
        if isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, (list, tuple)) for x in v):
            return tuple(tuple_of(2, lambda n: nonneg_int(n, "every padding entry"))(x) for x in v)
        _fail(f"must be one of {', '.join(modes)} or [[top, bottom], [left, right]], got {v!r}")

    return coerce


def per_axis(padding, rank: int) -> tuple:
    """A layer's padding for each spatial axis: the mode repeated, or the explicit pairs."""
    return (padding,) * rank if isinstance(padding, str) else tuple(padding)


def choice(*allowed: str) -> Callable:
    def coerce(v):
        if not isinstance(v, str):
            _fail(f"must be one of {', '.join(allowed)}, got {v!r}")
        for a in allowed:
            if v.lower() == a.lower():
                return a
        _fail(f"must be one of {', '.join(allowed)}, got {v!r}")

    return coerce


def axis(v):
    """An axis index; Keras stores some as a one-element list."""
    if isinstance(v, (list, tuple)) and len(v) == 1:
        v = v[0]
    if not _is_int(v):
        _fail(f"must be an integer axis, got {v!r}")
    return v


def boolean(v):
    if not isinstance(v, bool):
        _fail(f"must be true or false, got {v!r}")
    return v


def number(v):
    """A finite number (NaN, infinities and ints beyond float range are refused)."""
    try:
        if _is_number(v) and math.isfinite(float(v)):
            return float(v)
    except OverflowError:
        pass
    _fail(f"must be a finite number, got {_short(v)}")


def positive_number(v):
    if not _is_number(v) or number(v) <= 0:
        _fail(f"must be a positive number, got {_short(v)}")
    return float(v)


def fraction(v):
    """A number from 0 to 1 (an opacity)."""
    if not 0 <= number(v) <= 1:
        _fail(f"must be a number from 0 to 1, got {_short(v)}")
    return float(v)


MAX_ANIME_MS = 3_600_000  # an hour: longer steps are typos, and frames are counted from it


def duration_ms(v):
    """An animation time in ms: positive, at most MAX_ANIME_MS."""
    if positive_number(v) > MAX_ANIME_MS:
        _fail(f"must be at most {MAX_ANIME_MS:,} ms (an hour), got {_short(v)}")
    return float(v)


def _short(v) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def optional(coerce: Callable) -> Callable:
    def wrapped(v):
        return None if v is None else coerce(v)

    return wrapped


def shape(v):
    """An output shape: a list of positive ints (an int for 1-D); a leading null batch axis is dropped."""
    if _is_int(v):
        return (positive_int(v, "shape"),)
    if not isinstance(v, (list, tuple)) or not v:
        _fail(f"shape must be a list of positive integers, got {v!r}")
    items = list(v)
    if items[0] is None:  # Keras batch_input_shape
        items = items[1:]
    return tuple(positive_int(x, "every shape entry") for x in items)


def target_shape(v):
    if _is_int(v):
        v = [v]
    if not isinstance(v, (list, tuple)) or not v:
        _fail(f"must be a list of integers, got {v!r}")
    out = []
    for x in v:
        if x == -1:
            out.append(-1)
        else:
            out.append(positive_int(x, "every entry (or -1)"))
    if out.count(-1) > 1:
        _fail(f"at most one entry may be -1, got {list(v)!r}")
    return tuple(out)


HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


def color(v):
    if not isinstance(v, str) or not HEX.match(v):
        _fail(f"must be a colour like '#FBBF1F', got {v!r}")
    if len(v) == 4:
        v = "#" + "".join(c * 2 for c in v[1:])
    return v.upper()


def close_button(v):
    """TensorSpace's {display, ratio}; a bare boolean sets display."""
    if isinstance(v, bool):
        return {"display": v, "ratio": 1.0}
    if not isinstance(v, dict):
        _fail(f"must be {{display: true|false, ratio: number}}, got {v!r}")
    unknown = set(v) - {"display", "ratio"}
    if unknown:
        _fail(f"unknown closeButton key(s): {', '.join(sorted(unknown))} (known: display, ratio)")
    return {"display": boolean(v.get("display", True)), "ratio": positive_number(v.get("ratio", 1))}


def string_list(v):
    if not isinstance(v, (list, tuple)) or not all(isinstance(x, (str, int, float)) for x in v):
        _fail(f"must be a list of labels, got {v!r}")
    return tuple(str(x) for x in v)


def names(v):
    """A layer name or a list of names (functional `apply`, model inputs/outputs)."""
    if isinstance(v, str):
        return (v,)
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, str) for x in v):
        return tuple(v)
    _fail(f"must be a layer name or a list of layer names, got {v!r}")


def activation(v):
    from ..activations import ACTIVATIONS, known_name

    if v is None:
        return None
    if not isinstance(v, str):
        _fail(f"must be an activation name, got {v!r}")
    key = known_name(v)
    if key is None:
        _fail(f"unknown activation {v!r}", hint=did_you_mean(v, ACTIVATIONS, what="known", key=str.lower))
    return key


@dataclass(frozen=True)
class Param:
    """One configuration key of a layer, as documented by `tspcli layers TYPE`."""

    name: str
    coerce: Callable[[Any], Any]
    default: Any = REQUIRED
    doc: str = ""
    type_doc: str = ""
    aliases: tuple = field(default_factory=tuple)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def snake_to_camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def coerce_keys(raw: dict, params: dict[str, Param], owner: str) -> dict:
    """Validate a mapping of user keys (any accepted spelling) into canonical keys with defaults."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        name = resolve_key(str(key), params, owner)
        if name in out:
            raise SpecError(f"key given twice (also as '{name}')", key=str(key))
        try:
            out[name] = params[name].coerce(value)
        except TspError as exc:
            raise exc.located(key=str(key))
    for name, p in params.items():
        if name not in out:
            if p.required:
                raise SpecError(f"missing required key for {owner}", key=name, hint=p.doc or None)
            out[name] = copy.copy(p.default)
    return out


def resolve_key(key: str, params: dict[str, Param], owner: str) -> str:
    """Canonical name of ``key``: itself, its camelCase form or a declared alias."""
    if key in params:
        return key
    camel = snake_to_camel(key)
    if camel in params:
        return camel
    for p in params.values():
        if key in p.aliases or camel in p.aliases:
            return p.name
    raise SpecError(f"unknown key for {owner}", key=key, hint=did_you_mean(camel, params, what="known keys"))
