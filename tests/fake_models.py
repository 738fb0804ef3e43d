"""Small stand-in models with the Layer/Model attributes the scene reads (no engine needed)."""
from __future__ import annotations

import numpy as np

COLORS = {"RGBInput": "#EEEEEE", "GreyscaleInput": "#EEEEEE", "Conv2d": "#F7FE2E",
          "DepthwiseConv2d": "#FBBF1F", "Pooling2d": "#00FFFF", "Dense": "#00FF00",
          "Flatten": "#DFE2FE", "Output1d": "#EEEEEE", "Add": "#E23E57", "Conv1d": "#F7FE2E",
          "Input2d": "#EEEEEE", "GlobalPooling2d": "#6EB6FF", "BatchNormalization": "#F08A5D"}


class FakeLayer:
    def __init__(self, name, layer_type, shape, inbound=(), drawn=True, color=None, outputs=None):
        self.name = name
        self.layer_type = layer_type
        self.color_key = layer_type[0].lower() + layer_type[1:]
        self.default_color = COLORS.get(layer_type, "#F08A5D")
        self.output_shape = tuple(shape)
        self.inbound = list(inbound)
        self.drawn = drawn
        self.color = color
        self.config = {"outputs": outputs} if outputs else {}
        self.close_button = {"display": True, "ratio": 1.0}
        self.init_status = None
        self.is_open = False
        self.neural_value = None


class FakeModel:
    def __init__(self, layers, kind="Sequential", options=None):
        self.layers = layers
        self.kind = kind
        self.options = options or {}
        self.inputs = [layer for layer in layers if not layer.inbound]
        consumed = {id(s) for layer in layers for s in layer.inbound}
        self.outputs = [layer for layer in layers if id(layer) not in consumed]

    def get_layer(self, name):
        return next(layer for layer in self.layers if layer.name == name)


def chain(specs, **kw):
    layers = []
    for name, layer_type, shape in specs:
        layers.append(FakeLayer(name, layer_type, shape, inbound=layers[-1:]))
    return FakeModel(layers, **kw)


def small_cnn():
    """RGB input -> conv -> depthwise -> pool -> flatten -> dense -> output."""
    return chain([("input", "RGBInput", (32, 32, 3)), ("conv1", "Conv2d", (16, 16, 8)),
                  ("dw1", "DepthwiseConv2d", (16, 16, 8)), ("pool", "Pooling2d", (8, 8, 8)),
                  ("flat", "Flatten", (512,)), ("fc", "Dense", (32,)), ("out", "Output1d", (10,))])


def mobilenet_like():
    """MobileNetV1-224's shapes: about 11,000 feature maps when all are open."""
    specs = [("input", "RGBInput", (224, 224, 3)), ("conv1", "Conv2d", (112, 112, 32))]
    size, ch = 112, 32
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for i, (out, stride) in enumerate(plan, 1):
        size //= stride
        specs.append((f"conv_dw_{i}", "DepthwiseConv2d", (size, size, ch)))
        specs.append((f"conv_pw_{i}", "Conv2d", (size, size, out)))
        ch = out
    specs += [("gap", "GlobalPooling2d", (1024,)), ("preds", "Output1d", (1000,))]
    return chain(specs)


def fill_values(model, seed=0):
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        layer.neural_value = rng.random(layer.output_shape, dtype=np.float32)
    return model


def residual():
    """A functional model: input -> conv_a -> conv_b -> add(conv_b, conv_a) with a skip over conv_b."""
    inp = FakeLayer("input", "RGBInput", (32, 32, 3))
    a = FakeLayer("conv_a", "Conv2d", (16, 16, 8), [inp])
    b = FakeLayer("conv_b", "Conv2d", (16, 16, 8), [a])
    c = FakeLayer("conv_c", "Conv2d", (16, 16, 8), [b])
    add = FakeLayer("add", "Add", (16, 16, 8), [c, a])
    side = FakeLayer("side", "Conv2d", (16, 16, 4), [inp])
    out = FakeLayer("merge", "Add", (16, 16, 8), [add, side])
    return FakeModel([inp, a, b, c, add, side, out], kind="Model")
