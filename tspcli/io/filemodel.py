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
