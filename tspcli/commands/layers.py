"""`tspcli layers [TYPE]`: the layer catalogue, or one layer's parameter table."""
from __future__ import annotations

import inspect

import click

from .common import json_option, print_json


def _first_sentence(doc: str) -> str:
    """The first sentence, up to a ': ' that is not inside brackets ("joined along axis (default: ...)")."""
    sentence, depth = doc.split(". ")[0], 0
    for i, ch in enumerate(sentence):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth == 0 and sentence.startswith(": ", i):
            sentence = sentence[:i]
            break
    return sentence.rstrip(".")


def _default_text(p) -> str:
    from ..layers.params import REQUIRED

    if p.default is REQUIRED:
        return "required"
    d = p.default
    if isinstance(d, tuple):
        d = list(d)
    return "-" if d is None else str(d)


def layer_doc(cls) -> dict:
    from ..layers.base import COMMON_PARAMS

    own = {p.name for p in cls.PARAMS}
    return {
        "type": cls.layer_type,
        "doc": " ".join(inspect.getdoc(cls).replace("``", "").split()),
        "color": cls.default_color,
        "params": [{"name": p.name, "type": p.type_doc, "default": _default_text(p), "meaning": p.doc,
                    "common": p.name not in own} for p in (*cls.PARAMS, *COMMON_PARAMS)],
        "weights": [{"name": n, "shape": s} for n, s in cls.WEIGHT_DOCS],
        "aliases": aliases_of(cls.layer_type),
    }


def aliases_of(layer_type: str) -> list[str]:
    from ..layers import ALIASES

    return sorted(k for k, (t, _) in ALIASES.items() if t == layer_type)


def _table(rows, head) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, rows)])


@click.command("layers")
@click.argument("layer_type", required=False, metavar="[TYPE]")
@json_option
def command(layer_type, as_json):
    """List every layer type, or show TYPE's parameters (name, type, default, meaning).

    TYPE is matched case-insensitively and Keras names work too (DepthwiseConv2D).
    """
    from ..layers import CATALOGUE, resolve_type

    if layer_type is None:
        docs = [layer_doc(cls) for cls in CATALOGUE.values()]
        if as_json:
            print_json(docs)
            return
        click.echo(_table([[d["type"], d["color"], _first_sentence(d["doc"])] for d in docs],
                          ["Type", "Colour", "What it does"]))
        click.echo("\nRun `tspcli layers TYPE` for a layer's parameters.")
        return
    cls, _ = resolve_type(layer_type, {"shape": [1, 1, 1]})
    d = layer_doc(cls)
    if as_json:
        print_json(d)
        return
    click.echo(f"{d['type']}  (colour {d['color']})\n\n{d['doc']}\n")
    own = [p for p in d["params"] if not p["common"]]
    if own:
        click.echo(_table([[p["name"], p["type"], p["default"], p["meaning"]] for p in own],
                          ["Parameter", "Type", "Default", "Meaning"]))
    if d["weights"]:
        click.echo("\nWeights (keys '<layer name>/<weight>' in a weights .npz):")
        click.echo(_table([[w["name"], w["shape"]] for w in d["weights"]], ["Weight", "Shape"]))
    click.echo("\nEvery layer also takes:")
    click.echo(_table([[p["name"], p["type"], p["default"], p["meaning"]] for p in d["params"] if p["common"]],
                      ["Parameter", "Type", "Default", "Meaning"]))
    if d["aliases"]:
        click.echo("\nAlso accepted as type: " + ", ".join(d["aliases"]))
