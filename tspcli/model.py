"""Model: a graph of layers (Sequential or functional) with shapes and values.

``init()`` computes every layer's output shape without touching data;
``predict(x)`` computes every layer's neural value.  A model built in Python
(``Sequential().add(layer)`` or ``Model(inputs, outputs)`` over layers joined
with ``apply``) is the same object a description produces.
"""
from __future__ import annotations

import math
from collections import defaultdict, deque

from .errors import ShapeError, SpecError, TspError, did_you_mean
from .io.limits import DEFAULT_MAX_BYTES as DEFAULT_MAX_MEMORY  # bytes of float32 weights and activations
from .layers import params as P
from .layers.base import Layer
from .layers.params import Param, coerce_keys

MODEL_PARAMS = {p.name: p for p in (
    Param("type", P.choice("Sequential", "Model"), "Sequential", "Sequential (a chain) or Model (functional).",
          "Sequential|Model"),
    Param("name", P.optional(str), None, "Model name, used in titles.", "str"),
    Param("animeTime", P.duration_ms, 2000.0, "Default open/close animation time of every layer, ms.", "ms"),
    Param("layerInitStatus", P.choice("close", "open"), "close", "State of every layer at start.", "close|open"),
    Param("layerShape", P.choice("rect", "line"), "rect",
          "How an open layer lays out its feature maps: a near-square grid or a row.", "rect|line"),
    Param("aggregationStrategy", P.choice("average", "max"), "average",
          "What a closed layer shows on its top face: the mean or the max over channels.", "average|max"),
    Param("minOpacity", P.fraction, 0.4, "Opacity of the lowest value (the highest is 1).", "float"),
    Param("hasCloseButton", P.boolean, True, "Draw close buttons beside open layers.", "bool"),
    Param("color", lambda v: color_map(v), {}, "Colours by layer type key (e.g. depthwiseConv2d) and background.", "dict"),
    Param("inputs", P.optional(P.names), None, "Model only: the input layer names.", "list[str]"),
    Param("outputs", P.optional(P.names), None, "Model only: the output layer names.", "list[str]"),
    Param("labels", P.optional(P.string_list), None,
          "Names of the output's classes, one per unit (a view's names for a model file's output).",
          "list[str]"),
    Param("weights", P.optional(str), None, "An .npz of weights keyed '<layer>/<weight>'.", "path"),
    Param("load", P.optional(str), None, "A model file whose network this description shows.", "path"),
    Param("kerasVersion", P.optional(lambda v: str(v)), None,
          "Keras version whose semantics apply (hard_sigmoid differs before Keras 3); model files set it.",
          "str"),
)}


def color_map(value) -> dict[str, str]:
    """The model's ``color`` map: layer type keys (TensorSpace's, e.g. depthwiseConv2d) and background."""
    from .layers import CATALOGUE
    from .layers.base import color_key_of

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(f"color must be a map of layer type to colour, got {value!r}")
    known = {k.lower(): k for k in ["background", *(color_key_of(t) for t in CATALOGUE)]}
    out = {}
    for key, c in value.items():
        canonical = known.get(str(key).lower())
        if canonical is None:
            raise SpecError(f"unknown colour key {key!r}", key=f"color.{key}", hint=did_you_mean(key, known.values(), what="keys"))
        try:
            out[canonical] = P.color(c)
        except TspError as exc:
            raise exc.located(key=f"color.{key}")
    return out


def coerce_model_options(raw: dict) -> dict:
    return coerce_keys(raw, MODEL_PARAMS, "model")


class Model:
    """A functional model: layers joined with ``apply``, from ``inputs`` to ``outputs``."""

    kind = "Model"

    def __init__(self, inputs=None, outputs=None, *, layers=None, name=None, **options):
        # inputs/outputs may be Layers, or names resolved when the model is initialised
        for key, value in (("inputs", inputs), ("outputs", outputs)):
            if value is not None and (isinstance(value, str) or all(isinstance(v, str) for v in value)):
                options[key] = value
        inputs = None if "inputs" in options else inputs
        outputs = None if "outputs" in options else outputs
        self.options = coerce_model_options({"type": self.kind, "name": name, **options})
        self.name = self.options["name"] or ("sequential" if self.kind == "Sequential" else "model")
        self.source: str | None = None  # file the model was read from (for error messages)
        self.timeline = None  # a description's `timeline:` steps, if any
        self.view = None  # a view's (layer entries, line of `load:`): see tspcli.io.views
        self.uncomputed: dict[str, str] = {}  # after predict(strict=False): layers without values, and why
        self.notes: list[str] = []  # how a model file's values are computed (shown by `summary`)
        self.inputs: list[Layer] = list(inputs or [])
        self.outputs: list[Layer] = list(outputs or [])
        self.layers: list[Layer] = list(layers) if layers is not None else self._reachable()
        self.initialized = False

    # --- graph -----------------------------------------------------------------------
    def _reachable(self) -> list[Layer]:
        """Layers reachable backwards from the outputs (TensorSpace's Model(inputs, outputs))."""
        seen, stack = {}, list(self.outputs)
        while stack:
            layer = stack.pop()
            if id(layer) not in seen:
                seen[id(layer)] = layer
                stack.extend(layer.inbound)
        return list(seen.values())

    def add(self, layer: Layer) -> "Model":
        self.layers.append(layer)
        self.initialized = False
        return self

    def get_layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise SpecError(f"no layer named {name!r}", hint="layers: " + ", ".join(l.name for l in self.layers))

    def _name_layers(self) -> None:
        taken = {l.name for l in self.layers if l.name}
        counters: dict[str, int] = defaultdict(int)
        seen: dict[str, Layer] = {}
        for layer in self.layers:
            if not layer.name:
                base = layer.layer_type.lower()
                while True:
                    counters[base] += 1
                    candidate = f"{base}_{counters[base]}"
                    if candidate not in taken:
                        break
                layer.name = candidate
                taken.add(candidate)
            if layer.name in seen:
                raise self._located(SpecError(f"duplicate layer name {layer.name!r}", layer=layer.name,
                                              key="name"), layer)
            seen[layer.name] = layer

    def _link(self) -> None:
        """Resolve ``apply`` names to layers (functional descriptions)."""
        by_name = {l.name: l for l in self.layers}
        for layer in self.layers:
            if layer.inbound or not layer.apply_names:
                continue
            for target in layer.apply_names:
                if target not in by_name:
                    raise self._located(SpecError(f"apply refers to unknown layer {target!r}", layer=layer.name,
                                                  key="apply", hint=did_you_mean(target, by_name, what="layers")), layer)
            layer.inbound = [by_name[t] for t in layer.apply_names]
        for attr in ("inputs", "outputs"):
            if not getattr(self, attr) and self.options[attr]:
                for target in self.options[attr]:
                    if target not in by_name:
                        raise SpecError(f"model {attr} names unknown layer {target!r}", file=self.source,
                                        key=attr, hint=did_you_mean(target, by_name, what="layers"))
                setattr(self, attr, [by_name[t] for t in self.options[attr]])
        if not self.inputs or not self.outputs:
            raise SpecError("a functional Model needs inputs and outputs (model: inputs: [...], outputs: [...])",
                            file=self.source, key="inputs" if not self.inputs else "outputs")
        for layer in self.layers:
            if layer.arity == 0 and layer.inbound:
                raise self._located(SpecError(f"{layer.layer_type} is an input and cannot apply to other layers",
                                              layer=layer.name, key="apply"), layer)
            if layer.arity != 0 and not layer.inbound:
                raise self._located(SpecError(f"{layer.layer_type} has no inbound layer", layer=layer.name,
                                              key="apply", hint="name it with apply: <layer>"), layer)
            if layer.arity == 1 and len(layer.inbound) != 1:
                raise self._located(SpecError(f"{layer.layer_type} takes one inbound layer, got "
                                              f"{len(layer.inbound)}", layer=layer.name, key="apply"), layer)

    def _topological(self) -> list[Layer]:
        indegree = {id(l): len(l.inbound) for l in self.layers}
        users = defaultdict(list)
        for l in self.layers:
            for src in l.inbound:
                if id(src) not in indegree:
                    raise self._located(SpecError(f"inbound layer {src.name!r} is not part of the model",
                                                  layer=l.name, key="apply"), l)
                users[id(src)].append(l)
        queue = deque(l for l in self.layers if indegree[id(l)] == 0)
        order = []
        while queue:
            l = queue.popleft()
            order.append(l)
            for u in users[id(l)]:
                indegree[id(u)] -= 1
                if indegree[id(u)] == 0:
                    queue.append(u)
        if len(order) != len(self.layers):
            stuck = [l.name for l in self.layers if indegree[id(l)] > 0]
            raise self._located(SpecError("the layers form a cycle: " + " -> ".join(stuck), layer=stuck[0],
                                          key="apply"), self._by_name(stuck[0]))
        return order

    def _by_name(self, name):
        return next(l for l in self.layers if l.name == name)

    def _located(self, exc: TspError, layer: Layer | None) -> TspError:
        """Add the file and line a layer was described at (the key's own line when known)."""
        file, line, key_lines = getattr(layer, "source", None) or (self.source, None, {})
        return exc.located(file=file, line=key_lines.get(exc.key, line))

    # --- shapes ----------------------------------------------------------------------
    def init(self, max_memory: int = DEFAULT_MAX_MEMORY) -> "Model":
        """Compute every layer's input and output shape (no data is touched)."""
        self.max_memory = max_memory  # weights read later (a description's .npz) keep to it too
        self._name_layers()
        self._link()
        self.layers = self._topological()
        if self.options["kerasVersion"]:
            for layer in self.layers:
                layer.keras_version = self.options["kerasVersion"]
        total = 0
        for layer in self.layers:
            try:
                if layer.arity == 0:
                    shape_in = None
                elif layer.arity == "many":
                    shape_in = [src.output_shape for src in layer.inbound]
                else:
                    shape_in = layer.inbound[0].output_shape
                out = layer.build_shapes(shape_in)
            except TspError as exc:
                raise self._located(exc.located(layer=layer.name), layer)
            total += 4 * math.prod(out)
            if total > max_memory:
                raise self._located(ShapeError(
                    f"the activations need more than {max_memory / 2**30:.3g} GiB (at this layer, shape "
                    f"{list(out)})", layer=layer.name, hint="use smaller shapes, or raise --max-memory"), layer)
            total += 4 * layer.param_count  # float32 weights, estimated before any is made or read
            if total > max_memory:
                raise self._located(ShapeError(
                    f"the weights and activations need more than {max_memory / 2**30:.3g} GiB (this layer's "
                    f"weights: {layer.param_count:,} numbers)", layer=layer.name,
                    hint="use smaller layers, or raise --max-memory"), layer)
        labels = self.options["labels"]
        if labels is not None and len(labels) not in [l.output_shape[-1] for l in self.outputs
                                                      if len(l.output_shape) == 1]:
            raise SpecError(f"{len(labels)} labels, but no 1-D output has {len(labels)} units", file=self.source,
                            key="labels")
        status = self.options["layerInitStatus"]
        for layer in self.layers:
            layer.is_open = (layer.init_status or status) == "open"
        self.initialized = True
        return self

    def levels(self) -> list[list[Layer]]:
        """Layers grouped by depth from the inputs (longest path), in drawing order."""
        depth: dict[int, int] = {}
        for layer in self.layers:
            depth[id(layer)] = 1 + max((depth[id(s)] for s in layer.inbound), default=-1)
        grouped: dict[int, list[Layer]] = defaultdict(list)
        for layer in self.layers:
            grouped[depth[id(layer)]].append(layer)
        return [grouped[d] for d in sorted(grouped)]

    @property
    def param_count(self) -> int:
        return sum(l.param_count for l in self.layers)

    def summary_rows(self) -> list[dict]:
        rows = []
        for l in self.layers:
            shape_in = l.input_shape
            rows.append({
                "name": l.name, "type": l.layer_type,
                "input_shape": ([list(s) for s in shape_in] if isinstance(shape_in, list)
                                else list(shape_in) if shape_in is not None else None),
                "output_shape": list(l.output_shape), "params": l.param_count,
                "inbound": [s.name for s in l.inbound],
            })
        return rows

    # --- values ----------------------------------------------------------------------
    def predict(self, x, **kwargs):
        """Compute every layer's ``neural_value``; returns the output value(s).

        ``x`` is one array (or a list / dict by input name for several inputs),
        with or without a leading batch axis of 1.  With ``strict=False`` the
        layers that could not be computed are left without values and
        ``uncomputed`` says which and why.
        """
        from .engine import run_forward

        outputs, self.uncomputed = run_forward(self, x, **kwargs)
        return outputs

    def __repr__(self) -> str:
        return f"<{self.kind} {self.name!r}: {len(self.layers)} layers>"


class Sequential(Model):
    """A chain of layers, each applied to the one before."""

    kind = "Sequential"

    def __init__(self, layers=None, *, name=None, **options):
        super().__init__(layers=list(layers or []), name=name, **options)

    def _link(self) -> None:
        if not self.layers:
            raise SpecError("the model has no layers", file=self.source)
        first = self.layers[0]
        if first.arity != 0:
            raise self._located(SpecError(f"the first layer of a Sequential must be an input layer "
                                          f"(GreyscaleInput, RGBInput, Input1d), got {first.layer_type}",
                                          layer=first.name, key="type"), first)
        for prev, layer in zip(self.layers, self.layers[1:]):
            if layer.arity == 0:
                raise self._located(SpecError("an input layer can only come first in a Sequential",
                                              layer=layer.name, key="type"), layer)
            if layer.apply_names:
                raise self._located(SpecError("apply is for functional models (model: {type: Model})",
                                              layer=layer.name, key="apply"), layer)
            layer.inbound = [prev]
        self.inputs, self.outputs = [first], [self.layers[-1]]
