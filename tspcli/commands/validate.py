"""`tspcli validate`: check descriptions or model files, one line per problem."""
from __future__ import annotations

import sys

import click

from ..errors import TspError
from ..text import echo
from .common import input_shape_option, json_option, load_model, max_memory_option, print_json, skip_unknown_option


@click.command("validate")
@click.argument("models", nargs=-1, required=True, metavar="MODEL...")
@json_option
@max_memory_option
@skip_unknown_option
@input_shape_option
def command(models, as_json, max_memory):
    """Check each MODEL (description or model file); exit 0 if all are valid, 2 otherwise.

    Problems are printed one per line as FILE:LINE: layer 'NAME', key 'KEY': what is wrong.
    """
    results = []
    for path in models:
        try:
            m = load_model(path, max_memory)
        except TspError as exc:
            problems = [str(e) for e in getattr(exc, "errors", [exc])]
            results.append({"file": path, "ok": False, "error": problems[0], "errors": problems})
            if not as_json:
                for line in problems:
                    echo(line, err=True)
        else:
            results.append({"file": path, "ok": True, "layers": len(m.layers), "params": m.param_count})
            if not as_json:
                echo(f"{path}: ok ({len(m.layers)} layers, {m.param_count:,} params)")
    if as_json:
        print_json({"valid": all(r["ok"] for r in results), "files": results})
    if not all(r["ok"] for r in results):
        sys.exit(2)
