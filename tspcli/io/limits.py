"""Reading untrusted files with a cap: one place for every reader's size, kind and path checks.

A model, description or input may come from anywhere, so before memory is spent
a reader checks what it is about to read.  Readers (descriptions, configs, jobs
files, inputs, model files, weight archives, shards, and the ONNX and TFLite
readers) use these plain functions; each takes the error class to raise (a
``TspError`` subclass: ``LoadError``, ``SpecError``, ``InputError`` ...) so the
message keeps the reader's meaning, and every message names the file.

* ``open_regular(path)``: a regular file only.  Folders, FIFOs and devices
  (``/dev/zero``) are refused; the open is non-blocking, so a FIFO cannot hang it.
* ``read_bytes(path, limit)`` / ``read_text(path, limit)``: the whole file,
  refused when fstat says it is over ``limit`` (checked before reading; the read
  itself stops at ``limit + 1`` bytes in case the file grows meanwhile).
* ``read_stream(stream, limit)``: the same for stdin.
* ``zip_member(archive, name, limit)``: a zip member's bytes.  Its declared size is
  checked against ``limit`` and its compression ratio against ``MAX_ZIP_RATIO``
  before anything is inflated; inflating stops at the declared size.
* ``confine(folder, name)``: a path named inside a file, resolved (symlinks too)
  and refused, without being opened, unless it stays inside ``folder``.
* ``check_size(nbytes, limit)``: a declared size (a dataset, an array) before allocating.
"""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

DEFAULT_MAX_BYTES = 4 * 2**30  # --max-memory's default: weights a model file may hold
TEXT_LIMIT = 64 * 2**20        # descriptions, configs, jobs files, JSON inputs and configs inside models
MAX_ZIP_RATIO = 1000           # deflate cannot do better than ~1032:1; a header claiming more lies
_ZIP_RATIO_FLOOR = 2**20       # small members may compress as well as they like
_CHUNK = 1 << 20


def human(nbytes: int) -> str:
    """A byte count for messages: 64 MiB, 3.2 GiB."""
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= size:
            return f"{nbytes / size:.3g} {unit}"
    return f"{nbytes} bytes"


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    return "is not a regular file"


def open_regular(path, error, what: str = "file"):
    """A binary file object for ``path``, which must be a regular file."""
    name = str(path)
    try:
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise error("no such file", file=name) from None
    except IsADirectoryError:
        raise error("is a folder, not a file", file=name) from None
    except OSError as e:
        raise error(f"cannot read {what}: {e.strerror or e}", file=name) from None
    problem = _kind(os.fstat(fd).st_mode)
    if problem is not None:
        os.close(fd)
        raise error(problem, file=name, hint=f"give the {what} itself")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def check_size(nbytes: int, limit: int, error, file: str, what: str, hint: str | None = None) -> None:
    """Refuse a declared size over ``limit`` before anything is allocated."""
    if nbytes > limit:
        raise error(f"{what} is {human(nbytes)}, more than the limit of {human(limit)}", file=file,
                    hint=hint)


def read_bytes(path, limit: int, error, what: str = "file", hint: str | None = None) -> bytes:
    """All bytes of a regular file of at most ``limit`` bytes."""
    name = str(path)
    with open_regular(path, error, what) as fh:
        check_size(os.fstat(fh.fileno()).st_size, limit, error, name, f"the {what}", hint)
        try:
            data = fh.read(limit + 1)
        except OSError as e:
            raise error(f"cannot read {what}: {e.strerror or e}", file=name) from None
    check_size(len(data), limit, error, name, f"the {what}", hint)  # it grew while we looked
    return data


def decode_text(data: bytes, error, file: str) -> str:
    """UTF-8 text (a BOM is dropped); other bytes are refused as binary data."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(f"is not UTF-8 text (byte {e.start}: binary data?)", file=file) from None


def read_text(path, limit: int, error, what: str = "file") -> str:
    return decode_text(read_bytes(path, limit, error, what), error, str(path))


def read_stream(stream, limit: int, error, name: str, what: str = "input") -> bytes:
    """At most ``limit`` bytes of an open binary stream (stdin)."""
    data = stream.read(limit + 1)
    check_size(len(data), limit, error, name, f"the {what}")
    return data


def zip_member(archive: zipfile.ZipFile, name: str, limit: int, error, file: str) -> bytes:
    """The bytes of one member, its declared size and compression ratio checked before inflating."""
    info = archive.getinfo(name)
    check_size(info.file_size, limit, error, file, f"archive member '{name}'",
               hint="raise --max-memory if the model is that big")
    if info.file_size > _ZIP_RATIO_FLOOR and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        raise error(f"archive member '{name}' claims {human(info.file_size)} from "
                    f"{human(info.compress_size)} (more than {MAX_ZIP_RATIO}:1): a zip bomb or a "
                    "corrupt archive", file=file)
    with archive.open(info) as member:  # zipfile stops at the declared size and checks the CRC
        return member.read()


def confine(folder, name: str, error, file: str, what: str, owner: str = "model",
            hint: str | None = None) -> Path:
    """``folder/name`` with symlinks resolved, refused unless it stays inside ``folder``.

    Nothing is opened: a path that leaves the folder is refused by its name alone.
    """
    base = Path(folder).resolve()
    hint = hint or f"files a {owner} lists must sit in its folder; '..' and links out are refused"
    if os.path.isabs(name) or "\0" in name:
        raise error(f"{what} '{name}' is not a file name relative to the {owner}'s folder", file=file,
                    hint=hint)
    target = (base / name).resolve()
    if target != base and base not in target.parents:
        raise error(f"{what} '{name}' leads outside the {owner}'s folder ({base})", file=file, hint=hint)
    return target
