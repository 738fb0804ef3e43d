"""Legacy Keras HDF5 files (Keras 2.x, tf.keras 2.x, Keras 3's ``.h5``) and
TensorSpace's separated form (Keras topology ``.json`` + weights ``.h5``).

A model file holds the config as the ``model_config`` attribute (JSON, bytes
or str) and the weights under ``model_weights/<layer name>/``, listed by the
group's ``weight_names`` attribute in the layer's own order.  A weights-only
file (``model.save_weights``) has the same per-layer groups at its root.
Nested models keep all their layers' weights in the container's group, with
scoped names (``conv1/kernel:0``, Keras 3: ``head/dense/kernel``).
"""
from __future__ import annotations

from pathlib import Path

from tspcli.errors import LoadError
from tspcli.io import hdf5, limits
from tspcli.io.filemodel import FileModel, parse_json
from tspcli.io.keras_config import Graph, build_graph
from tspcli.io.weight_names import assign_by_name, check_weights, normalise_weight_name


def read_h5_model(p: Path, max_bytes: int) -> FileModel:
    file = str(p)
    tree = hdf5.read_tree(p, file, skip=("optimizer_weights",), max_bytes=max_bytes)
    config_text = tree.attr_text("", "model_config")
    if config_text is None:
        if tree.attr_list("", "layer_names") is not None or "layers" in tree:
            raise LoadError("this HDF5 file holds only weights (model.save_weights), not a model",
                            file=file, hint="give the topology .json (TensorSpace's separated "
                                            "form) with this file as its weights")
        raise LoadError("HDF5 file is not a Keras model (no 'model_config' attribute)", file=file)
    graph = build_graph(parse_json(config_text, file, "model_config"), file, p.stem)
    if not tree.is_group("model_weights"):
        raise LoadError("missing weights: the file has no 'model_weights' group", file=file)
    attach_legacy_weights(graph, tree, "model_weights")
    version = tree.attr_text("", "keras_version") or \
        tree.attr_text("model_weights", "keras_version")
    backend = tree.attr_text("", "backend") or tree.attr_text("model_weights", "backend")
    return graph.file_model(version, backend, file, "h5")


def read_separated_model(p: Path, topology: dict, weights, max_bytes: int) -> FileModel:
    """TensorSpace's "topology_weights_separated" form: Keras config JSON + weights .h5."""
    graph = build_graph(topology, str(p), p.stem)
    wpath = _weights_file(p, weights)
    tree = hdf5.read_tree(wpath, str(wpath), skip=("optimizer_weights",), max_bytes=max_bytes)
    if tree.attr_list("", "layer_names") is not None:
        attach_legacy_weights(graph, tree, "")
    elif tree.is_group("model_weights"):
        attach_legacy_weights(graph, tree, "model_weights")
    elif tree.is_group("layers") or tree.is_group("vars"):
        from tspcli.io.keras_zip import attach_store_weights
        attach_store_weights(graph, tree)
    else:
        raise LoadError("HDF5 file holds no Keras weights", file=str(wpath))
    version = topology.get("keras_version") or tree.attr_text("", "keras_version")
    backend = topology.get("backend") or tree.attr_text("", "backend")
    return graph.file_model(version, backend, str(p), "separated")


def _weights_file(topology: Path, weights) -> Path:
    if weights is not None:
        return Path(weights)
    candidates = [topology.with_suffix(".h5"), topology.parent / "weights.h5"]
    found = [c for c in candidates if c.is_file()] or sorted(topology.parent.glob("*.h5"))
    if len(found) == 1 or (found and found[0] in candidates):  # found, not named: kept in the folder
        return limits.confine(topology.parent, found[0].name, LoadError, str(topology), "weights file")
    raise LoadError("cannot tell which .h5 file holds this topology's weights", file=str(topology),
                    hint=f"name it {topology.with_suffix('.h5').name} or weights.h5, "
                         "or pass the weights file explicitly")


def attach_legacy_weights(graph: Graph, tree: hdf5.H5Tree, root: str) -> None:
    """Weights from per-layer groups (``model_weights/<layer>/`` or a weights-only root)."""
    file = tree.file
    by_top: dict[str, dict] = {}
    for names, calls in graph.by_layer().items():
        by_top.setdefault(names[0], {})[names] = calls
    for top, members in by_top.items():
        stored = _stored_weights(tree, hdf5.join(root, top))
        if list(members) == [(top,)]:
            weights = {}
            cls = members[(top,)][0].layer.class_name
            for stored_name, array in stored:
                name = normalise_weight_name(cls, stored_name)
                if name in weights:
                    raise LoadError(f"weight '{name}' appears twice in group '{top}'",
                                    file=file, layer=top)
                weights[name] = array
            shares = {(top,): weights}
        else:
            classes = {names: calls[0].layer.class_name for names, calls in members.items()}
            shares = assign_by_name(stored, classes, file, f"group '{top}'")
        for names, calls in members.items():
            for placed in calls:
                placed.layer.weights = shares[names]
                check_weights(placed.layer, f"group '{top}'", file)


def _stored_weights(tree: hdf5.H5Tree, group: str) -> list:
    """(stored name, array) pairs of one layer group, in ``weight_names`` order."""
    if not tree.is_group(group):
        return []
    names = tree.attr_list(group, "weight_names") or []
    place = f"weight_names of '/{group}'"
    return [(name, tree.array(hdf5.join(group, name), place)) for name in names]

