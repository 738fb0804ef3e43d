"""HDF5 files read in a child process, handed back as a plain in-memory tree.

libhdf5 is not robust against corrupt files: a flipped bit in a global heap
or an object header can make it loop forever or crash the process (found by
tests/io/test_io_errors.py's fuzzing).  So h5py runs only in a short-lived child
(``python -I``, see ``_child_command``) under a time limit, dying with its
parent; it refuses data kept outside the file and checks the datasets'
declared sizes before reading them; it sends back every group,
text attribute and numeric dataset, and anything going wrong there becomes a
LoadError naming the file.  The readers work on ``H5Tree`` and never see h5py.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from tspcli.errors import LoadError
from tspcli.io import limits

# Seconds allowed for reading: a base plus one second per 20 MB of file.
READ_TIMEOUT_BASE_S = 60.0
_READ_BYTES_PER_S = 20e6
_CHILD_FAILED = 3
_H5_FAILURES = (OSError, KeyError, ValueError, RuntimeError, TypeError, IndexError,
                AttributeError, UnicodeDecodeError, MemoryError)


class H5Tree:
    """Groups, text attributes and numeric datasets of one HDF5 file, by path.

    Paths are relative to the root ("" is the root): ``"model_weights/conv/conv/kernel:0"``.
    """

    def __init__(self, nodes: dict, arrays, file: str):
        self.file = file
        self._nodes = nodes
        self._arrays = arrays
        self._children: dict[str, list[str]] = {}
        for path in nodes:
            if path:
                parent, _, name = path.rpartition("/")
                self._children.setdefault(parent, []).append(name)

    def __contains__(self, path: str) -> bool:
        return path in self._nodes

    def is_group(self, path: str) -> bool:
        return self._nodes.get(path, {}).get("group", False)

    def children(self, path: str) -> list[str]:
        return list(self._children.get(path, []))

    def attr_text(self, path: str, name: str) -> str | None:
        """A text attribute, or None when absent."""
        value = self._attr(path, name)
        if value is not None and not isinstance(value, str):
            raise LoadError(f"attribute '{name}' of '/{path}' is not text", file=self.file)
        return value

    def attr_list(self, path: str, name: str) -> list[str] | None:
        """A list-of-text attribute; Keras splits big ones into name0, name1, ... ."""
        attrs = self._nodes.get(path, {}).get("attrs", {})
        if name in attrs:
            chunks = [self._attr(path, name)]
        elif f"{name}0" in attrs:
            chunks, i = [], 0
            while f"{name}{i}" in attrs:
                chunks.append(self._attr(path, f"{name}{i}"))
                i += 1
        else:
            return None
        return [v for chunk in chunks for v in ([chunk] if isinstance(chunk, str) else chunk)]

    def _attr(self, path: str, name: str):
        attrs = self._nodes.get(path, {}).get("attrs", {})
        if name in attrs and attrs[name] is None:
            raise LoadError(f"attribute '{name}' of '/{path}' is unreadable (corrupt file?)",
                            file=self.file)
        return attrs.get(name)

    def array(self, path: str, place: str) -> np.ndarray:
        """A numeric dataset; ``place`` says where it was listed, for errors."""
        node = self._nodes.get(path)
        if node is None:
            raise LoadError(f"weight '/{path}' is listed in {place} but absent from the file",
                            file=self.file)
        if "bad" in node:
            raise LoadError(f"weight '/{path}' {node['bad']}", file=self.file)
        if node.get("group"):
            raise LoadError(f"weight '/{path}' is a group, not an array", file=self.file)
        return self._arrays[f"a{node['array']}"]


def join(*parts: str) -> str:
    return "/".join(p for p in parts if p)


def read_tree(source, file: str, skip: tuple[str, ...] = (),
              max_bytes: int = limits.DEFAULT_MAX_BYTES) -> H5Tree:
    """Read an HDF5 file (a path, or its bytes) in a child process.

    ``skip`` names top-level groups whose datasets are not needed (optimizer state).
    ``max_bytes`` caps the datasets' declared sizes, checked before any is read.
    """
    data = source if isinstance(source, bytes) else None
    if data is None:
        with limits.open_regular(source, LoadError, "HDF5 file") as fh:
            size = os.fstat(fh.fileno()).st_size
    else:
        size = len(data)
    timeout = READ_TIMEOUT_BASE_S + size / _READ_BYTES_PER_S
    try:
        stdin = {"input": data} if data is not None else {"stdin": subprocess.DEVNULL}
        # "::" turns off libhdf5's filter plugins: a file cannot make it load a shared library
        # (Keras' compressions, gzip and lzf, are built in).
        done = subprocess.run(_child_command(source if data is None else "-", skip, max_bytes),
                              capture_output=True, timeout=timeout,
                              env=dict(os.environ, HDF5_PLUGIN_PRELOAD="::"), **stdin)
    except subprocess.TimeoutExpired:
        raise LoadError(f"reading the HDF5 data did not finish within {timeout:.0f} s "
                        "(corrupt file?)", file=file) from None
    if done.returncode == _CHILD_FAILED:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise LoadError(message[0], file=file)
    if done.returncode != 0:
        raise LoadError(f"the HDF5 library failed on this file (exit status {done.returncode}; "
                        "corrupt file?)", file=file)
    with np.load(io.BytesIO(done.stdout), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    nodes = json.loads(arrays.pop("meta").tobytes())
    return H5Tree(nodes, arrays, file)


def _child_command(source, skip, max_bytes: int) -> list[str]:
    """``python -I``: no PYTHONPATH, no user site and nothing from the working directory on
    ``sys.path``, where an ``h5py.py`` or ``json.py`` would otherwise run; only the folder
    holding this ``tspcli`` package is added, so any checkout works."""
    package_root = str(Path(__file__).resolve().parents[2])
    code = (f"import sys; sys.path.insert(0, {package_root!r}); "
            "from tspcli.io.hdf5 import _child_main; sys.exit(_child_main(sys.argv[1:]))")
    return [sys.executable, "-I", "-c", code, str(os.getpid()), str(max_bytes), str(source), *skip]


# ---- the child process -------------------------------------------------------------

def _attribute(attrs, name):
    """Text or list of text; [] for Keras' empty lists; None when unreadable.

    The stored type is checked before reading: h5py can crash converting an
    attribute whose type was corrupted.
    """
    import h5py
    try:
        attr = attrs.get_id(name)
        if _stored_bytes(attr) > limits.TEXT_LIMIT:
            return None
        is_text = isinstance(attr.get_type(), h5py.h5t.TypeStringID)
        if not is_text:
            return [] if attr.get_space().get_simple_extent_npoints() == 0 else None
        value = attrs[name]
        if isinstance(value, (bytes, np.bytes_, str)):
            return value.decode("utf-8") if isinstance(value, (bytes, np.bytes_)) else value
        return [v.decode("utf-8") if isinstance(v, (bytes, np.bytes_)) else str(v)
                for v in np.atleast_1d(value)]
    except _H5_FAILURES:
        return None


def _stored_bytes(attr) -> int:
    """Bytes an attribute holds; an empty one holds none (HDF5 reports its size 0 as an error)."""
    try:
        return attr.get_storage_size()
    except RuntimeError:
        return 0 if attr.get_space().get_simple_extent_npoints() == 0 else limits.TEXT_LIMIT + 1


class _Refused(Exception):
    """The file asks for something tspcli never does (read another file, exceed the memory cap)."""


def _dataset_problem(dataset) -> str | None:
    if dataset.dtype.kind not in "fiub":
        return f"has non-numeric type {dataset.dtype}"
    if dataset.compression is None and \
            dataset.id.get_storage_size() < dataset.size * dataset.dtype.itemsize:
        return "is truncated"
    return None


def _outside(path: str, dataset) -> str | None:
    """Why a dataset's data is kept outside the file (external raw storage, virtual), or None."""
    if dataset.is_virtual:
        return (f"dataset '/{path}' is a virtual dataset (its data lives in other files): refused, "
                "tspcli reads nothing outside the model file")
    if dataset.id.get_create_plist().get_external_count() > 0:
        return (f"dataset '/{path}' keeps its data in an external file: refused, tspcli reads "
                "nothing outside the model file")
    return None


def _external_link(f) -> str | None:
    import h5py

    def visit(path, link):  # h5py visitors stop at the first value returned (raising is unsafe)
        if isinstance(link, h5py.ExternalLink):
            return (f"'/{path}' is an external link to '{link.filename}': refused, tspcli reads "
                    "nothing outside the model file")
        return None

    return f.visititems_links(visit)


def _dump(source, skip, max_bytes: int) -> tuple[dict, list]:
    import h5py
    nodes, arrays = {}, []
    declared = 0
    with h5py.File(source, "r") as f:
        if (refusal := _external_link(f)) is not None:
            raise _Refused(refusal)
        nodes[""] = {"group": True, "attrs": {n: _attribute(f.attrs, n) for n in f.attrs}}

        def visit(path, obj):
            nonlocal declared
            node = {"attrs": {n: _attribute(obj.attrs, n) for n in obj.attrs}}
            nodes[path] = node
            if isinstance(obj, h5py.Group):
                node["group"] = True
                return None
            if (refusal := _outside(path, obj)) is not None:
                return refusal
            if path.split("/", 1)[0] in skip:
                node["bad"] = "is not read (optimizer state)"
            elif (problem := _dataset_problem(obj)) is not None:
                node["bad"] = problem
            else:
                declared += obj.size * obj.dtype.itemsize  # checked before reading: may be unallocated
                if declared > max_bytes:
                    return (f"dataset '/{path}' takes the weights over {limits.human(declared)}, more "
                            f"than --max-memory {limits.human(max_bytes)} (raise --max-memory if the "
                            "model is that big)")
                node["array"] = len(arrays)
                arrays.append(np.asarray(obj[()]))
            return None

        if (refusal := f.visititems(visit)) is not None:
            raise _Refused(refusal)
    return nodes, arrays


def _die_with_parent(parent: int) -> None:
    """End this child when the parent ends, however it ends (SIGKILL leaves no time to clean up)."""
    try:
        import ctypes
        import signal

        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) != 0:  # PR_SET_PDEATHSIG
            raise OSError("prctl failed")
    except (OSError, AttributeError):  # not Linux: watch the parent instead
        import threading
        import time

        def watch():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # it ended before the line above took effect
        os._exit(1)


def _failure_message(e: BaseException) -> str:
    message = str(e) or type(e).__name__
    if "truncated file" in message:
        return "the file is truncated (its HDF5 data ends early)"
    if "file signature not found" in message:
        return "not an HDF5 file"
    return f"corrupt or unreadable HDF5 data ({message})"


def _child_main(argv: list[str]) -> int:
    """argv: parent pid, byte cap, path or '-' (the bytes on stdin), groups to skip."""
    _die_with_parent(int(argv[0]))
    max_bytes, path, skip = int(argv[1]), argv[2], set(argv[3:])
    source = io.BytesIO(sys.stdin.buffer.read()) if path == "-" else path
    try:
        nodes, arrays = _dump(source, skip, max_bytes)
    except _Refused as e:
        print(str(e), file=sys.stderr)
        return _CHILD_FAILED
    except _H5_FAILURES as e:
        print(_failure_message(e), file=sys.stderr)
        return _CHILD_FAILED
    out = io.BytesIO()
    meta = np.frombuffer(json.dumps(nodes).encode("utf-8"), dtype=np.uint8)
    np.savez(out, meta=meta, **{f"a{i}": a for i, a in enumerate(arrays)})
    sys.stdout.buffer.write(out.getvalue())
    return 0

