"""Where jobs run: a local process pool, or the workers of a Dask cluster.

Both are ``concurrent.futures`` executors, so the batch runner does not know
which one it has.  Local workers are started fresh ('spawn'), never forked from
a process that may already hold an OpenGL context, and import the renderer once
each; Ctrl-C is handled by the parent, which lets running jobs finish (their
files are written atomically) and cancels the rest.
"""
from __future__ import annotations

import contextlib
import os

from ..errors import OptionError, ToolFailure

CONNECT_TIMEOUT_S = 10


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def local_pool(workers: int):
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # A spawned worker starts as `python -c ...`, which puts the working directory first on
    # sys.path until the parent's path arrives: Python >= 3.11 leaves it out with this.
    os.environ["PYTHONSAFEPATH"] = "1"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_start_worker)
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _start_worker() -> None:
    import signal

    from .worker import warm_up

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()


@contextlib.contextmanager
def dask_cluster(address: str):
    """The executor of a ``dask.distributed`` Client connected to the scheduler at ``address``."""
    try:
        from distributed import Client
    except ImportError:
        raise OptionError("--scheduler needs dask.distributed, which is not installed",
                          hint="pip install 'tspcli[dask]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except ValueError as exc:  # e.g. an unknown protocol
        raise OptionError(f"--scheduler '{address}': {exc}") from None
    except (OSError, TimeoutError) as exc:
        raise ToolFailure(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
