"""The forward pass: weights for every layer, then every layer's neural value.

Weights come from a model file (set by the readers), from a description's
``weights: file.npz``, or are drawn with a seed (tspcli.initializers), so a
description without weights still gives deterministic, non-trivial values.
"""
from __future__ import annotations

import zlib

import numpy as np

from .errors import InputError, LoadError, OptionError, ShapeError, TspError
from .initializers import DEFAULT_INIT, INITS, draw, gain_after
from .io.limits import DEFAULT_MAX_BYTES as DEFAULT_MAX_MEMORY


def ensure_weights(model, seed: int = 0, init: str = DEFAULT_INIT) -> None:
    """Give every layer the weights it lacks: from the description's .npz, else drawn by ``init``
    (see tspcli.initializers).

    Each layer's generator is seeded by (seed, layer name), so adding a layer
    does not change the weights of the others.  Drawn weights are remembered
    (``layer.drawn_weights``), so another seed or init draws them again, and
    ``model.random_weights`` says whether any were drawn: then the outputs
    predict nothing, and a picture claims no top class.
    """
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
        raise OptionError(f"seed {seed!r}: a seed is a whole number from 0 to 2**64-1")
    if init not in INITS:
        raise OptionError(f"unknown init {init!r}", hint="he or keras")
    if model.options.get("weights") and not getattr(model, "_npz_loaded", False):
        load_weights_npz(model, model.options["weights"])
        model._npz_loaded = True
    users: dict[int, list] | None = None  # who reads each layer, for the gains: built only to draw
    for layer in model.layers:
        drawn = getattr(layer, "drawn_weights", None)
        if drawn and drawn[0] != (seed, init):
            for name in drawn[1]:
                del layer.weights[name]
        shapes = layer.weight_shapes()
        missing = [n for n in shapes if n not in layer.weights]
        if not missing:
            continue
        if users is None:
            users = {}
            for other in model.layers:
                for source in other.inbound:
                    users.setdefault(id(source), []).append(other)
        rng = np.random.default_rng([seed, zlib.crc32(layer.name.encode())])
        gain = gain_after(layer, users)
        for name in shapes:  # draw in Keras' order so each weight's values do not depend on the others given
            value = draw(layer, name, shapes[name], rng, init, gain)
            layer.weights.setdefault(name, value)
        layer.drawn_weights = ((seed, init), tuple(missing))
    model.random_weights = any(getattr(layer, "drawn_weights", None) for layer in model.layers)


def load_weights_npz(model, path: str) -> None:
    """Weights keyed '<layer name>/<weight name>' (e.g. dw1/depthwise_kernel), checked against the shapes.

    Each array is checked as it is read (tspcli.io.npz), within the model's --max-memory.
    """
    from .io.npz import read_npz

    data = read_npz(path, getattr(model, "max_memory", DEFAULT_MAX_MEMORY), LoadError)
    by_name = {l.name: l for l in model.layers}
    for key in data:
        layer_name, _, weight = key.rpartition("/")
        layer = by_name.get(layer_name)
        if layer is None:
            raise LoadError(f"weights for unknown layer {layer_name!r} (key {key!r})", file=path,
                            hint="layers: " + ", ".join(by_name))
        shapes = layer.weight_shapes()
        if weight not in shapes:
            raise LoadError(f"{layer.layer_type} has no weight {weight!r} (key {key!r})", file=path,
                            layer=layer_name, hint="its weights: " + (", ".join(shapes) or "none"))
        value = data[key]
        if tuple(value.shape) != tuple(shapes[weight]):
            raise LoadError(f"weight {key!r} has shape {list(value.shape)}, the layer needs "
                            f"{list(shapes[weight])}", file=path, layer=layer_name)
        layer.weights[weight] = value.astype(np.float32, copy=False)




def _inputs_by_layer(model, x) -> dict:
    if isinstance(x, dict):
        unknown = set(x) - {l.name for l in model.inputs}
        if unknown:
            raise InputError(f"no input layer named {sorted(unknown)[0]!r}",
                             hint="inputs: " + ", ".join(l.name for l in model.inputs))
        values = [x.get(l.name) for l in model.inputs]
    elif isinstance(x, (list, tuple)):
        values = list(x)
    else:
        values = [x]
    if len(values) != len(model.inputs) or any(v is None for v in values):
        raise InputError(f"the model has {len(model.inputs)} input(s) "
                         f"({', '.join(l.name for l in model.inputs)}), got {len(values)}")
    out = {}
    for layer, value in zip(model.inputs, values):
        arr = as_batchless(value, layer.output_shape, f"input for {layer.name!r}")
        if not np.all(np.isfinite(arr)):
            raise InputError(f"input for {layer.name!r} contains NaN or Inf")
        out[id(layer)] = arr
    return out


def run_forward(model, x, *, seed: int = 0, init: str = DEFAULT_INIT, strict: bool = True) -> tuple[object, dict[str, str]]:
    """Fill every layer's ``neural_value``; returns (the output value, a list for several outputs;
    the layers left without values: name -> why).

    A layer that cannot be computed (given by its shape only) raises in strict
    mode; otherwise it and everything after it are left without values.
    """
    if not model.initialized:
        model.init()
    ensure_weights(model, seed, init)
    feeds = _inputs_by_layer(model, x)
    uncomputed = {}
    for layer in model.layers:
        layer.neural_value = None
        reason = None if layer.arity == 0 else layer.missing_parameters()
        if reason is None and any(src.neural_value is None for src in layer.inbound):
            reason = "an inbound layer has no values"
        if reason:
            if strict:
                raise ShapeError(f"cannot compute values: {reason}", layer=layer.name)
            uncomputed[layer.name] = reason
            continue
        try:
            if layer.arity == 0:
                value = layer.forward([feeds[id(layer)]])
            else:
                value = layer.forward([src.neural_value for src in layer.inbound])
        except TspError as exc:
            raise exc.located(layer=layer.name)
        value = np.asarray(value, dtype=np.float32)
        if value.shape != layer.output_shape:  # a bug of ours, not the user's
            raise AssertionError(f"{layer.name}: computed {value.shape}, expected {layer.output_shape}")
        layer.neural_value = value
    outs = [l.neural_value for l in model.outputs]
    return (outs[0] if len(outs) == 1 else outs), uncomputed


def as_batchless(x: np.ndarray, shape: tuple, what: str) -> np.ndarray:
    """``x`` as float32 of ``shape``, dropping a leading batch axis of 1."""
    x = np.asarray(x)
    if x.shape == (1, *shape):
        x = x[0]
    if x.shape != tuple(shape):
        raise ShapeError(f"{what} has shape {list(x.shape)}, the model expects {list(shape)} "
                         f"(or [1, {', '.join(map(str, shape))}])")
    return x.astype(np.float32, copy=False)

