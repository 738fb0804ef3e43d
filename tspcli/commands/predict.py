"""`tspcli predict`: every layer's neural value for an input; the top classes of the output."""
from __future__ import annotations

import click

from ..io.inputs import PREPROCESS
from ..text import echo
from .common import (input_shape_option, json_option, load_model, max_memory_option, model_argument, print_json,
                     skip_unknown_option)

PREPROCESS_HELP = ("How image values are scaled: none (0..255), unit (x/255, default for images), "
                   "tf ([-1, 1]), caffe (BGR, ImageNet means subtracted), torch (ImageNet mean/std). "
                   ".npy/.json inputs are used as they are unless given.")

input_option = click.option("--input", "input_path", metavar="FILE",
                            help="Image (.png/.jpg), .npy or .json (flat or nested list). "
                                 "Default: a built-in sample of the input's shape.")
preprocess_option = click.option("--preprocess", type=click.Choice(PREPROCESS),
                                 default=None, help=PREPROCESS_HELP)
seed_option = click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True,
                           help="Seed of the default weights of layers without weights.")
class_names_option = click.option("--labels", "labels_file", metavar="FILE",
                                  help="Names of the output's classes, one a line (default: the model's).")
init_option = click.option("--init", type=click.Choice(["he", "keras"]), default=None,
                           help="How weights a model lacks are drawn: he (default: He/LeCun, values keep "
                                "their scale through depth) or keras (Keras' own defaults).")


def top_classes(layer, k: int, model=None, names=None) -> list[dict]:
    import numpy as np

    from ..io.class_names import class_names

    values = layer.neural_value.reshape(-1)
    labels = class_names(layer, model, names)
    order = np.argsort(-values, kind="stable")[:k]
    return [{"index": int(i), "label": labels[i] if labels else str(int(i)), "value": float(values[i])}
            for i in order]


def layer_stats(layer) -> dict:
    v = layer.neural_value
    return {"name": layer.name, "type": layer.layer_type, "shape": list(v.shape), "min": float(v.min()),
            "max": float(v.max()), "mean": float(v.mean())}


def write_npz(layers, path: str) -> None:
    import numpy as np

    from ..atomic import atomic_output

    with atomic_output(path, suffix=".npz") as tmp:
        with open(tmp, "wb") as fh:
            np.savez(fh, **{l.name: l.neural_value for l in layers})


@click.command("predict")
@model_argument
@input_option
@preprocess_option
@click.option("--output", "-o", "output", metavar="FILE.npz",
              help="Write every layer's value (no batch axis) keyed by layer name.")
@click.option("--top", "top", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many top classes of each 1-D output to print.")
@json_option
@seed_option
@init_option
@class_names_option
@max_memory_option
@skip_unknown_option
@input_shape_option
def command(model, input_path, preprocess, output, top, as_json, seed, init, labels_file, max_memory):
    """Compute the neural value of every layer of MODEL for an input.

    Prints the top classes of each 1-D output (with the labels of an Output1d);
    --output writes all values to an .npz keyed by layer name.
    """
    from ..atomic import check_writable, install_sigterm_handler
    from ..initializers import DEFAULT_INIT
    from ..io.class_names import names_for_model

    install_sigterm_handler()   # SIGTERM cleans up as Ctrl-C does: no .part left
    if output:
        check_writable(output)
    m = load_model(model, max_memory, input_path)
    names = names_for_model(labels_file, m)
    from ..io.inputs import model_inputs

    m.predict(model_inputs(m, input_path, preprocess), seed=seed, init=init or DEFAULT_INIT, strict=False)
    for name, reason in m.uncomputed.items():
        echo(f"tspcli: warning: layer '{name}' has no values: {reason}", err=True)
    computed = [l for l in m.layers if l.neural_value is not None]
    if output:
        write_npz(computed, output)
    outputs = {l.name: {"shape": list(l.output_shape),
                        "top": top_classes(l, top, m, names)
                        if len(l.output_shape) == 1 and l.neural_value is not None else []} for l in m.outputs}
    if as_json:
        print_json({"model": m.name, "input": input_path or "sample", "outputs": outputs,
                    "layers": [layer_stats(l) for l in computed], "uncomputed": m.uncomputed, "npz": output})
        return
    for name, out in outputs.items():
        if out["top"]:
            echo(f"{name}: top {len(out['top'])}")
            for t in out["top"]:
                echo(f"  {t['label']:>12}  {t['value']:.6f}   (unit {t['index']})")
        else:
            echo(f"{name}: output shape {tuple(out['shape'])}")
    if output:
        echo(f"wrote {len(computed)} layer values to {output}")
