"""Depthwise 2-D convolution, the hot loop of MobileNet-style models.

A block of output rows is one ``np.einsum`` over the kernel's taps.  Channels
last, an output row is (width x channels) contiguous floats, and so is the
input row a tap reads from its first column on (in a zero-padded copy of the
input): with the kernel tiled across the output width, each tap multiplies
and sums whole rows, numpy's inner loop runs over width x channels floats
whatever the channel count, and the output row stays in cache across the
taps.  A stride s first splits the padded input into column phases (columns
b, b+s, b+2s, ...); the taps reading one phase step through it evenly, so
they are again one einsum, and the phases' sums are added.
"""
from __future__ import annotations

import math

import numpy as np

from tspcli.errors import ShapeError
from tspcli.ops._geometry import axis_geometry, check_padding, int_tuple, kernel_operands

# Output floats per block of rows: a phase's sum is a temporary of one block.
_BLOCK = 1 << 20


def depthwise_conv2d(x, kernel, strides=1, padding="valid", dilation_rate=1) -> np.ndarray:
    """Depthwise 2-D convolution with Keras' semantics (channels last).

    x: (H, W, C) or (N, H, W, C).  kernel: (kh, kw, C, M), M the depth
    multiplier; output channel ``c*M + m`` is input channel c through kernel
    [:, :, c, m].  strides, dilation_rate: int or (rows, cols) pair.  padding:
    'valid', 'same' (extra row/column at the bottom/right) or explicit
    ((top, bottom), (left, right)).  Returns float32 (oh, ow, C*M), or
    (N, oh, ow, C*M) when x has a batch axis.  No bias.
    """
    xb, batched, kernel = kernel_operands("depthwise_conv2d", x, kernel, 2, "(kh, kw, C, M)")
    plan = DepthwisePlan(xb.shape[1:], kernel, strides, padding, dilation_rate)
    out = np.empty((xb.shape[0], *plan.out_shape), np.float32)
    for i in range(xb.shape[0]):
        plan(xb[i], out[i])
    return out if batched else out[0]


class DepthwisePlan:
    """A depthwise convolution of inputs of one size (H, W, C), prepared once: its geometry and
    the kernel tiled across the output width, per column phase.  ``plan(x)`` convolves one image."""

    def __init__(self, shape, kernel, strides=1, padding="valid", dilation_rate=1):
        op = "depthwise_conv2d"
        kernel = np.asarray(kernel, np.float32)
        kh, kw, c, mult = kernel.shape
        h, w, _ = shape
        self.strides = int_tuple(strides, 2, op, "strides")
        self.dilation = int_tuple(dilation_rate, 2, op, "dilation_rate")
        padding = check_padding(padding, op, spatial=2)
        (oh, ow), self.pads = axis_geometry(op, (h, w), (kh, kw), self.strides, self.dilation, padding)
        self.in_shape, self.mult, self.out_shape = (h, w, c), mult, (oh, ow, c * mult)
        (sh, sw), (dh, dw) = self.strides, self.dilation
        cm = c * mult
        # Padded rows the taps read, and columns per phase (the farthest tap's start plus the width).
        self.rows = (oh - 1) * sh + (kh - 1) * dh + 1
        self.cols = ow + (kw - 1) * dw // sw
        k = kernel.reshape(kh, kw, cm)
        # Column taps j reading phase b = j*dw mod sw: every (sw / gcd)-th tap, each starting
        # lcm / sw phase columns after the one before.
        step = sw // math.gcd(sw, dw)
        self.groups = []
        for j0 in range(min(step, kw)):
            taps = k[:, j0::step]
            tiled = np.ascontiguousarray(np.broadcast_to(taps[:, :, None, :], (kh, taps.shape[1], ow, cm)))
            self.groups.append(((j0 * dw) % sw, (j0 * dw) // sw, (step * dw) // sw,
                                tiled.reshape(kh, taps.shape[1], ow * cm)))

    def __call__(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """x (H, W, C) float32 -> ``out`` (oh, ow, C*M), a new array unless given."""
        if x.shape != self.in_shape:
            raise ShapeError(f"depthwise_conv2d: prepared for input {self.in_shape}, given {x.shape}")
        if out is None:
            out = np.empty(self.out_shape, np.float32)
        if self.mult > 1:  # channel c*M+m reads input channel c: repeat, then it is multiplier 1
            x = np.repeat(x, self.mult, axis=2)
        oh, ow, cm = self.out_shape
        (sh, _), (dh, _) = self.strides, self.dilation
        phases = {b: self._phase(x, b) for b, *_ in self.groups}
        out2 = out.reshape(oh, ow * cm)
        rows = max(1, min(oh, _BLOCK // max(ow * cm, 1)))
        tmp = np.empty((rows, ow * cm), np.float32) if len(self.groups) > 1 else None
        for b0 in range(0, oh, rows):
            b1 = min(oh, b0 + rows)
            for g, (b, first, jstep, tiled) in enumerate(self.groups):
                p = phases[b]
                ps = p.strides  # (row, column, channel) in bytes
                # (output row, tap row, tap column, width x channels) over the phase, no copy; numpy
                # checks that the view stays inside the phase
                taps = np.ndarray((b1 - b0, tiled.shape[0], tiled.shape[1], ow * cm), np.float32, buffer=p,
                                  offset=b0 * sh * ps[0] + first * ps[1],
                                  strides=(sh * ps[0], dh * ps[0], jstep * ps[1], ps[2]))
                dst = out2[b0:b1] if g == 0 else tmp[:b1 - b0]
                np.einsum("hijx,ijx->hx", taps, tiled, out=dst)
                if g:
                    out2[b0:b1] += dst
        return out

    def _phase(self, x, b):
        """Padded input columns b, b+sw, b+2sw, ... as a contiguous (rows, cols, C) array, zero
        outside the input; the input itself when it needs no padding and no phases."""
        (_, sw), (top, _), (left, _) = self.strides, *self.pads
        h, w, _ = x.shape
        if sw == 1 and top == left == 0 and self.rows <= h and self.cols <= w:
            return np.ascontiguousarray(x)
        p = np.empty((self.rows, self.cols, x.shape[2]), np.float32)
        # phase column q is input column q*sw + b - left; rows are input rows r - top
        q0 = min(max(-((b - left) // sw), 0), self.cols)
        q1 = max(min(-((b - left - w) // sw), self.cols), q0)
        r0, r1 = min(top, self.rows), max(min(top + h, self.rows), min(top, self.rows))
        p[:r0] = 0
        p[r1:] = 0
        p[r0:r1, :q0] = 0
        p[r0:r1, q1:] = 0
        if q0 < q1:
            c0 = q0 * sw + b - left
            p[r0:r1, q0:q1] = x[:r1 - r0, c0:c0 + (q1 - q0 - 1) * sw + 1:sw]
        return p
