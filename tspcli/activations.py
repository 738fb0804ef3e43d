"""Activation functions with Keras' numbers, in numpy (float32 in, float32 out).

``get_activation(spec)`` turns what a model file or description says ("relu",
None, {"class_name": "ReLU", "config": {...}}) into a function; the functions
themselves are public too.  Keras' defaults are kept: ``gelu`` is exact (erf),
``leaky_relu`` has slope 0.2 (the LeakyReLU *layer* defaults to 0.3),
``hard_sigmoid`` is relu6(x + 3) / 6 in Keras 3 but clip(0.2x + 0.5, 0, 1) in
Keras 1/2 and TensorFlow.js.
"""
from __future__ import annotations

import functools
import re

import numpy as np

from tspcli.errors import OptionError

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def linear(x):
    return _f32(x)


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    """keras.layers.ReLU / keras.activations.relu: inputs above ``threshold``
    pass (capped at ``max_value``), the rest become
    ``negative_slope * (x - threshold)``; with a non-zero threshold and no
    cap, inputs between a negative threshold and 0 pass unchanged, as in Keras."""
    x = _f32(x)
    if threshold == 0 and max_value is not None:  # relu6 and the like: the same numbers in one pass
        y = np.clip(x, 0, max_value)
    else:
        y = np.where(x > threshold, x, np.float32(0)) if threshold != 0 else np.maximum(x, 0)
        if max_value is not None:
            y = np.clip(y, 0, max_value)
    if negative_slope != 0:
        y = y - np.float32(negative_slope) * np.maximum(np.float32(threshold) - x, 0)
    return y.astype(np.float32, copy=False)


def relu6(x):
    return np.clip(_f32(x), 0, 6)


def leaky_relu(x, negative_slope=0.2):
    x = _f32(x)
    return np.where(x >= 0, x, np.float32(negative_slope) * x)


def elu(x, alpha=1.0):
    x = _f32(x)
    return np.where(x > 0, x, np.float32(alpha) * np.expm1(np.minimum(x, 0)))


def selu(x):
    x = _f32(x)
    neg = np.float32(_SELU_ALPHA) * np.expm1(np.minimum(x, 0))
    return np.float32(_SELU_SCALE) * np.where(x > 0, x, neg)


def sigmoid(x):
    """1 / (1 + exp(-x)) without overflow: exp only ever sees -|x|."""
    x = _f32(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1, e) / (1 + e)


def hard_sigmoid(x):
    """Keras 3: relu6(x + 3) / 6."""
    return np.clip(_f32(x) + 3, 0, 6) / np.float32(6)


def hard_sigmoid_keras2(x):
    """Keras 1/2 and TensorFlow.js: clip(0.2 x + 0.5, 0, 1)."""
    return np.clip(np.float32(0.2) * _f32(x) + np.float32(0.5), 0, 1)


def hard_silu(x):
    x = _f32(x)
    return x * hard_sigmoid(x)


def tanh(x):
    return np.tanh(_f32(x))


def hard_tanh(x):
    """keras.activations.hard_tanh: x clipped to [-1, 1] (TensorFlow Lite's RELU_N1_TO_1)."""
    return np.clip(_f32(x), np.float32(-1), np.float32(1))


def softmax(x, axis=-1):
    x = _f32(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(x, axis=-1):
    x = _f32(x)
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softplus(x):
    return np.logaddexp(_f32(x), np.float32(0))


def softsign(x):
    x = _f32(x)
    return x / (1 + np.abs(x))


def silu(x):
    x = _f32(x)
    return x * sigmoid(x)


def exponential(x):
    return np.exp(_f32(x))


def gelu(x, approximate=False):
    """x * P(N(0, 1) <= x); ``approximate`` uses the tanh formula instead of erf."""
    x64 = _f32(x).astype(np.float64)
    if approximate:
        inner = np.sqrt(2 / np.pi) * (x64 + 0.044715 * x64 ** 3)
        return (0.5 * x64 * (1 + np.tanh(inner))).astype(np.float32)
    # erfc(-x/sqrt 2)/2 keeps full relative precision in the negative tail.
    return (0.5 * x64 * erfc(-x64 / np.sqrt(2))).astype(np.float32)


def gelu_tanh(x):
    """gelu by its tanh formula (keras.activations.gelu(x, approximate=True), ONNX Gelu with
    approximate='tanh', TensorFlow Lite's GELU with approximate): a name of its own, so a layer's
    ``activation`` can say it."""
    return gelu(x, approximate=True)


def erfc(z):
    """Complementary error function, elementwise, float64, relative error < 1.2e-7.

    numpy has no erf; this Chebyshev-fitted formula (Press et al., Numerical
    Recipes, "erfcc") runs ~5x faster than math.erfc mapped over the elements
    (benchmarks/erfc.py) and is exact enough for float32 results.
    """
    z = np.asarray(z, dtype=np.float64)
    t = np.abs(z)
    t *= 0.5
    t += 1
    np.reciprocal(t, out=t)
    acc = np.full_like(t, 0.17087277)
    for c in (-0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806,
              0.09678418, 0.37409196, 1.00002368, -1.26551223):
        acc *= t
        acc += c
    acc -= z * z
    np.exp(acc, out=acc)
    acc *= t
    return np.where(z >= 0, acc, 2 - acc)


ACTIVATIONS = {
    "linear": linear, "relu": relu, "relu6": relu6, "leaky_relu": leaky_relu, "elu": elu,
    "selu": selu, "sigmoid": sigmoid, "hard_sigmoid": hard_sigmoid, "tanh": tanh, "hard_tanh": hard_tanh,
    "softmax": softmax, "log_softmax": log_softmax, "softplus": softplus,
    "softsign": softsign, "silu": silu, "swish": silu, "gelu": gelu, "gelu_tanh": gelu_tanh,
    "exponential": exponential, "hard_silu": hard_silu, "hard_swish": hard_silu,
}

# Keras layers that can stand in for an activation: class name -> (function, config key
# -> argument, defaults).  Keras 2 called LeakyReLU's slope ``alpha``.
_LAYERS = {
    "ReLU": (relu, {"negative_slope": "negative_slope", "max_value": "max_value",
                    "threshold": "threshold"}, {}),
    "LeakyReLU": (leaky_relu, {"negative_slope": "negative_slope", "alpha": "negative_slope"},
                  {"negative_slope": 0.3}),
    "ELU": (elu, {"alpha": "alpha"}, {}),
    "Softmax": (softmax, {"axis": "axis"}, {}),
}


def get_activation(spec, keras_version: str | None = "3"):
    """A float32 -> float32 numpy function for an activation spec.

    spec: None or a name ("relu", "hard_swish", TensorFlow.js' "hardSigmoid"),
    a Keras-serialised dict ({"class_name": "function", "config": "relu"} or a
    layer such as {"class_name": "ReLU", "config": {"max_value": 6}}), or
    {"name": ..., **arguments} (e.g. {"name": "leaky_relu", "negative_slope": 0.1}).
    keras_version: the Keras that saved the model; before 3 ("1.x", "2.x")
    and for TensorFlow.js ("tfjs...") hard_sigmoid is the old 0.2x + 0.5.
    """
    if spec is None:
        return linear
    if isinstance(spec, str):
        return _named(spec, {}, keras_version)
    if isinstance(spec, dict):
        if "name" in spec and "class_name" not in spec:
            params = {k: v for k, v in spec.items() if k != "name"}
            return _named(spec["name"], params, keras_version)
        cls, config = spec.get("class_name"), spec.get("config")
        if cls in _LAYERS:
            fn, keys, defaults = _LAYERS[cls]
            params = dict(defaults)
            params.update({keys[k]: v for k, v in (config or {}).items()
                           if k in keys and v is not None})
            return functools.partial(fn, **params)
        if isinstance(config, str):
            return _named(config, {}, keras_version)
        if isinstance(config, dict) and isinstance(config.get("name"), str):
            return _named(config["name"], {}, keras_version)
    raise OptionError(f"activation {spec!r} is neither a name nor a Keras activation "
                      f"(known: {', '.join(sorted(ACTIVATIONS))})")


# Activations that can overwrite their input: for a layer's own new array (a convolution's
# sum before its fused activation), which no other layer sees.
_IN_PLACE = {"relu": lambda x: np.maximum(x, 0, out=x), "relu6": lambda x: np.clip(x, 0, 6, out=x)}


def in_place(spec):
    """The in-place form of an activation named ``spec`` (relu, relu6), or None."""
    key = known_name(spec) if isinstance(spec, str) else None
    return _IN_PLACE.get(key)


@functools.lru_cache(maxsize=256)
def known_name(name: str) -> str | None:
    """The key of ACTIVATIONS that ``name`` spells, or None.

    "ReLU", "relu", and TensorFlow.js' camelCase "hardSigmoid" all name Keras' functions.
    """
    name = name.strip() or "linear"
    snake = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
    for key in (name.lower(), snake):
        if key in ACTIVATIONS:
            return key
    return None


def _named(name: str, params: dict, keras_version):
    key = known_name(name)
    if key is None:
        raise OptionError(f"unknown activation {name!r} "
                          f"(known: {', '.join(sorted(ACTIVATIONS))})")
    fn = ACTIVATIONS[key]
    version = str(keras_version or "3")
    if fn is hard_sigmoid and (version[:1] in ("1", "2") or version.startswith("tfjs")):
        fn = hard_sigmoid_keras2
    if not params:
        return fn
    try:
        fn(np.zeros(1, np.float32), **params)
    except TypeError:
        raise OptionError(f"activation {name!r} does not take {sorted(params)}") from None
    return functools.partial(fn, **params)
