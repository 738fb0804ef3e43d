"""Input data for a model: images, .npy, .json, or a built-in sample of the right shape.

Preprocessing (``--preprocess``), applied to images after they are resized:

- ``none``  values as read (0..255 for images)
- ``unit``  x / 255, values in [0, 1] (the default for images)
- ``tf``    x / 127.5 - 1, values in [-1, 1] (MobileNet, Inception in Keras)
- ``caffe`` RGB -> BGR, then the ImageNet channel means subtracted (VGG, ResNet50 in Keras)
- ``torch`` x / 255, then normalised with the ImageNet mean and std
"""
from __future__ import annotations

import json
import math
import os
import warnings

import numpy as np

from ..errors import InputError
from . import limits
from .npz import read_npy

_NPY_HEADER_ROOM = 64 * 2**10  # the largest .npy header numpy reads is 10,000 bytes

PREPROCESS = ("none", "unit", "tf", "caffe", "torch")
IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")
CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], np.float32)
TORCH_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
TORCH_STD = np.array([0.229, 0.224, 0.225], np.float32)


def preprocess(x: np.ndarray, mode: str) -> np.ndarray:
    """Scale image values (0..255, channels-last) the way a model family expects."""
    x = x.astype(np.float32)
    if mode == "none":
        return x
    if mode == "unit":
        return x / 255.0
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode in ("caffe", "torch") and x.shape[-1] != 3:
        raise InputError(f"--preprocess {mode} needs 3 channels, the input has {x.shape[-1]}")
    if mode == "caffe":
        return x[..., ::-1] - CAFFE_MEAN_BGR
    if mode == "torch":
        return (x / 255.0 - TORCH_MEAN) / TORCH_STD
    raise InputError(f"unknown preprocessing {mode!r}", hint="one of " + ", ".join(PREPROCESS))


def read_input(path: str, shape: tuple, mode: str | None = None) -> np.ndarray:
    """Read an input for a layer of ``shape`` (no batch axis): an image, .npy or .json.

    Sizes are checked before reading: a .npy holds at most the input's values as
    float64 (plus its header), a .json at most TEXT_LIMIT bytes, an image at most
    PIL's MAX_IMAGE_PIXELS pixels (larger ones are decompression bombs).
    """
    ext = os.path.splitext(path)[1].lower()
    if ext == ".npy":
        x = read_npy(path, 8 * math.prod(shape) + _NPY_HEADER_ROOM, InputError).astype(np.float32)
    elif ext == ".json":
        x = _read_json(path)
    elif ext in IMAGE_EXTENSIONS:
        return preprocess(read_image(path, shape), mode or "unit")
    else:
        with limits.open_regular(path, InputError, "input"):
            pass  # a missing file or a folder says so before its extension does
        raise InputError(f"unknown input type {ext or '(no extension)'!r}",
                         file=path, hint="use an image (.png, .jpg), .npy or .json")
    x = _fit(x, shape, path)
    if mode not in (None, "none"):
        x = preprocess(x, mode)
    return x


def _read_json(path: str) -> np.ndarray:
    text = limits.read_text(path, limits.TEXT_LIMIT, InputError, "input")
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InputError(f"not readable JSON ({exc})", file=path) from None
    except RecursionError:
        raise InputError("not readable JSON (nested too deeply)", file=path) from None
    try:
        x = np.asarray(data, dtype=np.float32)
    except (TypeError, ValueError, RecursionError):
        raise InputError("expected a flat or nested list of numbers", file=path) from None
    if x.dtype == object or x.size == 0:
        raise InputError("expected a flat or nested list of numbers", file=path)
    return x


def _fit(x: np.ndarray, shape: tuple, path: str) -> np.ndarray:
    """Accept the exact shape, a leading batch axis of 1, or a flat list of the right size (TensorSpace)."""
    if x.shape == (1, *shape):
        x = x[0]
    if x.shape != tuple(shape):
        if x.size == int(np.prod(shape)) and (x.ndim == 1 or x.shape == tuple(d for d in shape if d != 1)):
            x = x.reshape(shape)
        else:
            raise InputError(f"has shape {list(x.shape)}, the model's input is {list(shape)}", file=path)
    if not np.all(np.isfinite(x)):
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise InputError(f"contains {bad} NaN or Inf value(s)", file=path)
    return x


def read_image(path: str, shape: tuple) -> np.ndarray:
    """An image as float32 0..255, converted to grey or RGB and resized to ``shape``."""
    if len(shape) != 3 or shape[-1] not in (1, 3):
        raise InputError(f"an image cannot feed an input of shape {list(shape)}", file=path,
                         hint="use .npy or .json for this input")
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings(), limits.open_regular(path, InputError, "image") as fh:
            # over MAX_IMAGE_PIXELS PIL only warns; a bomb is refused at that size already
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fh) as img:
                img = img.convert("L" if shape[-1] == 1 else "RGB")
                if img.size != (shape[1], shape[0]):
                    img = img.resize((shape[1], shape[0]), Image.BILINEAR)
                x = np.asarray(img, dtype=np.float32)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise InputError(f"the image is larger than {Image.MAX_IMAGE_PIXELS:,} pixels (a decompression "
                         "bomb?)", file=path) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
        raise InputError(f"not a readable image ({exc.__class__.__name__})", file=path) from None
    return x.reshape(shape)


def sample_input(shape: tuple, mode: str | None = None) -> np.ndarray:
    """A deterministic input with structure (not noise) for a layer of ``shape``.

    RGB: the Grace Hopper portrait that ships with matplotlib; greyscale: a
    drawn digit-like figure; anything else: smooth waves.
    """
    shape = tuple(shape)
    if len(shape) == 3 and shape[-1] == 3:
        img = _portrait(shape)
        if img is not None:
            return preprocess(img, mode or "unit")
    if len(shape) == 3 and shape[-1] == 1:
        return preprocess(_figure(shape[0], shape[1])[..., None] * 255.0, mode or "unit")
    grids = np.meshgrid(*[np.linspace(0, 1, n, dtype=np.float32) for n in shape], indexing="ij")
    waves = sum(np.sin((i + 2) * np.pi * g + i) for i, g in enumerate(grids))
    return (0.5 + 0.5 * waves / len(shape)).astype(np.float32)


def _portrait(shape: tuple) -> np.ndarray | None:
    try:
        from matplotlib import cbook
        from PIL import Image

        with Image.open(cbook.get_sample_data("grace_hopper.jpg")) as img:
            w, h = img.size
            side = min(w, h)  # a centred square crop keeps the face
            img = img.crop(((w - side) // 2, 0, (w + side) // 2, side)).convert("RGB")
            return np.asarray(img.resize((shape[1], shape[0]), Image.BILINEAR), dtype=np.float32)
    except Exception:  # noqa: BLE001 - matplotlib's sample data is optional; fall back to a pattern
        return None


def _figure(h: int, w: int) -> np.ndarray:
    """A hand-drawn-looking '5' in [0, 1]: strokes rasterised as soft distance fields."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    yy, xx = (yy + 0.5) / h, (xx + 0.5) / w
    strokes = [((0.28, 0.32), (0.28, 0.70)), ((0.28, 0.32), (0.50, 0.30)), ((0.50, 0.30), (0.52, 0.52))]
    img = np.zeros((h, w), np.float32)
    width = 0.06
    for (y0, x0), (y1, x1) in strokes:
        d = _segment_distance(yy, xx, y0, x0, y1, x1)
        img = np.maximum(img, np.clip(1.5 - d / width, 0, 1))
    ring = np.abs(np.hypot((yy - 0.62) / 0.17, (xx - 0.52) / 0.2) - 1.0) * 0.18
    arc = (xx > 0.42) | (yy > 0.72)  # the bowl of the 5 opens to the upper left
    img = np.maximum(img, np.where(arc, np.clip(1.5 - ring / width, 0, 1), 0))
    return img


def _segment_distance(yy, xx, y0, x0, y1, x1):
    dy, dx = y1 - y0, x1 - x0
    t = np.clip(((yy - y0) * dy + (xx - x0) * dx) / (dy * dy + dx * dx), 0, 1)
    return np.hypot(yy - (y0 + t * dy), xx - (x0 + t * dx))
