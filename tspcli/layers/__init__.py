"""The layer catalogue: every TensorSpace layer, found by its name or a Keras alias.

``layer_from_config({"type": "DepthwiseConv2D", "kernel_size": 3})`` builds a
layer; type names are matched case-insensitively.
"""
from __future__ import annotations


from ..errors import SpecError, did_you_mean
from .base import Layer
from .channels import ChannelShuffle, ChannelSlice, PReLU, SqueezeExcitation
from .conv import Conv1d, Conv2d, Conv2dTranspose, DepthwiseConv2d, SeparableConv2d
from .core import (Activation, Activation1d, Activation2d, Activation3d, BatchNormalization, Dense, Dropout,
                   Embedding, Flatten, Layer1d, Layer2d, Layer3d, Output1d, Reshape)
from .inputs import GreyscaleInput, Input1d, Input2d, Input3d, RGBInput, input_class_for_shape
from .merge import Add, Average, Concatenate, Maximum, Multiply, Subtract
from .rearrange import Permute, RepeatVector
from .scaling import LayerNormalization, LayerScale, Normalization, Rescaling
from .pooling import GlobalPooling1d, GlobalPooling2d, Pooling1d, Pooling2d
from .reshaping import Cropping1d, Cropping2d, Padding1d, Padding2d, UpSampling1d, UpSampling2d

CATALOGUE: dict[str, type[Layer]] = {cls.layer_type: cls for cls in (
    GreyscaleInput, RGBInput, Input1d, Input2d, Input3d,
    Conv1d, Conv2d, Conv2dTranspose, DepthwiseConv2d, SeparableConv2d,
    Pooling1d, Pooling2d, GlobalPooling1d, GlobalPooling2d,
    Dense, Flatten, Reshape, Activation1d, Activation2d, Activation3d,
    Padding1d, Padding2d, Cropping1d, Cropping2d, UpSampling1d, UpSampling2d,
    Layer1d, Layer2d, Layer3d,
    Add, Subtract, Multiply, Average, Maximum, Concatenate,
    Output1d, BatchNormalization, Dropout, Embedding,
    ChannelShuffle, SqueezeExcitation, PReLU, ChannelSlice,
    Rescaling, Normalization, LayerNormalization, LayerScale, Permute, RepeatVector,
)}

# Keras class names (and a few other spellings) -> (catalogue type, preset config).
# Lookup is case-insensitive, so "Conv2D" already finds "Conv2d".
ALIASES: dict[str, tuple[str, dict]] = {
    "maxpooling1d": ("Pooling1d", {"poolingType": "max"}),
    "maxpooling2d": ("Pooling2d", {"poolingType": "max"}),
    "maxpool1d": ("Pooling1d", {"poolingType": "max"}),
    "maxpool2d": ("Pooling2d", {"poolingType": "max"}),
    "averagepooling1d": ("Pooling1d", {"poolingType": "average"}),
    "averagepooling2d": ("Pooling2d", {"poolingType": "average"}),
    "avgpool1d": ("Pooling1d", {"poolingType": "average"}),
    "avgpool2d": ("Pooling2d", {"poolingType": "average"}),
    "globalaveragepooling1d": ("GlobalPooling1d", {"poolingType": "average"}),
    "globalaveragepooling2d": ("GlobalPooling2d", {"poolingType": "average"}),
    "globalavgpool1d": ("GlobalPooling1d", {"poolingType": "average"}),
    "globalavgpool2d": ("GlobalPooling2d", {"poolingType": "average"}),
    "globalmaxpooling1d": ("GlobalPooling1d", {"poolingType": "max"}),
    "globalmaxpooling2d": ("GlobalPooling2d", {"poolingType": "max"}),
    "globalmaxpool1d": ("GlobalPooling1d", {"poolingType": "max"}),
    "globalmaxpool2d": ("GlobalPooling2d", {"poolingType": "max"}),
    "zeropadding1d": ("Padding1d", {}),
    "zeropadding2d": ("Padding2d", {}),
    "deconv2d": ("Conv2dTranspose", {}),
    "activation": ("Activation", {}),
    "relu": ("Activation", {"activation": "relu"}),
    "softmax": ("Activation", {"activation": "softmax"}),
    "leakyrelu": ("Activation", {"activation": "leaky_relu", "negativeSlope": 0.3}),
    "elu": ("Activation", {"activation": "elu"}),
    "output": ("Output1d", {}),
    "batchnorm": ("BatchNormalization", {}),
}
_GENERIC = {"Activation": Activation}
_BY_SHAPE = {"input", "inputlayer", "layer"}
_LOWER = {name.lower(): name for name in CATALOGUE}


def known_types() -> list[str]:
    return list(CATALOGUE)


def resolve_type(type_name: str, config: dict) -> tuple[type[Layer], dict]:
    """The layer class for a type name (TensorSpace's, or a Keras alias) and its preset config."""
    if not isinstance(type_name, str):
        raise SpecError(f"layer type must be a name, got {type_name!r}", key="type")
    key = type_name.strip().lower()
    if key in _LOWER:
        return CATALOGUE[_LOWER[key]], {}
    if key in ALIASES:
        target, preset = ALIASES[key]
        return _GENERIC.get(target) or CATALOGUE[target], dict(preset)
    if key in _BY_SHAPE:
        return _class_by_shape(key, config), {}
    candidates = list(CATALOGUE) + sorted(ALIASES)
    hint = did_you_mean(key, candidates, key=str.lower) or "run `tspcli layers` for the catalogue"
    raise SpecError(f"unknown layer type {type_name!r}", key="type", hint=hint)


def _class_by_shape(key: str, config: dict) -> type[Layer]:
    from .params import shape as coerce_shape

    raw = config.get("shape", config.get("batch_input_shape", config.get("input_shape")))
    if raw is None:
        raise SpecError(f"layer type {key!r} needs a shape to choose how it is drawn", key="shape")
    shp = coerce_shape(raw)
    if key == "layer":
        if not 1 <= len(shp) <= 3:
            raise SpecError(f"a generic layer needs a 1-, 2- or 3-D shape, got {list(shp)}", key="shape")
        return {1: Layer1d, 2: Layer2d, 3: Layer3d}[len(shp)]
    return input_class_for_shape(shp)


def layer_from_config(config: dict) -> Layer:
    """Build one layer from a mapping with a ``type`` key and its parameters."""
    config = dict(config)
    if "type" not in config:
        raise SpecError("layer has no 'type'", key="type", hint="e.g. type: Conv2d")
    cls, preset = resolve_type(config.pop("type"), config)
    for k in ("batch_input_shape", "input_shape"):
        if k in config and "shape" not in config:
            config["shape"] = config.pop(k)
    return cls({**preset, **config})


__all__ = ["Layer", "CATALOGUE", "ALIASES", "known_types", "resolve_type", "layer_from_config",
           *CATALOGUE, "Activation"]
