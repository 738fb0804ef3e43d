"""Before pyvista loads: whether a window can be shown, and keeping pyvista from loading matplotlib's pyplot.

Nothing here imports VTK or pyvista (``--help`` and error paths stay light).
"""
from __future__ import annotations

import importlib
import os
import sys
import types


def has_display(env=os.environ) -> bool:
    """Whether a window could be opened on screen (always assumed off Linux)."""
    if not sys.platform.startswith("linux"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


class _Deferred(types.ModuleType):
    """Stands in for a matplotlib module that pyvista imports but a tspcli process never uses.

    ``pyvista.plotting`` imports ``matplotlib.pyplot`` (in ``colors``) and
    ``matplotlib.backends.backend_agg`` (in ``charts``) when it loads: 0.3-0.5 s
    on a 2-core machine (the font manager, figures, axes, the Agg canvas), used
    only inside functions tspcli never calls (colour cycles, matplotlib charts).
    A name taken from the stand-in loads the real module when it is used:
    pyplot on first attribute access, ``FigureCanvasAgg`` (bound by a
    ``from ... import`` at import time) when it is called.  Attributes the import
    machinery reads (``__spec__`` and the like) are plain, so importing does
    not load anything.
    """

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if self.__name__ == "matplotlib.pyplot":
            return getattr(_real(self.__name__), name)
        module = self.__name__
        return lambda *args, **kwargs: getattr(_real(module), name)(*args, **kwargs)


def _real(name: str):
    """The real module ``name``, replacing its stand-in."""
    stand_in = sys.modules.get(name)
    if isinstance(stand_in, _Deferred):
        del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if getattr(sys.modules.get(parent), child, None) is stand_in:
            delattr(sys.modules[parent], child)
    return importlib.import_module(name)


def defer_pyplot() -> None:
    """Let pyvista's imports of pyplot and the Agg canvas cost nothing until they are used.

    For processes tspcli owns (the command line, batch workers); a Python
    user's session imports pyvista as it is.
    """
    for name in ("matplotlib.pyplot", "matplotlib.backends.backend_agg"):
        if name not in sys.modules:
            stand_in = _Deferred(name)
            stand_in.__spec__ = None
            stand_in.__file__ = None
            sys.modules[name] = stand_in
