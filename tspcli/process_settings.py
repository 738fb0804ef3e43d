"""How a tspcli program process (the command, a batch worker) sets itself up for drawing figures.

Both are settings of the process, not of the library: a Python user's own
process keeps its own.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import sys

# Environment variables with which a user chooses how many threads numpy's BLAS runs.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# glibc's mallopt parameters, and the values set
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 256 << 20
_TRIM_THRESHOLD = 1 << 30


def one_blas_thread() -> None:
    """One BLAS thread for this process and its workers, unless the user chose a number.

    A figure's matrix products are small (MobileNetV1's largest: 49 x 1024 x 1024), and
    the process runs them beside the backend's import thread and Mesa's render threads:
    a second OpenBLAS thread mostly waits, and MobileNetV1's forward pass took 0.23 s with
    two threads against 0.04 s with one on this 2-core machine (BENCHMARKS.md).  Set
    before numpy is imported (``tspcli --help`` imports none), so it takes effect.
    """
    if not any(name in os.environ for name in BLAS_THREAD_VARIABLES):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"


def keep_freed_memory() -> bool:
    """Linux (glibc): freed blocks up to 256 MiB stay in the heap for the next array instead of
    going back to the kernel, which would zero fresh pages for it again.

    A figure makes and drops many arrays of 1-50 MB (every layer's values, textures, the
    atlas); by default glibc maps each anew, and MobileNetV1 all open page-faulted 110,000
    times (0.4 s of system time) where 83,000 remain (BENCHMARKS.md).  Returns whether the
    allocator took the setting.
    """
    if not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        mallopt = ctypes.CDLL(None).mallopt      # glibc's; musl has none
        return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
    return False
