"""Whole MobileNetV1-224 forward pass with every intermediate output: tspcli (numpy) vs Keras (jax).

Both compute every layer's value for one 224x224x3 image with the same
weights; Keras through a multi-output model's predict (jitted, warm).
Prints the median of several runs of each, measured in the same process,
and the largest difference between the two.

    python benchmarks/forward.py [--repeats 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

import tspcli  # noqa: E402
from tspcli.io.inputs import sample_input  # noqa: E402


def keras_twin(keras, model):
    """The same network in Keras, layer by layer, with our weights."""
    x = inp = keras.Input(model.inputs[0].output_shape)
    for layer in model.layers[1:]:
        c = layer.config
        if layer.layer_type == "Conv2d":
            k = keras.layers.Conv2D(c["filters"], c["kernelSize"], strides=c["strides"], padding=c["padding"],
                                    activation=c["activation"], name=layer.name)
        elif layer.layer_type == "DepthwiseConv2d":
            k = keras.layers.DepthwiseConv2D(c["kernelSize"], strides=c["strides"], padding=c["padding"],
                                             activation=c["activation"], name=layer.name)
        elif layer.layer_type == "GlobalPooling2d":
            k = keras.layers.GlobalAveragePooling2D(name=layer.name)
        else:
            k = keras.layers.Dense(c["units"], activation=c["activation"], name=layer.name)
        x = k(x)
        if layer.weights:
            k.set_weights(list(layer.weights.values()))
    kmodel = keras.Model(inp, x)
    return keras.Model(inp, [kmodel.get_layer(l.name).output for l in model.layers[1:]])


def median_time(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()

    import keras

    model = tspcli.load("samples/mobilenet_v1.yaml")
    x = sample_input(model.inputs[0].output_shape, "tf")
    model.predict(x, init="keras")  # weights are drawn on the first call (as BENCHMARKS.md measured them)
    probe = keras_twin(keras, model)
    ref = probe.predict(x[None], verbose=0)  # compiles

    ours = median_time(lambda: model.predict(x, init="keras"), args.repeats)
    theirs = median_time(lambda: probe.predict(x[None], verbose=0), args.repeats)
    diff = max(float(np.max(np.abs(l.neural_value - r[0]))) for l, r in zip(model.layers[1:], ref))
    print(f"MobileNetV1-224, every layer's value, batch 1, median of {args.repeats}:")
    print(f"  tspcli numpy : {ours * 1000:8.1f} ms")
    print(f"  keras (jax)  : {theirs * 1000:8.1f} ms   (multi-output predict, warm)")
    print(f"  ratio tspcli / keras: {ours / theirs:.2f}")
    print(f"  largest difference between the two, any layer: {diff:.2e}")


if __name__ == "__main__":
    main()
