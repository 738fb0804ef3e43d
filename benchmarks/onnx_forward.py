"""ONNX MobileNetV2 (224x224, every layer kept): tspcli's forward pass vs onnxruntime on one thread,
and reading + lifting a 50 MB ONNX file.

The network is built with onnx.helper as PyTorch's legacy exporter writes
torchvision's mobilenet_v2 (Conv, BatchNormalization, Clip(0, 6), residual
Add, GlobalAveragePool, Flatten, Gemm; random but well-scaled weights), so
neither PyTorch nor a download is needed.  onnxruntime runs with one intra-op
thread, once fully optimised (it folds BatchNormalization into the convolutions)
and once with every intermediate tensor exposed (what tspcli computes: every
layer's value).  The 50 MB file is the same network with an 8000-class
classifier.  Each round runs tspcli, then both onnxruntime sessions, so that
the load of a shared machine hits all three alike; medians over the rounds.
``--tree`` runs another checkout's tspcli (e.g. main, for before/after).

    python benchmarks/onnx_forward.py [--repeats 7] [--tree /path/to/checkout]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

# Both sides on one core: numpy's BLAS gets one thread as onnxruntime does (on a shared 2-core
# machine a second BLAS thread mostly waits for the first).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
_TREE = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--tree=")), None)
sys.path.insert(0, _TREE or os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

import numpy as np  # noqa: E402
import onnx  # noqa: E402

from onnx_graphs import Graph  # noqa: E402
import tspcli  # noqa: E402
from tspcli.io.onnx import read_onnx_model  # noqa: E402

# torchvision's inverted residual settings: expansion t, channels c, repeats n, stride s
SETTINGS = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
            (6, 320, 1, 1)]


def mobilenet_v2(classes: int = 1000) -> onnx.ModelProto:
    g = Graph(13)

    def conv_bn(x, cin, cout, k, stride, group, path, relu=True):
        y = g.conv(x, cin, cout, k, stride=stride, group=group, bias=False, name=f"{path}/Conv")
        y = g.bn(y, cout, name=f"{path}/BatchNormalization")
        return g.clip(y, 0.0, 6.0, name=f"{path}/Clip") if relu else y

    y = conv_bn("input", 3, 32, 3, 2, 1, "/features/features.0/features.0.0")
    cin, index = 32, 1
    for t, c, n, s in SETTINGS:
        for i in range(n):
            path = f"/features/features.{index}/conv"
            hidden = cin * t
            x = y
            if t != 1:
                y = conv_bn(y, cin, hidden, 1, 1, 1, f"{path}/conv.0")
            y = conv_bn(y, hidden, hidden, 3, s if i == 0 else 1, hidden, f"{path}/conv.{1 if t != 1 else 0}")
            y = conv_bn(y, hidden, c, 1, 1, 1, f"{path}/conv.{2 if t != 1 else 1}", relu=False)
            if i > 0:
                y = g.op("Add", [x, y], f"/features/features.{index}/Add")
            cin, index = c, index + 1
    y = conv_bn(y, cin, 1280, 1, 1, 1, f"/features/features.{index}")
    y = g.op("GlobalAveragePool", [y], "/GlobalAveragePool")
    y = g.op("Flatten", [y], "/Flatten", axis=1)
    y = g.gemm(y, 1280, classes, "/classifier/classifier.1/Gemm")
    return g.model({"input": ["batch", 3, 224, 224]}, [y])


def median_times(fns, repeats: int) -> list[tuple[float, float]]:
    """(wall, CPU) median seconds of each function, called in turn in every round after a warm-up
    call.  CPU is the calling thread's (time.thread_time): both sides compute on that one thread,
    and other processes' load, which stretches wall time, disturbs it less."""
    times = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(repeats):
        for fn, spent in zip(fns, times):
            wall, cpu = time.perf_counter(), time.thread_time()
            fn()
            spent.append((time.perf_counter() - wall, time.thread_time() - cpu))
    return [tuple(statistics.median(t[i] for t in spent) for i in range(2)) for spent in times]


def median_time(fn, repeats: int) -> float:
    return median_times([fn], repeats)[0][0]


def ort_session(proto, expose_all: bool):
    import onnxruntime as ort

    m = onnx.ModelProto()
    m.CopyFrom(proto)
    if expose_all:
        for node in m.graph.node:
            for out in node.output:
                if out not in {o.name for o in m.graph.output}:
                    m.graph.output.append(onnx.ValueInfoProto(name=out))
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    if expose_all:
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(m.SerializeToString(), options, providers=["CPUExecutionProvider"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--tree", help="checkout whose tspcli runs (--tree=PATH; default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        proto = mobilenet_v2()
        path = os.path.join(folder, "mobilenet_v2.onnx")
        onnx.save(proto, path)
        model = read_onnx_model(path).model
        model.init()
        x = np.random.default_rng(0).normal(size=(224, 224, 3)).astype(np.float32)
        feed = {"input": x.transpose(2, 0, 1)[None]}
        fused, every = ort_session(proto, False), ort_session(proto, True)
        ours, ort_fused, ort_every = median_times(
            [lambda: model.predict(x), lambda: fused.run(None, feed), lambda: every.run(None, feed)], args.repeats)
        diff = float(np.abs(model.predict(x) - fused.run(None, feed)[0][0]).max())
        print(f"MobileNetV2 224x224, {len(model.layers)} layers, {model.param_count:,} params, "
              f"tspcli from {os.path.dirname(os.path.abspath(tspcli.__file__))}, load {os.getloadavg()[0]:.2f}")
        print("                                            wall ms   CPU ms (this thread)")
        for what, (wall, cpu) in [("tspcli forward (every layer's value)", ours),
                                  ("onnxruntime, 1 thread, fully optimised", ort_fused),
                                  ("onnxruntime, 1 thread, every tensor out", ort_every)]:
            ratio = "" if what.startswith("tspcli") else \
                f"  (tspcli {ours[0] / wall:.2f}x wall, {ours[1] / cpu:.2f}x CPU)"
            print(f"  {what:40s} {wall * 1000:8.1f} {cpu * 1000:8.1f}{ratio}")
        print(f"  largest difference of the outputs          {diff:.2e}")

        big = os.path.join(folder, "mobilenet_v2_8000.onnx")
        onnx.save(mobilenet_v2(classes=8000), big)
        size = os.path.getsize(big)

        def read_and_lift():
            read_onnx_model(big).model.init()

        print(f"read + lift {size / 1e6:.1f} MB ONNX file          {median_time(read_and_lift, args.repeats) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
