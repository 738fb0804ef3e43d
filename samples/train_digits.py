"""Train samples/digits.h5: a small depthwise-separable network that reads handwritten digits.

The data are scikit-learn's 1,797 handwritten digits (8x8, shipped inside the
package, nothing downloaded), upsampled to 24x24 so that feature maps read as
pictures.  The network is MobileNet in miniature: a linear 3x3 convolution,
then DepthwiseConv2D + BatchNormalization + ReLU and a pointwise 1x1 Conv2D +
BatchNormalization + ReLU, pooling, two more depthwise-separable pairs, global
average pooling and a softmax over the ten digits (4,162 weights, 97 % of the
held-out digits right).  A gentle learning rate keeps every depthwise map
alive (a larger one trains as well but leaves maps that ReLU zeroes for every
digit).  Keras trains it (the test extra: keras, jax, scikit-learn); the same
command writes the same weights.

    python samples/train_digits.py            # writes samples/digits.h5 and samples/digit_5.png

tspcli then reads the file as any Keras file:

    tspcli predict samples/digits.h5 --input samples/digit_5.png
    tspcli render samples/digits.h5 --input samples/digit_5.png --open dw1,digit -o digits.png
"""
from __future__ import annotations

import os
import pathlib

import numpy as np

SIZE = 24                 # pixels a side the 8x8 digits are drawn at
HELD_OUT = 297            # digits kept out of training (the tests read them back)
SEED = 0
EPOCHS, BATCH = 30, 32
HERE = pathlib.Path(__file__).resolve().parent


def upsample(images: np.ndarray, size: int = SIZE) -> np.ndarray:
    """Bilinear resize of (N, 8, 8) images to (N, size, size), pixel centres aligned."""
    n = images.shape[-1]
    source = np.clip((np.arange(size) + 0.5) * n / size - 0.5, 0, n - 1)
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, n - 1)
    weights = np.zeros((size, n))
    weights[np.arange(size), low] += 1 - (source - low)
    weights[np.arange(size), high] += source - low
    return np.einsum("ij,njk,lk->nil", weights, images, weights)


def digits() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """((x, y) to train on, (x, y) held out): x (N, 24, 24, 1) in [0, 1], ink high; a seeded split."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = (upsample(data.images / 16.0)[..., None]).astype(np.float32)
    y = data.target.astype(np.int64)
    order = np.random.default_rng(SEED).permutation(len(x))
    train, test = order[:-HELD_OUT], order[-HELD_OUT:]
    return (x[train], y[train]), (x[test], y[test])


def build(keras):
    L = keras.layers
    inputs = keras.Input((SIZE, SIZE, 1), name="digit_image")
    x = L.Conv2D(8, 3, padding="same", name="conv1")(inputs)
    x = L.DepthwiseConv2D(3, padding="same", use_bias=False, name="dw1")(x)
    x = L.BatchNormalization(name="dw1_bn")(x)
    x = L.ReLU(name="dw1_relu")(x)
    x = L.Conv2D(16, 1, use_bias=False, name="pw1")(x)
    x = L.BatchNormalization(name="pw1_bn")(x)
    x = L.ReLU(name="pw1_relu")(x)
    x = L.MaxPooling2D(2, name="pool1")(x)
    x = L.DepthwiseConv2D(3, padding="same", activation="relu", name="dw2")(x)
    x = L.Conv2D(32, 1, activation="relu", name="pw2")(x)
    x = L.MaxPooling2D(2, name="pool2")(x)
    x = L.DepthwiseConv2D(3, padding="same", activation="relu", name="dw3")(x)
    x = L.Conv2D(64, 1, activation="relu", name="pw3")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = L.Dropout(0.2, name="dropout")(x)
    outputs = L.Dense(10, activation="softmax", name="digit")(x)
    return keras.Model(inputs, outputs, name="digits_dwsep")


def main() -> None:
    os.environ.setdefault("KERAS_BACKEND", "jax")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import keras

    keras.utils.set_random_seed(SEED)
    (x, y), (x_test, y_test) = digits()
    model = build(keras)
    steps = EPOCHS * -(-len(x) // BATCH)
    schedule = keras.optimizers.schedules.CosineDecay(0.003, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=2, shuffle=True)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    print(f"held-out accuracy: {accuracy:.4f} on {len(x_test)} digits")
    model.save(HERE / "digits.h5")
    fives = np.flatnonzero(y_test == 5)
    _write_png(x_test[fives[0], ..., 0], HERE / "digit_5.png")


def _write_png(image: np.ndarray, path: pathlib.Path) -> None:
    from PIL import Image

    Image.fromarray(np.rint(image * 255).astype(np.uint8), mode="L").save(path)


if __name__ == "__main__":
    main()
