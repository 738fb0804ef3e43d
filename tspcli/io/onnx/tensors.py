"""ONNX tensors -> numpy arrays, their sizes checked before any memory is spent.

A tensor's bytes are inside the file (``raw_data`` or the typed ``*_data``
lists) or in an external data file beside the model.  The declared size
(dims x item size) is checked against the memory budget first, then against
what is actually stored.  External data must be a relative path inside the
model's folder: absolute paths and ``..`` are refused without opening
anything, and symbolic links are resolved and must stay inside the folder.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from tspcli.errors import LoadError
from tspcli.io import limits

# TensorProto.DataType -> numpy dtype (strings and complex numbers are not weights)
DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 4: np.uint16, 5: np.int16, 6: np.int32, 7: np.int64,
          9: np.bool_, 10: np.float16, 11: np.float64, 12: np.uint32, 13: np.uint64}
_EXTERNAL = 1  # TensorProto.EXTERNAL


class TensorReader:
    """Turns TensorProtos into arrays, counting the bytes against ``budget``."""

    def __init__(self, model_path: Path, budget: int):
        self.file = str(model_path)
        self.folder = Path(os.path.realpath(model_path.parent))
        self.budget = budget
        self.spent = 0

    def error(self, tensor, message: str, hint: str | None = None) -> LoadError:
        return LoadError(f"tensor '{tensor.name}': {message}", file=self.file, hint=hint)

    def array(self, tensor) -> np.ndarray:
        dtype = DTYPES.get(tensor.data_type)
        if dtype is None:
            raise self.error(tensor, f"data type {tensor.data_type} is not a numeric type tspcli reads")
        dims = tuple(int(d) for d in tensor.dims)
        if any(d < 0 for d in dims):
            raise self.error(tensor, f"negative dimension in {list(dims)}")
        count = math.prod(dims)
        nbytes = count * np.dtype(dtype).itemsize
        self.spent += nbytes
        if self.spent > self.budget:
            raise self.error(tensor, f"its {nbytes / 2**20:.1f} MiB bring the weights past the "
                                     f"{self.budget / 2**20:.0f} MiB allowed", hint="raise --max-memory")
        if tensor.data_location == _EXTERNAL:
            data = self.external_bytes(tensor, nbytes)
            return np.frombuffer(data, dtype=dtype).reshape(dims)
        if tensor.HasField("raw_data"):
            if len(tensor.raw_data) != nbytes:
                raise self.error(tensor, f"holds {len(tensor.raw_data)} bytes, its shape {list(dims)} needs {nbytes}")
            return np.frombuffer(tensor.raw_data, dtype=dtype).reshape(dims)
        return self.typed(tensor, dtype, dims, count)

    def typed(self, tensor, dtype, dims, count) -> np.ndarray:
        field = {np.float32: "float_data", np.float64: "double_data", np.int64: "int64_data",
                 np.uint32: "uint64_data", np.uint64: "uint64_data"}.get(dtype, "int32_data")
        values = getattr(tensor, field)
        if len(values) != count:
            raise self.error(tensor, f"holds {len(values)} values, its shape {list(dims)} needs {count}")
        if dtype is np.float16:  # stored as the bit patterns in int32_data
            return np.asarray(values, np.uint16).view(np.float16).reshape(dims)
        return np.asarray(values).astype(dtype).reshape(dims)

    def external_bytes(self, tensor, nbytes: int) -> bytes:
        info = {entry.key: entry.value for entry in tensor.external_data}
        location = info.get("location", "")
        path = self.confined(tensor, location)
        try:
            offset = int(info.get("offset", 0))
            length = int(info["length"]) if "length" in info else nbytes
        except ValueError:
            raise self.error(tensor, "external data offset/length are not integers") from None
        if offset < 0 or length != nbytes:
            raise self.error(tensor, f"external data declares {length} bytes at offset {offset}; its shape "
                                     f"needs {nbytes}")
        try:
            with limits.open_regular(path, LoadError, "external data file") as fh:
                fh.seek(offset)
                data = fh.read(nbytes)
        except OSError as e:
            raise self.error(tensor, f"cannot read external data '{location}': {e.strerror or e}") from None
        if len(data) != nbytes:
            raise self.error(tensor, f"external data file '{location}' holds {len(data)} bytes at offset "
                                     f"{offset}, the tensor needs {nbytes}")
        return data

    def confined(self, tensor, location: str) -> Path:
        """The external data file: relative, no '..', inside the model's folder after links."""
        parts = location.replace("\\", "/").split("/")
        if not location or os.path.isabs(location) or location.startswith(("/", "\\")) or \
                ".." in parts or ":" in parts[0]:
            raise self.error(tensor, f"external data location '{location}' is not a file beside the model",
                             hint="external data must be a relative path inside the model's folder")
        real = limits.confine(self.folder, location, LoadError, self.file, f"tensor '{tensor.name}': external data")
        if not real.is_file():
            raise self.error(tensor, f"external data file '{location}' is missing",
                             hint="keep the data files beside the .onnx file")
        return real
