"""Keras layer classes -> tspcli layer types and configs.

``layer_spec(file_layer)`` says which tspcli layer draws a layer of a model
file and with which configuration (TensorSpace's camelCase keys).  Every key
of the stored config is accounted for: mapped, ignored because it only matters
for training (initialisers, regularisers, constraints, ``trainable``,
``dtype`` ...), or checked to hold the only value tspcli computes
(``data_format: channels_last``, ``groups: 1`` ...).  Anything else is refused
with a message naming the layer and the key, so a setting that changes the
numbers is never silently dropped.
"""
from __future__ import annotations

from tspcli.errors import LoadError, TspError

# (tspcli type, preset config, {Keras key: tspcli key, or None for a key accepted and unused})
_CONV = {"filters": "filters", "kernel_size": "kernelSize", "strides": "strides",
         "padding": "padding", "dilation_rate": "dilationRate", "activation": "activation",
         "use_bias": "useBias"}
_DEPTHWISE = {**{k: v for k, v in _CONV.items() if k != "filters"},
              "depth_multiplier": "depthMultiplier"}
_POOL = {"pool_size": "poolSize", "strides": "strides", "padding": "padding"}
_GLOBAL = {"keepdims": "keepdims"}
_SLOPE = {"negative_slope": "negativeSlope", "alpha": "negativeSlope"}  # Keras 2 called it alpha

TABLE: dict[str, tuple[str, dict, dict]] = {
    "Conv1D": ("Conv1d", {}, _CONV),
    "Conv2D": ("Conv2d", {}, {**_CONV, "groups": "groups"}),
    "Conv2DTranspose": ("Conv2dTranspose", {}, {**_CONV, "output_padding": "outputPadding"}),
    "DepthwiseConv2D": ("DepthwiseConv2d", {}, _DEPTHWISE),
    "SeparableConv2D": ("SeparableConv2d", {}, {**_CONV, "depth_multiplier": "depthMultiplier"}),
    "MaxPooling1D": ("Pooling1d", {"poolingType": "max"}, _POOL),
    "MaxPooling2D": ("Pooling2d", {"poolingType": "max"}, _POOL),
    "AveragePooling1D": ("Pooling1d", {"poolingType": "average"}, _POOL),
    "AveragePooling2D": ("Pooling2d", {"poolingType": "average"}, _POOL),
    "GlobalMaxPooling1D": ("GlobalPooling1d", {"poolingType": "max"}, _GLOBAL),
    "GlobalMaxPooling2D": ("GlobalPooling2d", {"poolingType": "max"}, _GLOBAL),
    "GlobalAveragePooling1D": ("GlobalPooling1d", {"poolingType": "average"}, _GLOBAL),
    "GlobalAveragePooling2D": ("GlobalPooling2d", {"poolingType": "average"}, _GLOBAL),
    "ZeroPadding1D": ("Padding1d", {}, {"padding": "padding"}),
    "ZeroPadding2D": ("Padding2d", {}, {"padding": "padding"}),
    "Cropping1D": ("Cropping1d", {}, {"cropping": "cropping"}),
    "Cropping2D": ("Cropping2d", {}, {"cropping": "cropping"}),
    "UpSampling1D": ("UpSampling1d", {}, {"size": "size"}),
    "UpSampling2D": ("UpSampling2d", {}, {"size": "size", "interpolation": "interpolation",
                                          # not Keras': TensorFlow Lite's resize (tspcli.io.tflite)
                                          "coordinate_mode": "coordinateMode", "output_size": "outputSize"}),
    "Dense": ("Dense", {}, {"units": "units", "activation": "activation", "use_bias": "useBias"}),
    "Flatten": ("Flatten", {}, {}),
    "Reshape": ("Reshape", {}, {"target_shape": "targetShape"}),
    "BatchNormalization": ("BatchNormalization", {},
                           {"axis": "axis", "epsilon": "epsilon", "center": "center", "scale": "scale"}),
    "Activation": ("Activation", {}, {"activation": "activation"}),
    "ReLU": ("Activation", {"activation": "relu"},
             {"max_value": "maxValue", "negative_slope": "negativeSlope", "threshold": "threshold"}),
    "LeakyReLU": ("Activation", {"activation": "leaky_relu", "negativeSlope": 0.3}, _SLOPE),
    "Softmax": ("Activation", {"activation": "softmax"}, {"axis": "axis"}),
    "ELU": ("Activation", {"activation": "elu"}, {}),
    "Add": ("Add", {}, {}),
    "Subtract": ("Subtract", {}, {}),
    "Multiply": ("Multiply", {}, {}),
    "Average": ("Average", {}, {}),
    "Maximum": ("Maximum", {}, {}),
    "Concatenate": ("Concatenate", {}, {"axis": "axis"}),
    "Dropout": ("Dropout", {}, {"rate": "rate"}),
    "SpatialDropout1D": ("Dropout", {}, {"rate": "rate"}),
    "SpatialDropout2D": ("Dropout", {}, {"rate": "rate"}),
    "SpatialDropout3D": ("Dropout", {}, {"rate": "rate"}),
    # Layers that only act while training: the identity at inference, drawn as Dropout is.
    "GaussianNoise": ("Dropout", {"rate": 0.0}, {"stddev": None}),
    "GaussianDropout": ("Dropout", {}, {"rate": "rate"}),
    "AlphaDropout": ("Dropout", {}, {"rate": "rate"}),
    "ActivityRegularization": ("Dropout", {"rate": 0.0}, {"l1": None, "l2": None}),
    "Identity": ("Dropout", {"rate": 0.0}, {}),
    "Embedding": ("Embedding", {}, {"input_dim": "inputDim", "output_dim": "outputDim"}),
    "Rescaling": ("Rescaling", {}, {"scale": "scale", "offset": "offset"}),
    "Normalization": ("Normalization", {}, {"mean": "mean", "variance": "variance", "axis": "axis",
                                            "invert": "invert"}),
    "LayerNormalization": ("LayerNormalization", {}, {"axis": "axis", "epsilon": "epsilon", "center": "center",
                                                      "scale": "scale", "rms_scaling": "rmsScaling"}),
    "LayerScale": ("LayerScale", {}, {}),  # keras.applications.convnext's
    "Permute": ("Permute", {}, {"dims": "dims"}),
    "PReLU": ("PReLU", {"sharedAxes": []}, {"shared_axes": "sharedAxes"}),  # none shared: a slope per value
    "RepeatVector": ("RepeatVector", {}, {"n": "n"}),
    # not Keras': a TensorFlow Lite MUL of a feature map and its per-channel gate (tspcli.io.tflite)
    "tspcli.SqueezeExcitation": ("SqueezeExcitation", {}, {}),
}

# Keys that only matter for training or storage.
_IGNORED = {"name", "trainable", "dtype", "batch_input_shape", "batch_shape", "input_shape",
            "momentum", "seed", "noise_shape", "mask_zero", "input_length", "synchronized",
            "renorm_momentum", "renorm_clipping", "sparse", "ragged", "optional",
            "init_values", "projection_dim"}  # LayerScale's initial value; its size is its weight's
_TRAINING_SUFFIXES = ("_initializer", "_regularizer", "_constraint")
# Keys whose value must be one tspcli computes: key -> accepted values.
_ONLY = {"data_format": ("channels_last",), "groups": (1,), "alpha": (1, 1.0)}  # alpha: ELU's
_LAYER_ACTIVATIONS = {"ReLU": "relu", "Softmax": "softmax", "ELU": "elu"}


def is_known(class_name: str) -> bool:
    return class_name in TABLE or class_name == "InputLayer"


def layer_spec(layer, file: str) -> tuple[str, dict]:
    """(tspcli type, config) of a FileLayer of a class in the table (not InputLayer)."""
    type_name, preset, keys = TABLE[layer.class_name]
    config = dict(preset)
    for key, value in layer.config.items():
        if key in keys:
            if keys[key] is None or (value is None and key != "activation"):
                continue  # Keras' "use the default" (strides of pooling, output_padding ...)
            config[keys[key]] = activation_name(value, layer, file) if key == "activation" else value
        elif not _ignorable(key, value):
            raise _unsupported(layer, key, value, file)
    if layer.class_name == "LeakyReLU" and config["negativeSlope"] == 0:
        config = {"activation": "relu"}  # our leaky_relu would fall back to its own default slope
    return type_name, config


def _ignorable(key: str, value) -> bool:
    if key in _IGNORED or key.endswith(_TRAINING_SUFFIXES) or key == "activity_regularizer":
        return True
    if key in _ONLY:
        return value is None or value in _ONLY[key]
    return value is None or value is False  # a feature switched off (renorm, lora_rank ...)


def _unsupported(layer, key, value, file) -> LoadError:
    if key == "data_format":
        return LoadError(f"{layer.class_name} uses data_format '{value}'; tspcli computes "
                         "channels_last models only", file=file, layer=layer.name, key=key,
                         hint="re-save the model with channels_last layers")
    return LoadError(f"{layer.class_name} setting {key}={value!r} is not supported", file=file,
                     layer=layer.name, key=key)


def activation_name(value, layer, file: str) -> str:
    """An activation as stored (a name, TensorFlow.js camelCase, or a Keras-serialised dict)
    -> tspcli's canonical name."""
    from tspcli.layers.params import activation

    name = value
    if value is None:
        name = "linear"
    elif isinstance(value, dict):
        name = _serialised_activation(value)
    if not isinstance(name, str):
        raise LoadError(f"activation {value!r} is not supported", file=file, layer=layer.name,
                        key="activation")
    try:
        return activation(name)
    except TspError as exc:
        raise LoadError(exc.message, file=file, layer=layer.name, key="activation",
                        hint=exc.hint) from None


def _serialised_activation(value: dict):
    """{"class_name": "function", "config": "relu"}, or an activation layer with its defaults."""
    cls, config = value.get("class_name"), value.get("config")
    if isinstance(config, str):
        return config
    if isinstance(config, dict) and cls in _LAYER_ACTIVATIONS:
        settings = {k: v for k, v in config.items()
                    if not _ignorable(k, v) and v not in (0, 0.0) and k != "axis"}
        if not settings:
            return _LAYER_ACTIVATIONS[cls]
        if cls == "ReLU" and settings == {"max_value": 6}:
            return "relu6"
    if isinstance(config, dict) and isinstance(config.get("name"), str) and cls == "function":
        return config["name"]
    return None
