"""``tspcli.load(path)``: a description or a model file -> an initialised Model."""
from __future__ import annotations

import json
import os
from pathlib import Path

from .model import DEFAULT_MAX_MEMORY

MODEL_EXTENSIONS = (".h5", ".hdf5", ".keras", ".onnx", ".tflite")


def sniff(path: str) -> str:
    """'description' or 'model-file', from the content (extensions can lie)."""
    if path == "-":
        return "description"
    if os.path.isdir(path):
        return "model-file" if os.path.exists(os.path.join(path, "model.json")) else "description"
    from .errors import LoadError
    from .io import limits

    try:
        with limits.open_regular(path, LoadError) as fh:
            head = fh.read(4096)
    except LoadError:
        return "description"  # let the reader report the problem with the path
    from .io.onnx.load import looks_like_onnx

    if head.startswith(b"\x89HDF") or head.startswith(b"PK") or head[4:8] == b"TFL3" or \
            looks_like_onnx(Path(path), head) or path.lower().endswith(MODEL_EXTENSIONS):
        return "model-file"  # by extension too, so that a broken .h5 is reported as a model file
    if path.lower().endswith(".json"):
        try:
            doc = json.loads(limits.read_bytes(path, limits.TEXT_LIMIT, LoadError))
        except (LoadError, ValueError, RecursionError):
            return "description"
        if isinstance(doc, dict) and ("modelTopology" in doc or "class_name" in doc or "model_config" in doc):
            return "model-file"
    return "description"


def load(path: str, *, init: bool = True, max_memory: int = DEFAULT_MAX_MEMORY, skip_unknown: bool = False,
         show_all: bool = False, input_shape=None):
    """Read a description (YAML/JSON), a view of a model file or a model file (.h5, .keras, TF.js, ONNX).

    ``skip_unknown``: draw layers of classes tspcli does not know as generic
    layers instead of failing; ``show_all``: a view draws every layer of its file;
    ``input_shape`` (``tspcli.io.inputs.InputShape``): the size of an ONNX or
    TensorFlow Lite model's dynamic input dimensions.
    """
    if sniff(path) == "model-file":
        from .io.convert import model_from_file

        model = model_from_file(path, skip_unknown=skip_unknown, max_bytes=max_memory, input_shape=input_shape)
    else:
        from .spec import load_description

        model = load_description(path)
        if model.view is not None:
            from .io.views import model_from_view

            model = model_from_view(model, skip_unknown=skip_unknown, show_all=show_all, max_bytes=max_memory,
                                    input_shape=input_shape)
    if init:
        model.init(max_memory=max_memory)
        if model.options.get("weights"):  # what predict and render will read, checked now (validate)
            from .engine import load_weights_npz

            load_weights_npz(model, model.options["weights"])
            model._npz_loaded = True
    return model

