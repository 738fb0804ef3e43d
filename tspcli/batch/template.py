"""Output names from a template such as ``{stem}.png`` or ``{parent}/{stem}_{layer}.png``.

Fields (Python format syntax, so ``{index:03d}`` works):

* ``stem``   the model's file name without its extension (a folder model: the folder's name)
* ``parent`` the name of the folder that holds the model
* ``input``  the input file's name without its extension, or ``sample`` for the built-in sample
* ``index``  the job's number, from 1, in the order the jobs were listed
* ``layer``  a layer's name: the template then makes one job per layer that can open; a still
             shows that layer open, an animation without a timeline of its own plays it opening

A format spec is a width of at most two digits with an optional fill and
alignment (``{stem:>20}``, ``{index:03d}``); nothing else, so a template cannot
ask for a gigabyte of padding, an attribute or a conversion.

Values come from files (a layer's name is whatever the model file says), so each
becomes a plain file name before it is used (``safe_name``): every character
that is not printable or is one of ``/ \\ % :`` becomes ``_`` (a field never adds
folders, frame patterns or drive letters), a leading ``.`` becomes ``_`` (so
``.``, ``..`` and hidden names cannot occur), an empty value is ``_``, and a
value longer than 64 bytes is cut to 55 and ends in ``~`` and 8 hex digits of
its hash, so two long names that differ stay different.  Layers of one model
whose names still come out the same (``a/b`` and ``a_b``) each get that suffix
(``distinct_names``).  The rule is idempotent: a safe name stays as it is.
"""
from __future__ import annotations

import hashlib
import os
import re
import string

from ..errors import OptionError

FIELDS = ("stem", "parent", "input", "index", "layer")
DEFAULT = "{stem}.png"
MAX_VALUE_BYTES = 64
NAME_MAX = 255            # bytes in one file name on Linux, macOS and Windows file systems
_SPEC = re.compile(r"(?:[^{}]?[<>^=])?0?\d{0,2}[ds]?")
_UNSAFE = re.compile(r"[/\\%:]")


def fields_of(template: str, where: str = "output template") -> set[str]:
    """The field names ``template`` uses; unknown or malformed fields and specs are an OptionError."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise OptionError(f"{where} '{template}': {exc}", hint="write {{ and }} for literal braces") from None
    names = set()
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS:
            raise OptionError(f"{where} '{template}': unknown field {{{name}}}",
                              hint="fields: " + ", ".join("{" + f + "}" for f in FIELDS))
        if conversion is not None or not _SPEC.fullmatch(spec or ""):
            shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
            raise OptionError(f"{where} '{template}': {shown} is not a simple field",
                              hint="a spec is a width up to 99 with an optional fill and alignment, "
                                   "e.g. {index:03d} or {stem:>20}")
        names.add(name)
    return names


def safe_name(value: str) -> str:
    """``value`` as one plain file name (the rule in this module's docstring)."""
    name = "".join("_" if not ch.isprintable() else ch for ch in _UNSAFE.sub("_", value))
    if name.startswith("."):
        name = "_" + name[1:]
    if len(name.encode("utf-8", "surrogatepass")) > MAX_VALUE_BYTES:
        name = _with_hash(name, value)
    return name or "_"


def distinct_names(names: list[str]) -> dict[str, str]:
    """Each of ``names`` as a safe name, those that would coincide told apart by their hash."""
    safe = {name: safe_name(name) for name in names}
    counts = {}
    for value in safe.values():
        counts[value] = counts.get(value, 0) + 1
    return {name: _with_hash(value, name) if counts[value] > 1 else value for name, value in safe.items()}


def _with_hash(name: str, original: str) -> str:
    digest = hashlib.sha1(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    cut = name.encode("utf-8", "surrogatepass")[:MAX_VALUE_BYTES - 9].decode("utf-8", "ignore")
    return f"{cut}~{digest}"


def stem_of(path: str) -> str:
    base = os.path.basename(os.path.normpath(path))
    return base if os.path.isdir(path) else os.path.splitext(base)[0]


def fill(template: str, *, model: str, input: str | None, index: int, layer: str | None = None,
         where: str = "output template") -> str:
    """The output name of one job."""
    fields_of(template, where)
    values = {"stem": stem_of(model),
              "parent": os.path.basename(os.path.dirname(os.path.abspath(model))),
              "input": stem_of(input) if input else "sample",
              "layer": layer or ""}
    values = {k: safe_name(v) for k, v in values.items()}
    try:
        name = template.format(index=index, **values)
    except (ValueError, TypeError) as exc:   # e.g. {stem:03d}
        raise OptionError(f"{where} '{template}': {exc}") from None
    if not name.rstrip("/" + os.sep):       # "frames/" names a folder of frames
        raise OptionError(f"{where} '{template}' gives no file name for {model}")
    too_long = [part for part in name.split("/") if len(part.encode("utf-8", "surrogatepass")) > NAME_MAX]
    if too_long:
        raise OptionError(f"{where} '{template}' gives a file name of more than {NAME_MAX} bytes "
                          f"for {model}", hint="use fewer or shorter fields")
    return name


def check_inside(output: str, out_dir: str, where: str) -> None:
    """Refuse an ``output`` that is not inside ``out_dir`` once ``..`` and symbolic links are resolved."""
    root = os.path.realpath(out_dir)
    if os.path.commonpath([root, os.path.realpath(output)]) != root:
        raise OptionError(f"{where}: '{output}' is outside --out '{out_dir}'",
                          hint="give --allow-outside to let a jobs file write there")
