"""The steps of a timeline as users write them: ``open:a+b:500`` on the command line, or
``{open: [a, b], ms: 500}`` in a description; read into (action, value, ms), checked for form only
(what the names mean is the player's business, in ``timeline``)."""
from __future__ import annotations

import math

ACTIONS = ("open", "close", "wait", "orbit", "explain", "open-all")


class BadStep(Exception):
    """A step written wrongly; its message says how."""


def read_step(item) -> tuple[str, object, float | None]:
    """(action, value, ms) from ``open:a+b:500`` or ``{open: [a, b], ms: 500}``."""
    if isinstance(item, str):
        return _read_text_step(item.strip())
    if isinstance(item, dict):
        return _read_mapping_step(item)
    raise BadStep(f"expected a string or a mapping, not {type(item).__name__}")


def _read_text_step(text: str):
    if text == "open-all":
        return "open-all", None, None
    verb, _, rest = text.partition(":")
    if verb not in ACTIONS or verb == "open-all":
        raise BadStep(f"unknown action '{verb}' (use open:LAYER, close:LAYER, wait:MS, "
                       f"orbit:DEGREES, explain:LAYER, open-all)")
    if not rest:
        raise BadStep(f"'{verb}' needs a value, e.g. {_EXAMPLES[verb]}")
    parts = rest.split(":")
    most = 1 if verb == "wait" else 2
    if len(parts) > most:
        raise BadStep(f"too many ':' parts (e.g. {_EXAMPLES[verb]})")
    ms = _ms(parts[1], "ms") if len(parts) == 2 else None
    if verb in ("open", "close"):
        return verb, _names(parts[0].split("+")), ms
    if verb == "explain":
        return verb, _names([parts[0]])[0], ms
    if verb == "wait":
        return verb, _ms(parts[0], "wait"), None
    return verb, _number(parts[0], "orbit degrees"), ms


_EXAMPLES = {"open": "open:dw1 or open:dw1+dw2:800", "close": "close:dw1 or close:all",
             "wait": "wait:500", "orbit": "orbit:360 or orbit:360:4000",
             "explain": "explain:dw1 or explain:dw1:12000"}


def _read_mapping_step(item: dict):
    actions = [key for key in item if key in ACTIONS[:5]]
    unknown = [str(key) for key in item if key not in ACTIONS[:5] and key != "ms"]
    if unknown:
        raise BadStep(f"unknown key '{unknown[0]}' (use one of open, close, wait, orbit, explain, "
                       f"and ms)")
    if len(actions) != 1:
        raise BadStep("needs exactly one of open, close, wait, orbit, explain" if not actions else
                       f"has {' and '.join(actions)}; give one action per step")
    verb = actions[0]
    value = item[verb]
    ms = _ms(item["ms"], "ms") if "ms" in item else None
    if verb == "wait":
        if ms is not None:
            raise BadStep("'wait' takes its time as its value (wait: 500), not 'ms'")
        return verb, _ms(value, "wait"), None
    if verb == "orbit":
        return verb, _number(value, "orbit degrees"), ms
    if verb == "explain":
        return verb, _names([value])[0], ms
    names = value if isinstance(value, list) else [value]
    return verb, _names(names), ms


def _names(names: list) -> list[str]:
    if not names or any(not isinstance(n, str) or not n.strip() for n in names):
        raise BadStep(f"expected layer names, got {names!r}")
    return [n.strip() for n in names]


def _number(value, what: str) -> float:
    if isinstance(value, bool):
        raise BadStep(f"{what} must be a number, not {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadStep(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(number):
        raise BadStep(f"{what} must be finite, not {value!r}")
    return number


def _ms(value, what: str) -> float:
    number = _number(value, what)
    if number < 0:
        raise BadStep(f"{what} must be >= 0 ms, not {value!r}")
    return number
