"""Options and helpers shared by commands."""
from __future__ import annotations

import json
import re
import sys
from decimal import Decimal

import click

from ..errors import OptionError
from ..model import DEFAULT_MAX_MEMORY

UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 10**3, "kib": 2**10, "m": 2**20, "mb": 10**6, "mib": 2**20,
         "g": 2**30, "gb": 10**9, "gib": 2**30, "t": 2**40, "tb": 10**12, "tib": 2**40}


MAX_BYTES = 2**60  # an exbibyte: beyond any machine, and far from float and int64 limits


def parse_bytes(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(text)[:1000])
    if not m or m.group(2).lower() not in UNITS:
        raise OptionError(f"--max-memory: cannot read {str(text)[:40]!r}", hint="e.g. 4GiB, 512MB, 2G")
    value = int(Decimal(m.group(1)) * UNITS[m.group(2).lower()])  # exact: no float overflow
    if value > MAX_BYTES:
        raise OptionError(f"--max-memory: {str(text)[:40]} is more than {MAX_BYTES // 2**60} EiB",
                          hint="e.g. 4GiB, 512MB, 2G")
    return value


model_argument = click.argument("model", metavar="MODEL", type=str)

max_memory_option = click.option(
    "--max-memory", default="4GiB", show_default=True, metavar="SIZE",
    help="Refuse models whose weights and activations need more memory than this (e.g. 512MB, 8GiB).")

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts instead of text.")


_FILE_OPTIONS = "tspcli.model_file_options"


def _remember(ctx, param, value):
    """Keep a model-file flag for load_model, so commands need not pass it along."""
    ctx.meta.setdefault(_FILE_OPTIONS, {})[param.name] = value


skip_unknown_option = click.option(
    "--skip-unknown", is_flag=True, expose_value=False, callback=_remember,
    help="Model files: take layers of classes tspcli does not know (Lambda, custom layers) as generic "
         "layers of their shape instead of failing; their values pass through only if the size is kept.")

show_all_option = click.option(
    "--show-all", is_flag=True, expose_value=False, callback=_remember,
    help="Views (model: {load: FILE}): also draw the file's layers that the view does not list.")


def _remember_input_shape(ctx, param, value):
    from ..io.inputs import parse_input_shape

    _remember(ctx, param, parse_input_shape(value))


input_shape_option = click.option(
    "--input-shape", metavar="H,W,C", expose_value=False, callback=_remember_input_shape,
    help="ONNX and TensorFlow Lite models: the size of the input's dynamic dimensions, channels last (default: the size of "
         "--input).")


def load_model(path: str, max_memory: str | None = None, input_path: str | None = None, input_shape=None):
    """``tspcli.load`` with the command's --max-memory, --skip-unknown, --show-all and --input-shape;
    without --input-shape, an ONNX model's dynamic sizes are those of ``input_path``."""
    from ..io.inputs import natural_shape
    from ..loading import load

    limit = parse_bytes(max_memory) if max_memory is not None else DEFAULT_MAX_MEMORY
    ctx = click.get_current_context(silent=True)
    file_options = dict(ctx.meta.get(_FILE_OPTIONS, {})) if ctx is not None else {}
    shape = file_options.get("input_shape") or input_shape or natural_shape(input_path)
    file_options["input_shape"] = shape
    return load(path, max_memory=limit, **file_options)


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2)
    sys.stdout.write("\n")


def fmt_shape(shape) -> str:
    if shape is None:
        return "-"
    if shape and isinstance(shape[0], (list, tuple)):
        return ", ".join(fmt_shape(s) for s in shape)
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
