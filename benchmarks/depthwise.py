"""DepthwiseConv2d of MobileNetV1-224: tspcli vs a plain numpy loop vs Keras on jax.

The 13 depthwise layers (3x3, 'same', batch 1) summed, three ways, measured in
the same run.  (a) and (b) run interleaved so that machine noise hits both
alike; (c) runs in a phase of its own, so that XLA's worker threads do not
compete with the numpy timings:

  (a) plain loop: pad once, then ``out += xpad[tap] * kernel[i, j]`` per tap
  (b) tspcli.ops.depthwise_conv2d
  (c) keras.ops.depthwise_conv under jax.jit (warm, block_until_ready)

Per layer the median over rounds is taken; totals are sums of those medians.
Outputs of (b) and (c) are checked against (a).

Run:  python benchmarks/depthwise.py [--rounds 30] [--no-keras]
"""
import argparse
import os
import pathlib
import platform
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))  # this checkout's tspcli
from tspcli.ops import depthwise_conv2d  # noqa: E402

# (height, width, channels, stride) of MobileNetV1-224's depthwise layers.
LAYERS = [(112, 112, 32, 1), (112, 112, 64, 2), (56, 56, 128, 1), (56, 56, 128, 2),
          (28, 28, 256, 1), (28, 28, 256, 2)] + [(14, 14, 512, 1)] * 5 + [
          (14, 14, 512, 2), (7, 7, 1024, 1)]


def plain_loop(x, kernel, s):
    """The obvious numpy: pad like Keras' 'same', one broadcast product per tap."""
    h, w, c = x.shape
    kh, kw = kernel.shape[:2]
    oh, ow = -(-h // s), -(-w // s)
    th, tw = max((oh - 1) * s + kh - h, 0), max((ow - 1) * s + kw - w, 0)
    xpad = np.pad(x, ((th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)))
    out = np.zeros((oh, ow, c), np.float32)
    for i in range(kh):
        for j in range(kw):
            out += xpad[i:i + (oh - 1) * s + 1:s, j:j + (ow - 1) * s + 1:s] * kernel[i, j, :, 0]
    return out


def keras_runner():
    """keras.ops.depthwise_conv, jitted per layer; None when Keras/jax are missing."""
    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
        import keras
    except ImportError:
        return None
    if keras.backend.backend() != "jax":
        return None
    compiled = {}

    def run(x, kernel, s):
        fn = compiled.get(s)
        if fn is None:
            fn = compiled[s] = jax.jit(
                lambda a, k: keras.ops.depthwise_conv(a[None], k, s, "same")[0])
        return fn(x, kernel).block_until_ready()
    return run


def machine():
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{model}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, "
            f"numpy {np.__version__}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-keras", action="store_true")
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    data = [(rng.standard_normal((h, w, c)).astype(np.float32),
             rng.standard_normal((3, 3, c, 1)).astype(np.float32), s) for h, w, c, s in LAYERS]
    impls = {"plain loop": plain_loop,
             "tspcli": lambda x, k, s: depthwise_conv2d(x, k, s, "same")}
    keras_run = None if args.no_keras else keras_runner()
    if keras_run is not None:
        impls["keras-jax jit"] = lambda x, k, s: np.asarray(keras_run(x, k, s))

    for x, k, s in data:  # agreement, and warm-up (jit compiles here)
        want = plain_loop(x, k, s)
        for name, fn in impls.items():
            np.testing.assert_allclose(fn(x, k, s), want, rtol=1e-5, atol=1e-4, err_msg=name)

    times = {name: np.empty((args.rounds, len(data))) for name in impls}
    numpy_impls = [name for name in impls if name != "keras-jax jit"]
    for phase in (numpy_impls, [name for name in impls if name not in numpy_impls]):
        for r in range(args.rounds):
            for li, (x, k, s) in enumerate(data):
                for name in phase:
                    t0 = time.perf_counter()
                    impls[name](x, k, s)
                    times[name][r, li] = time.perf_counter() - t0

    print(machine())
    print(f"{args.rounds} rounds; per layer the median, in ms; outputs agree to 1e-5")
    header = "layer (HxWxC, stride)      " + "".join(f"{name:>15}" for name in impls)
    print(header)
    medians = {name: np.median(t, axis=0) * 1e3 for name, t in times.items()}
    for li, (h, w, c, s) in enumerate(LAYERS):
        row = f"{h}x{w}x{c} s{s}".ljust(27)
        print(row + "".join(f"{medians[name][li]:15.3f}" for name in impls))
    totals = {name: m.sum() for name, m in medians.items()}
    print("total".ljust(27) + "".join(f"{totals[name]:15.3f}" for name in impls))
    base = totals["plain loop"]
    for name, total in totals.items():
        if name != "plain loop":
            print(f"{name} / plain loop: {total / base:.2f}")
    if "keras-jax jit" in totals:
        print(f"tspcli / keras-jax jit: {totals['tspcli'] / totals['keras-jax jit']:.2f}")


if __name__ == "__main__":
    main()
