"""Model files -> tspcli Models: Keras classes become the layers that draw them.

``model_from_file(path)`` reads any supported file (``tspcli.io.filemodel``)
and maps each layer through the class table of ``tspcli.io.keras_layers``.
Shapes are computed as the layers are built, so that every weight of the file
is checked against the shape its layer's config implies, and so that

* a 2-D input that only feeds Reshape or Flatten (the classic MNIST LeNet) is
  drawn as the greyscale image it is, not as a sequence;
* a Dense layer that feeds nothing and gives a vector is the model's Output1d;
* with ``skip_unknown``, a layer of a class outside the table (a Lambda, a
  user's class) becomes a generic Layer1d/2d/3d of the shape the file records,
  or of its input's shape when the file records none.

Nothing from the file is ever executed.
"""
from __future__ import annotations

import numpy as np

from tspcli.errors import LoadError, TspError
from tspcli.io import limits
from tspcli.io.filemodel import FileLayer, FileModel
from tspcli.io.formats import read_model_file
from tspcli.io.keras_layers import is_known, layer_spec

_SIZE_ONLY = ("Reshape", "Flatten")  # consumers that see only how many values there are


def model_from_file(path, weights=None, *, skip_unknown: bool = False,
                    max_bytes: int = limits.DEFAULT_MAX_BYTES, input_shape=None):
    """A Model (shapes known, not yet ``init()``-ed) with the file's weights.

    ``weights`` is the weights file of TensorSpace's separated form (found next
    to the topology when not given); ``input_shape``: an ONNX file's dynamic sizes.
    """
    return convert(read_model_file(path, weights, max_bytes=max_bytes, skip_unknown=skip_unknown,
                                   input_shape=input_shape), skip_unknown=skip_unknown)


def convert(fm: FileModel, *, skip_unknown: bool = False, overrides: dict | None = None):
    """The Model of a FileModel.  ``overrides`` (layer name -> class) choose how an input
    or a Dense/Output1d layer is drawn, as a view may (see ``tspcli.io.views``)."""
    if fm.format == "onnx":  # lifted while it was read (tspcli.io.onnx)
        from tspcli.io.onnx import apply_overrides
        return apply_overrides(fm, overrides or {})
    return _Converter(fm, skip_unknown, overrides or {}).model()


class _Converter:
    def __init__(self, fm: FileModel, skip_unknown: bool, overrides: dict):
        self.fm, self.file, self.skip_unknown, self.overrides = fm, fm.path, skip_unknown, overrides
        self.consumers: dict[str, list[str]] = {fl.name: [] for fl in fm.layers}
        for fl in fm.layers:
            for source in fl.inbound:
                self.consumers[source].append(fl.class_name)
        self.chain = fm.kind == "Sequential" and len(fm.inputs) == 1 and all(
            fl.inbound == ([prev.name] if prev else []) for prev, fl in zip([None, *fm.layers], fm.layers))
        self.built = {}

    def error(self, message, layer: FileLayer, **kwargs) -> LoadError:
        return LoadError(message, file=self.file, layer=layer.name, **kwargs)

    def model(self):
        from tspcli.model import Model, Sequential

        for fl in self.fm.layers:
            inbound = [self.built[name] for name in fl.inbound]
            layer = self.layer(fl, inbound)
            if self.chain:
                layer.inbound = inbound
            else:
                layer.apply(inbound)
            self.build_shapes(layer, fl)
            self.attach_weights(layer, fl)
            self.built[fl.name] = layer
        options = {"name": self.fm.name, "kerasVersion": self.fm.keras_version}
        layers = list(self.built.values())
        if self.chain:
            model = Sequential(layers, **options)
        else:
            model = Model([self.built[n] for n in self.fm.inputs], [self.built[n] for n in self.fm.outputs],
                          layers=layers, **options)
        model.source = self.file
        model.notes = list(self.fm.notes)
        return model

    # --- one layer -----------------------------------------------------------------
    def layer(self, fl: FileLayer, inbound: list):
        from tspcli.layers import resolve_type

        if fl.class_name == "InputLayer":
            layer = self.input_layer(fl)
        elif not is_known(fl.class_name):
            layer = self.unknown_layer(fl, inbound)
        else:
            type_name, config = layer_spec(fl, self.file)
            if type_name == "Conv2d" and len(inbound) == 1 and config.get("groups", 1) > 1 and \
                    config["groups"] == inbound[0].output_shape[-1]:
                type_name, config = "DepthwiseConv2d", _as_depthwise(config, fl)
            if type_name == "Dense" and not self.consumers[fl.name] and \
                    len(inbound) == 1 and len(inbound[0].output_shape) == 1:
                type_name = "Output1d"
            cls, _ = resolve_type(type_name, config)
            if type_name in ("Dense", "Output1d"):
                cls = self.overrides.get(fl.name, cls)
            if config.get("activation") == "linear" and cls.all_params()["activation"].default is None:
                del config["activation"]  # linear is the default, as a description would leave it
            layer = self.construct(cls, {**config, "name": fl.name}, fl)
        layer.keras_class = fl.class_name
        return layer

    def construct(self, cls, config: dict, fl: FileLayer):
        try:
            return cls(config)
        except TspError as exc:
            raise self.error(exc.message, fl, key=exc.key, hint=exc.hint) from None

    def input_layer(self, fl: FileLayer):
        from tspcli.layers import GreyscaleInput
        from tspcli.layers.inputs import input_class_for_shape

        shape = fl.shape
        if not shape or any(d is None for d in shape):
            raise self.error(f"the input has no fixed size (shape {_listed(shape)}); tspcli needs "
                             "every size of the input", fl)
        if fl.name in self.overrides:
            cls = self.overrides[fl.name]
        elif len(shape) == 2 and self.consumers[fl.name] and \
                all(c in _SIZE_ONLY for c in self.consumers[fl.name]):
            cls = GreyscaleInput
        else:
            try:
                cls = input_class_for_shape(shape)
            except TspError as exc:
                raise self.error(exc.message, fl) from None
        return self.construct(cls, {"name": fl.name, "shape": list(shape)}, fl)

    def unknown_layer(self, fl: FileLayer, inbound: list):
        from tspcli.layers import Layer1d, Layer2d, Layer3d

        what = ("a Lambda layer holds Python code, which tspcli never runs" if fl.class_name == "Lambda"
                else fl.config.get("unsupported") or f"layer class '{fl.class_name}' is not one tspcli knows")
        if not self.skip_unknown:
            raise self.error(what, fl, hint="--skip-unknown draws it as a generic layer of its shape")
        shape = fl.shape if fl.shape and None not in fl.shape else None
        if shape is None:
            shapes = {s.output_shape for s in inbound}
            if len(shapes) != 1:
                raise self.error(f"{what}, and its output shape is neither recorded in the file nor "
                                 "that of its inputs", fl)
            shape = shapes.pop()
        if not 1 <= len(shape) <= 3:
            raise self.error(f"{what}, and its {len(shape)}-D output {list(shape)} cannot be drawn", fl)
        generic = {1: Layer1d, 2: Layer2d, 3: Layer3d}[len(shape)]
        return self.construct(generic, {"name": fl.name, "shape": list(shape)}, fl)

    # --- shapes and weights --------------------------------------------------------
    def build_shapes(self, layer, fl: FileLayer) -> None:
        inbound = layer.inbound
        if layer.arity == 1 and len(inbound) != 1:
            raise self.error(f"{fl.class_name} takes one input, the file gives it {len(inbound)}", fl)
        shape_in = (None if layer.arity == 0 else [s.output_shape for s in inbound]
                    if layer.arity == "many" else inbound[0].output_shape)
        try:
            layer.build_shapes(shape_in)
        except TspError as exc:
            raise exc.located(file=self.file, layer=fl.name)

    def attach_weights(self, layer, fl: FileLayer) -> None:
        if not is_known(fl.class_name):
            return  # a generic stand-in has no weights to give them to
        expected = layer.weight_shapes()
        for name, value in fl.weights.items():
            if name not in expected:
                raise self.error(f"the file has a weight '{name}' that {fl.class_name} with this config "
                                 f"does not use (its weights: {', '.join(expected) or 'none'})", fl)
            if tuple(value.shape) != tuple(expected[name]):
                raise self.error(f"weight '{name}' has shape {list(value.shape)} in the file, but the "
                                 f"layer's config and input make it {list(expected[name])}", fl)
        missing = [name for name in expected if name not in fl.weights]
        if missing:
            raise self.error(f"missing weights {', '.join(missing)} (found: "
                             f"{', '.join(fl.weights) or 'none'})", fl)
        layer.weights = {name: np.asarray(fl.weights[name], dtype=np.float32) for name in expected}


def _as_depthwise(config: dict, fl: FileLayer) -> dict:
    """A Conv2D with a group per input channel (ConvNeXt's) is a depthwise convolution, drawn as
    one: output channel c * M + m reads input channel c in both, so its kernel (kh, kw, 1, C * M)
    is the depthwise kernel (kh, kw, C, M) reshaped."""
    groups, filters = config.pop("groups"), config.pop("filters")
    kernel = fl.weights.pop("kernel", None)  # popped once: later calls share the dict
    if kernel is not None:
        kh, kw = kernel.shape[:2]
        fl.weights["depthwise_kernel"] = kernel.reshape(kh, kw, groups, filters // groups)
    return {**config, "depthMultiplier": filters // groups}


def _listed(shape) -> str:
    return "unknown" if not shape else "[" + ", ".join("None" if d is None else str(d) for d in shape) + "]"
