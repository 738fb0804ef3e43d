"""Write files so that nothing half-written is ever left at the output path.

Output goes to a hidden temporary file beside the target and is renamed into
place only when complete.  On any failure, Ctrl-C or SIGTERM (which the CLI
turns into KeyboardInterrupt) the temporary file is removed.
"""
from __future__ import annotations

import contextlib
import os
import tempfile

from .errors import OptionError


def check_writable(path: str) -> None:
    """Fail early (exit 2) when the folder of ``path`` does not exist or cannot be written."""
    folder = os.path.dirname(os.path.abspath(path)) or "."
    if not os.path.isdir(folder):
        raise OptionError(f"cannot write '{path}': folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK):
        raise OptionError(f"cannot write '{path}': folder '{folder}' is not writable")
    if os.path.isdir(path):
        raise OptionError(f"cannot write '{path}': it is a folder")


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
