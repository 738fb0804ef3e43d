"""The sizes of a model file's input whose dimensions are dynamic (ONNX ``dim_param``, TensorFlow
Lite ``shape_signature`` -1), from ``--input-shape`` or the size of ``--input``.

Both readers show the input channels-last (H, W, C or F), and both follow one rule: an
``--input-shape`` (``explicit``) must have as many sizes as the input and agree with its fixed
ones; the size of an input file fills only the dynamic ones (the file is resized to the fixed).
"""
from __future__ import annotations

from tspcli.errors import LoadError


def fixed_sizes(name: str, dims: list, input_shape, file: str) -> list[int]:
    """``dims``: the input's channels-last sizes, an int each, or a label (str) for a dynamic one.
    Returns every size; a dynamic one left unknown is an error naming it."""
    given = tuple(input_shape.dims) if input_shape is not None else None
    if given is not None and len(given) != len(dims):
        if input_shape.explicit:
            raise LoadError(f"--input-shape has {len(given)} sizes, input '{name}' needs {len(dims)}", file=file)
        given = None
    names = "HWC" if len(dims) == 3 else "HW" if len(dims) == 2 else "F"
    out, missing = [], []
    for k, d in enumerate(dims):
        fixed = isinstance(d, int)
        if given is not None and (not fixed or input_shape.explicit):
            if fixed and given[k] != d:
                raise LoadError(f"--input-shape gives {names[k]} = {given[k]}, but input '{name}' has a fixed "
                                f"{names[k]} of {d}", file=file)
            out.append(int(given[k]))
        else:
            if not fixed:
                missing.append(f"{names[k]} ('{d}')")
            out.append(d)
    if missing:
        raise LoadError(f"input '{name}' has dynamic dimensions {', '.join(missing)}; tspcli needs every size",
                        file=file, hint="give --input-shape " + ",".join(names) +
                        " (channels-last) or an --input of the size to compute")
    return out
