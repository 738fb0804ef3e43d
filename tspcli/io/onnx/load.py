"""Reading an ONNX file safely: sizes bounded before parsing, opsets checked.

The file is read whole (``tspcli.io.limits``: a regular file that fits in
``max_memory`` and protobuf's 2 GiB, checked before reading),
parsed by the ``onnx`` package's protobuf classes (pure data; nothing from the
file runs), and refused when its default-domain opset is outside 11..21.
"""
from __future__ import annotations

from pathlib import Path

from tspcli.errors import LoadError
from tspcli.io import limits

OPSETS = range(11, 22)
_PROTOBUF_LIMIT = 2**31 - 1
_DEFAULT_DOMAINS = ("", "ai.onnx")


def looks_like_onnx(path: Path, head: bytes) -> bool:
    """ONNX has no magic number: the extension, or a ModelProto's first field (ir_version, tag 0x08)
    followed by a small version and another ModelProto field."""
    if path.suffix.lower() == ".onnx":
        return True
    return len(head) > 3 and head[0] == 0x08 and 3 <= head[1] <= 12 and head[2] in (0x12, 0x1A, 0x22, 0x3A, 0x42)


def read_model_proto(path: Path, max_memory: int):
    """The parsed ModelProto; LoadError for anything that is not a readable ONNX model."""
    import onnx
    from google.protobuf.message import DecodeError

    file = str(path)
    data = limits.read_bytes(path, min(max_memory, _PROTOBUF_LIMIT), LoadError, "ONNX file",
                             hint="raise --max-memory, or keep the weights in external data files "
                                  "(protobuf reads at most 2 GiB)")
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except (DecodeError, ValueError, RuntimeError) as e:
        raise LoadError(f"not an ONNX model (protobuf: {e})", file=file) from None
    if not model.HasField("graph") or not model.graph.node:
        raise LoadError("not an ONNX model: it has no graph nodes", file=file)
    check_opset(model, file)
    return model


def check_opset(model, file: str) -> int:
    versions = [o.version for o in model.opset_import if o.domain in _DEFAULT_DOMAINS]
    if not versions:
        raise LoadError("the model imports no default-domain (ai.onnx) opset", file=file)
    version = max(versions)
    if version not in OPSETS:
        newer = version > OPSETS[-1]
        raise LoadError(f"opset {version} is {'newer' if newer else 'older'} than tspcli reads "
                        f"({OPSETS[0]}..{OPSETS[-1]})", file=file,
                        hint="re-export with opset_version between 11 and 21" if newer else
                        "convert it with onnx.version_converter to opset 11 or later")
    return version
