"""Numbered PNG frames into a folder or after a pattern, without touching the user's other files.

* ``frames/``: drawn into a hidden staging folder beside it and swapped in whole.
  A folder that exists is replaced only when it holds nothing but regular files named
  like our frames (``frame_0000.png`` ...), i.e. an earlier run's; anything else there
  (other files, sub-folders, links, even a folder named ``frame_0000.png``) is an
  OptionError unless ``overwrite``, which replaces the whole folder.
* ``out_%04d.png``: frames are drawn into a staging folder, then moved beside the
  pattern.  Files that already match the pattern (an earlier run's frames, or the
  user's ``2019.png`` under ``%d.png``) are an OptionError unless ``overwrite``, which
  removes every regular file matching the pattern first, so no stale tail remains.

Both checks run before any frame is drawn (``check_frames_target``) and again just
before anything is moved.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from typing import Iterable

import numpy as np

from ..atomic import current_umask, reporting_disk_full
from ..errors import OptionError, ToolFailure
from .png import save_png

FRAME_NAME = "frame_%04d.png"
PATTERN = re.compile(r"%0?(\d*)d")


def check_frames_target(path: str, kind: str, overwrite: bool = False) -> None:
    """Refuse (OptionError) a frames folder or pattern whose writing would replace files not ours."""
    if kind == "folder":
        _check_folder(_folder_of(path), overwrite)
    else:
        folder, name = os.path.split(os.path.abspath(path))
        if not overwrite and os.path.isdir(folder):
            taken = _matching(folder, name)
            if taken:
                more = f" (and {len(taken) - 1} more)" if len(taken) > 1 else ""
                raise OptionError(f"cannot write frames after '{path}': '{taken[0]}'{more} matches it already",
                                  hint="--overwrite removes every file matching the pattern first")


def write_numbered(frames: Iterable[np.ndarray], path: str, kind: str, total: int | None,
                   overwrite: bool = False) -> int:
    """PNG frames into a folder (swapped in whole) or after a pattern (moved in at the end)."""
    check_frames_target(path, kind, overwrite)
    if kind == "folder":
        folder, name = _folder_of(path), FRAME_NAME
        if total is not None and total > 10_000:  # keep names sortable
            name = f"frame_%0{len(str(total - 1))}d.png"
        parent = os.path.dirname(os.path.abspath(folder))
    else:
        parent, name = os.path.split(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise OptionError(f"cannot write '{path}': folder '{parent}' does not exist")
    if not os.access(parent, os.W_OK):
        raise OptionError(f"cannot write '{path}': folder '{parent}' is not writable")

    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(path.rstrip('/')) or 'frames'}.",
                               suffix=".part", dir=parent)
    os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes 0700; a finished folder gets the usual mode
    try:
        with reporting_disk_full(path):
            count = 0
            for count, frame in enumerate(frames, 1):
                save_png(frame, os.path.join(staging, name % (count - 1)))
        if not count:
            raise ToolFailure("no frames to write")
        check_frames_target(path, kind, overwrite)     # nothing of the user's appeared meanwhile
        if kind == "folder":
            _swap_in_folder(staging, folder)
        else:
            _move_in_pattern(staging, parent, name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _folder_of(path: str) -> str:
    return path.rstrip("/" + os.sep) or "."


def frame_file_regex(name: str) -> re.Pattern:
    before, after = (re.escape(part.replace("%%", "%"))
                     for part in PATTERN.split(name, maxsplit=1)[0::2])
    return re.compile(before + r"\d+" + after + "$")


def _is_plain_file(path: str) -> bool:
    return stat.S_ISREG(os.lstat(path).st_mode)


def _matching(folder: str, name: str) -> list[str]:
    ours = frame_file_regex(name)
    return sorted(n for n in os.listdir(folder) if ours.match(n))


def _check_folder(folder: str, overwrite: bool) -> None:
    """An existing folder is replaced only when it holds nothing but an earlier run's frames."""
    if os.path.islink(folder):
        raise OptionError(f"cannot write frames to '{folder}': it is a symbolic link",
                          hint="give the folder it points to")
    if not os.path.exists(folder):
        return
    if not os.path.isdir(folder):
        raise OptionError(f"cannot write frames to '{folder}': it is a file")
    if overwrite:
        return
    ours = frame_file_regex(FRAME_NAME)
    foreign = [n for n in sorted(os.listdir(folder))
               if not (ours.match(n) and _is_plain_file(os.path.join(folder, n)))]
    if foreign:
        raise OptionError(f"cannot write frames to '{folder}': it holds other files "
                          f"(e.g. '{foreign[0]}'); give a new or empty folder",
                          hint="--overwrite replaces the whole folder")


def _swap_in_folder(staging: str, folder: str) -> None:
    if not os.path.isdir(folder):
        os.rename(staging, folder)
        return
    old = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.", suffix=".old",
                           dir=os.path.dirname(os.path.abspath(folder)))
    os.replace(folder, old)  # ``old`` is empty, so the rename may replace it
    os.rename(staging, folder)
    shutil.rmtree(old)


def _move_in_pattern(staging: str, folder: str, name: str) -> None:
    """With --overwrite, frames of an earlier, longer run would leave a tail: those go first."""
    for stale in _matching(folder, os.path.basename(name)):
        if _is_plain_file(os.path.join(folder, stale)):
            os.remove(os.path.join(folder, stale))
    for done in sorted(os.listdir(staging)):
        os.replace(os.path.join(staging, done), os.path.join(folder, done))
    os.rmdir(staging)
