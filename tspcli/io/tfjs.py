"""TensorFlow.js layers models: ``model.json`` + binary weight shards.

``model.json`` holds ``modelTopology`` (a Keras config, either directly or
under ``model_config`` as the converter writes it) and ``weightsManifest``:
groups of shard ``paths`` whose concatenated bytes hold the group's
``weights`` one after the other (little-endian, ``name``/``shape``/``dtype``;
``quantization`` {dtype uint8|uint16|float16, scale, min} when quantized).
Weights are named ``<layer>/<weight>`` and assigned to layers by name.
"""
from __future__ import annotations

from math import prod
from pathlib import Path

import numpy as np

from tspcli.errors import LoadError
from tspcli.io import limits
from tspcli.io.filemodel import FileModel, parse_json
from tspcli.io.keras_config import build_graph
from tspcli.io.weight_names import assign_by_name, check_weights

_DTYPES = {"float32": "<f4", "int32": "<i4", "bool": "|u1"}
_QUANTIZED = {"uint8": "<u1", "uint16": "<u2", "float16": "<f2"}


def read_tfjs_model(p: Path, doc: dict, max_bytes: int) -> FileModel:
    file = str(p)
    topology = doc["modelTopology"]
    if not isinstance(topology, dict):
        raise LoadError("model.json has no model topology (a weights-only manifest?)", file=file)
    config = topology.get("model_config", topology)
    if isinstance(config, str):
        config = parse_json(config, file, "model_config")
    graph = build_graph(config, file, p.parent.name or p.stem)
    stored = _read_manifest(p.parent, doc.get("weightsManifest") or [], file, max_bytes)
    groups = graph.by_layer()
    classes = {names: calls[0].layer.class_name for names, calls in groups.items()}
    shares = assign_by_name(stored, classes, file, "the weights manifest")
    for names, calls in groups.items():
        for placed in calls:
            placed.layer.weights = shares[names]
            check_weights(placed.layer, "the weights manifest", file)
    return graph.file_model(topology.get("keras_version"), topology.get("backend"), file, "tfjs")


def _read_manifest(folder: Path, manifest, file: str, max_bytes: int) -> list:
    """(name, array) for every non-optimizer weight of the manifest, in order.

    Every shard must sit in the model's folder, and the shards' sizes must add
    up to what the manifest describes (within ``max_bytes``) before any is read.
    """
    if not isinstance(manifest, list):
        raise LoadError("weightsManifest is not a list", file=file)
    out, budget = [], max_bytes
    for number, group in enumerate(manifest, 1):
        try:
            paths, specs = list(group["paths"]), list(group["weights"])
            sizes = [_byte_size(spec) for spec in specs]
        except (KeyError, TypeError, ValueError, AttributeError) as e:
            raise LoadError(f"weightsManifest group {number} is malformed ({e})",
                            file=file) from None
        limits.check_size(sum(sizes), budget, LoadError, file, f"weightsManifest group {number}",
                          hint="raise --max-memory if the model is that big")
        budget -= sum(sizes)
        shards = [_shard(folder, path, file) for path in paths]
        found = sum(shard.stat().st_size for shard in shards)
        if found != sum(sizes):
            raise LoadError(f"weight shards {', '.join(map(str, paths))} hold {found} bytes "
                            f"but the manifest describes {sum(sizes)}", file=file,
                            hint="a shard is truncated or belongs to another model")
        data = b"".join(limits.read_bytes(shard, shard.stat().st_size, LoadError, "weights shard")
                        for shard in shards)
        offset = 0
        for spec, size in zip(specs, sizes):
            try:
                array = _decode(spec, data[offset:offset + size])
            except (KeyError, TypeError, ValueError) as e:
                raise LoadError(f"weight '{spec['name']}' cannot be decoded ({e})",
                                file=file) from None
            offset += size
            if spec.get("group") != "optimizer":
                out.append((spec["name"], array))
    return out


def _shape(spec) -> tuple[int, ...]:
    shape = tuple(spec["shape"])
    if not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError(f"weight '{spec.get('name')}' has a bad shape {list(shape)}")
    return shape


def _byte_size(spec) -> int:
    if not isinstance(spec.get("name"), str):
        raise ValueError(f"weight entry {spec!r} has no name")
    quantization = spec.get("quantization")
    if quantization:
        dtype = _QUANTIZED.get(quantization.get("dtype"))
    else:
        dtype = _DTYPES.get(spec.get("dtype"))
    if dtype is None:
        raise ValueError(f"weight '{spec['name']}' has unsupported type "
                         f"{(quantization or spec).get('dtype')!r}")
    return prod(_shape(spec)) * np.dtype(dtype).itemsize


def _decode(spec, raw: bytes) -> np.ndarray:
    shape = _shape(spec)
    quantization = spec.get("quantization")
    if not quantization:
        values = np.frombuffer(raw, _DTYPES[spec["dtype"]])
        return (values.astype(bool) if spec["dtype"] == "bool" else values.copy()).reshape(shape)
    values = np.frombuffer(raw, _QUANTIZED[quantization["dtype"]])
    if quantization["dtype"] == "float16":
        return values.astype(np.float32).reshape(shape)
    # Affine uint8/uint16 quantization, as TensorFlow.js dequantizes it.
    real = values * float(quantization["scale"]) + float(quantization["min"])
    if spec.get("dtype") == "int32":
        return np.round(real).astype(np.int32).reshape(shape)
    return real.astype(np.float32).reshape(shape)


def _shard(folder: Path, path, file: str) -> Path:
    """A shard's path, inside the model's folder (symlinks resolved first), not yet opened."""
    if not isinstance(path, str) or "://" in path:
        raise LoadError(f"weights shard {path!r} is not a local file name", file=file,
                        hint="download the shard next to model.json and list its file name")
    shard = limits.confine(folder, path, LoadError, file, "weights shard")
    if not shard.is_file():
        raise LoadError(f"weights shard '{path}' listed in the manifest is missing"
                        + ("" if not shard.exists() else " (not a regular file)"), file=file)
    return shard
