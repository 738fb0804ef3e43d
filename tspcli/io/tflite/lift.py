"""A TensorFlow Lite graph -> FileLayers with Keras classes, configs and weight names.

TensorFlow Lite operators map onto the Keras layers tspcli already draws and
computes (CONV_2D -> Conv2D, DEPTHWISE_CONV_2D -> DepthwiseConv2D, MEAN over
height and width -> GlobalAveragePooling2D ...), so a .tflite file becomes
the same ``FileModel`` a Keras file does and everything downstream (shape and
weight checks, views, convert, predict, render) is shared.  The operators
themselves are in ``tspcli.io.tflite.operators`` (``arithmetic``, ``activations``);
this module walks the graph:

* Tensors with data are constants (weights, shapes, axes); DEQUANTIZE of a
  constant is folded into a float32 constant.  DEQUANTIZE and QUANTIZE of an
  activation are dropped: tspcli computes every activation in float.
* A standalone activation operator (SOFTMAX after FULLY_CONNECTED ...) whose
  input feeds nothing else becomes its producer's ``activation``, as the Keras
  layer the converter split it from had it; a fused activation of a layer
  without one (ADD, pooling) becomes an Activation layer after it.
* A dynamic input (shape_signature -1) takes its sizes from ``--input-shape``
  or ``--input`` (``tspcli.io.dynamic_shape``, as ONNX's), and every layer's
  shape is computed from them, since the file declares 1 for each such size.
* An operator tspcli does not compute becomes a layer of class
  ``tflite>OPERATOR`` (never a Keras class) whose ``config["unsupported"]``
  says why: the converter refuses it naming the operator and its index, or
  draws a generic layer with ``--skip-unknown``.
"""
from __future__ import annotations

import math

import numpy as np

from tspcli.errors import LoadError
from tspcli.io.dynamic_shape import fixed_sizes
from tspcli.io.filemodel import FileLayer
from tspcli.io.limits import check_size

from .flatbuffer import Graph, Operator
from .names import UniqueNames, readable_name
from .tensors import constant_array, is_quantized_activation

# Layers whose Keras class takes an ``activation`` (a fused one, or a folded standalone op).
WITH_ACTIVATION = ("Conv2D", "DepthwiseConv2D", "Dense", "Conv2DTranspose")
FUSED = {0: "linear", 1: "relu", 2: "hard_tanh", 3: "relu6", 4: "tanh"}  # ActivationFunctionType -> Keras name
_FUSED_NAMES = {5: "SIGN_BIT"}


class Unsupported(Exception):
    """An operator (or a setting of one) tspcli does not compute; the message says which."""


class Lifter:
    def __init__(self, graph: Graph, file: str, max_bytes: int, input_shape=None):
        self.graph, self.file, self.max_bytes, self.input_shape = graph, file, max_bytes, input_shape
        # With a dynamic input, declared shapes hold 1 for every size known only at run time: each
        # layer's shape is computed from its inputs' instead, by the layer tspcli builds for it.
        self.dynamic = False
        self.layer_shapes: dict[str, tuple | None] = {}
        self.layers: list[FileLayer] = []
        self.by_name: dict[str, FileLayer] = {}
        self.layer_of: dict[int, str] = {}  # activation tensor -> the layer that gives it
        self.constants: dict[int, np.ndarray] = {}
        self.constant_bytes = 0
        self.unique = UniqueNames()
        self.inputs: list[str] = []  # the input layers, once input_layers() has made them
        self.consumers = [0] * len(graph.tensors)
        self.readers: dict[int, list[Operator]] = {}  # tensor -> the operators that read it
        for op in graph.operators:
            for t in op.inputs:
                if t >= 0:
                    self.consumers[t] += 1
                    self.readers.setdefault(t, []).append(op)
        for t in graph.outputs:
            self.consumers[t] += 1  # a model output is seen by the user: never folded away
        self.done: set[int] = set()  # operators lifted with an earlier one (a composition)

    # --- tensors -----------------------------------------------------------------------
    def is_constant(self, t: int) -> bool:
        return t in self.constants or (t >= 0 and self.graph.tensors[t].data is not None)

    def constant(self, op: Operator, k: int, what: str) -> np.ndarray | None:
        """The k-th input of ``op`` as a constant array (None when the optional input is left out)."""
        t = op.inputs[k] if k < len(op.inputs) else -1
        if t < 0:
            return None
        if t not in self.constants:
            if self.graph.tensors[t].data is None:
                raise Unsupported(f"its {what} (tensor '{self.graph.tensors[t].name}') is computed "
                                  "while the model runs, not stored in the file")
            value = constant_array(self.graph.tensors[t], self.file)
            self.constant_bytes += value.nbytes
            check_size(self.constant_bytes, self.max_bytes, LoadError, self.file,
                       "the weights as float32", hint="raise --max-memory")
            self.constants[t] = value
        return self.constants[t]

    def shape(self, t: int) -> tuple[int, ...]:
        """An activation's shape without the batch axis: as declared in the file, or computed
        when the input is dynamic."""
        if self.dynamic:
            shape = self.layer_shapes.get(self.layer_of.get(t, ""))
            if shape is None:
                raise Unsupported(f"reads tensor '{self.graph.tensors[t].name}', whose size tspcli cannot "
                                  "compute for the dynamic input")
            return shape
        return self.graph.tensors[t].shape[1:]

    def source(self, op: Operator, k: int) -> str:
        """The layer giving the k-th input of ``op``, an activation."""
        t = op.inputs[k] if k < len(op.inputs) else -1
        if t < 0:
            raise LoadError(f"operator {op.index} {op.op} has no input {k}", file=self.file)
        if self.is_constant(t):
            raise Unsupported(f"input {k} is a constant (tensor '{self.graph.tensors[t].name}'), "
                              "where tspcli computes only a layer's output")
        if t not in self.layer_of:
            raise LoadError(f"operator {op.index} {op.op} reads tensor {t} "
                            f"'{self.graph.tensors[t].name}' before any operator gives it", file=self.file)
        return self.layer_of[t]

    # --- layers ------------------------------------------------------------------------
    def add(self, op: Operator, class_name: str, config: dict, inbound: list[str], weights=None,
            *, suffix: str | None = None, output: bool = True) -> FileLayer:
        """A FileLayer named after ``op``'s output tensor; it gives that tensor unless ``output`` is
        False (a Flatten put before a Dense)."""
        t = op.outputs[0]
        base = readable_name(self.graph.tensors[t].name, op.op)
        name = self.unique(f"{base}_{suffix}" if suffix else base)
        layer = FileLayer(name, class_name, config, list(inbound), dict(weights or {}))
        if self.dynamic:
            self.layer_shapes[name] = computed_shape(layer, [self.layer_shapes[n] for n in inbound], self.file)
        if output:
            self.layer_of[t] = name
            layer.shape = self.layer_shapes[name] if self.dynamic else self.shape(t)
        self.layers.append(layer)
        self.by_name[name] = layer
        return layer

    def alias(self, op: Operator, source: str) -> None:
        """``op``'s output is its input's values (QUANTIZE/DEQUANTIZE of an activation)."""
        self.layer_of[op.outputs[0]] = source

    @staticmethod
    def fused_activation(op: Operator) -> str:
        """The Keras name of ``op``'s fused activation ("linear" without one); checked before the
        operator is lifted, so that one tspcli does not compute makes the operator unsupported."""
        code = op.options.get("FusedActivationFunction", 0)
        if code not in FUSED:
            raise Unsupported(f"has the fused activation {_FUSED_NAMES.get(code, code)}, which tspcli "
                              "does not compute")
        return FUSED[code]

    def fused(self, op: Operator, layer: FileLayer) -> None:
        """Apply ``op``'s fused activation to the layer just added."""
        name = self.fused_activation(op)
        if name == "linear":
            return
        if layer.class_name in WITH_ACTIVATION:
            layer.config["activation"] = name
            return
        layer.shape = None  # the activation after it gives the output tensor now
        self.add(op, "Activation", {"activation": name}, [layer.name], suffix=name)

    def fold_activation(self, op: Operator, activation: str, t: int | None = None,
                        last: Operator | None = None) -> bool:
        """Make ``activation`` the activation of the layer giving ``op``'s input (or tensor ``t``),
        when that layer is linear and nothing else reads its output; it then gives the output of
        ``op`` (or of ``last``, the end of a composition).  Returns whether it did."""
        t = op.inputs[0] if t is None else t
        producer = self.by_name.get(self.layer_of.get(t, ""))
        if producer is None or producer.class_name not in WITH_ACTIVATION or self.consumers[t] != 1 \
                or producer.config.get("activation", "linear") != "linear":
            return False
        producer.config["activation"] = activation
        self.layer_of[(last or op).outputs[0]] = producer.name
        return True

    def sole_reader(self, t: int, *names: str) -> Operator | None:
        """The one operator reading tensor ``t``, when it is one of ``names`` and nothing else
        (not the user: a model output) sees ``t``."""
        readers = self.readers.get(t, [])
        if self.consumers[t] != len(readers) or len({r.index for r in readers}) != 1 or \
                readers[0].op not in names:
            return None
        return readers[0]

    def unsupported(self, op: Operator, why: str) -> None:
        """A stand-in layer the converter refuses (or draws generically with --skip-unknown)."""
        inbound = [self.layer_of[t] for t in op.inputs if t >= 0 and t in self.layer_of]
        message = f"TensorFlow Lite operator {op.op} (operator {op.index}) {why}"
        layer = self.add(op, f"tflite>{op.op}", {"unsupported": message}, inbound)
        for t in op.outputs[1:]:
            self.layer_of[t] = layer.name

    # --- the model ---------------------------------------------------------------------
    def input_layers(self) -> list[str]:
        self.dynamic = any(d < 0 for t in self.graph.inputs for d in (self.graph.tensors[t].signature or ())[1:])
        for t in self.graph.inputs:
            tensor = self.graph.tensors[t]
            if len(tensor.shape) < 2 or math.prod(tensor.shape) == 0:
                raise LoadError(f"input '{tensor.name}' has shape {list(tensor.shape)}; tspcli needs "
                                "a batch axis and at least one more", file=self.file)
            signature = tensor.signature if tensor.signature and len(tensor.signature) == len(tensor.shape) \
                else tensor.shape
            shape = tuple(fixed_sizes(tensor.name, [d if d >= 0 else "?" for d in signature[1:]],
                                      self.input_shape, self.file))
            name = self.unique(readable_name(tensor.name, "input"))
            self.layer_shapes[name] = shape
            self.layers.append(FileLayer(name, "InputLayer", {}, [], {}, shape=shape))
            self.by_name[name] = self.layers[-1]
            self.layer_of[t] = name
        return [self.layer_of[t] for t in self.graph.inputs]

    def quantized_activations(self) -> bool:
        return any(is_quantized_activation(t) for t in self.graph.tensors)


def computed_shape(layer: FileLayer, inbound: list, file: str) -> tuple | None:
    """The output shape of the tspcli layer that ``layer`` becomes, from its inputs' shapes; None for
    an operator tspcli does not compute."""
    from tspcli.errors import TspError
    from tspcli.io.keras_layers import is_known, layer_spec
    from tspcli.layers import resolve_type

    if not is_known(layer.class_name) or None in inbound:
        return None
    type_name, config = layer_spec(layer, file)
    cls, _ = resolve_type(type_name, config)
    try:
        built = cls({**config, "name": layer.name})
        built.build_shapes(inbound if built.arity == "many" else inbound[0])
    except TspError as exc:
        raise exc.located(file=file, layer=layer.name) from None
    return tuple(built.output_shape)
