"""``.npz`` archives and ``.npy`` arrays read array by array, each checked before it is read.

``np.load`` trusts the file: a header may declare any size, an archive member any
ratio, and a truncated or object array fails with TypeError, ValueError or
MemoryError.  Here every array's header is parsed first (numbers only, no
pickles, a small header), its declared bytes are checked against the member's
real size and the caller's budget, and only then is the data read.
"""
from __future__ import annotations

import zipfile
import zlib
from math import prod

import numpy as np

from tspcli.io import limits

_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_FAILURES = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def read_npz(path, limit: int, error) -> dict[str, np.ndarray]:
    """Every array of an .npz, by key (the member name without ``.npy``), at most ``limit`` bytes."""
    file = str(path)
    with limits.open_regular(path, error, ".npz archive") as fh:
        head = fh.read(8)
        if not head:
            raise error("the .npz file is empty", file=file)
        if head.startswith(_NPY_MAGIC):
            raise error("is a single .npy array, not an .npz archive of named arrays", file=file,
                        hint="save weights with numpy.savez(path, **{'layer/kernel': array, ...})")
        if head[:4] not in _ZIP_MAGIC:
            raise error("is not an .npz archive (not a zip file)", file=file)
        fh.seek(0)
        try:
            with zipfile.ZipFile(fh) as archive:
                return _members(archive, limit, error, file)
        except _FAILURES as e:
            raise error(f"corrupt or truncated .npz archive ({e})", file=file) from None


def _members(archive, limit: int, error, file: str) -> dict:
    infos = archive.infolist()
    if not infos:
        raise error("the .npz archive holds no arrays", file=file)
    out, budget = {}, limit
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise error(f"member '{info.filename}' is not a .npy array", file=file)
        data = limits.zip_member(archive, info.filename, budget, error, file)
        key = info.filename[:-4]
        out[key] = parse_npy(data, error, file, f"array '{key}'")
        budget -= out[key].nbytes
    return out


def read_npy(path, limit: int, error) -> np.ndarray:
    """One .npy array of at most ``limit`` bytes."""
    data = limits.read_bytes(path, limit, error, ".npy array")
    return parse_npy(data, error, str(path), "the array")


def npy_shape(path) -> tuple | None:
    """The shape a .npy file's header declares, reading the header only; None when it has none."""
    try:
        with open(path, "rb") as fh:
            return _header(fh)[0]
    except (OSError, ValueError, SyntaxError, TypeError, EOFError):
        return None


def _header(stream):
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    return np.lib.format.read_array_header_2_0(stream)


def parse_npy(data: bytes, error, file: str, what: str) -> np.ndarray:
    """A numeric array from the bytes of a .npy file, its header checked against its data."""
    import io

    if not data:
        raise error(f"{what} is empty (0 bytes)", file=file)
    stream = io.BytesIO(data)
    try:
        shape, fortran, dtype = _header(stream)
    except (ValueError, SyntaxError, TypeError, EOFError) as e:
        raise error(f"{what} has no valid .npy header ({str(e).splitlines()[0][:120]})",
                    file=file) from None
    if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields is not None:
        raise error(f"{what} holds {dtype}, not numbers", file=file,
                    hint="weights and inputs are numeric arrays (object arrays are never unpickled)")
    need = prod(shape) * dtype.itemsize
    have = len(data) - stream.tell()
    if have != need:
        raise error(f"{what} declares {list(shape)} {dtype} ({need} bytes) but holds {have} bytes "
                    "(truncated or corrupt)", file=file)
    flat = np.frombuffer(data, dtype, offset=stream.tell(), count=prod(shape))
    return flat.reshape(shape, order="F" if fortran else "C").copy()
