"""Before VTK loads: pick a window that needs no display, and keep pyvista from loading matplotlib's pyplot.

Imported by the pyvista backend before ``pyvista``; nothing here imports VTK.
"""
from __future__ import annotations

import ctypes.util
import importlib
import os
import sys
import types


def configure_offscreen(env=os.environ) -> None:
    """Pick a headless OpenGL window before VTK loads (no X server needed).

    On Linux without $DISPLAY: VTK's EGL window (Mesa's software EGL, or a GPU
    driver's), else OSMesa.  Elsewhere, or when the user set
    VTK_DEFAULT_OPENGL_WINDOW, VTK's own choice stands.
    """
    if not sys.platform.startswith("linux"):
        return
    if env.get("VTK_DEFAULT_OPENGL_WINDOW") or has_display(env):
        return
    if ctypes.util.find_library("EGL"):
        env["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"
    elif ctypes.util.find_library("OSMesa"):
        env["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkOSOpenGLRenderWindow"


def has_display(env=os.environ) -> bool:
    """Whether a window could be opened on screen (always assumed off Linux)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


class _DeferredPyplot(types.ModuleType):
    """Stands in for ``matplotlib.pyplot`` until one of its names is used, then becomes it.

    ``pyvista.plotting.colors`` imports pyplot at import time (0.3-0.5 s on a
    2-core machine: the font manager, figures, axes) but only uses it inside a
    function we never call.  Attributes the import machinery reads (``__spec__``
    and the like) are plain attributes here, so importing does not trigger it.
    """

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        real = _load_real_pyplot()
        return getattr(real, name)


def _load_real_pyplot():
    stand_in = sys.modules.get("matplotlib.pyplot")
    if isinstance(stand_in, _DeferredPyplot):
        del sys.modules["matplotlib.pyplot"]
        import matplotlib
        if getattr(matplotlib, "pyplot", None) is stand_in:
            del matplotlib.pyplot
    return importlib.import_module("matplotlib.pyplot")


def defer_pyplot() -> None:
    """Let ``import matplotlib.pyplot`` cost nothing until pyplot is used.

    For processes tspcli owns (the command line, batch workers): a Python user's
    session imports pyvista as it is.  A later real use of pyplot (e.g. by
    ``--colormap``'s colormaps, which do not need it) loads the real module.
    """
    if "matplotlib.pyplot" in sys.modules:
        return
    stand_in = _DeferredPyplot("matplotlib.pyplot")
    stand_in.__spec__ = None
    stand_in.__file__ = None
    sys.modules["matplotlib.pyplot"] = stand_in
