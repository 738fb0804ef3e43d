"""Depthwise 2-D convolution, the hot loop of MobileNet-style models.

Each kernel tap is one multiply and one add over a block of output rows, done
in place into preallocated buffers: no per-tap temporaries, no padded copy of
the input (border taps just cover fewer output rows/columns), and rows of
(width x channels) floats contiguous so numpy's inner loops run long.
"""
from __future__ import annotations

import numpy as np

from tspcli.ops._geometry import axis_geometry, check_padding, int_tuple, kernel_operands, tap_ranges

# Output floats per block of rows (the temporary is one block).  Each numpy call
# costs ~1 us of overhead and numpy's float32 loops run at the same speed from
# L1, L2 or L3, so big blocks win; the cap only bounds the temporary's memory.
_BLOCK = 1 << 18


def depthwise_conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1) -> np.ndarray:
    """Depthwise 2-D convolution with Keras' semantics (channels last).

    x: (H, W, C) or (N, H, W, C).  kernel: (kh, kw, C, M), M the depth
    multiplier; output channel ``c*M + m`` is input channel c through kernel
    [:, :, c, m].  strides, dilation_rate: int or (rows, cols) pair.  padding:
    'valid' or 'same' (extra row/column at the bottom/right).  Returns float32
    (oh, ow, C*M), or (N, oh, ow, C*M) when x has a batch axis.  No bias.
    """
    op = "depthwise_conv2d"
    xb, batched, kernel = kernel_operands(op, x, kernel, 2, "(kh, kw, C, M)")
    kh, kw, _, mult = kernel.shape
    n, h, w, c = xb.shape
    strides = int_tuple(strides, 2, op, "strides")
    dilation = int_tuple(dilation_rate, 2, op, "dilation_rate")
    padding = check_padding(padding, op, spatial=2)
    (oh, ow), pads = axis_geometry(op, (h, w), (kh, kw), strides, dilation, padding)

    if mult > 1:  # channel c*M+m reads input channel c: repeat, then it is multiplier 1
        xb = np.repeat(xb, mult, axis=3)
    k = kernel.reshape(kh, kw, c * mult)
    out = np.empty((n, oh, ow, c * mult), np.float32)
    if out.size:
        for i in range(n):
            _depthwise_image(np.ascontiguousarray(xb[i]), k, out[i], strides, dilation, pads)
    return out if batched else out[0]


def _depthwise_image(x, k, out, strides, dilation, pads):
    """One image: x (H, W, C) contiguous, k (kh, kw, C), out (oh, ow, C) written in full."""
    h, w, c = x.shape
    oh, ow, _ = out.shape
    kh, kw, _ = k.shape
    (sh, sw), (dh, dw) = strides, dilation
    row_taps = tap_ranges(h, oh, kh, sh, dh, pads[0][0])
    col_taps = tap_ranges(w, ow, kw, sw, dw, pads[1][0])

    used = {ci0 % sw for c0, c1, ci0 in col_taps if c0 < c1}
    if sw == 1:
        phases = {0: x.reshape(h, w * c)}
    else:  # input columns p, p+sw, p+2sw ... made contiguous, so every tap reads whole rows
        phases = {p: np.ascontiguousarray(x[:, p::sw]).reshape(h, -1) for p in used}
    # Each tap's kernel row tiled across the output width: a tap is then a plain
    # elementwise product of two (rows, ow*C) arrays.
    tiled = np.ascontiguousarray(np.broadcast_to(k[:, :, None, :], (kh, kw, ow, c)))
    tiled = tiled.reshape(kh, kw, ow * c)
    out2 = out.reshape(oh, ow * c)
    rows = max(1, min(oh, _BLOCK // (ow * c)))
    tmp = np.empty((rows, ow * c), np.float32)

    # Tap (i, j) covers output rows r0:r1 and columns c0:c1 (fewer at a padded
    # border); its input rows start at ri0 (step sh), its columns at ci0.  Keep
    # the column windows of source, output, kernel row and temporary as views.
    taps = []
    for i, (r0, r1, ri0) in enumerate(row_taps):
        for j, (c0, c1, ci0) in enumerate(col_taps):
            if r0 < r1 and c0 < c1:
                m0, width = ci0 // sw, (c1 - c0) * c
                taps.append((r0, r1, ri0, phases[ci0 % sw][:, m0 * c:m0 * c + width],
                             out2[:, c0 * c:c1 * c], tiled[i, j, c0 * c:c1 * c], tmp[:, :width]))
    # A tap that covers the whole output initialises it: multiply, no add, no zero fill.
    full = next((t for t in taps if t[:2] == (0, oh) and t[4].shape[1] == ow * c), None)
    taps = [t for t in taps if t is not full]

    for b0 in range(0, oh, rows):
        b1 = min(oh, b0 + rows)
        if full is not None:
            r0, r1, ri0, src, dst, kv, _ = full
            np.multiply(src[ri0 + b0 * sh:ri0 + (b1 - 1) * sh + 1:sh], kv, dst[b0:b1])
        else:
            out2[b0:b1] = 0.0
        for r0, r1, ri0, src, dst, kv, tmp_cols in taps:
            a, b = max(b0, r0), min(b1, r1)
            if a < b:
                start = ri0 + (a - r0) * sh
                t = tmp_cols[:b - a]
                np.multiply(src[start:start + (b - a - 1) * sh + 1:sh], kv, t)
                np.add(dst[a:b], t, dst[a:b])
