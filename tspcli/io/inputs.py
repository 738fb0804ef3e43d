"""Input data for a model: images, .npy, .json, or a built-in sample of the right shape.

Preprocessing (``--preprocess``), applied to images after they are resized:

- ``none``  values as read (0..255 for images)
- ``unit``  x / 255, values in [0, 1] (the default for images)
- ``tf``    x / 127.5 - 1, values in [-1, 1] (MobileNet, Inception in Keras)
- ``caffe`` RGB -> BGR, then the ImageNet channel means subtracted (VGG, ResNet50 in Keras)
- ``torch`` x / 255, then normalised with the ImageNet mean and std
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from . import limits
from .npz import npy_shape, read_npy

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


@dataclass(frozen=True)
class InputShape:
    """A size for a model file's input, channels-last (H, W, C), and where it came from: the
    ``--input-shape`` option (``explicit``: it must agree with the file's fixed sizes) or an
    input file (it fills only the dynamic ones; an image of another size is resized)."""

    dims: tuple
    explicit: bool = True


def parse_input_shape(text) -> InputShape | None:
    """``--input-shape 48,192,3`` (or a YAML list) -> InputShape; None stays None."""
    from ..errors import OptionError

    if text is None:
        return None
    items = text if isinstance(text, (list, tuple)) else str(text).replace("x", ",").split(",")
    try:
        dims = tuple(int(str(v).strip()) for v in items)
    except ValueError:
        dims = ()
    if not dims or min(dims) <= 0:
        raise OptionError(f"input shape must be positive sizes H,W,C (channels last), got {text!r}",
                          hint="e.g. --input-shape 224,224,3")
    return InputShape(dims)


def natural_shape(path: str | None) -> InputShape | None:
    """The size an input file has before any resizing: (H, W, C) of an image (read from its header),
    the shape of a .npy (a leading batch of 1 dropped); None when unknown."""
    if path is None or not os.path.isfile(path):
        return None
    ext = os.path.splitext(path)[1].lower()
    try:
        if ext in IMAGE_EXTENSIONS:
            from PIL import Image

            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)   # read_input says so
                with Image.open(path) as img:
                    width, height = img.size
                    channels = 1 if img.mode in ("L", "1", "I", "F", "I;16") else 3
            return InputShape((height, width, channels), explicit=False)
        if ext == ".npy":
            shape = npy_shape(path)  # the header only: read_input checks the rest
            if shape is None:
                return None
            return InputShape(tuple(shape[1:] if len(shape) == 4 and shape[0] == 1 else shape), explicit=False)
    except (OSError, ValueError, EOFError, Warning):
        return None  # read_input reports what is wrong with the file
    return None


def model_inputs(model, input_path: str | None, mode: str | None):
    """The value of each input layer: read from ``input_path`` or the built-in sample."""
    if input_path is not None and len(model.inputs) != 1:
        raise InputError(f"--input feeds one input layer, the model has {len(model.inputs)} "
                         f"({', '.join(l.name for l in model.inputs)})")
    if input_path is not None:
        return [read_input(input_path, model.inputs[0].output_shape, mode)]
    return [_sample_for(model, layer, mode) for layer in model.inputs]


def _sample_for(model, layer, mode):
    """The built-in sample; ids for an input that feeds Embeddings (a generator's class id)."""
    sizes = [l.config["inputDim"] for l in model.layers if layer in l.inbound and l.layer_type == "Embedding"]
    if sizes:
        ids = np.arange(np.prod(layer.output_shape)) % min(sizes)
        return ids.reshape(layer.output_shape).astype(np.float32)
    return sample_input(layer.output_shape, mode)


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
    """The portrait cropped square and resized to ``shape`` (0..255 float32), or None without matplotlib's data.

    Decoding and resizing the JPEG (and importing matplotlib to find it) is paid
    once per size: the result is kept in the user's cache folder (see
    ``_cache_file``); the photograph itself stays matplotlib's.
    """
    cached = _cache_file(f"portrait-{shape[0]}x{shape[1]}-v1.npy")
    pixels = _read_cached(cached, (shape[0], shape[1], 3)) if cached else None
    if pixels is None:
        pixels = _resized_portrait(shape)
        if pixels is None:
            return None
        if cached:
            _write_cached(cached, pixels)
    return pixels.astype(np.float32)


def _resized_portrait(shape: tuple) -> np.ndarray | None:
    try:
        from matplotlib import cbook
        from PIL import Image

        with Image.open(cbook.get_sample_data("grace_hopper.jpg")) as img:
            w, h = img.size
            side = min(w, h)  # a centred square crop keeps the face
            img = img.crop(((w - side) // 2, 0, (w + side) // 2, side)).convert("RGB")
            return np.asarray(img.resize((shape[1], shape[0]), Image.BILINEAR), dtype=np.uint8)
    except Exception:  # noqa: BLE001 - matplotlib's sample data is optional; fall back to a pattern
        return None


def _cache_file(name: str) -> str | None:
    """``name`` in tspcli's cache folder ($XDG_CACHE_HOME/tspcli, else ~/.cache/tspcli); None when unset."""
    root = os.environ.get("XDG_CACHE_HOME") or (os.path.join(os.path.expanduser("~"), ".cache")
                                                 if os.path.expanduser("~") != "~" else None)
    return os.path.join(root, "tspcli", name) if root else None


def _read_cached(path: str, shape: tuple) -> np.ndarray | None:
    """The uint8 array of ``shape`` saved at ``path``; None when missing or not exactly that (then it is remade)."""
    try:
        if os.path.getsize(path) > np.prod(shape) + 4096:     # an .npy header is at most a few hundred bytes
            return None
        pixels = np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    return pixels if pixels.dtype == np.uint8 and pixels.shape == shape else None


def _write_cached(path: str, pixels: np.ndarray) -> None:
    """Save atomically (concurrent workers may write the same file); a read-only home is no error."""
    import tempfile

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".part")
        with os.fdopen(fd, "wb") as out:
            np.save(out, pixels, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.remove(tmp)


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
