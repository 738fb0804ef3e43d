"""Regular convolutions (1-D, 2-D, transposed, separable) as BLAS matrix products."""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tspcli.errors import OptionError, ShapeError
from tspcli.ops._geometry import (axis_geometry, check_padding, dilated, int_tuple, kernel_operands,
                                  transpose_geometry)
from tspcli.ops.depthwise import depthwise_conv2d

# Bytes of im2col patches built at once: bounds memory on big images.
_PATCH_BYTES = 32 << 20


def conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1) -> np.ndarray:
    """2-D convolution with Keras' semantics (channels last, no bias).

    x: (H, W, Cin) or (N, H, W, Cin).  kernel: (kh, kw, Cin, Cout).  strides,
    dilation_rate: int or (rows, cols).  padding: 'valid' or 'same'.
    Returns float32 (oh, ow, Cout), with x's batch axis if it has one.
    """
    op = "conv2d"
    xb, batched, kernel = kernel_operands(op, x, kernel, 2, "(kh, kw, Cin, Cout)")
    strides = int_tuple(strides, 2, op, "strides")
    dilation = int_tuple(dilation_rate, 2, op, "dilation_rate")
    out = _conv(op, xb, kernel, strides, dilation, check_padding(padding, op, spatial=2))
    return out if batched else out[0]


def conv1d(x, kernel, strides=1, padding="valid", dilation_rate=1) -> np.ndarray:
    """1-D convolution with Keras' semantics (channels last, no bias).

    x: (L, Cin) or (N, L, Cin).  kernel: (k, Cin, Cout).  padding: 'valid',
    'same' or 'causal' (all padding on the left, so output t sees inputs <= t).
    """
    op = "conv1d"
    xb, batched, kernel = kernel_operands(op, x, kernel, 1, "(k, Cin, Cout)")
    (s,) = int_tuple(strides, 1, op, "strides")
    (d,) = int_tuple(dilation_rate, 1, op, "dilation_rate")
    padding = check_padding(padding, op, ("valid", "same", "causal"))
    if padding == "causal":
        padding = ((0, 0), (dilated(kernel.shape[0], d) - 1, 0))
    out = _conv(op, xb[:, None], kernel[None], (1, s), (1, d), padding)
    return out[:, 0] if batched else out[0, 0]


def conv2d_transpose(x, kernel, strides=1, padding="valid", output_padding=None,
                     dilation_rate=1) -> np.ndarray:
    """Transposed 2-D convolution with Keras' semantics (Conv2DTranspose, no bias).

    x: (H, W, Cin) or (N, H, W, Cin).  kernel: (kh, kw, Cout, Cin), Keras'
    layout.  Output size per axis, with K = dilation*(k-1)+1: 'valid'
    (n-1)*s + max(K, s), 'same' n*s; with output_padding p given,
    (n-1)*s + K + p ('valid') or (n-1)*s + K%2 + p ('same'); p < stride.
    """
    op = "conv2d_transpose"
    xb, batched, kernel = kernel_operands(op, x, kernel, 2, "(kh, kw, Cout, Cin)", in_axis=-1)
    kh, kw, cout, cin = kernel.shape
    strides = int_tuple(strides, 2, op, "strides")
    dilation = int_tuple(dilation_rate, 2, op, "dilation_rate")
    padding = check_padding(padding, op, spatial=2)
    if output_padding is not None:
        output_padding = int_tuple(output_padding, 2, op, "output_padding", minimum=0)
        if any(p >= s for p, s in zip(output_padding, strides)):
            raise OptionError(f"{op}: output_padding must be smaller than strides, "
                              f"got output_padding {output_padding} with strides {strides}")
    n, h, w, _ = xb.shape
    sizes = (h, w)
    per_axis = (padding,) * 2 if isinstance(padding, str) else padding
    cuts, outs = zip(*(transpose_geometry(sizes[a], kernel.shape[a], strides[a], dilation[a],
                                          per_axis[a], None if output_padding is None
                                          else output_padding[a]) for a in range(2)))
    if min(h, w, *outs) <= 0:
        raise ShapeError(f"{op}: output size would be {outs[0]}x{outs[1]} for input "
                         f"{h}x{w}, kernel {kh}x{kw}, strides {strides}, padding {padding!r}, "
                         f"output_padding {output_padding}")

    # Every input pixel scatters x . kernel[i, j] to output (r*s + i*d - cut): one matrix
    # product for all taps, then one strided add per tap.  The product is made for tiles of
    # input pixels of at most _PATCH_BYTES (whole rows when a row fits), so its memory stays
    # bounded; a model of ordinary size is one tile, summed exactly as a whole.
    (sh, sw), (dh, dw) = strides, dilation
    full = [max((sizes[a] - 1) * strides[a] + dilated(kernel.shape[a], dilation[a]),
                cuts[a] + outs[a]) for a in range(2)]
    acc = np.zeros((n, full[0], full[1], cout), np.float32)
    kmat = kernel.reshape(kh * kw * cout, cin).T
    for b in range(n):
        for r0, r1, c0, c1 in _tiles(h, w, kh * kw * cout * 4):
            taps = (xb[b, r0:r1, c0:c1].reshape(-1, cin) @ kmat).reshape(r1 - r0, c1 - c0, kh, kw, cout)
            for i in range(kh):
                for j in range(kw):
                    acc[b, r0 * sh + i * dh:(r1 - 1) * sh + i * dh + 1:sh,
                        c0 * sw + j * dw:(c1 - 1) * sw + j * dw + 1:sw] += taps[:, :, i, j]
    out = np.ascontiguousarray(acc[:, cuts[0]:cuts[0] + outs[0], cuts[1]:cuts[1] + outs[1]])
    return out if batched else out[0]


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                     dilation_rate=1) -> np.ndarray:
    """Keras' SeparableConv2D (no bias): depthwise_conv2d, then a 1x1 conv2d.

    depthwise_kernel: (kh, kw, C, M); pointwise_kernel: (1, 1, C*M, Cout).
    """
    mid = depthwise_conv2d(x, depthwise_kernel, strides, padding, dilation_rate)
    return conv2d(mid, pointwise_kernel)


def _conv(op, xb, kernel, strides, dilation, padding):
    """xb (N, H, W, Cin), kernel (kh, kw, Cin, Cout) -> (N, oh, ow, Cout)."""
    n, h, w, cin = xb.shape
    kh, kw, _, cout = kernel.shape
    (oh, ow), pads = axis_geometry(op, (h, w), (kh, kw), strides, dilation, padding)
    (sh, sw), (dh, dw) = strides, dilation
    if kh == kw == 1 and not any(pads[0] + pads[1]):  # pointwise: a single matmul
        xs = xb[:, :(oh - 1) * sh + 1:sh, :(ow - 1) * sw + 1:sw]
        return (xs.reshape(-1, cin) @ kernel[0, 0]).reshape(n, oh, ow, cout)

    if any(pads[0] + pads[1]):
        xp = np.zeros((n, h + sum(pads[0]), w + sum(pads[1]), cin), np.float32)
        xp[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w] = xb
    else:
        xp = np.ascontiguousarray(xb)
    # im2col over tiles of output pixels, each tile one BLAS product of at most
    # _PATCH_BYTES of patches: whole rows when a row fits, else parts of a row.
    k2 = kernel.reshape(kh * kw * cin, cout)
    out = np.empty((n, oh, ow, cout), np.float32)
    st = xp.strides
    for b in range(n):
        for r0, r1, c0, c1 in _tiles(oh, ow, kh * kw * cin * 4):
            patches = as_strided(xp[b, r0 * sh:, c0 * sw:], shape=(r1 - r0, c1 - c0, kh, kw, cin),
                                 strides=(sh * st[1], sw * st[2], dh * st[1], dw * st[2], st[3]),
                                 writeable=False).reshape(-1, kh * kw * cin)
            if c1 - c0 == ow:  # whole rows: written in place
                np.matmul(patches, k2, out=out[b, r0:r1].reshape(-1, cout))
            else:
                out[b, r0, c0:c1] = patches @ k2
    return out


def _tiles(h: int, w: int, pixel_bytes: int):
    """(r0, r1, c0, c1) tiles of an h x w grid whose pixels take ``pixel_bytes`` each, at most
    _PATCH_BYTES a tile: whole rows when a row fits, else parts of one row."""
    cols = max(1, min(w, _PATCH_BYTES // pixel_bytes))
    rows = max(1, min(h, _PATCH_BYTES // (w * pixel_bytes))) if cols == w else 1
    for r0 in range(0, h, rows):
        for c0 in range(0, w, cols):
            yield r0, min(h, r0 + rows), c0, min(w, c0 + cols)
