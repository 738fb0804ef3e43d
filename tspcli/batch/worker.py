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
OUTPUT_KINDS = ("png", "svg", "pdf", "mp4", "gif", "folder")
# Dask may run several tasks of one worker in threads; one OpenGL render at a time per process.
_RENDER_LOCK = threading.Lock()
_WARM = None     # ((size, scale), Renderer) of the last job in this process


def check_output(path: str, options) -> str:
    """The kind of output ``path`` names (see writers.output_kind); an OptionError unless a job can write it."""
    from ..render.pipeline import check_vector
    from ..render.writers import VECTOR_KINDS
    from ..render.writers import check_output as check_kind

    kind = check_kind(path, fps=options.fps, quality=options.quality)
    if kind in VECTOR_KINDS:
        check_vector(options)
    if kind not in OUTPUT_KINDS:
        raise OptionError(f"cannot write '{path}': a batch job writes a .png, .svg, .pdf, .mp4, .gif or a "
                          f"frames folder/",
                          hint="e.g. -o '{stem}.png' or -o '{stem}_frames/'")
    return kind


def warm_up() -> None:
    """Import the renderer and loaders once per worker process, before its first job."""
    import importlib

    for module in ("vtk_backend", "pipeline", "writers"):
        importlib.import_module(f"tspcli.render.{module}")
    importlib.import_module("tspcli.loading")


def render_job(model: str, output: str, options, max_memory: int) -> dict:
    """Render ``model`` to ``output`` with ``options`` (RenderOptions); never raises for a failed job.

    Returns ``{"status": "ok"|"failed", "seconds", "error", "warnings"}``.
    """
    start = time.perf_counter()
    warnings, error = [], None
    try:
        warnings = _render(model, output, options, max_memory)
    except (TspError, ToolFailure) as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one job's crash must not end the batch
        error = f"internal error: {type(exc).__name__}: {exc}"
    return {"status": "failed" if error else "ok", "seconds": round(time.perf_counter() - start, 3),
            "error": error, "warnings": warnings}


def _render(model: str, output: str, options, max_memory: int) -> list[str]:
    """As `tspcli render`: a still for a .png, else the timeline of the options or the description."""
    from ..loading import load
    from ..render.animation import timeline_for, write_animation
    from ..render.pipeline import check_vector, compute_values, render_model, write_vector
    from ..render.writers import STILL_KINDS, VECTOR_KINDS
    from ..render.writers import check_output as check_kind
    from ..render.writers import output_kind, write_png

    kind = output_kind(output)
    if kind in VECTOR_KINDS:
        check_vector(options)
    m = load(model, max_memory=max_memory)
    timeline = None
    if kind not in STILL_KINDS:     # a bad timeline fails before the forward pass
        timeline = timeline_for(m, options, from_flag=False)
        check_kind(output, fps=options.fps, quality=options.quality,
                   total=len(timeline.frame_times(options.fps)))
    warnings = []
    if options.values:
        warnings = [f"layer '{name}' has no values: {reason}"
                    for name, reason in compute_values(m, options).items()]
    os.makedirs(os.path.dirname(output), exist_ok=True)
    if kind in VECTOR_KINDS:
        write_vector(m, options, output)
        return warnings
    with _RENDER_LOCK:
        if timeline is not None:
            write_animation(m, options, output, timeline, quiet=True)
            return warnings
        frame = render_model(m, options, _renderer(options.size, options.scale))
    write_png(frame, output)
    return warnings


def _renderer(size: tuple[int, int], scale: float):
    """This process's renderer for pictures of ``size`` x ``scale``: kept while jobs keep that size."""
    from ..render.vtk_backend import Renderer

    global _WARM
    if _WARM is None or _WARM[0] != (size, scale):
        if _WARM is not None:
            _WARM[1].close()
            _WARM = None
        _WARM = ((size, scale), Renderer(size, scale))
    return _WARM[1]
