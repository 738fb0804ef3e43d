"""`tspcli summary`: every layer with its shapes and parameter count, like Keras' model.summary()."""
from __future__ import annotations

import click

from ..text import safe
from .common import (fmt_shape, input_shape_option, json_option, load_model, max_memory_option, model_argument,
                     print_json, skip_unknown_option)


def summary_dict(model) -> dict:
    """The JSON of `summary --json` (documented in the README; keep it stable)."""
    out = {"name": model.name, "type": model.kind, "layers": model.summary_rows(),
           "total_params": model.param_count}
    if model.notes:
        out["notes"] = list(model.notes)
    return out


def summary_text(model) -> str:
    rows = [(safe(f"{r['name']} ({r['type']})"), fmt_shape(r["input_shape"]), fmt_shape(r["output_shape"]),
             f"{r['params']:,}") for r in model.summary_rows()]
    head = ("Layer (type)", "Input shape", "Output shape", "Param #")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]

    def line(cells):
        return "  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    rule = "-" * len(line(head))
    out = [safe(f'Model: "{model.name}" ({model.kind})'), rule, line(head), rule]
    out += [line(r) for r in rows]
    out += [rule, f"Total params: {model.param_count:,}", f"Layers: {len(rows)}"]
    out += [f"Note: {note}" for note in model.notes]
    return "\n".join(out)


@click.command("summary")
@model_argument
@json_option
@max_memory_option
@skip_unknown_option
@input_shape_option
def command(model, as_json, max_memory):
    """Print every layer of MODEL: name, type, input and output shape, parameters.

    MODEL is a description (YAML/JSON), a model file, or '-' for stdin.
    """
    m = load_model(model, max_memory)
    if as_json:
        print_json(summary_dict(m))
    else:
        click.echo(summary_text(m))
