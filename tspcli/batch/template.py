"""Output names from a template such as ``{stem}.png`` or ``{parent}/{stem}_{layer}.png``.

Fields (Python format syntax, so ``{index:03d}`` works):

* ``stem``   the model's file name without its extension (a folder model: the folder's name)
* ``parent`` the name of the folder that holds the model
* ``input``  the input file's name without its extension, or ``sample`` for the built-in sample
* ``index``  the job's number, from 1, in the order the jobs were listed
* ``layer``  a layer's name: the template then makes one job per layer that can open; a still
             shows that layer open, an animation without a timeline of its own plays it opening

A path separator inside a value (a layer named ``block1/conv``) becomes ``_``,
so a field never adds folders of its own.
"""
from __future__ import annotations

import os
import string

from ..errors import OptionError

FIELDS = ("stem", "parent", "input", "index", "layer")
DEFAULT = "{stem}.png"


def fields_of(template: str, where: str = "output template") -> set[str]:
    """The field names ``template`` uses; unknown or malformed fields are an OptionError."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise OptionError(f"{where} '{template}': {exc}", hint="write {{ and }} for literal braces") from None
    names = {name for _, name, _, _ in parsed if name is not None}
    for name in names:
        if name not in FIELDS:
            raise OptionError(f"{where} '{template}': unknown field {{{name}}}",
                              hint="fields: " + ", ".join("{" + f + "}" for f in FIELDS))
    return names


def stem_of(path: str) -> str:
    base = os.path.basename(os.path.normpath(path))
    return base if os.path.isdir(path) else os.path.splitext(base)[0]


def fill(template: str, *, model: str, input: str | None, index: int, layer: str | None = None,
         where: str = "output template") -> str:
    """The output name of one job."""
    values = {"stem": stem_of(model),
              "parent": os.path.basename(os.path.dirname(os.path.abspath(model))),
              "input": stem_of(input) if input else "sample",
              "layer": layer or ""}
    values = {k: v.replace("/", "_").replace(os.sep, "_") for k, v in values.items()}
    try:
        name = template.format(index=index, **values)
    except (ValueError, TypeError) as exc:   # e.g. {stem:03d}
        raise OptionError(f"{where} '{template}': {exc}") from None
    if not name or name.endswith(("/", os.sep)):
        raise OptionError(f"{where} '{template}' gives no file name for {model}")
    return name
