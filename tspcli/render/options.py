"""Render options from three places: defaults < a config file (--config) < command-line flags.

A config file is a YAML (or JSON) mapping of the same options the command line
takes, with the same names (``no-labels`` is written ``labels: false``)::

    size: 1920x1080        # or [1920, 1080]
    scale: 3
    background: white      # white | black | '#RRGGBB' | transparent
    camera: iso            # iso | tsp | front | side | top
    legend: true
    text-scale: 1.5        # every font size times 1.5
    rows: auto             # auto | 1, 2, ...: rows a long horizontal chain is wrapped into
    crop: true             # trim the picture to the drawing plus a small margin
    vector-cells: false    # .svg/.pdf: each cell of a map a filled square instead of an image
    open: [conv_dw_1, conv_dw_2]   # or 'all', or 'conv_dw_1,conv_dw_2'
    timeline: [{open: conv_dw_1}, {wait: 500}, {close: conv_dw_1}]   # as --animate
    fps: 30

Errors name the file and line of the bad key.  ``HELP`` says what each option
does, once: `tspcli render --help` shows it, and ``tspcli.render_file``,
``render_image`` and ``plot`` take the same options as keywords.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from ..errors import OptionError, TspError, did_you_mean
from ..io.inputs import PREPROCESS
from ..scene.explain import DEFAULT_MAPS as DEFAULT_EXPLAIN_MAPS
from ..scene.links import parse_links
from ..scene.timeline import check_easing, check_fps
from .writers import DEFAULT_CRF, DEFAULT_FPS, check_quality

SIZE_LIMIT = 16384   # pixels a side that the software renderer can draw
CAMERAS = ("iso", "tsp", "front", "side", "top")
DIRECTIONS = ("auto", "vertical", "horizontal")
NORMALIZE = ("map", "layer", "model")
FOLDS = ("auto", "none")

# What each option does (keys as in RenderOptions; `tspcli render --help` shows these).
HELP = {
    "open": "Layers to open into their feature maps: comma-separated names, or all.",
    "values": "Shade layers by their values for the input (default), or draw the architecture only.",
    "camera": "Camera preset: iso (default), front, side, top (parallel views), tsp (TensorSpace's perspective).",
    "azimuth": "Degrees around the model (overrides the preset).",
    "elevation": "Degrees above the model, -90..90.",
    "zoom": "Magnify the framed picture (2: the middle half).",
    "direction": "Stack layers upwards (TensorSpace) or left to right; auto: whichever fits the picture.",
    "size": "Picture size before --scale (default 1920x1080).",
    "scale": "Multiply the size, text and lines (3 for print); default 1.",
    "background": "white, black (default), #RRGGBB, or transparent (alpha in the PNG).",
    "colormap": "Colour values with a matplotlib colormap instead of the layer colour's opacity.",
    "normalize": "Scale values min..max over each feature map (default), layer, or the whole model.",
    "labels": "No layer names and shapes (labels: false in a config).",
    "class_labels": "Names of the output's classes, one a line: the top class is written beside its unit.",
    "close_buttons": "TensorSpace's close button beside each open layer (default: on; configs/paper.yaml: off).",
    "fold": "auto (default): BatchNormalization, activations and Dropout are drawn with the layer "
            "before them; none: every layer on its own.",
    "legend": "Legend of layer types and shading (default: on).",
    "title": "A title at the top.",
    "text_scale": "Multiply every font size (e.g. 1.5 for a figure printed at column width).",
    "rows": "Rows a long horizontal chain is wrapped into (default auto; 1: one row, as TensorSpace).",
    "links": "Lines from each output map to the input maps it reads (DepthwiseConv2d: every map; "
             "Conv2d/SeparableConv2d: map MAP, default 0); opens the layer and its input.",
    "explain_maps": "Output maps an explain:LAYER step fills one by one (default 4); the rest fill at once.",
    "crop": "Trim the picture to the drawing plus a small margin (on in configs/paper.yaml).",
    "boxes": "Also write where each layer, label and the legend were drawn, in pixels of the picture.",
    "vector_cells": "In a .svg/.pdf, draw each cell of a feature map as a filled square, not an image "
                    "(at most 100,000 cells).",
    "seed": "Seed of the default weights of layers without weights.",
    "timeline": "What to play: open-all, or steps joined by commas: open:LAYER, close:LAYER, wait:MS, "
                "orbit:DEGREES, explain:LAYER (e.g. open:conv1,wait:500,close:conv1); default for videos: the "
                "description's or config's timeline.",
    "fps": "Frames per second of an animation (default 30).",
    "quality": "MP4 quality, x264's CRF: 0 lossless .. 51 worst (default 20).",
    "easing": "How layers move as they open (default linear, as TensorSpace).",
    "antialias": "Smoothing of animation frames: fxaa (default: a fast approximate blend of each frame's "
                 "edges, about a quarter more per frame) or none. Stills always get 4x MSAA.",
}


def parse_size(value) -> tuple[int, int]:
    """'1920x1080' or [1920, 1080] -> (1920, 1080)."""
    if isinstance(value, (list, tuple)) and len(value) == 2:
        w, h = value
    else:
        match = re.fullmatch(r"\s*(\d+)\s*[xX×]\s*(\d+)\s*", str(value))
        if not match:
            raise OptionError(f"size '{value}' is not WIDTHxHEIGHT", hint="e.g. 1920x1080")
        w, h = match.groups()
    try:
        w, h = int(w), int(h)
    except (TypeError, ValueError):
        raise OptionError(f"size {value!r} is not two whole numbers", hint="e.g. 1920x1080") from None
    if not (16 <= w <= SIZE_LIMIT and 16 <= h <= SIZE_LIMIT):
        raise OptionError(f"size {w}x{h} is out of range: each side must be 16..{SIZE_LIMIT} pixels")
    return w, h


def parse_open(value):
    """None, 'all', 'a,b' or [a, b] -> None, 'all' or a tuple of layer names."""
    if value is None or value is False:
        return None
    if isinstance(value, str):
        if value.strip().lower() == "all":
            return "all"
        names = [n.strip() for n in value.split(",")]
    elif isinstance(value, (list, tuple)):
        names = [str(n).strip() for n in value]
    else:
        raise OptionError(f"open must be 'all' or layer names, got {value!r}")
    if not names or any(not n for n in names):
        raise OptionError(f"open: empty layer name in {value!r}", hint="e.g. --open conv_dw_1,conv_dw_2")
    return tuple(names)


def parse_background(value) -> str:
    from ..scene.style import parse_color

    text = str(value).strip()
    if text.lower() != "transparent":
        parse_color(text, "background")
    return text


def _number(name, low=None, positive=False, high=None):
    def coerce(value):
        if isinstance(value, bool):
            raise OptionError(f"{name} must be a number, got {value!r}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise OptionError(f"{name} must be a number, got {value!r}") from None
        if not math.isfinite(number) or (positive and number <= 0):
            raise OptionError(f"{name} must be {'a positive' if positive else 'a finite'} number, got {value!r}")
        if (low is not None and number < low) or (high is not None and number > high):
            raise OptionError(f"{name} must be within {low:g}..{high:g}, got {value!r}" if high is not None
                              else f"{name} must be at least {low:g}, got {value!r}")
        return number
    return coerce


def _choice(name, *choices):
    def coerce(value):
        if value not in choices:
            raise OptionError(f"{name} '{value}' is not one of {', '.join(map(str, choices))}")
        return value
    return coerce


def _boolean(name):
    def coerce(value):
        if not isinstance(value, bool):
            raise OptionError(f"{name} must be true or false, got {value!r}")
        return value
    return coerce


def _text(value):
    return None if value is None else str(value)


def parse_rows(value):
    """'auto' (None) or a whole number of rows, 1 to 8."""
    if value is None or str(value).strip().lower() == "auto":
        return None
    try:
        rows = int(str(value).strip())
    except ValueError:
        raise OptionError(f"rows must be 'auto' or a whole number, got {value!r}") from None
    if not 1 <= rows <= 8:
        raise OptionError(f"rows must be 1 to 8, got {rows}")
    return rows


def _input_shape(value):
    from ..io.inputs import parse_input_shape

    return parse_input_shape(value)


def _count(name, low, high):
    def coerce(value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise OptionError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
        return value
    return coerce


def _seed(value):
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
        raise OptionError(f"seed must be a whole number 0..2**32-1, got {value!r}")
    return value


@dataclass(frozen=True)
class RenderOptions:
    open: object = None
    input: str | None = None
    input_shape: object = None         # an ONNX model's dynamic input sizes (tspcli.io.inputs.InputShape)
    preprocess: str | None = None
    values: bool = True
    seed: int = 0
    init: str = "he"                   # how weights a model lacks are drawn: he | keras
    fold: str = "auto"                 # auto: element-wise layers drawn with the layer before | none
    class_labels: str | None = None    # a file of the output's class names, one a line (--labels FILE)
    close_buttons: bool = True
    camera: str = "iso"
    azimuth: float | None = None
    elevation: float | None = None
    zoom: float = 1.0
    direction: str = "auto"
    size: tuple[int, int] = (1920, 1080)
    scale: float = 1.0
    background: str | None = None      # None: the model's color.background, else black
    colormap: str | None = None
    normalize: str = "map"
    labels: bool = True
    legend: bool = True
    title: str | None = None
    text_scale: float = 1.0
    rows: int | None = None            # None: auto
    links: tuple = ()                  # scene.links.LinkRequest: layers whose maps show what they read
    crop: bool = False                 # trim the written picture to the drawing plus a small margin
    boxes: str | None = None           # a JSON file to write where everything was drawn (stills)
    vector_cells: bool = False         # .svg/.pdf: maps as one filled square per cell, not images
    # animations (videos, GIFs, frames); ``timeline`` is --animate's steps, checked against the model later
    timeline: object = None
    fps: float = DEFAULT_FPS
    quality: int = DEFAULT_CRF
    easing: str = "linear"
    antialias: str = "fxaa"            # animation frames: "fxaa" or "none"
    explain_maps: int = DEFAULT_EXPLAIN_MAPS

    def updated(self, given: dict, file: str | None = None, lines: dict | None = None) -> "RenderOptions":
        """These options with ``given`` applied (None values are skipped); checks every value."""
        changes = {}
        for key, value in given.items():
            name = str(key).replace("-", "_")
            if name not in COERCE:
                known = sorted(k.replace("_", "-") for k in COERCE)
                raise OptionError(f"unknown render option '{key}'", file=file, line=(lines or {}).get(key),
                                  hint=did_you_mean(str(key).replace("_", "-"), known, what="known",
                                                    show=len(known)))
            if value is None and name not in NULLABLE:
                continue
            try:
                changes[name] = COERCE[name](value) if value is not None else None
            except TspError as exc:
                raise exc.located(file=file, line=(lines or {}).get(key), key=str(key))
        return replace(self, **changes)


COERCE = {
    "open": parse_open,
    "input": _text,
    "input_shape": _input_shape,
    "preprocess": _choice("preprocess", *PREPROCESS),
    "values": _boolean("values"),
    "seed": _seed,
    "init": _choice("init", "he", "keras"),
    "fold": _choice("fold", *FOLDS),
    "class_labels": _text,
    "close_buttons": _boolean("close-buttons"),
    "camera": _choice("camera", *CAMERAS),
    "azimuth": _number("azimuth"),
    "elevation": _number("elevation", low=-90, high=90),
    "zoom": _number("zoom", positive=True),
    "direction": _choice("direction", *DIRECTIONS),
    "size": parse_size,
    "scale": _number("scale", positive=True),
    "background": parse_background,
    "colormap": _text,
    "normalize": _choice("normalize", *NORMALIZE),
    "labels": _boolean("labels"),
    "legend": _boolean("legend"),
    "title": _text,
    "text_scale": _number("text-scale", positive=True),
    "rows": parse_rows,
    "crop": _boolean("crop"),
    "boxes": _text,
    "vector_cells": _boolean("vector-cells"),
    "timeline": lambda value: value,
    "fps": lambda value: float(check_fps(value)),
    "quality": check_quality,
    "easing": check_easing,
    "antialias": _choice("antialias", "fxaa", "none"),
    "links": parse_links,
    "explain_maps": _count("explain-maps", 1, 4096),
}
# the command-line flag of an option whose name differs from its key
FLAGS = {"timeline": "--animate", "class_labels": "--labels"}
NULLABLE = {"class_labels", "open", "title", "timeline", "colormap", "azimuth", "elevation", "input", "input_shape",
            "background", "rows", "boxes"}


def read_config(path: str) -> tuple[dict, dict]:
    """(options, line of each key) from a YAML/JSON config file."""
    from ..spec import parse_document, read_text

    try:
        text, name = read_text(path)
        doc = parse_document(text, name)
    except TspError as exc:
        raise OptionError(exc.message, file=exc.file or path, line=exc.line, hint=exc.hint) from None
    if not isinstance(doc, dict):
        raise OptionError("a config must be a mapping of render options", file=path, line=getattr(doc, "line", None))
    return dict(doc), dict(getattr(doc, "key_lines", {}) or {})


def resolve(config_path: str | None, flags: dict) -> RenderOptions:
    """Defaults, then the config file, then the flags given on the command line."""
    options = RenderOptions()
    if config_path:
        values, lines = read_config(config_path)
        options = options.updated(values, file=config_path, lines=lines)
    for key, value in flags.items():
        if value is None:
            continue
        try:
            options = options.updated({key: value})
        except TspError as exc:   # name the flag the user typed, not the option's key
            raise OptionError(f"{FLAGS.get(key, '--' + key.replace('_', '-'))}: {exc.message}",
                              hint=exc.hint) from None
    return options
