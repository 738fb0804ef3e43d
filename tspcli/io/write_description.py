"""A Model -> the description (YAML or JSON) and weights (.npz) that rebuild it.

What ``tspcli convert`` writes: a model file becomes an editable figure
source.  Each layer is one flow-style line holding only what differs from the
layer type's defaults; weights go to an .npz keyed ``<layer>/<weight>``, the
form a description's ``weights:`` reads.  Reading the pair back gives the same
shapes and values (see tests/io/test_convert_*.py).
"""
from __future__ import annotations

import json
import os

import numpy as np

from tspcli.layers.base import COMMON_PARAMS
from tspcli.layers.params import REQUIRED

_MODEL_KEYS_NOT_WRITTEN = ("type", "name", "inputs", "outputs", "weights", "load")
_DEFAULT_CLOSE_BUTTON = dict(next(p for p in COMMON_PARAMS if p.name == "closeButton").default)


def description_of(model, weights_path: str | None = None) -> dict:
    """The description of an initialised model; ``weights_path`` as the description should name it."""
    from tspcli.model import MODEL_PARAMS

    section = {"type": model.kind, "name": model.name}
    if model.kind != "Sequential":
        section["inputs"] = [layer.name for layer in model.inputs]
        section["outputs"] = [layer.name for layer in model.outputs]
    for key, p in MODEL_PARAMS.items():
        value = model.options.get(key)
        if key not in _MODEL_KEYS_NOT_WRITTEN and value != p.coerce(p.default):
            section[key] = _plain(value)
    if weights_path:
        section["weights"] = weights_path
    doc = {"model": section, "layers": [_layer_entry(layer, model.kind) for layer in model.layers]}
    if model.timeline:
        doc["timeline"] = _plain(model.timeline)
    return doc


def _layer_entry(layer, kind: str) -> dict:
    entry = {"type": layer.layer_type, "name": layer.name}
    for p in type(layer).PARAMS:
        value = layer.config[p.name]
        if p.default is REQUIRED or value != p.default:
            entry[p.name] = _plain(value)
    if layer.given_shape is not None:
        entry["shape"] = _plain(layer.given_shape)
    if kind != "Sequential" and layer.inbound:
        names = [s.name for s in layer.inbound]
        entry["apply"] = names[0] if len(names) == 1 else names
    for key, value in (("color", layer.color), ("initStatus", layer.init_status),
                       ("animeTime", layer.anime_time)):
        if value is not None:
            entry[key] = _plain(value)
    if layer.close_button != _DEFAULT_CLOSE_BUTTON:
        entry["closeButton"] = _plain(layer.close_button)
    if not layer.drawn:
        entry["hidden"] = True
    return entry


def _plain(value):
    """Tuples as lists, numpy scalars as Python numbers: what YAML and JSON write plainly."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def description_text(doc: dict, source: str | None = None, fmt: str = "yaml") -> str:
    """YAML with one line per layer (or JSON)."""
    if fmt == "json":
        return json.dumps(doc, indent=2) + "\n"
    import yaml

    def block(obj) -> str:
        return yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, width=100)

    out = [f"# Converted by tspcli from {source}\n"] if source else []
    out.append(block({"model": doc["model"]}))
    out.append("layers:\n")
    for entry in doc["layers"]:
        line = yaml.safe_dump(entry, sort_keys=False, default_flow_style=True, width=float("inf"))
        out.append(f"  - {line.strip()}\n")
    if "timeline" in doc:
        out.append(block({"timeline": doc["timeline"]}))
    return "".join(out)


def weights_of(model) -> dict[str, np.ndarray]:
    """Every weight keyed '<layer>/<weight>'."""
    return {f"{layer.name}/{name}": np.asarray(value, np.float32)
            for layer in model.layers for name, value in layer.weights.items()}


def relative_to(path: str, folder_of: str) -> str:
    """``path`` as a description at ``folder_of`` should name it (descriptions resolve relative paths)."""
    base = os.path.dirname(os.path.abspath(folder_of))
    return os.path.relpath(os.path.abspath(path), base)
