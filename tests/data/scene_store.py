"""A Scene saved as plain data (JSON + arrays in one .npz) and read back into today's classes.

The backend's reference pictures were drawn from scenes an older layout built; keeping
those scenes as data lets the test draw exactly them, however the layout changes since.
Fields a class gained later take their defaults.
"""
from __future__ import annotations

import dataclasses
import json

import numpy as np


def dump(scenes: dict, path: str) -> None:
    arrays: dict[str, np.ndarray] = {}
    doc = {name: _encode(scene, arrays) for name, scene in scenes.items()}
    np.savez_compressed(path, __doc__=np.frombuffer(json.dumps(doc).encode(), np.uint8), **arrays)


def load(path: str) -> dict:
    from tspcli.scene import scene as classes

    with np.load(path, allow_pickle=False) as data:
        arrays = {key: data[key] for key in data.files}
    doc = json.loads(arrays.pop("__doc__").tobytes())
    return {name: _decode(value, arrays, classes) for name, value in doc.items()}


def _encode(obj, arrays):
    if dataclasses.is_dataclass(obj):
        return {"__class__": type(obj).__name__,
                "fields": {f.name: _encode(getattr(obj, f.name), arrays) for f in dataclasses.fields(obj)}}
    if isinstance(obj, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
    if isinstance(obj, dict):
        return {"__dict__": {k: _encode(v, arrays) for k, v in obj.items()}}
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _decode(value, arrays, classes):
    if isinstance(value, list):
        return [_decode(v, arrays, classes) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__tuple__" in value:
        return tuple(_decode(v, arrays, classes) for v in value["__tuple__"])
    if "__dict__" in value:
        return {k: _decode(v, arrays, classes) for k, v in value["__dict__"].items()}
    cls = getattr(classes, value["__class__"])
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: _decode(v, arrays, classes) for k, v in value["fields"].items() if k in known})
