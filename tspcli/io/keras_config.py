"""Keras model configs of every generation -> one flat graph of ``FileLayer`` s.

Handles Sequential configs stored as a bare list (Keras <= 2.2) or as a dict
with ``layers``, Sequential models without an InputLayer (the first layer
carries ``batch_input_shape``), functional ``inbound_nodes`` in the Keras 2 /
TensorFlow.js nested-list form ``[[["name", node, tensor, {kwargs}]]]`` and
in the Keras 3 form (``args``/``kwargs`` holding ``__keras_tensor__`` records
with ``keras_history``), and nested models, flattened as described in
``tspcli.io.filemodel``.  Layers are emitted in an order where every layer
follows its inputs (Keras' own order where the config allows it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from tspcli.errors import LoadError
from tspcli.io.filemodel import FileLayer, FileModel
from tspcli.io.keras_ops import OPERATION_CLASSES, lift_operation

_MODEL_CLASSES = ("Sequential", "Functional", "Model")


@dataclass
class Placed:
    """A FileLayer and where its weights live in the file."""

    layer: FileLayer
    names: tuple[str, ...]  # layer names from the outermost container down: ("backbone", "conv1")
    # .keras weight-store keys along that path: ("functional", "conv2d_1"); None for
    # what holds no weights there (keras.ops calls, a synthesised InputLayer)
    keys: tuple[str | None, ...]


@dataclass
class Graph:
    name: str
    kind: str
    placed: list[Placed]
    inputs: list[str]
    outputs: list[str]

    def by_layer(self) -> dict[tuple[str, ...], list[Placed]]:
        """Calls grouped by the layer (and so the weights) they share."""
        groups: dict[tuple[str, ...], list[Placed]] = {}
        for p in self.placed:
            groups.setdefault(p.names, []).append(p)
        return groups

    def file_model(self, version, backend, file: str, fmt: str) -> FileModel:
        return FileModel(name=self.name, kind=self.kind, layers=[p.layer for p in self.placed],
                         inputs=self.inputs, outputs=self.outputs,
                         keras_version=version if isinstance(version, str) else None,
                         backend=backend if isinstance(backend, str) else None,
                         path=file, format=fmt)


class _Ref(NamedTuple):
    layer: str
    node: int
    tensor: int
    shape: tuple | None


def build_graph(model_config, file: str, default_name: str) -> Graph:
    """Flatten a Keras model config ({"class_name": ..., "config": ...})."""
    if not isinstance(model_config, dict) or "class_name" not in model_config:
        raise LoadError("model config has no 'class_name'", file=file)
    try:
        builder = _Placer(file)
        class_name = model_config["class_name"]
        cfg = model_config.get("config")
        if not _is_container(class_name, cfg):
            raise LoadError(f"model config describes a single '{class_name}', not a model",
                            file=file)
        inputs, outputs = builder.container(class_name, cfg, "", (), (), None)
        builder.finish_shapes()
        name = cfg.get("name") if isinstance(cfg, dict) else None
        return Graph(name=name if isinstance(name, str) else default_name,
                     kind="Sequential" if class_name == "Sequential" else "Functional",
                     placed=builder.placed, inputs=inputs, outputs=outputs)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as e:
        what = f"missing key {e}" if isinstance(e, KeyError) else f"{type(e).__name__}: {e}"
        raise LoadError(f"malformed model config ({what})", file=file) from None


def snake_case(class_name: str) -> str:
    """Keras' snake_case of a class name: 'DepthwiseConv2D' -> 'depthwise_conv2d'."""
    name = re.sub(r"\W+", "", class_name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _is_container(class_name, cfg) -> bool:
    if class_name == "Sequential":
        return isinstance(cfg, list) or \
            (isinstance(cfg, dict) and isinstance(cfg.get("layers"), list))
    return (isinstance(cfg, dict) and isinstance(cfg.get("layers"), list)
            and (class_name in _MODEL_CLASSES or "output_layers" in cfg))


def _is_operation(entry: dict) -> bool:
    """A keras.ops call in a Keras 3 functional graph: not a layer, holds no weights."""
    module = entry.get("module")
    return isinstance(module, str) and module.startswith(("keras.src.ops", "keras.ops"))


def _is_operation_call(entry: dict) -> bool:
    """An operation (no layer, no weights): a keras.ops call, a tf.keras 2 TFOpLambda, or, where the
    file drops the module (Keras 3's .h5), a call of an operation's class that lifts as one."""
    if _is_operation(entry) or entry["class_name"] == "TFOpLambda":
        return True
    if "module" in entry or entry["class_name"] not in OPERATION_CLASSES:
        return False
    return lift_operation(entry, (entry.get("inbound_nodes") or [None])[0]) is not None


def _class_name(entry: dict) -> str:
    """The class as stored; classes from outside Keras qualified as 'module>Class'."""
    cls = entry["class_name"]
    if not isinstance(cls, str):
        raise TypeError(f"class_name {cls!r} is not a string")
    module = entry.get("module")
    if isinstance(module, str) and (_is_operation(entry) or not module.startswith("keras")):
        registered = entry.get("registered_name")
        if isinstance(registered, str) and ">" in registered:
            return registered
        return f"{module}>{cls}"
    return cls


def _entry_name(entry: dict) -> str:
    name = entry.get("name") or entry["config"]["name"]
    if not isinstance(name, str) or not name:
        raise ValueError(f"layer name {name!r} is not a string")
    return name


def _storage_keys(entries: list[dict]) -> list[str | None]:
    """Keys under which Keras 3 stores each layer's weights in a .keras file.

    Keras (saving_lib) walks a container's layers in order and names each
    after its class in snake_case, with a per-class counter: conv2d, conv2d_1 ...
    Operations (keras.ops calls) are not layers and take no key.
    """
    used: dict[str, int] = {}
    keys: list[str | None] = []
    for entry in entries:
        if _is_operation_call(entry):
            keys.append(None)
            continue
        base = snake_case(entry["class_name"])
        if base in used:
            used[base] += 1
            keys.append(f"{base}_{used[base]}")
        else:
            used[base] = 0
            keys.append(base)
    return keys


def _shape(batch_shape) -> tuple | None:
    if not isinstance(batch_shape, list) or not batch_shape:
        return None
    return tuple(None if d is None else int(d) for d in batch_shape[1:])


def _input_shape(cfg: dict) -> tuple | None:
    return _shape(cfg.get("batch_shape") or cfg.get("batch_input_shape"))


def _clean_config(cfg) -> dict:
    """The stored config, with dtype policies ({"class_name": "DTypePolicy", ...}) as their name."""
    if not isinstance(cfg, dict):
        raise TypeError(f"layer config {cfg!r} is not an object")
    out = dict(cfg)
    dtype = out.get("dtype")
    if isinstance(dtype, dict):
        inner = dtype.get("config")
        out["dtype"] = inner["name"] if isinstance(inner, dict) and "name" in inner \
            else dtype.get("class_name")
    return out


def _keras2_refs(node, known) -> list[_Ref]:
    """[["name", node, tensor, {kwargs}], ...]; tensors passed as kwargs count too."""
    refs = []
    for item in node:
        if not (isinstance(item, list) and len(item) >= 3):
            raise ValueError(f"inbound node entry {item!r} is not [name, node, tensor, ...]")
        refs.append(_Ref(item[0], int(item[1]), int(item[2]), None))
        if len(item) > 3 and isinstance(item[3], dict):
            refs += [r for r in _kwarg_refs(item[3]) if r.layer in known]
    return refs


def _kwarg_refs(value) -> list[_Ref]:
    if isinstance(value, dict):
        return [r for v in value.values() for r in _kwarg_refs(v)]
    if isinstance(value, list):
        if len(value) in (3, 4) and isinstance(value[0], str) and \
                all(isinstance(v, int) for v in value[1:3]):
            return [_Ref(value[0], value[1], value[2], None)]
        return [r for v in value for r in _kwarg_refs(v)]
    return []


def _keras3_refs(value) -> list[_Ref]:
    """Every __keras_tensor__ record in a node's args and kwargs, in order."""
    if isinstance(value, dict):
        if value.get("class_name") == "__keras_tensor__":
            cfg = value["config"]
            name, node, tensor = cfg["keras_history"]
            return [_Ref(name, int(node), int(tensor), _shape(cfg.get("shape")))]
        return [r for v in value.values() for r in _keras3_refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _keras3_refs(v)]
    return []


def _node_refs(node, known) -> list[_Ref]:
    if isinstance(node, dict):
        return _keras3_refs([node.get("args", []), node.get("kwargs", {})])
    if isinstance(node, list):
        return _keras2_refs(node, known)
    raise ValueError(f"inbound node {node!r} is neither a list nor an object")


def _triples(spec) -> list[tuple[str, int, int]]:
    """input_layers/output_layers: one [name, node, tensor] or a (nested) list of them."""
    if isinstance(spec, list) and len(spec) == 3 and isinstance(spec[0], str):
        return [(spec[0], int(spec[1]), int(spec[2]))]
    if isinstance(spec, dict):
        spec = list(spec.values())
    if not isinstance(spec, list):
        raise ValueError(f"input/output layer list {spec!r} is malformed")
    return [t for item in spec for t in _triples(item)]


class _Placer:
    """The layers placed so far while reading a Keras config: their entries, taken names and output shapes."""

    def __init__(self, file: str):
        self.file = file
        self.placed: list[Placed] = []
        self.taken: set[str] = set()
        self.shapes: dict[str, tuple] = {}

    def error(self, message: str, layer: str | None = None) -> LoadError:
        return LoadError(message, file=self.file, layer=layer)

    def add(self, entry, flat, names, keys, inbound, shape=None) -> str:
        if flat in self.taken:
            raise self.error("two layers of the config have this name", layer=flat)
        self.taken.add(flat)
        layer = FileLayer(name=flat, class_name=_class_name(entry),
                          config=_clean_config(entry["config"]), inbound=inbound, shape=shape)
        self.placed.append(Placed(layer, names, keys))
        return flat

    def note_shape(self, producer: str, shape) -> None:
        if shape is not None:
            self.shapes.setdefault(producer, shape)

    def finish_shapes(self) -> None:
        for p in self.placed:
            if p.layer.shape is None:
                p.layer.shape = self.shapes.get(p.layer.name)

    def container(self, class_name, cfg, prefix, names, keys, bound):
        """Flatten one container; returns (input names, output names) of its flat layers."""
        if class_name == "Sequential" or isinstance(cfg, list):
            return self.sequential(cfg, prefix, names, keys, bound)
        return self.functional(cfg, prefix, names, keys, bound)

    def sequential(self, cfg, prefix, names, keys, bound):
        entries = cfg if isinstance(cfg, list) else cfg["layers"]
        if not entries:
            raise self.error("the Sequential model has no layers", layer=prefix.rstrip("/") or None)
        storage = _storage_keys(entries)
        first = entries[0]
        rest = list(zip(entries, storage))
        if first["class_name"] == "InputLayer":
            rest = rest[1:]
            current = bound[0] if bound else self.add(
                first, prefix + _entry_name(first), names + (_entry_name(first),),
                keys + (storage[0],), [], _input_shape(first["config"]))
        elif bound:
            current = bound[0]
        else:
            current = self.synthesised_input(first, cfg)
        inputs = [current]
        for entry, key in rest:
            name = _entry_name(entry)
            sub = entry.get("config")
            if _is_container(entry["class_name"], sub):
                _, outs = self.container(entry["class_name"], sub, f"{prefix}{name}/",
                                         names + (name,), keys + (key,), [current])
                current = outs[0]
            else:
                current = self.add(entry, prefix + name, names + (name,), keys + (key,), [current])
        return inputs, [current]

    def synthesised_input(self, first, cfg) -> str:
        """Old Sequential models have no InputLayer: the first layer carries the batch shape."""
        first_cfg = first["config"]
        batch_shape = (first_cfg.get("batch_input_shape") or first_cfg.get("batch_shape")
                       or (cfg.get("build_input_shape") if isinstance(cfg, dict) else None))
        if not batch_shape:
            raise self.error("the Sequential model has no InputLayer and its first layer no "
                             "batch_input_shape: the input shape is unknown",
                             layer=_entry_name(first))
        name = f"{_entry_name(first)}_input"
        entry = {"class_name": "InputLayer",
                 "config": {"name": name, "batch_input_shape": batch_shape,
                            "dtype": first_cfg.get("dtype", "float32")}}
        return self.add(entry, name, (name,), (None,), [], _shape(batch_shape))

    def functional(self, cfg, prefix, names, keys, bound):
        entries = cfg["layers"]
        storage = _storage_keys(entries)
        by_name: dict[str, tuple[dict, str | None]] = {}
        for entry, key in zip(entries, storage):
            by_name[_entry_name(entry)] = (entry, key)
        input_specs = _triples(cfg.get("input_layers", []))
        if bound is not None and len(bound) != len(input_specs):
            raise self.error(f"the nested model takes {len(input_specs)} inputs but is given "
                             f"{len(bound)}", layer=prefix.rstrip("/"))
        bound_by_input = {spec[0]: bound[i] for i, spec in enumerate(input_specs)} if bound else {}

        pending = []  # (entry name, node index, refs)
        for entry in entries:
            name = _entry_name(entry)
            if entry["class_name"] == "InputLayer":
                pending.append((name, 0, []))
                continue
            for n, node in enumerate(entry.get("inbound_nodes") or []):
                pending.append((name, n, _node_refs(node, by_name)))
        calls = {}
        for name, n, _ in pending:
            calls[name] = n + 1
        for name, _, refs in pending:
            for ref in refs:
                if ref.layer not in by_name:
                    raise self.error(f"takes input from '{ref.layer}', which the config "
                                     "does not define", layer=prefix + name)
                if ref.node >= calls.get(ref.layer, 0):
                    raise self.error(f"takes input from call {ref.node} of '{ref.layer}', "
                                     f"which is called {calls.get(ref.layer, 0)} times",
                                     layer=prefix + name)

        produced: dict[tuple[str, int], list[str]] = {}  # (layer, call) -> output names

        def resolve(layer, node, tensor) -> str | None:
            outs = produced.get((layer, node))
            if outs is None:
                return None
            return outs[tensor] if len(outs) > 1 else outs[0]

        while pending:
            waiting = []
            for name, n, refs in pending:
                inbound = [resolve(r.layer, r.node, r.tensor) for r in refs]
                if None in inbound:
                    waiting.append((name, n, refs))
                    continue
                for r, producer in zip(refs, inbound):
                    self.note_shape(producer, r.shape)
                produced[(name, n)] = self.call(by_name[name], name, n, inbound, prefix,
                                                names, keys, bound, bound_by_input)
            if len(waiting) == len(pending):
                name = waiting[0][0]
                raise self.error("its inputs can never be computed (the config's graph has a "
                                 "cycle)", layer=prefix + name)
            pending = waiting

        def resolve_all(specs, what):
            out = []
            for layer, node, tensor in specs:
                name = resolve(layer, node, tensor) if layer in by_name else None
                if name is None:
                    raise self.error(f"{what} layer '{layer}' is not a layer of the config",
                                     layer=prefix.rstrip("/") or None)
                out.append(name)
            return out

        output_specs = _triples(cfg.get("output_layers", []))
        if not output_specs:
            raise self.error("the model config lists no output_layers",
                             layer=prefix.rstrip("/") or None)
        return resolve_all(input_specs, "input"), resolve_all(output_specs, "output")

    def call(self, item, name, n, inbound, prefix, names, keys, bound, bound_by_input) -> list[str]:
        """One call of one layer of a functional config; returns its output names."""
        entry, key = item
        if entry["class_name"] == "InputLayer":
            if bound is None:
                return [self.add(entry, prefix + name, names + (name,), keys + (key,), [],
                                 _input_shape(entry["config"]))]
            if name not in bound_by_input:
                raise self.error("this InputLayer of a nested model is not among its inputs",
                                 layer=prefix + name)
            return [bound_by_input[name]]
        local = name if n == 0 else f"{name}#{n}"
        if _is_operation(entry) or entry["class_name"] in OPERATION_CLASSES:
            lifted = lift_operation(entry, (entry.get("inbound_nodes") or [None] * (n + 1))[n])
            if lifted is not None:  # x + 3, x * (1 / 6) ...: computed by the layer of that class
                entry = {"class_name": lifted[0], "config": lifted[1]}
        sub = entry.get("config")
        if _is_container(entry["class_name"], sub):
            _, outs = self.container(entry["class_name"], sub, f"{prefix}{local}/",
                                     names + (name,), keys + (key,), inbound)
            return outs
        return [self.add(entry, prefix + local, names + (name,), keys + (key,), inbound)]
