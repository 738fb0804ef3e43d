"""Write files so that nothing half-written is ever left at the output path.

Output goes to a hidden temporary file beside the target and is renamed into
place only when complete.  On any failure, Ctrl-C or SIGTERM (which the CLI
turns into KeyboardInterrupt) the temporary file is removed.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile

from .errors import OptionError, ToolFailure

# errors of a full disk (or quota): the tool failed, and says which output
_FULL = (errno.ENOSPC, errno.EDQUOT)


def check_writable(path: str) -> None:
    """Fail early (exit 2) when the folder of ``path`` does not exist or cannot be written."""
    if os.path.isdir(path):
        raise OptionError(f"cannot write '{path}': it is a folder")
    if os.path.exists(path) and not stat.S_ISREG(os.stat(path).st_mode):
        raise OptionError(f"cannot write '{path}': it is not a regular file (a device, pipe or socket)",
                          hint="write to a file; -o - writes a PNG to stdout")
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise OptionError(f"cannot write '{path}': folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK):
        raise OptionError(f"cannot write '{path}': folder '{folder}' is not writable")


def disk_full(path: str) -> ToolFailure:
    return ToolFailure(f"{path}: disk full (no space left on the device that holds it); "
                       f"nothing was written there")


@contextlib.contextmanager
def reporting_disk_full(path: str):
    """Turn a full disk while writing ``path`` into a ToolFailure that names ``path``."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL:
            raise disk_full(path) from None
        raise


@contextlib.contextmanager
def atomic_output(path: str, suffix: str | None = None):
    """Yield a temporary path beside ``path``; rename it to ``path`` on success.

    ``suffix`` defaults to the target's extension, so format-sniffing writers
    (imageio, ffmpeg) see the right file type.
    """
    check_writable(path)
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    if suffix is None:
        suffix = os.path.splitext(base)[1]
    fd, tmp = tempfile.mkstemp(prefix=f".{base}.", suffix=".part" + suffix, dir=folder)
    os.close(fd)
    try:
        with reporting_disk_full(path):
            yield tmp
        os.chmod(tmp, 0o666 & ~current_umask())   # mkstemp makes 0600; a finished file gets the usual mode
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def install_sigterm_handler() -> None:
    """Turn SIGTERM into KeyboardInterrupt so cleanup code runs as for Ctrl-C."""
    import signal

    def _raise(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    with contextlib.suppress(ValueError):  # not in the main thread
        signal.signal(signal.SIGTERM, _raise)
