"""Where jobs run: a local process pool, or the workers of a Dask cluster.

Both are ``concurrent.futures`` executors, so the batch runner does not know
which one it has.  Local workers are started fresh ('spawn'), never forked from
a process that may already hold an OpenGL context (or jax's threads), and import
the renderer once each.

Ctrl-C or SIGTERM is handled by the parent: jobs not started are cancelled and
every worker gets SIGTERM, which a busy worker turns into KeyboardInterrupt, so
the job's partial file (or staging folder, or ffmpeg) is removed as for `tspcli
render`, and then it exits; an idle worker exits at once.  Workers still alive
after ``STOP_GRACE_S`` are killed, so the batch stops within about 2 s.  A second
signal (``handle_stop_signals``) ends the batch at once: the workers get SIGTERM and
clean up by themselves.  Finished outputs are whole, so ``--skip-existing`` resumes.
"""
from __future__ import annotations

import contextlib
import os
import signal
import time

from ..errors import OptionError, ToolFailure

CONNECT_TIMEOUT_S = 10
STOP_GRACE_S = 1.5
_BUSY = False    # in a worker: whether a job is running (SIGTERM then cleans up before exiting)
_POOLS = []      # in the batch process: the local pools now open
_STOPPING = []   # ... and the workers being stopped (a pool forgets them once shut down)


def handle_stop_signals() -> None:
    """The batch process: the first Ctrl-C or SIGTERM stops cleanly (KeyboardInterrupt); a second ends it now.

    The second must not raise again: it could land inside the cleanup of the first, in
    concurrent.futures' locks, and turn a stop into an internal error or a hang.
    """
    def again(signum, frame):
        for process in _STOPPING + [p for pool in _POOLS for p in _workers(pool)]:
            with contextlib.suppress(OSError, ValueError):
                process.terminate()
        os.write(2, b"tspcli: interrupted\n")
        os._exit(130)

    def first(signum, frame):
        signal.signal(signal.SIGINT, again)
        signal.signal(signal.SIGTERM, again)
        raise KeyboardInterrupt(f"signal {signum}")

    with contextlib.suppress(ValueError):  # not in the main thread
        signal.signal(signal.SIGINT, first)
        signal.signal(signal.SIGTERM, first)


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

    class Pool(ProcessPoolExecutor):
        def submit(self, fn, /, *args, **kwargs):
            return super().submit(_guarded, fn, *args, **kwargs)

    pool = Pool(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker)
    _POOLS.append(pool)
    try:
        yield pool
    except BaseException:
        _stop(pool)
        raise
    finally:
        _POOLS.remove(pool)
    pool.shutdown(wait=True)


def _stop(pool) -> None:
    """Cancel what has not started and end every worker within STOP_GRACE_S (see the module's text)."""
    processes = _workers(pool)
    _STOPPING.extend(processes)
    pool.shutdown(wait=False, cancel_futures=True)
    try:
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.terminate()
        deadline = time.monotonic() + STOP_GRACE_S
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
    finally:      # also after a second Ctrl-C during the wait: no worker outlives the batch
        for process in processes:
            if process.is_alive():
                with contextlib.suppress(OSError, ValueError):
                    process.kill()


def _workers(pool) -> list:
    # the pool's processes are private; nothing public lists them (active_children lists every child)
    return list((getattr(pool, "_processes", None) or {}).values())


def _start_worker() -> None:
    from ..process_settings import keep_freed_memory
    from .worker import warm_up

    keep_freed_memory()
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C reaches the whole group; the parent decides
    signal.signal(signal.SIGTERM, _on_sigterm)
    _die_with_parent()
    warm_up()


def _die_with_parent() -> None:
    """Linux: SIGTERM this worker when the batch process dies, even by SIGKILL (no orphaned renders)."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _on_sigterm(signum, frame):
    if not _BUSY:
        os._exit(128 + signum)
    # once: another SIGTERM (the pool's own, when a sibling's exit breaks it) must not
    # interrupt the cleanup this one starts; the parent kills a worker that takes too long
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


def _guarded(fn, *args, **kwargs):
    """Run one job in a worker; stopped by SIGTERM, it has cleaned up (on unwinding) and exits."""
    global _BUSY
    _BUSY = True
    try:
        return fn(*args, **kwargs)
    except KeyboardInterrupt:
        os._exit(128 + signal.SIGTERM)
    finally:
        _BUSY = False


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
