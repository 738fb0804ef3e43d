"""The graph's nodes as plain data, and its inputs as tspcli input layers of a fixed size.

An NCHW input (N, C, H, W) is shown as (H, W, C); one that the graph
transposes to NCHW straight away (tf2onnx keeps TensorFlow's NHWC inputs) is
shown as it is.  Dynamic dimensions (``dim_param``, or none given) take the
sizes of ``input_shape``; a dynamic batch is 1.
"""
from __future__ import annotations

from tspcli.errors import LoadError
from tspcli.io.dynamic_shape import fixed_sizes
from tspcli.io.onnx.graph import Lifter, Node
from tspcli.io.onnx.names import dynamo_scope

_FLOAT_TYPES = (1, 10, 11)  # float, float16, double
_TENSOR, _TENSORS, _GRAPH = 4, 9, 5  # AttributeProto types read specially


def graph_nodes(graph, reader) -> list[Node]:
    nodes = []
    for i, n in enumerate(graph.node):
        attrs = {}
        for a in n.attribute:
            if a.type == _TENSOR:
                attrs[a.name] = reader.array(a.t)
            elif a.type in (_TENSORS, _GRAPH) or a.type > 9:
                attrs[a.name] = None  # subgraphs (If, Loop) and sparse tensors: never lifted
            else:
                from onnx import helper

                value = helper.get_attribute_value(a)
                attrs[a.name] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        scope = dynamo_scope({m.key: m.value for m in n.metadata_props}) if n.metadata_props else None
        nodes.append(Node(i, n.op_type, n.name, n.domain, list(n.input), list(n.output), attrs, scope))
    return nodes


def _dims(value_info) -> list | None:
    t = value_info.type.tensor_type if value_info.type.HasField("tensor_type") else None
    if t is None or not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") and d.dim_value > 0 else (d.dim_param or "?")
            for d in t.shape.dim]


def recorded_shapes(graph) -> dict:
    """Static shapes the file records for values (batch 1), for generic stand-in layers."""
    out = {}
    for vi in list(graph.value_info) + list(graph.output):
        dims = _dims(vi)
        if dims and all(isinstance(d, int) for d in dims[1:]):
            out[vi.name] = (1, *dims[1:])
    return out


def _is_nhwc(lifter: Lifter, name: str) -> bool:
    users = lifter.consumers.get(name, [])
    return bool(users) and all(u.op == "Transpose" and list(u.attrs.get("perm", [])) == [0, 3, 1, 2]
                               for u in users)


def add_inputs(lifter: Lifter, graph, input_shape) -> list:
    from tspcli.layers.inputs import input_class_for_shape

    layers = []
    constants = set(lifter.values)
    for vi in graph.input:
        if vi.name in constants:
            continue  # an initializer listed as an input (IR < 4)
        t = vi.type.tensor_type
        if not vi.type.HasField("tensor_type") or t.elem_type not in _FLOAT_TYPES:
            raise LoadError(f"input '{vi.name}' is not a float tensor; tspcli feeds images and arrays",
                            file=lifter.file)
        dims = _dims(vi)
        if dims is None or len(dims) not in (2, 4):
            raise LoadError(f"input '{vi.name}' has shape {dims}; tspcli reads (N, C, H, W) and (N, F) inputs",
                            file=lifter.file)
        shape, perm = _fixed(lifter, vi.name, dims, input_shape)
        user = tuple(shape[p] for p in perm[1:])
        node = Node(-1, "Input", vi.name, "", [], [vi.name])
        layer = lifter.add(input_class_for_shape(user), {"shape": list(user)}, [], node, shape, perm=perm).layer
        layer.keras_class = "InputLayer"
        layers.append(layer)
    if not layers:
        raise LoadError("the graph has no inputs besides its weights", file=lifter.file)
    return layers


def _fixed(lifter: Lifter, name: str, dims: list, input_shape) -> tuple[tuple, tuple]:
    """The input's ONNX shape with every size known, and its layout (perm to the user's order)."""
    from tspcli.io.onnx.graph import CHANNELS_LAST

    nhwc = len(dims) == 4 and _is_nhwc(lifter, name)
    perm = (0, 1, 2, 3) if nhwc else CHANNELS_LAST[len(dims)]
    if dims[0] not in (1,) and isinstance(dims[0], int):
        raise LoadError(f"input '{name}' has a fixed batch of {dims[0]}; tspcli computes one example",
                        file=lifter.file)
    shape = [1, *dims[1:]]
    user_axes = perm[1:]  # ONNX axis of each user (channels-last) axis
    sizes = fixed_sizes(name, [shape[axis] for axis in user_axes], input_shape, lifter.file)
    for axis, size in zip(user_axes, sizes):
        shape[axis] = size
    return tuple(shape), perm
