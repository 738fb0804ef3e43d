"""What a worker runs: one model rendered to one file (a still or an animation), as `tspcli render` does.

``render_job`` takes and returns plain picklable data, so the same function
runs in a local process pool and on Dask workers.  Paths are absolute (a
worker's current folder may differ); workers must see the same files.  Each
worker process imports the renderer once and keeps its VTK window (with its
compiled shaders) from job to job while the picture size stays the same;
nothing is shared between processes.
"""
from __future__ import annotations

import os
import threading
import time

from ..errors import OptionError, ToolFailure, TspError

# Numbered frames after a pattern are moved in one by one, so a resumed batch could not
# trust them; a frames folder/ is swapped in whole.
OUTPUT_KINDS = ("png", "mp4", "gif", "folder", "scene")
# Dask may run several tasks of one worker in threads; one OpenGL render at a time per process.
_RENDER_LOCK = threading.Lock()
_WARM = None     # ((size, scale), raster backend) of the last job in this process


def check_output(path: str, options, overwrite: bool = False) -> str:
    """The kind of output ``path`` names (see writers.output_kind); an OptionError unless a job can write it."""
    from ..render.writers import check_output as check_kind

    kind = check_kind(path, fps=options.fps, quality=options.quality, overwrite=overwrite)
    if kind not in OUTPUT_KINDS:
        raise OptionError(f"cannot write '{path}': a batch job writes a .png, .svg, .pdf, .mp4, .gif, .glb, "
                          ".gltf or a frames folder/",
                          hint="e.g. -o '{stem}.png' or -o '{stem}_frames/'")
    return kind


def warm_up() -> None:
    """Import the renderer and loaders once per worker process, before its first job."""
    import importlib

    for module in ("backends.pyvista_raster", "pipeline", "writers"):
        importlib.import_module(f"tspcli.render.{module}")
    importlib.import_module("tspcli.loading")


def render_job(model: str, output: str, options, max_memory: int, overwrite: bool = False) -> dict:
    """Render ``model`` to ``output`` with ``options`` (RenderOptions); never raises for a failed job.

    Returns ``{"status": "ok"|"failed", "seconds", "error", "warnings"}``.
    """
    start = time.perf_counter()
    warnings, error = [], None
    try:
        warnings = _render(model, output, options, max_memory, overwrite)
    except (TspError, ToolFailure) as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one job's crash must not end the batch
        error = f"internal error: {type(exc).__name__}: {exc}"
    return {"status": "failed" if error else "ok", "seconds": round(time.perf_counter() - start, 3),
            "error": error, "warnings": warnings}


def _render(model: str, output: str, options, max_memory: int, overwrite: bool) -> list[str]:
    """As `tspcli render`: a still for a .png or a 3D file, else the timeline of the options or the description."""
    from ..io.inputs import natural_shape
    from ..loading import load
    from ..render.pipeline import render_file
    from ..render.writers import output_kind

    m = load(model, max_memory=max_memory, input_shape=options.input_shape or natural_shape(options.input))
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with _RENDER_LOCK:   # a still is drawn in this process's kept window; animations open their own
        warm = _renderer(options.size, options.scale) if output_kind(output) == "png" else None
        return render_file(m, output, options, raster=warm, overwrite=overwrite)


def _renderer(size: tuple[int, int], scale: float):
    """This process's renderer for pictures of ``size`` x ``scale``: kept while jobs keep that size."""
    from ..render.backends import open_raster

    global _WARM
    if _WARM is None or _WARM[0] != (size, scale):
        if _WARM is not None:
            _WARM[1].close()
            _WARM = None
        _WARM = ((size, scale), open_raster(size, scale))
    return _WARM[1]
