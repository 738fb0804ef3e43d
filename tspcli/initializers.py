"""Weights for layers a model gives none: drawn, deterministic, in one of two schemes.

``he`` (the default) draws every kernel so that a layer's output keeps the
scale of its input (He et al. 2015): uniform in +-sqrt(3 gain / fan-in), so of
variance gain / fan-in (Keras calls it he_uniform / lecun_uniform; uniform
float32 values are five times cheaper to draw than normals, which a start-up
drawing MobileNetV1's 4.2 M weights feels), with
gain 2 when a ReLU-family function follows (it zeroes half of a symmetric
input) and 1 otherwise (LeCun).  Fan-in is what one output value really sums:
kh x kw for a depthwise kernel (one input channel each), not kh x kw x
channels as Keras counts it.  Then a random network's values neither vanish
nor explode with depth, and a picture of MobileNetV1 shows structure in
every layer.

``keras`` draws Keras' own defaults (glorot-uniform kernels with Keras' fans,
uniform +-0.05 embeddings): a deep network's values shrink layer after layer,
as they do in Keras.

Both: biases and BatchNormalization's beta and moving mean are 0, gamma and
moving variance 1 (BatchNormalization is the identity, up to its epsilon).
"""
from __future__ import annotations

import math

import numpy as np

INITS = ("he", "keras")
DEFAULT_INIT = "he"

# Functions after which He's gain of 2 keeps the scale (they pass about half of a symmetric input).
_RELU_FAMILY = {"relu", "relu6", "leaky_relu", "elu", "silu", "swish", "gelu", "hard_silu", "hard_swish"}
# Layers that keep every value's place and scale: a following activation is looked for behind them.
_SCALE_KEEPING = {"BatchNormalization", "Dropout"}
_ACTIVATIONS = {"Activation", "Activation1d", "Activation2d", "Activation3d"}
_KERNELS = ("kernel", "depthwise_kernel", "pointwise_kernel")
_DRAW_CHUNK = 1 << 20        # values drawn at once


def draw(layer, name: str, shape: tuple, rng: np.random.Generator, init: str, gain: float = 1.0) -> np.ndarray:
    """One weight of ``layer`` named ``name`` (Keras' names), drawn by ``init``."""
    if init == "keras":
        return _keras_default(name, shape, rng)
    if name in _KERNELS:
        # a separable layer's depthwise step feeds its pointwise step directly: no activation between
        step_gain = 1.0 if name == "depthwise_kernel" and "pointwise_kernel" in layer.weight_shapes() else gain
        return _uniform(rng, math.sqrt(3.0 * step_gain / fan_in(layer, name, shape)), shape)
    if name == "embeddings":
        return _drawn(lambda n: rng.standard_normal(n, dtype=np.float32), shape)
    return _constant(name, shape)


def fan_in(layer, name: str, shape: tuple) -> int:
    """How many inputs one output value of this kernel sums (at least 1)."""
    if name == "depthwise_kernel":
        n = math.prod(shape[:-2])                               # one input channel per kernel
    elif layer.layer_type == "Conv2dTranspose":
        strides = layer.config["strides"]                       # kernel (kh, kw, filters, in)
        n = math.prod(shape[:-2]) * shape[-1] / math.prod(strides)
    else:
        n = math.prod(shape[:-1])                               # (..., in, out)
    return max(1, int(round(n)))


def gain_after(layer, users: dict) -> float:
    """He's gain for ``layer``: 2 when a ReLU-family function follows it (its own activation, or an
    Activation layer behind BatchNormalization or Dropout), else 1.  ``users``: id(layer) -> consumers."""
    act, node = layer.config.get("activation"), layer
    while act in (None, "linear"):
        following = users.get(id(node), [])
        if len(following) != 1:
            return 1.0
        node = following[0]
        if node.layer_type in _ACTIVATIONS:
            act = node.config["activation"]
        elif node.layer_type not in _SCALE_KEEPING:
            return 1.0
    return 2.0 if act in _RELU_FAMILY else 1.0


def _keras_default(name: str, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    if name in _KERNELS:
        fan_in_, fan_out = _keras_fans(shape)
        limit = math.sqrt(6.0 / (fan_in_ + fan_out))           # glorot uniform
        return _uniform(rng, limit, shape)
    if name == "embeddings":
        return _uniform(rng, 0.05, shape)
    return _constant(name, shape)


def _uniform(rng: np.random.Generator, limit: float, shape: tuple) -> np.ndarray:
    """float32 values of ``shape``, uniform in [-limit, limit)."""
    scale, low = np.float32(2.0 * limit), np.float32(-limit)
    return _drawn(lambda n: rng.random(n, dtype=np.float32) * scale + low, shape)


def _drawn(sample, shape: tuple) -> np.ndarray:
    """float32 values of ``shape`` from ``sample(n)``, drawn in pieces: a big kernel drawn at once would
    take its size again in temporaries; the values are the same either way."""
    out = np.empty(math.prod(shape), np.float32)
    for start in range(0, out.size, _DRAW_CHUNK):
        out[start:start + _DRAW_CHUNK] = sample(min(_DRAW_CHUNK, out.size - start))
    return out.reshape(shape)


def _keras_fans(shape: tuple) -> tuple[int, int]:
    """Keras' fan-in / fan-out: kernels (..., in, out) count their receptive field."""
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[:-2]) if len(shape) > 2 else 1
    return receptive * shape[-2], receptive * shape[-1]


def _constant(name: str, shape: tuple) -> np.ndarray:
    if name in ("gamma", "moving_variance"):
        return np.ones(shape, np.float32)
    return np.zeros(shape, np.float32)                          # bias, beta, moving_mean
