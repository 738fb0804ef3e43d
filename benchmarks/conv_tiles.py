"""Transposed and regular convolutions that work in bounded tiles: time and peak scratch memory.

    python benchmarks/conv_tiles.py [--repeats 7]

Cases: a decoder-style Conv2DTranspose (56x56x64 -> 112x112x32, 3x3, stride 2: one tile, as
before), and very long rows, where a whole row of im2col patches (200,000 x 288 floats, 230 MB)
or every pixel's scattered taps (300,000 x 288 floats, 345 MB) used to be built at once.
Prints the median time and the peak of memory numpy allocated (tracemalloc) beyond the output
(the padded copy of the input included).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

from tspcli import ops  # noqa: E402

CASES = {
    "conv2d_transpose 56x56x64 -> 112x112x32": (
        "conv2d_transpose", (56, 56, 64), (3, 3, 32, 64), dict(strides=2, padding="same")),
    "conv2d 3x3 over a 3 x 200,000 x 32 input": (
        "conv2d", (3, 200_000, 32), (3, 3, 32, 8), dict(padding="same")),
    "conv2d_transpose 3x3 over a 3 x 100,000 x 16 input": (
        "conv2d_transpose", (3, 100_000, 16), (3, 3, 32, 16), dict(padding="same")),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    for name, (op, x_shape, k_shape, kwargs) in CASES.items():
        x = rng.standard_normal(x_shape).astype(np.float32)
        k = rng.standard_normal(k_shape).astype(np.float32)
        fn = getattr(ops, op)
        out = fn(x, k, **kwargs)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            fn(x, k, **kwargs)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        fn(x, k, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        scratch = max(0, peak - out.nbytes)
        print(f"{name}: {statistics.median(times) * 1e3:.1f} ms, scratch {scratch / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
