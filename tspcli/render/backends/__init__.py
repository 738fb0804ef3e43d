"""Backends draw a Scene (pure data, see scene.scene); the output's kind chooses which.

Two kinds of backend, each a module imported only when an output needs it:

* a **raster** backend keeps a window between pictures (its shaders and
  textures are most of the cost of a small picture) and returns pixels:
  ``open_raster(size, scale, antialias)`` gives a ``Raster``;
* a **file** backend draws one scene straight into a file of its format:
  its module has ``write_scene(scene, path, scale=1.0)``, which writes
  atomically.  glTF is one (``gltf``); vector SVG and PDF are another
  (``vector``, with its pure helpers ``flatten``, ``sheets``, ``painter``,
  ``glyphs`` and ``primitives``), which also crops and takes ``cells``.

``FILE_BACKENDS`` maps an output's extension to its module, so that adding a
format is one line here and one module beside this one.  Nothing outside
``render/`` imports a backend.
"""
from __future__ import annotations

import importlib
import os
import threading
from typing import Protocol

import numpy as np

RASTER = "pyvista_raster"
# extension -> module in this package with ``write_scene(scene, path, scale=1.0)``
FILE_BACKENDS = {".glb": "gltf", ".gltf": "gltf", ".svg": "vector", ".pdf": "vector"}
# file backends that draw the picture itself, as the PNG shows it: they crop and have boxes as a PNG does
PICTURES = (".svg", ".pdf")


class Raster(Protocol):
    """Draws scenes of one size into pixels, keeping what it can between calls."""

    def draw(self, scene) -> np.ndarray:
        """(H, W, 3) uint8, or (H, W, 4) with straight alpha when the background is transparent."""

    def close(self) -> None:
        """Free the window; the object is unusable after."""


def preload_raster() -> None:
    """Start importing the raster backend (pyvista, VTK: 0.5-1 s) in a thread, to overlap the forward pass.

    A failed import is left to the caller's own import, which raises it where it is handled.
    """
    def load() -> None:
        try:
            importlib.import_module(f"{__name__}.{RASTER}")
        except Exception:  # noqa: BLE001 - raised again, and reported, by open_raster's import
            pass

    threading.Thread(target=load, name="tspcli-import-backend").start()


def open_raster(size: tuple[int, int], scale: float = 1.0, antialias: str | None = "msaa") -> Raster:
    """A raster backend for pictures of ``size`` x ``scale``; close it (or use ``with``) when done."""
    module = importlib.import_module(f"{__name__}.{RASTER}")
    return module.PyvistaRaster(size, scale, antialias=antialias)


def draws_picture(path: str) -> bool:
    """Whether ``path`` is a file of the picture as a PNG shows it (a vector figure), not of the 3D scene."""
    return os.path.splitext(str(path))[1].lower() in PICTURES


def file_backend(path: str):
    """The module that writes ``path`` from a scene, or None when pixels are wanted (PNG, video)."""
    name = FILE_BACKENDS.get(os.path.splitext(str(path))[1].lower())
    return None if name is None else importlib.import_module(f"{__name__}.{name}")
