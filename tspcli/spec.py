"""Descriptions (YAML or JSON, same structure) -> a Model, with file:line in every error.

The document is parsed with PyYAML's safe loader (no Python tags) into plain
dicts and lists that remember the line of every key, so a problem with
``kernelSize`` of layer ``dw1`` is reported at the line where it was written.
"""
from __future__ import annotations

import json
import os
import sys

from .errors import SpecError, SpecErrors, TspError

TOP_KEYS = ("model", "layers", "timeline")
SAFE_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class LineDict(dict):
    """A dict that knows the line of itself and of each of its keys."""

    line: int | None = None
    key_lines: dict


class LineList(list):
    line: int | None = None
    item_lines: list


def read_text(path: str) -> tuple[str, str]:
    """(text, name for messages) of a file, or of stdin for '-'."""
    if path == "-":
        if sys.stdin.isatty():
            raise SpecError("reading a description from stdin ('-'), but stdin is a terminal",
                            hint="pipe a description in, e.g. cat model.yaml | tspcli summary -")
        return sys.stdin.read(), "<stdin>"
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read(), path
    except FileNotFoundError:
        raise SpecError("no such file", file=path) from None
    except IsADirectoryError:
        raise SpecError("is a folder, not a description", file=path) from None
    except UnicodeDecodeError:
        raise SpecError("is not a text (UTF-8) description", file=path) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror}", file=path) from None


def parse_document(text: str, name: str):
    """Parse YAML (or JSON, a subset) into LineDict/LineList trees."""
    import yaml

    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise SpecError("the description is empty", file=name)
        return _convert(loader, node, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if name.endswith(".json"):
            return _parse_json(text, name)  # JSON that YAML 1.1 rejects (e.g. tab indentation)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise SpecError(f"cannot parse: {problem}", file=name, line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"cannot parse: {exc}", file=name) from None
    finally:
        loader.dispose()


def _parse_json(text: str, name: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"cannot parse JSON: {exc.msg}", file=name, line=exc.lineno) from None


def _convert(loader, node, name):
    import yaml

    line = node.start_mark.line + 1
    if not isinstance(node, yaml.ScalarNode) and node.tag not in SAFE_COLLECTION_TAGS:
        raise SpecError(f"unsupported tag {node.tag!r}: descriptions hold plain data only", file=name, line=line)
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line, out.key_lines = line, {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, name)
            if not isinstance(key, (str, int, float, bool)):
                raise SpecError("a key must be a plain name", file=name, line=key_node.start_mark.line + 1)
            if key in out:
                raise SpecError(f"key {key!r} appears twice", file=name, line=key_node.start_mark.line + 1)
            out[key] = _convert(loader, value_node, name)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        out = LineList(_convert(loader, item, name) for item in node.value)
        out.line, out.item_lines = line, [item.start_mark.line + 1 for item in node.value]
        return out
    return loader.construct_object(node, deep=True)


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
    base = os.path.dirname(os.path.abspath(name)) if name != "<stdin>" else os.getcwd()
    for key in ("weights", "load"):
        if model.options[key]:
            model.options[key] = os.path.join(base, model.options[key])
    return model


def load_description(path: str):
    text, name = read_text(path)
    return build_model(parse_document(text, name), name)
