"""The neutral, format-independent description of a model file.

Every reader (legacy Keras HDF5, Keras 3 ``.keras``, TensorFlow.js, TensorSpace's
separated topology + weights) produces the same ``FileModel``; mapping it to
tspcli's layers happens elsewhere.  Nothing here runs code from the file.

Conventions shared by all readers:

* Nested models (a Model used as a layer) are flattened: their layers appear
  in place of the container, named ``"<container>/<layer>"`` (deeper nesting
  adds more ``/`` parts).  The container itself gets no ``FileLayer``, and its
  inner ``InputLayer`` s disappear: the inner layers take their input from
  whatever fed the container.
* A layer called more than once (a shared layer, or a nested model used twice)
  gets one ``FileLayer`` per call: ``name`` for the first, ``name#1``,
  ``name#2`` ... for later calls; they share the same weight arrays.
* ``class_name`` is the Keras class as stored.  A class from outside Keras
  (a user's layer, or a ``keras.ops`` operation in a functional graph) is
  qualified as ``"<module>><Class>"`` (Keras' own ``registered_name`` style),
  so it can never be mistaken for a built-in layer.
* ``weights`` use the Keras weight names without scope or ``:0`` suffix
  (``kernel``, ``bias``, ``depthwise_kernel``, ``pointwise_kernel``,
  ``gamma``, ``beta``, ``moving_mean``, ``moving_variance``, ``embeddings``,
  ``alpha``), in the order Keras keeps them (trainable first, then the rest,
  each in creation order).  Keras 3 calls the DepthwiseConv kernel ``kernel``;
  it is renamed ``depthwise_kernel`` as in Keras 2 and TensorFlow.js.  Weights
  of a class whose layout is unknown are named by their stored name, or by
  their index (``"0"``, ``"1"`` ...) in ``.keras`` files, which store no names.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tspcli.errors import LoadError
from tspcli.io import limits

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# HDF5 allows a user block before the superblock; it starts at 0, 512, 1024 ...
_HDF5_OFFSETS = (0, 512, 1024, 2048, 4096)
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


@dataclass
class FileLayer:
    """One layer of a model file (one call of it, see the module notes)."""

    name: str
    class_name: str
    config: dict
    inbound: list[str] = field(default_factory=list)
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    shape: tuple | None = None  # output shape recorded in the file, batch axis dropped


@dataclass
class FileModel:
    """A whole model file: layers in topological order and where it came from."""

    name: str
    kind: str  # "Sequential" | "Functional": the class of the outermost container
    layers: list[FileLayer]
    inputs: list[str]
    outputs: list[str]
    keras_version: str | None
    backend: str | None
    path: str
    format: str
    notes: list[str] = field(default_factory=list)  # how values are computed, said by `summary`

    def layer(self, name: str) -> FileLayer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)


def read_model_file(path, weights=None, *, max_bytes: int = limits.DEFAULT_MAX_BYTES, skip_unknown: bool = False,
                    input_shape=None) -> FileModel:
    """Read a model file of any supported format, recognised by its content.

    ``path`` is a Keras ``.h5``/``.keras`` file, a TensorFlow.js ``model.json``
    (or the folder holding it), the topology ``.json`` of TensorSpace's
    separated form, whose weights file is ``weights`` or found next to it, a
    TensorFlow Lite file, or an ONNX file (lifted as it is read: ``skip_unknown``
    operators and the ``input_shape`` of its dynamic sizes matter then; see
    ``tspcli.io.onnx``).
    ``max_bytes`` caps the weights read (``--max-memory``), checked before reading (TensorFlow
    Lite: its weights as float32, after int8 or float16 ones are dequantized).
    """
    p = Path(path)
    if p.is_dir():
        if not (p / "model.json").is_file():
            raise LoadError("folder has no model.json (TensorFlow.js model)", file=str(p))
        p = p / "model.json"
    head = _read_head(p)
    from tspcli.io import tflite
    if tflite.looks_like_tflite(head) or p.suffix.lower() == ".tflite":  # a bad one says why
        return tflite.read_tflite_model(p, max_bytes)
    from tspcli.io.onnx.load import looks_like_onnx
    if looks_like_onnx(p, head):
        from tspcli.io.onnx import read_onnx_model
        return read_onnx_model(p, input_shape=input_shape, skip_unknown=skip_unknown, max_memory=max_bytes)
    if any(head[o:o + 8] == _HDF5_SIGNATURE for o in _HDF5_OFFSETS):
        from tspcli.io import keras_h5
        return keras_h5.read_h5_model(p, max_bytes)
    if head[:4] in _ZIP_SIGNATURES:
        from tspcli.io import keras_zip
        return keras_zip.read_keras_archive(p, max_bytes)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        doc = load_json_file(p)
        if "modelTopology" in doc:
            from tspcli.io import tfjs
            return tfjs.read_tfjs_model(p, doc, max_bytes)
        if "class_name" in doc and "config" in doc:
            from tspcli.io import keras_h5
            return keras_h5.read_separated_model(p, doc, weights, max_bytes)
        raise LoadError("JSON file is neither a TensorFlow.js model.json (no 'modelTopology') "
                        "nor a Keras model topology (no 'class_name'/'config')", file=str(p))
    raise LoadError("not a model file: expected HDF5 (.h5), a Keras .keras archive (zip), ONNX (.onnx), "
                    "TensorFlow Lite (.tflite) or JSON (TensorFlow.js model.json / Keras topology)",
                    file=str(p))


def _read_head(p: Path) -> bytes:
    with limits.open_regular(p, LoadError, "model file") as f:
        try:
            return f.read(_HDF5_OFFSETS[-1] + 8)
        except OSError as e:
            raise LoadError(f"cannot read file: {e.strerror or e}", file=str(p)) from None


def load_json_file(p: Path) -> dict:
    """Parse a JSON object from a file of at most TEXT_LIMIT bytes; errors name the line."""
    return parse_json(limits.read_bytes(p, limits.TEXT_LIMIT, LoadError, "JSON file"), str(p))


def parse_json(text, file: str, what: str = "JSON") -> dict:
    """Parse a JSON object from text (or bytes); errors name the file and line."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        doc = json.loads(text)
    except UnicodeDecodeError:
        raise LoadError(f"{what} is not valid UTF-8", file=file) from None
    except json.JSONDecodeError as e:
        raise LoadError(f"invalid {what}: {e.msg} (column {e.colno})", file=file,
                        line=e.lineno) from None
    except RecursionError:
        raise LoadError(f"invalid {what}: nested too deeply", file=file) from None
    if not isinstance(doc, dict):
        raise LoadError(f"{what} is not an object", file=file)
    _check_unicode(doc, file, what)
    return doc


def _check_unicode(doc, file: str, what: str) -> None:
    """Refuse lone surrogates (JSON's "\\udc80"): names must print and encode as UTF-8."""
    stack = [doc]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as e:
                raise LoadError(f"{what} holds the text {value[:40]!r} with a lone surrogate "
                                f"{value[e.start]!r} (not valid Unicode)", file=file) from None
