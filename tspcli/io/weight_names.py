"""Which weights a Keras layer has, under which names, in which order.

The order is Keras' own: trainable weights first, then non-trainable ones,
each in creation order.  Keras 3 ``.keras`` files store weights by index only,
so this table is what names them there; for the other formats it tells which
weights must be present.
"""
from __future__ import annotations

import re

from tspcli.errors import LoadError

_KERNEL_BIAS = {"Dense", "Conv1D", "Conv2D", "Conv3D",
                "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose"}
_DEPTHWISE = {"DepthwiseConv1D", "DepthwiseConv2D"}
_SEPARABLE = {"SeparableConv1D", "SeparableConv2D"}
_SCALE_CENTER = {"LayerNormalization", "GroupNormalization"}


def expected_weight_names(class_name: str, config: dict) -> list[str] | None:
    """Weight names of a layer in Keras' order, or None for a class not known here."""
    bias = ["bias"] if config.get("use_bias", True) else []
    if class_name in _KERNEL_BIAS:
        return ["kernel"] + bias
    if class_name in _DEPTHWISE:
        return ["depthwise_kernel"] + bias
    if class_name in _SEPARABLE:
        return ["depthwise_kernel", "pointwise_kernel"] + bias
    if class_name in _SCALE_CENTER or class_name == "BatchNormalization":
        names = (["gamma"] if config.get("scale", True) else []) + \
                (["beta"] if config.get("center", True) else [])
        if class_name == "BatchNormalization":
            names += ["moving_mean", "moving_variance"]
            if config.get("renorm"):
                names += ["moving_stddev", "renorm_mean", "renorm_stddev"]
        return names
    if class_name == "Embedding":
        return ["embeddings"]
    if class_name == "PReLU":
        return ["alpha"]
    if class_name == "LayerScale":
        return ["gamma"]
    if class_name == "Normalization":  # adapt()'s statistics, unless the config holds them
        return ["mean", "variance", "count"] if config.get("mean") is None else []
    return None


def normalise_weight_name(class_name: str, stored: str) -> str:
    """``'block/conv/kernel:0'`` -> ``'kernel'``.

    Keras 3 calls a DepthwiseConv kernel ``kernel``; it becomes ``depthwise_kernel``
    as in Keras 2 and TensorFlow.js.
    """
    name = re.sub(r":\d+$", "", stored.rsplit("/", 1)[-1])
    if class_name in _DEPTHWISE and name == "kernel":
        return "depthwise_kernel"
    if class_name == "LayerScale":  # an unnamed weight: 'variable', 'variable_3' ...
        return "gamma"
    return name


def check_weights(layer, place: str, file: str) -> None:
    """Every weight the layer's class and config call for must be there."""
    expected = expected_weight_names(layer.class_name, layer.config)
    if not expected:
        return
    missing = [n for n in expected if n not in layer.weights]
    if missing:
        found = ", ".join(layer.weights) or "none"
        raise LoadError(f"missing weights {', '.join(missing)} in {place} (found: {found})",
                        file=file, layer=layer.name)


def _common_suffix(a, b) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def assign_by_name(stored, layers: dict, file: str, place: str) -> dict:
    """Share out weights named like ``'backbone/conv1/kernel:0'`` among layers.

    ``stored`` lists (stored name, array) pairs; ``layers`` maps each layer's
    path of names (``("backbone", "conv1")``) to its class.  A weight goes to
    the layer whose path ends most like the weight's scope; among equals, the
    first one that does not have a weight of that name yet.  This is how a
    nested model's weights (stored trainable-first across all its layers) and
    TensorFlow.js manifests are mapped: by name, never by shape.
    """
    out = {names: {} for names in layers}
    for stored_name, array in stored:
        scope = re.sub(r":\d+$", "", stored_name).split("/")[:-1]
        best, best_score = [], 0
        for names in layers:
            score = _common_suffix(scope, names)
            if score > best_score:
                best, best_score = [names], score
            elif score and score == best_score:
                best.append(names)
        if not best:
            raise LoadError(f"weight '{stored_name}' in {place} belongs to no layer of the model",
                            file=file)
        for names in best:
            name = normalise_weight_name(layers[names], stored_name)
            if name not in out[names]:
                out[names][name] = array
                break
        else:
            raise LoadError(f"weight '{stored_name}' appears twice in {place}", file=file)
    return out
