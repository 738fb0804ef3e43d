"""Per-channel scale and shift (BatchNormalization, biases) at numpy's full speed.

A vector of C floats broadcast over a (..., C) array makes C numpy's innermost
loop, and numpy copies every operand of a loop shorter than its ufunc buffer
(8192 elements) through that buffer: ``x * scale`` over 112x112x32 took 2.5
times as long as a product of two flat arrays.  Here the vector is repeated to
a run of ``C * p`` floats, at least that buffer long (p dividing the number of
positions), and the array is viewed as rows of that run: the same products,
element for element, in numpy's unbuffered SIMD loop.
"""
from __future__ import annotations

import numpy as np

# numpy's default ufunc buffer, in elements: shorter innermost loops are buffered.
_RUN = 8192


def run_length(shape: tuple) -> int:
    """Floats per row of the (-1, run) view of a contiguous array of ``shape`` (channels last):
    C times p, p the smallest divisor of the number of positions that makes the run at least
    _RUN long; when that divisor is far beyond (a prime number of positions), the largest below."""
    channels = max(int(shape[-1]), 1) if shape else 1
    positions = int(np.prod(shape[:-1], dtype=np.int64)) if len(shape) > 1 else 1
    want = -(-_RUN // channels)
    if positions == 0:
        return channels
    divisors = {d for i in range(1, int(positions ** 0.5) + 1) if positions % i == 0
                for d in (i, positions // i)}
    above = min((d for d in divisors if d >= want), default=None)
    p = above if above is not None and above <= 8 * want else max(d for d in divisors if d <= max(want, 1))
    return p * channels


class ChannelAffine:
    """``x * scale + shift`` per channel for arrays of one shape, the vectors repeated once.

    scale, shift: (C,) float32 or None (no product / no sum).  Results are
    float32, equal element for element to ``x * scale + shift`` with numpy's
    broadcasting.
    """

    def __init__(self, shape: tuple, scale=None, shift=None):
        self.shape = tuple(shape)
        self.run = run_length(self.shape)
        times = self.run // max(int(self.shape[-1]), 1) if self.shape else 1
        self.vectors = [None if v is None else np.asarray(v, np.float32) for v in (scale, shift)]
        self.scale, self.shift = (None if v is None else np.tile(v, times) for v in self.vectors)

    def __call__(self, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """A new array, or ``out`` (which may be ``x``: then in place, and x must be the caller's own)."""
        if out is None:
            out = np.empty(self.shape, np.float32)
        if x.shape != self.shape:
            raise ValueError(f"ChannelAffine made for {self.shape}, given {x.shape}")
        if x.flags.c_contiguous and out.flags.c_contiguous:
            xs, ys, scale, shift = x.reshape(-1, self.run), out.reshape(-1, self.run), self.scale, self.shift
        else:  # a strided view: numpy's broadcasting, the same numbers more slowly
            xs, ys, (scale, shift) = x, out, self.vectors
        if scale is not None:
            np.multiply(xs, scale, out=ys)
            xs = ys
        if shift is not None:
            np.add(xs, shift, out=ys)
        elif xs is not ys:
            np.copyto(ys, xs)
        return out
