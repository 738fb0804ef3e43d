"""Time tspcli.activations.erfc against math.erfc mapped over the elements.

numpy has no erf; exact GELU needs one.  Run: python benchmarks/erfc.py
"""
import math
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # this checkout's tspcli
from tspcli.activations import erfc  # noqa: E402


def best_ms(fn, z, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(z)
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3


def main():
    z = np.random.default_rng(0).standard_normal(1_000_000) * 3
    mapped = np.frompyfunc(math.erfc, 1, 1)
    ours, ref = best_ms(erfc, z), best_ms(mapped, z)
    exact = mapped(z).astype(np.float64)
    rel = np.max(np.abs(erfc(z) - exact) / exact)
    print(f"1e6 float64 values: tspcli erfc {ours:.1f} ms, math.erfc mapped {ref:.1f} ms "
          f"(x{ref / ours:.1f}); max relative error {rel:.2e}")


if __name__ == "__main__":
    main()
