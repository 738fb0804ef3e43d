"""Descriptions (YAML or JSON, same structure) -> a Model, with file:line in every error.

The document is parsed (``tspcli.io.document``: bounded, plain data only) into
dicts and lists that remember the line of every key, so a problem with
``kernelSize`` of layer ``dw1`` is reported at the line where it was written.
"""
from __future__ import annotations

import os
import sys

from .errors import SpecError, SpecErrors, TspError
from .io import limits
from .io.document import LineList, parse_document  # noqa: F401 - parse_document: spec's public entry

TOP_KEYS = ("model", "layers", "timeline")
_MODEL_FILE_SIGNATURES = (b"\x89HDF", b"PK\x03\x04", b"PK\x05\x06")


def read_text(path: str) -> tuple[str, str]:
    """(text, name for messages) of a file, or of stdin for '-', at most TEXT_LIMIT bytes."""
    if path != "-":
        return limits.read_text(path, limits.TEXT_LIMIT, SpecError, "description"), path
    if sys.stdin.isatty():
        raise SpecError("reading a description from stdin ('-'), but stdin is a terminal",
                        hint="pipe a description in, e.g. cat model.yaml | tspcli summary -")
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream (tests, embedding)
        text = sys.stdin.read(limits.TEXT_LIMIT + 1)
        limits.check_size(len(text), limits.TEXT_LIMIT, SpecError, "<stdin>", "the description")
        return text, "<stdin>"
    data = limits.read_stream(stream, limits.TEXT_LIMIT, SpecError, "<stdin>", "description")
    if data.startswith(_MODEL_FILE_SIGNATURES) or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b'{"modelTopology"'):
        raise SpecError("stdin holds a model file, but stdin takes a description (YAML/JSON) only",
                        file="<stdin>", hint="give model files by path, e.g. tspcli summary model.h5")
    if b"\0" in data:
        raise SpecError("stdin holds binary data, but stdin takes a description (YAML/JSON) only",
                        file="<stdin>", hint="give model files by path, e.g. tspcli summary model.h5")
    return limits.decode_text(data, SpecError, "<stdin>"), "<stdin>"


def _line(container, key) -> int | None:
    lines = getattr(container, "key_lines", None)
    if lines and key in lines:
        return lines[key]
    return getattr(container, "line", None)


def build_model(doc, name: str):
    """A Model (not yet initialised) from a parsed description."""
    from .layers import layer_from_config
    from .model import Model, Sequential

    if not isinstance(doc, dict):
        raise SpecError("a description is a mapping with 'model' and 'layers'", file=name, line=1)
    for key in doc:
        if key not in TOP_KEYS:
            raise SpecError(f"unknown top-level key {key!r}", file=name, line=_line(doc, key),
                            hint="top-level keys: " + ", ".join(TOP_KEYS))
    model_section = doc.get("model") or {}
    if not isinstance(model_section, dict):
        raise SpecError("'model' must be a mapping", file=name, line=_line(doc, "model"), key="model")
    layer_docs = doc.get("layers")
    # A view (model: {load: FILE}) takes its layers from the file; its list only picks and styles them.
    view = model_section.get("load") is not None
    if not (isinstance(layer_docs, list) and layer_docs or view and layer_docs is None):
        raise SpecError("'layers' must be a non-empty list of layers", file=name,
                        line=_line(doc, "layers") or 1, key="layers")

    layers, problems = [], []
    for i, entry in enumerate([] if view else layer_docs):  # each checked: `validate` lists every problem
        entry_line = layer_docs.item_lines[i] if isinstance(layer_docs, LineList) else None
        if not isinstance(entry, dict):
            problems.append(SpecError(f"layer #{i + 1} must be a mapping with a 'type'", file=name,
                                      line=entry_line))
            continue
        label = entry.get("name") or f"#{i + 1}"
        try:
            layer = layer_from_config(entry)
        except TspError as exc:
            problems.append(exc.located(file=name, line=_line(entry, exc.key) or entry_line, layer=str(label)))
            continue
        layer.source = (name, getattr(entry, "line", entry_line), dict(getattr(entry, "key_lines", {})))
        layers.append(layer)
    if problems:
        raise problems[0] if len(problems) == 1 else SpecErrors(problems)

    try:
        options = dict(model_section)
        kind = str(options.pop("type", "Sequential"))
        if kind.lower() not in ("sequential", "model", "functional"):
            raise SpecError(f"model type must be Sequential or Model, got {kind!r}", key="type")
        cls = Sequential if kind.lower() == "sequential" else Model
        if cls is Sequential:
            for bad in ("inputs", "outputs"):
                if bad in options:
                    raise SpecError(f"'{bad}' is for functional models (type: Model)", key=bad)
            model = Sequential(layers, **options)
        else:
            model = Model(layers=layers, **options)
    except TspError as exc:
        raise exc.located(file=name, line=_line(model_section, exc.key.split(".")[0] if exc.key else None))
    model.source = name
    model.timeline = doc.get("timeline")
    model.view = (layer_docs, _line(model_section, "load")) if view else None
    for key in ("weights", "load"):
        if model.options[key]:
            model.options[key] = _file_path(model.options[key], name, key, _line(model_section, key))
    return model


def _file_path(path: str, name: str, key: str, line: int | None) -> str:
    """A file a description names: an absolute path as written; a relative one inside the
    description's folder (the working directory for stdin), symlinks resolved.  A description
    that came with a downloaded model thus reads nothing outside its folder unless its text
    says where, in full."""
    if os.path.isabs(path):
        return path
    base = os.path.dirname(os.path.abspath(name)) if name != "<stdin>" else os.getcwd()
    try:
        return str(limits.confine(base, path, SpecError, name, key, "description",
                                  hint="write the file's absolute path to use a file elsewhere"))
    except SpecError as exc:
        raise exc.located(line=line, key=key) from None


def load_description(path: str):
    text, name = read_text(path)
    return build_model(parse_document(text, name), name)
