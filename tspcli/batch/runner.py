"""Run planned jobs on an executor and collect one result per job.

A result is the report's row: ``{"job", "model", "input", "layer", "output",
"status", "seconds", "error", "warnings"}`` with status ``ok``, ``failed``,
``skipped`` (``--skip-existing`` found the output) or ``cancelled`` (not run
after ``--fail-fast`` stopped the batch).
"""
from __future__ import annotations

import os
from concurrent.futures import FIRST_COMPLETED, CancelledError, wait
from dataclasses import replace
from typing import Callable

from ..model import DEFAULT_MAX_MEMORY
from .jobs import Job
from .worker import render_job

# The main thread wakes this often while it waits for jobs: a signal the kernel gives to
# another thread (the pool's) runs its Python handler only when the main thread wakes.
WAKE_S = 0.2


def run_jobs(jobs: list[Job], open_executor: Callable, *, fail_fast: bool = False, skip_existing: bool = False,
             max_memory: int = DEFAULT_MAX_MEMORY, on_done: Callable[[dict], None] = lambda row: None,
             overwrite: bool = False) -> list[dict]:
    """Results in job order.  ``open_executor(n)`` is a context manager for ``n`` jobs to run;
    ``on_done`` sees each result as it comes (all but the cancelled)."""
    results, todo = {}, []
    for job in jobs:
        if job.error:
            results[job.index] = _row(job, "failed", error=job.error)
        elif skip_existing and os.path.exists(job.output):
            # outputs (files and frames folders) are renamed into place only when complete
            results[job.index] = _row(job, "skipped")
        else:
            todo.append(job)
            continue
        on_done(results[job.index])
    stop = fail_fast and any(r["status"] == "failed" for r in results.values())
    if todo and not stop:
        with open_executor(len(todo)) as executor:
            futures = {executor.submit(render_job, *_arguments(job, max_memory), overwrite): job for job in todo}
            try:
                for future in _as_completed(futures):
                    result = results[futures[future].index] = _outcome(futures[future], future)
                    on_done(result)
                    if fail_fast and result["status"] == "failed":
                        break
            finally:
                # after --fail-fast or Ctrl-C: what has not started never will; what runs ends normally
                for future in futures:
                    future.cancel()
            for future in _as_completed([f for f in futures if not f.cancelled()]):
                if futures[future].index not in results:
                    results[futures[future].index] = _outcome(futures[future], future)
                    on_done(results[futures[future].index])
    return [results.get(job.index) or _row(job, "cancelled") for job in jobs]


def _as_completed(futures):
    """Each future as it completes (as ``concurrent.futures.as_completed``), waking every WAKE_S."""
    pending = set(futures)
    while pending:
        done, pending = wait(pending, timeout=WAKE_S, return_when=FIRST_COMPLETED)
        yield from done


def _arguments(job: Job, max_memory: int) -> tuple:
    """Absolute paths: a worker (a Dask one especially) may run in another folder."""
    options = job.options
    if options.input:
        options = replace(options, input=os.path.abspath(options.input))
    return os.path.abspath(job.model), os.path.abspath(job.output), options, max_memory


def _outcome(job: Job, future) -> dict:
    try:
        done = future.result()
    except CancelledError:
        return _row(job, "cancelled")
    except Exception as exc:  # noqa: BLE001 - a worker that died (BrokenProcessPool, KilledWorker, ...)
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return _row(job, "failed", error=f"worker failed: {type(exc).__name__}: {first_line}")
    return _row(job, done["status"], seconds=done["seconds"], error=done["error"], warnings=done["warnings"])


def _row(job: Job, status: str, *, seconds: float | None = None, error: str | None = None,
         warnings: list | None = None) -> dict:
    return {"job": job.index, "model": job.model, "input": job.options.input, "layer": job.layer,
            "output": job.output, "status": status, "seconds": seconds, "error": error,
            "warnings": warnings or []}
