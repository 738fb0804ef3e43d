"""Keras 3 ``.keras`` archives: a zip of ``config.json``, ``metadata.json`` and
``model.weights.h5``.

The weights file stores a layer's variables as ``<path>/vars/0``, ``1`` ...
(trainable first, then non-trainable, in creation order) without names.  The
path is not the layer's name: Keras walks each container's ``layers`` in
order and keys every layer by its class name in snake_case with a per-class
counter (``conv2d``, ``conv2d_1``, ``depthwise_conv2d`` ...), so a nested
model's layers sit at ``layers/functional/layers/conv2d/vars``.  Newer files
also record the layer's name as the ``name`` attribute of ``vars``, which is
checked when present.
"""
from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from tspcli.errors import LoadError
from tspcli.io import hdf5, limits
from tspcli.io.filemodel import FileModel, parse_json
from tspcli.io.keras_config import Graph, build_graph
from tspcli.io.weight_names import check_weights, expected_weight_names

_ZIP_FAILURES = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                 RuntimeError, ValueError)


def read_keras_archive(p: Path, max_bytes: int) -> FileModel:
    """Members are checked (declared size, compression ratio) before they are inflated."""
    file = str(p)
    try:
        with limits.open_regular(p, LoadError, ".keras archive") as fh, zipfile.ZipFile(fh) as archive:
            members = set(archive.namelist())
            if "config.json" not in members:
                raise LoadError("zip archive is not a Keras .keras file (no config.json)",
                                file=file)

            def text(name):
                return parse_json(limits.zip_member(archive, name, limits.TEXT_LIMIT, LoadError, file),
                                  file, name)

            config = text("config.json")
            metadata = text("metadata.json") if "metadata.json" in members else {}
            if "model.weights.h5" not in members:
                other = sorted(m for m in members if m.startswith("model.weights"))
                raise LoadError("missing weights: the archive has no model.weights.h5"
                                + (f" (it has {', '.join(other)}, which tspcli does not read)"
                                   if other else ""), file=file)
            weights_bytes = limits.zip_member(archive, "model.weights.h5", max_bytes, LoadError, file)
    except _ZIP_FAILURES as e:
        raise LoadError(f"corrupt or truncated .keras archive ({e})", file=file) from None
    graph = build_graph(config, file, p.stem)
    attach_store_weights(graph, hdf5.read_tree(weights_bytes, file, max_bytes=max_bytes))
    return graph.file_model(metadata.get("keras_version"), None, file, "keras")


def attach_store_weights(graph: Graph, tree: hdf5.H5Tree) -> None:
    """Weights from a Keras 3 weights store (``layers/<key>/vars/<i>``)."""
    file = tree.file
    # Files written by tf.keras 2.13 name the layer lists differently.
    root = "_layer_checkpoint_dependencies" if "_layer_checkpoint_dependencies" in tree \
        and "layers" not in tree else "layers"
    for names, calls in graph.by_layer().items():
        layer = calls[0].layer
        if None in calls[0].keys:
            continue
        path = "/".join(f"{root}/{key}" for key in calls[0].keys) + "/vars"
        arrays = _vars(tree, path, names[-1])
        expected = expected_weight_names(layer.class_name, layer.config)
        if expected is None:
            weights = {str(i): a for i, a in enumerate(arrays)}
        elif len(arrays) == len(expected):
            weights = dict(zip(expected, arrays))
        else:
            raise LoadError(f"'{path}' holds {len(arrays)} weights; a {layer.class_name} with this "
                            f"config has {len(expected)} ({', '.join(expected) or 'none'})",
                            file=file, layer=layer.name)
        for placed in calls:
            placed.layer.weights = weights
            check_weights(placed.layer, f"'{path}'", file)


def _vars(tree: hdf5.H5Tree, path: str, layer_name: str) -> list:
    """The arrays stored under ``path`` (``0``, ``1`` ... in order)."""
    if not tree.is_group(path):
        return []
    stored_name = tree.attr_text(path, "name")
    if stored_name is not None and stored_name != layer_name:
        raise LoadError(f"'{path}' holds the weights of layer '{stored_name}', but the config "
                        f"puts layer '{layer_name}' there", file=tree.file, layer=layer_name,
                        hint="the weights file does not belong to this config")
    entries = tree.children(path)
    if sorted(entries) != sorted(str(i) for i in range(len(entries))):
        raise LoadError(f"'{path}' holds unexpected entries {sorted(entries)}", file=tree.file,
                        layer=layer_name)
    return [tree.array(f"{path}/{i}", f"'{path}'") for i in range(len(entries))]
