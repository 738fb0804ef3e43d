"""Views: descriptions that draw a model file (TensorSpace's "case one").

    model: {load: lenet.h5, layerInitStatus: close}
    layers:
      - {type: GreyscaleInput, name: input_1}
      - {type: Conv2d, name: Conv2D_1, initStatus: open}

The network (layers, wiring, shapes, weights) comes from the file.  The list
picks the file's layers to draw, by name, and says how they look; the other
layers are computed but not drawn, unless ``show_all``.  Without a ``layers``
list every layer is drawn.  A listed ``type`` must be what the file's layer is
(Keras class names are accepted: ``MaxPooling2D`` for a Pooling2d), except
that an input may be drawn as another input of the same values and a Dense
layer as Output1d or back.  Network parameters may be repeated, but must
agree with the file.
"""
from __future__ import annotations

import math
import os

from tspcli.errors import SpecError, SpecErrors, TspError, did_you_mean
from tspcli.io import limits

# Keys that only change how a layer looks; the rest of a layer's keys are its network.
_LOOK = {"color": "color", "closeButton": "close_button", "initStatus": "init_status",
         "animeTime": "anime_time"}


def model_from_view(view, *, skip_unknown: bool = False, show_all: bool = False,
                    max_bytes: int = limits.DEFAULT_MAX_BYTES, input_shape=None):
    """The model file's Model, drawn and styled as the view ``view`` (a parsed description) says
    (``input_shape``: an ONNX file's dynamic sizes)."""
    from tspcli.io.convert import convert
    from tspcli.io.formats import read_model_file

    entries, load_line = view.view
    path = view.options["load"]
    if not os.path.exists(path):
        raise SpecError(f"no such model file '{path}'", file=view.source, line=load_line, key="load")
    fm = read_model_file(path, max_bytes=max_bytes, skip_unknown=skip_unknown, input_shape=input_shape)
    listed, problems = _listed(entries or [], {fl.name: fl for fl in fm.layers})
    model = convert(fm, skip_unknown=skip_unknown, overrides={
        name: override for name, (_, _, _, override) in listed.items() if override is not None})
    _merge_options(model, view)
    if entries is None:
        return model
    model.named_in_view = frozenset(listed)      # drawn as layers of their own (tspcli.scene.folding)
    for layer in model.layers:
        layer.drawn = show_all
        if layer.name in listed:
            entry, cls, preset, _ = listed[layer.name]
            try:
                _style(layer, entry, cls, preset, view.source)
            except TspError as exc:
                problems.append(exc.located(line=_key_line(entry, exc.key), layer=layer.name))
    if problems:
        for exc in problems:
            exc.located(file=view.source)
        problems.sort(key=lambda exc: exc.line or 0)
        raise problems[0] if len(problems) == 1 else SpecErrors(problems)
    return model


def _listed(entries, file_layers: dict) -> tuple[dict, list]:
    """name -> (entry, its type's class and preset, the class to build it as), and the problems."""
    from tspcli.layers import resolve_type

    out, problems = {}, []
    for i, entry in enumerate(entries):
        line = entries.item_lines[i] if hasattr(entries, "item_lines") else None
        try:
            if not isinstance(entry, dict):
                raise SpecError(f"layer #{i + 1} must be a mapping with the name of a layer of the model file")
            name = entry.get("name")
            if name not in file_layers:
                raise _unknown_name(name, file_layers)
            if name in out:
                raise SpecError("the layer is listed twice", key="name")
            cls, preset = None, {}
            if "type" in entry:
                cls, preset = resolve_type(entry["type"], {"shape": file_layers[name].shape})
            out[name] = (entry, cls, preset, _override(cls, file_layers[name]))
        except TspError as exc:
            problems.append(exc.located(line=_key_line(entry, exc.key) or line,
                                        layer=entry.get("name") if isinstance(entry, dict) else None))
    return out, problems


def _unknown_name(name, file_layers: dict) -> SpecError:
    names = list(file_layers)
    hint = did_you_mean(name, names, what="the file's layers")
    if name is None:
        return SpecError("a layer of a view needs the name of a layer of the model file", key="name", hint=hint)
    return SpecError(f"the model file has no layer '{name}'", key="name", hint=hint)


def _override(cls, fl):
    """The class the converter should build: only inputs and Dense/Output1d can be re-typed."""
    from tspcli.layers import Dense, Output1d

    if cls is None:
        return None
    if fl.class_name == "InputLayer" and cls.arity == 0:
        try:
            fits = math.prod(cls(name=fl.name, shape=list(fl.shape)).given_shape) == math.prod(fl.shape)
        except TspError:
            fits = False
        if not fits:
            raise SpecError(f"a {cls.layer_type} cannot stand for the file's input of shape {list(fl.shape)}",
                            key="type")
        return cls
    if fl.class_name == "Dense" and cls in (Dense, Output1d):
        return cls
    return None


def _style(layer, entry: dict, cls, preset: dict, source: str) -> None:
    from tspcli.layers.params import resolve_key

    if cls is not None and not (isinstance(layer, cls) and
                                all(layer.config.get(k) == v for k, v in preset.items())):
        raise SpecError(f"type {entry['type']} disagrees with the model file, where this layer is a "
                        f"{layer.keras_class} (drawn as {layer.layer_type})", key="type")
    params = type(layer).all_params()
    for key, raw in entry.items():
        if key in ("name", "type"):
            continue
        name = resolve_key(str(key), params, layer.layer_type)
        try:
            value = params[name].coerce(raw)
        except TspError as exc:
            raise exc.located(key=str(key))
        if name in _LOOK:
            setattr(layer, _LOOK[name], value)
        elif name == "hidden":
            continue
        elif name == "outputs":  # Output1d's class labels
            layer.config["outputs"] = value
        elif name == "shape":
            layer.given_shape = value  # checked by init against the shape the file gives
        elif name == "apply":
            if tuple(value) != tuple(s.name for s in layer.inbound):
                raise SpecError(f"apply {list(value)} disagrees with the model file, where the layer takes "
                                f"{[s.name for s in layer.inbound]}", key=str(key))
        elif value != layer.config[name]:
            raise SpecError(f"{_shown(value)} disagrees with the model file's {_shown(layer.config[name])}",
                            key=str(key), hint="the network comes from the file; leave this key out")
    layer.drawn = not entry.get("hidden", False)
    layer.source = (source, getattr(entry, "line", None), dict(getattr(entry, "key_lines", {})))


def _merge_options(model, view) -> None:
    """The view's look (animeTime, colours ...) over the file's network (name, kind, version)."""
    for key in ("inputs", "outputs"):
        given = view.options[key]
        actual = tuple(layer.name for layer in getattr(model, key))
        if given is not None and tuple(given) != actual:
            raise SpecError(f"{key} {list(given)} disagree with the model file's {list(actual)}",
                            file=view.source, key=key)
    model.options = {**view.options, "type": model.options["type"], "load": None, "inputs": None,
                     "outputs": None, "name": view.options["name"] or model.options["name"],
                     "kerasVersion": view.options["kerasVersion"] or model.options["kerasVersion"]}
    model.name = model.options["name"] or model.name
    model.timeline = view.timeline
    model.source = view.source


def _key_line(entry, key):
    lines = getattr(entry, "key_lines", None) or {}
    return lines.get(key) or getattr(entry, "line", None)


def _shown(value):
    return list(value) if isinstance(value, tuple) else value
