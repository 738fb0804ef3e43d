"""`tspcli convert`: a model file (or view) -> an editable description and its weights."""
from __future__ import annotations

import os

import click

from ..text import echo
from .common import (input_shape_option, load_model, max_memory_option, model_argument, show_all_option,
                     skip_unknown_option)


@click.command("convert")
@model_argument
@click.option("-o", "--output", required=True, metavar="FILE.yaml",
              help="The description to write (.yaml/.yml, or .json).")
@click.option("--weights", "weights", metavar="FILE.npz",
              help="Where the weights go, keyed '<layer>/<weight>' (default: beside the description, .npz).")
@skip_unknown_option
@show_all_option
@input_shape_option
@max_memory_option
def command(model, output, weights, max_memory):
    """Write the description of MODEL (a .h5, .keras, TF.js or ONNX model, or a view) and its weights.

    The description names the weights file, so that summary, predict and render
    of the description give what they give for MODEL.  Example:

    \b
        tspcli convert lenet.h5 -o lenet.yaml     # writes lenet.yaml and lenet.npz
    """
    from ..atomic import atomic_output, check_writable, install_sigterm_handler
    from ..engine import ensure_weights
    from ..errors import OptionError
    from ..io.write_description import description_of, description_text, relative_to, weights_of

    install_sigterm_handler()   # SIGTERM cleans up as Ctrl-C does: no .part left
    fmt = _format(output)
    weights = weights or os.path.splitext(output)[0] + ".npz"
    if not weights.lower().endswith(".npz"):
        raise OptionError(f"cannot write weights to '{weights}': they go to an .npz",
                          hint="use --weights NAME.npz")
    if os.path.abspath(weights) == os.path.abspath(output):
        raise OptionError("the description and the weights need different files")
    check_writable(output)
    check_writable(weights)
    m = load_model(model, max_memory)
    ensure_weights(m)  # a description without weights: the seeded defaults it computes with
    import numpy as np

    arrays = weights_of(m)
    if not arrays:  # nothing to keep (e.g. only resizes): an empty .npz could not be loaded back
        with atomic_output(output) as text_tmp, open(text_tmp, "w", encoding="utf-8") as fh:
            fh.write(description_text(description_of(m), model, fmt))
        echo(f"wrote {output} ({len(m.layers)} layers; the model has no weights, so no {weights})")
        return
    text = description_text(description_of(m, relative_to(weights, output)), model, fmt)
    # both are written before either is renamed into place: an interruption leaves neither
    with atomic_output(weights, suffix=".npz") as weights_tmp, atomic_output(output) as text_tmp:
        with open(weights_tmp, "wb") as fh:
            np.savez(fh, **arrays)
        with open(text_tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    echo(f"wrote {output} ({len(m.layers)} layers) and {weights}")


def _format(output: str) -> str:
    from ..errors import OptionError

    ext = os.path.splitext(output)[1].lower()
    if ext in (".yaml", ".yml"):
        return "yaml"
    if ext == ".json":
        return "json"
    raise OptionError(f"cannot write '{output}': convert writes a description (.yaml, .yml or .json)",
                      hint="use -o NAME.yaml")
