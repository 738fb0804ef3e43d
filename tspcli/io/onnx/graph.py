"""The lifting walk: ONNX nodes in order, each value a constant or a feature map.

Every value of the graph is either a numpy constant (weights, shapes, folded
computations) or a ``Feature``: the output of a tspcli layer, with its ONNX
shape (batch 1 first) and how that shape maps onto the layer's channels-last
value.  Nodes are visited in the file's (topological) order; a node whose
inputs are all constants is folded (``tspcli.io.onnx.fold``), any other is
lifted by the handler of its operator (``tspcli.io.onnx.lift_*``), which may
take the nodes after it too when they form one layer (hard-swish, a bias add,
a channel shuffle).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from tspcli.errors import LoadError, TspError
from tspcli.io.onnx.fold import FOLD
from tspcli.io.onnx.names import Namer

# How an ONNX tensor of each rank maps to a layer's value (batch axis first, dropped):
# NCHW -> HWC, NCL -> LC, NF -> F.
CHANNELS_LAST = {2: (0, 1), 3: (0, 2, 1), 4: (0, 2, 3, 1)}
# Folding never builds a constant larger than this many elements (a shape computation is tiny).
_FOLD_LIMIT = 1 << 24


@dataclass
class Node:
    index: int
    op: str
    name: str
    domain: str
    inputs: list[str]
    outputs: list[str]
    attrs: dict = field(default_factory=dict)
    scope: str | None = None  # the module path the dynamo exporter records (see tspcli.io.onnx.names)

    @property
    def label(self) -> str:
        return self.name or (self.outputs[0] if self.outputs else f"#{self.index}")


@dataclass
class Feature:
    """A tensor computed by a layer: ONNX ``shape`` (batch 1 first); the layer's value is the ONNX
    value transposed by ``perm`` with the batch axis dropped."""

    layer: object
    shape: tuple
    perm: tuple | None
    # the 5-D middle of a channel shuffle: (kind, source Feature, groups, the Reshape that began it)
    pending: tuple | None = None

    @property
    def channels_last(self) -> bool:
        return self.perm == CHANNELS_LAST.get(len(self.shape))


class Unsupported(Exception):
    """A node no handler can lift (turned into an error, or a generic layer with --skip-unknown)."""


class Lifter:
    def __init__(self, file: str, nodes: list[Node], graph_outputs: list[str], skip_unknown: bool, opset: int):
        self.file, self.opset = file, opset
        self.nodes = nodes
        self.graph_outputs = set(graph_outputs)
        self.skip_unknown = skip_unknown
        self.values: dict[str, object] = {}
        self.layers: list = []
        self.done: set[int] = set()
        self.namer = Namer()
        self.consumers: dict[str, list[Node]] = {}
        for node in nodes:
            for name in node.inputs:
                if name:
                    self.consumers.setdefault(name, []).append(node)
        self.value_shapes: dict[str, tuple] = {}  # shapes the file records (value_info), for --skip-unknown

    # --- errors ----------------------------------------------------------------------
    def error(self, node: Node, message: str, hint: str | None = None) -> LoadError:
        return LoadError(f"{node.op} node: {message}", file=self.file, layer=node.label, hint=hint)

    # --- values ----------------------------------------------------------------------
    def value(self, node: Node, i: int):
        name = node.inputs[i] if i < len(node.inputs) else ""
        if not name:
            return None
        if name not in self.values:
            raise self.error(node, f"input '{name}' is used before any node computes it (the graph is "
                                   "not in topological order, or the value does not exist)")
        return self.values[name]

    def const(self, node: Node, i: int, what: str = "input"):
        v = self.value(node, i)
        if isinstance(v, Feature):
            raise Unsupported(f"its {what} (input {i}) is computed from the model's input; tspcli needs a "
                              "constant there")
        return v

    def feature(self, node: Node, i: int = 0) -> Feature:
        """A feature map in ONNX's usual layout (NCHW for 4-D: the layer holds it as HWC)."""
        v = self.value(node, i)
        if not isinstance(v, Feature):
            raise Unsupported(f"input {i} is a constant where tspcli expects a feature map")
        if not v.channels_last:
            raise Unsupported(f"input {i} is a {len(v.shape)}-D tensor {list(v.shape)} in a layout tspcli "
                              "cannot compute this operator on (a Transpose or 5-D reshape before it)")
        return v

    def sole_consumer(self, value_name: str, op: str | tuple | None = None) -> Node | None:
        """The one node reading ``value_name`` (of type ``op``), if nothing else reads it."""
        users = self.consumers.get(value_name, [])
        if len(users) != 1 or value_name in self.graph_outputs or users[0].index in self.done:
            return None
        if op is not None and users[0].op not in ((op,) if isinstance(op, str) else op):
            return None
        return users[0]

    def scalar(self, node: Node, i: int):
        """A constant input of a single value (any shape of size 1), as float; else None (also when it is
        not computed yet: patterns look ahead)."""
        v = self.values.get(node.inputs[i]) if i < len(node.inputs) else None
        if isinstance(v, Feature) or v is None or np.asarray(v).size != 1:
            return None
        return float(np.asarray(v).reshape(-1)[0])

    # --- layers ----------------------------------------------------------------------
    def add(self, cls, config: dict, inbound: list[Feature], node: Node, shape: tuple, *,
            weights: dict | None = None, output: str | None = None, perm: tuple | None = None,
            last: Node | None = None) -> Feature:
        """Build one layer computing ONNX value ``output`` (default: the last node's first output)."""
        last = last or node
        output = output or last.outputs[0]
        perm = perm or CHANNELS_LAST.get(len(shape))
        if perm is None:
            raise Unsupported(f"its {len(shape)}-D output {list(shape)} cannot be drawn")
        name = self.namer.name(node.name, node.outputs[0] if node.outputs else output, node.scope)
        try:
            layer = cls({**config, "name": name})
            layer.apply([f.layer for f in inbound])
            shape_in = None if layer.arity == 0 else [f.layer.output_shape for f in inbound] \
                if layer.arity == "many" else inbound[0].layer.output_shape
            layer.build_shapes(shape_in)
        except TspError as exc:
            raise self.error(node, exc.message, hint=exc.hint) from None
        expected = tuple(shape[p] for p in perm[1:])
        if tuple(layer.output_shape) != expected:
            raise self.error(node, f"lifted as {layer.layer_type} of output {list(layer.output_shape)}, "
                                   f"but the operator gives {list(expected)} (ONNX {list(shape)})")
        if weights:
            want = layer.weight_shapes()
            for key, value in weights.items():
                if tuple(want.get(key, ())) != tuple(value.shape):
                    raise self.error(node, f"weight '{key}' has shape {list(value.shape)}, the layer needs "
                                           f"{list(want.get(key, ()))}")
            layer.weights = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in weights.items()}
        layer.keras_class = node.op if last is node else f"{node.op}..{last.op}"
        layer.onnx_output = (output, perm)
        self.layers.append(layer)
        feature = Feature(layer, tuple(shape), perm)
        self.values[output] = feature
        return feature

    def finish(self, *nodes: Node) -> None:
        """Mark nodes after the current one as lifted with it."""
        self.done.update(n.index for n in nodes)

    def alias(self, node: Node, value) -> None:
        """The node passes a value through (Identity, Dropout, a layout-only Transpose)."""
        self.values[node.outputs[0]] = value

    # --- the walk --------------------------------------------------------------------
    def run(self, handlers: dict) -> None:
        for node in self.nodes:  # constants first, so that patterns can look ahead at them
            if node.op == "Constant" and node.domain in ("", "ai.onnx"):
                self.values[node.outputs[0]] = _constant_value(node)
                self.done.add(node.index)
        for node in self.nodes:
            if node.index in self.done:
                continue
            self.done.add(node.index)
            try:
                if node.domain not in ("", "ai.onnx"):
                    raise Unsupported(f"operator {node.domain}.{node.op} is outside the standard ONNX domain")
                if node.op == "Shape" and isinstance(self.value(node, 0), Feature):
                    self.values[node.outputs[0]] = _shape_of(node, self.value(node, 0).shape)
                elif node.op in FOLD and all(not isinstance(self.value(node, i), Feature)
                                             for i in range(len(node.inputs))):
                    self.fold(node)
                elif node.op in handlers:
                    handlers[node.op](self, node)
                else:
                    raise Unsupported(f"operator {node.op} is not one tspcli lifts")
            except Unsupported as exc:
                self.unsupported(node, str(exc))
            except (KeyError, IndexError, ValueError, TypeError, AttributeError) as exc:
                # a required attribute or input missing, or of the wrong kind: the file is malformed
                raise self.error(node, f"malformed node ({type(exc).__name__}: {exc})") from None

    def fold(self, node: Node) -> None:
        inputs = [self.value(node, i) for i in range(len(node.inputs))]
        if node.op in ("ConstantOfShape", "Expand", "Range"):
            size = _folded_size(node.op, inputs)
            if size > _FOLD_LIMIT:
                raise self.error(node, f"would build a constant of {size} values at load time; tspcli "
                                       f"folds at most {_FOLD_LIMIT}")
        try:
            with np.errstate(all="ignore"):
                out = FOLD[node.op](node.attrs, *[np.asarray(v) if v is not None else None for v in inputs])
        except (ValueError, IndexError, TypeError, KeyError, ZeroDivisionError) as e:
            raise self.error(node, f"cannot compute it from its constant inputs ({e})") from None
        self.values[node.outputs[0]] = np.asarray(out)

    def unsupported(self, node: Node, why: str) -> None:
        if not self.skip_unknown:
            raise self.error(node, why, hint="--skip-unknown draws it as a generic layer of its shape")
        from tspcli.layers import Layer1d, Layer2d, Layer3d

        inbound = [v for v in (self.values.get(n) for n in node.inputs if n) if isinstance(v, Feature)]
        shape = self.value_shapes.get(node.outputs[0]) or (inbound[0].shape if inbound else None)
        if shape is None or not 2 <= len(shape) <= 4 or not inbound:
            raise self.error(node, f"{why}; its output shape is unknown, so --skip-unknown cannot draw it")
        generic = {2: Layer1d, 3: Layer2d, 4: Layer3d}[len(shape)]
        perm = CHANNELS_LAST[len(shape)]
        self.add(generic, {"shape": [shape[p] for p in perm[1:]]}, inbound[:1], node, shape)
        for extra in node.outputs[1:]:
            self.values[extra] = self.values[node.outputs[0]]


def _constant_value(node: Node) -> np.ndarray:
    for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if key in node.attrs:
            v = node.attrs[key]
            return np.asarray(v, np.float32 if "float" in key else np.int64) if key != "value" else v
    raise Unsupported("a Constant without a numeric value")


def _shape_of(node: Node, shape: tuple) -> np.ndarray:
    out = np.asarray(shape, np.int64)
    start, end = node.attrs.get("start", 0), node.attrs.get("end")
    return out[start:end]


def _folded_size(op: str, inputs) -> int:
    if op == "ConstantOfShape":
        return math.prod(int(d) for d in np.asarray(inputs[0]).reshape(-1))
    if op == "Expand":
        target = [int(d) for d in np.asarray(inputs[1]).reshape(-1)]
        return max(math.prod(target), np.asarray(inputs[0]).size) * max(1, np.asarray(inputs[0]).size)
    start, limit, delta = (float(np.asarray(v).reshape(-1)[0]) for v in inputs)
    return int(max(0, math.ceil((limit - start) / delta))) if delta else _FOLD_LIMIT + 1
