"""Names of an output's classes: ``--labels FILE`` (one name a line), an Output1d's ``outputs``, or the
model's ``labels:`` (a description's or a view's), the first that has one name per unit."""
from __future__ import annotations

from ..errors import OptionError
from . import limits

NAMES_LIMIT = 8 * 2**20        # bytes of a names file: ImageNet's 21k classes take under 1 MiB


def names_for_model(path: str | None, model) -> tuple[str, ...] | None:
    """The names in the file ``path`` (None: none given), checked against ``model``'s 1-D outputs."""
    if path is None:
        return None
    names = read_class_names(path)
    check_class_names(model, names, path)
    return names


def read_class_names(path: str) -> tuple[str, ...]:
    """The names in ``path``, one a line (surrounding spaces and a last empty line dropped)."""
    text = limits.read_text(path, NAMES_LIMIT, OptionError, "labels file")
    names = tuple(line.strip() for line in text.splitlines())
    if not names or not all(names):
        raise OptionError("a labels file holds one name on every line, and no empty lines", file=path)
    return names


def check_class_names(model, names: tuple, path: str) -> None:
    """That some 1-D output of ``model`` has one unit per name."""
    units = [layer.output_shape[-1] for layer in model.outputs if len(layer.output_shape) == 1]
    if len(names) not in units:
        raise OptionError(f"{len(names)} names for outputs of {' or '.join(map(str, units)) or 'no'} units",
                          file=path, hint="one name a line, one line per output unit")


def class_names(layer, model, given=None) -> tuple[str, ...] | None:
    """The names of ``layer``'s units: ``given`` (a file's), its own ``outputs``, the model's ``labels``."""
    units = layer.output_shape[-1]
    own = (getattr(layer, "config", None) or {}).get("outputs")
    for names in (given, own, (getattr(model, "options", None) or {}).get("labels")):
        if names is not None and len(names) == units:
            return tuple(names)
    return None
