"""A model file of any supported format -> ``FileModel``: which reader reads it, told by its content.

Kept apart from ``filemodel`` (the neutral data every reader produces) so that the
readers depend on the data and this dispatch on the readers, never the other way round.
"""
from __future__ import annotations

from pathlib import Path

from tspcli.errors import LoadError
from tspcli.io import limits
from tspcli.io.filemodel import FileModel, load_json_file

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
# HDF5 allows a user block before the superblock; it starts at 0, 512, 1024 ...
HDF5_OFFSETS = (0, 512, 1024, 2048, 4096)
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")


def read_model_file(path, weights=None, *, max_bytes: int = limits.DEFAULT_MAX_BYTES, skip_unknown: bool = False,
                    input_shape=None) -> FileModel:
    """Read a model file of any supported format, recognised by its content.

    ``path`` is a Keras ``.h5``/``.keras`` file, a TensorFlow.js ``model.json``
    (or the folder holding it), the topology ``.json`` of TensorSpace's
    separated form, whose weights file is ``weights`` or found next to it, a
    TensorFlow Lite file, or an ONNX file (lifted as it is read: ``skip_unknown``
    operators and the ``input_shape`` of its dynamic sizes matter then, as it does for a
    TensorFlow Lite file's; see ``tspcli.io.onnx``).
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
        return tflite.read_tflite_model(p, max_bytes, input_shape)
    from tspcli.io.onnx.load import looks_like_onnx
    if looks_like_onnx(p, head):
        from tspcli.io.onnx import read_onnx_model
        return read_onnx_model(p, input_shape=input_shape, skip_unknown=skip_unknown, max_memory=max_bytes)
    if any(head[o:o + 8] == HDF5_SIGNATURE for o in HDF5_OFFSETS):
        from tspcli.io import keras_h5
        return keras_h5.read_h5_model(p, max_bytes)
    if head[:4] in ZIP_SIGNATURES:
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
            return f.read(HDF5_OFFSETS[-1] + 8)
        except OSError as e:
            raise LoadError(f"cannot read file: {e.strerror or e}", file=str(p)) from None
