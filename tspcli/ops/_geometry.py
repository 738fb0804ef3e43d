"""Argument checks and the geometry shared by the kernels: sizes, padding, tap ranges.

Sizes follow Keras (and TensorFlow/XLA): 'same' puts the odd extra row or
column of padding at the bottom/right.
"""
from __future__ import annotations

import numpy as np

from tspcli.errors import InputError, OptionError, ShapeError


def as_float32(x, op: str, what: str = "x") -> np.ndarray:
    """``x`` as a float32 array (no copy when it already is one)."""
    try:
        return np.asarray(x, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise InputError(f"{op}: {what} is not a numeric array ({err})") from None


def int_tuple(value, n: int, op: str, name: str, *, minimum: int = 1) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints, each >= ``minimum``, as an ``n``-tuple."""
    items = (value,) * n if _is_int(value) else value
    try:
        items = tuple(items)
    except TypeError:
        items = None
    if items is None or len(items) != n or not all(_is_int(v) and v >= minimum for v in items):
        kind = "positive int" if minimum == 1 else f"int >= {minimum}"
        raise OptionError(f"{op}: {name} must be a {kind} or {n} of them, got {value!r}")
    return tuple(int(v) for v in items)


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def check_padding(padding, op: str, allowed=("valid", "same"), spatial: int = 0):
    """A padding mode of ``allowed``, or (when ``spatial`` > 0) explicit zeros
    ``((before, after), ...)``, one pair per spatial axis (ONNX and PyTorch pad this way)."""
    if spatial and isinstance(padding, (list, tuple)):
        if len(padding) != spatial:
            raise OptionError(f"{op}: explicit padding needs {spatial} (before, after) pairs, got {padding!r}")
        return tuple(int_tuple(p, 2, op, "every padding pair", minimum=0) for p in padding)
    name = padding.lower() if isinstance(padding, str) else padding
    if name not in allowed:
        choices = " or ".join(repr(a) for a in allowed)
        raise OptionError(f"{op}: padding must be {choices}, got {padding!r}")
    return name


def check_ndim(x: np.ndarray, op: str, spatial: int, what: str = "x") -> tuple[np.ndarray, bool]:
    """Add a batch axis when it is missing; returns (batched array, whether it was batched)."""
    axes = "HW"[:spatial] if spatial == 2 else "L"
    if x.ndim == spatial + 1:
        return x[None], False
    if x.ndim == spatial + 2:
        return x, True
    raise ShapeError(f"{op}: {what} must have shape ({', '.join(axes)}, C) or "
                     f"(N, {', '.join(axes)}, C), got shape {x.shape}")


def dilated(k: int, d: int) -> int:
    return d * (k - 1) + 1


def conv_output_size(n: int, k: int, s: int = 1, padding: str = "valid", d: int = 1) -> int:
    """Length of a convolution or pooling output along one axis, Keras' rule.

    n input length, k kernel (pool) size, s stride, d dilation; padding
    'valid', 'same', 'causal' or an explicit (before, after) pair.  May be <= 0
    for 'valid' (the kernels raise ShapeError then).
    """
    if isinstance(padding, tuple):
        return (n + padding[0] + padding[1] - dilated(k, d)) // s + 1
    if padding in ("same", "causal"):
        return -(-n // s)
    return (n - dilated(k, d)) // s + 1


def conv_transpose_output_size(n: int, k: int, s: int = 1, padding: str = "valid",
                               output_padding: int | None = None, d: int = 1) -> int:
    """Length of a transposed convolution's output along one axis, Keras' rule."""
    return transpose_geometry(n, k, s, d, padding, output_padding)[1]


def transpose_geometry(n, k, s, d, padding, output_padding) -> tuple[int, int]:
    """(cut, length) of a transposed convolution along one axis: the output is
    the full scatter (length (n-1)*s + K) read from ``cut`` on, zero beyond it."""
    big_k = dilated(k, d)
    if isinstance(padding, tuple):  # explicit (before, after), cut from the full scatter
        return padding[0], (n - 1) * s + big_k - padding[0] - padding[1] + (output_padding or 0)
    if padding == "valid":
        extra = max(big_k, s) - big_k if output_padding is None else output_padding
        return 0, (n - 1) * s + big_k + extra
    # 'same': Keras pads the stride-dilated input by pad_len in total, the
    # larger half (capped at K-1) on the left; the scatter starts K-1-left in.
    pad_len = s + big_k - 2 if output_padding is None else big_k + big_k % 2 - 2 + output_padding
    left = min(pad_len // 2 + pad_len % 2, big_k - 1)
    return big_k - 1 - left, (n - 1) * s + pad_len - big_k + 2


def same_pads(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """(before, after) padding of 'same'; the odd extra one goes after."""
    total = max((conv_output_size(n, k, s, "same") - 1) * s + dilated(k, d) - n, 0)
    return total // 2, total - total // 2


def axis_geometry(op: str, sizes, kernel, strides, dilation, padding) -> tuple[tuple, tuple]:
    """Output sizes and (before, after) pads per spatial axis; ShapeError when empty.

    ``padding`` is 'valid', 'same', or explicit ``((before, after), ...)``.
    """
    outs, pads = [], []
    for axis, (n, k, s, d) in enumerate(zip(sizes, kernel, strides, dilation)):
        if padding == "same":
            pad = same_pads(n, k, s, d)
        elif padding == "valid":
            pad = (0, 0)
        else:
            pad = padding[axis]
        out = (n + pad[0] + pad[1] - dilated(k, d)) // s + 1
        if out <= 0:
            raise ShapeError(f"{op}: output size would be {out} along spatial axis {axis}: "
                             f"input {n}, kernel {k} (dilated {dilated(k, d)}), stride {s}, "
                             f"padding {pad}")
        outs.append(out)
        pads.append(pad)
    return tuple(outs), tuple(pads)


def tap_ranges(n_in: int, n_out: int, k: int, s: int, d: int, pad_before: int):
    """For each kernel tap t: (o0, o1, i0), the outputs o0 <= o < o1 whose input
    index ``o*s + t*d - pad_before`` lies inside the unpadded input, and i0 the
    input index of o0.  Taps that only ever see padding get o0 == o1."""
    ranges = []
    for t in range(k):
        off = t * d - pad_before
        o0 = min(max(-(off // s), 0), n_out)              # first o with o*s + off >= 0
        o1 = max(min(-((off - n_in) // s), n_out), o0)    # first o with o*s + off >= n_in
        ranges.append((o0, o1, o0 * s + off))
    return ranges


def kernel_operands(op: str, x, kernel, spatial: int, layout: str, in_axis: int = -2):
    """x and kernel as float32, x with a batch axis, the kernel's rank and input channels checked.

    ``layout`` names the kernel's axes for messages, e.g. "(kh, kw, Cin, Cout)";
    ``in_axis`` is the kernel axis that must match x's channels.
    Returns (x with batch axis, whether x had one, kernel).
    """
    x = as_float32(x, op)
    kernel = as_float32(kernel, op, "kernel")
    xb, batched = check_ndim(x, op, spatial)
    if kernel.ndim != spatial + 2 or 0 in kernel.shape:
        raise ShapeError(f"{op}: kernel must have shape {layout} with sizes >= 1, "
                         f"got shape {kernel.shape}")
    if kernel.shape[in_axis] != xb.shape[-1]:
        raise ShapeError(f"{op}: kernel has {kernel.shape[in_axis]} input channels (shape "
                         f"{kernel.shape}) but x has {xb.shape[-1]} (shape {x.shape})")
    return xb, batched, kernel
