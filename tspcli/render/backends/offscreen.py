"""Before pyvista loads: whether a window can be shown, and keeping pyvista from loading what tspcli never uses.

Nothing here imports VTK or pyvista (``--help`` and error paths stay light).
"""
from __future__ import annotations

import contextlib
import importlib
import os
import sys
import types


def has_display(env=os.environ) -> bool:
    """Whether a window could be opened on screen (always assumed off Linux)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


# Modules pyvista imports when it loads but uses only inside functions tspcli never calls (0.3-0.5 s
# on a 2-core machine together): matplotlib's pyplot (pyvista.plotting.colors: the font manager,
# figures, axes) and Agg canvas (pyvista.plotting.charts), and pooch (pyvista.core's reader registry:
# downloads, with tqdm, asyncio and ssl).
DEFERRED = ("matplotlib.pyplot", "matplotlib.backends.backend_agg", "pooch")
# names taken from these at import time (``from m import name``) and only called later
BOUND_AT_IMPORT = ("matplotlib.backends.backend_agg",)


class _Deferred(types.ModuleType):
    """Stands in for a module of ``DEFERRED`` until it is used, then loads the real one.

    Using an attribute loads the real module; a name bound at import time from a
    module of ``BOUND_AT_IMPORT`` (``FigureCanvasAgg``) loads it when called.
    Attributes the import machinery reads (``__spec__`` and the like) are plain,
    so importing loads nothing.
    """

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        module = self.__name__
        if module in BOUND_AT_IMPORT:
            return lambda *args, **kwargs: getattr(_real(module), name)(*args, **kwargs)
        return getattr(_real(module), name)


def _real(name: str):
    """The real module ``name`` (imported now if need be; its stand-in has left ``sys.modules``)."""
    stand_in = sys.modules.get(name)
    if isinstance(stand_in, _Deferred):     # used while pyvista is still loading
        del sys.modules[name]
    return importlib.import_module(name)


@contextlib.contextmanager
def unused_imports_deferred():
    """While pyvista loads, the modules of ``DEFERRED`` it imports are stand-ins (0.3-0.5 s not paid).

    On leaving, the stand-ins leave ``sys.modules``: pyvista keeps the ones it
    bound (each loads the real module when used), and any later import gets the
    real module.  Modules already imported are left as they are.
    """
    placed = {}
    for name in DEFERRED:
        if name not in sys.modules:
            stand_in = _Deferred(name)
            stand_in.__spec__ = None
            stand_in.__file__ = None
            placed[name] = sys.modules[name] = stand_in
    try:
        yield
    finally:
        for name, stand_in in placed.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
            parent, _, child = name.rpartition(".")
            if parent and getattr(sys.modules.get(parent), child, None) is stand_in:
                delattr(sys.modules[parent], child)
