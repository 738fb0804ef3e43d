"""How a picture looks (``Look``) and what changes between frames (``Pose``): the layout's inputs."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Mapping

from ..errors import OptionError, did_you_mean
from . import style
from .camera import View

# --open and --animate say the same of a name that is not a drawn layer
NO_LAYER = "no drawn layer named '{name}'"


@dataclass(frozen=True)
class Look:
    """How the picture looks, apart from what the state (openness, camera) says."""

    size: tuple[int, int] = (1920, 1080)
    background: str = "black"          # a colour, or 'transparent'
    colormap: str | None = None        # None: TensorSpace's layer colour with opacity by value
    normalize: str = "map"
    labels: bool = True
    legend: bool = True
    title: str | None = None
    text_scale: float = 1.0            # multiplies every font size (larger for figures printed small)
    rows: int | None = None            # rows a chain is wrapped into; None: as many as draw it largest
    links: tuple = ()                  # links.LinkRequest of layers whose maps show what they read
    class_names: tuple | None = None   # names of the output's units (--labels FILE), before the model's own
    close_buttons: bool = True         # TensorSpace's close buttons beside open layers (if the model has them)

    def __post_init__(self):
        if self.normalize not in style.NORMALIZE_MODES:
            raise OptionError(f"unknown normalize mode '{self.normalize}'",
                              hint="map, layer or model")
        if not (self.text_scale > 0 and math.isfinite(self.text_scale)):
            raise OptionError(f"text scale must be a positive number, got {self.text_scale}")

    @property
    def background_rgba(self) -> tuple[float, float, float, float]:
        if str(self.background).lower() == "transparent":
            return (0.0, 0.0, 0.0, 0.0)
        return (*style.parse_color(self.background, "background"), 1.0)

    @functools.cached_property        # asked for every label and box of every candidate layout
    def light(self) -> bool:
        """A light background (transparent pictures count: they go on paper and slides)."""
        r, g, b, a = self.background_rgba
        return a == 0 or style.luminance((r, g, b)) > 0.5

    @property
    def text_color(self) -> tuple[float, float, float]:
        return (0.15, 0.15, 0.15) if self.light else (0.9, 0.9, 0.9)

    @property
    def font_size(self) -> float:
        """The base font size in pixels at scale 1: 1/60 of the picture's shorter side (18 px at 1080p)."""
        return max(10.0, min(self.size) / 60) * self.text_scale


@dataclass(frozen=True)
class Pose:
    """How the model is posed and seen at one frame: how open each layer is, the camera's view, and
    the layers whose computation an explain step is showing."""

    openness: Mapping[str, float] = field(default_factory=dict)   # layer name -> 0..1; missing: closed
    view: View = View()
    explaining: Mapping[str, object] = field(default_factory=dict)  # layer name -> explain.Explaining


def initial_state(model, open_layers=None, view: View = View()) -> Pose:
    """Each layer's initStatus (else the model's layerInitStatus), then ``open_layers`` opened.

    ``open_layers`` is None, 'all', or names; an unknown name is an OptionError.
    """
    default = (getattr(model, "options", None) or {}).get("layerInitStatus") or "close"
    openness = {}
    for layer in model.layers:
        status = getattr(layer, "init_status", None) or default
        if status == "open" or getattr(layer, "is_open", False):
            openness[layer.name] = 1.0
    if open_layers == "all":
        openness.update({layer.name: 1.0 for layer in model.layers})
    elif open_layers:
        names = {layer.name for layer in model.layers if layer.drawn}
        for name in open_layers:
            if name not in names:
                drawn = [layer.name for layer in model.layers if layer.drawn]
                raise OptionError("--open: " + NO_LAYER.format(name=name),
                                  hint=did_you_mean(name, drawn, what="layers"))
            openness[name] = 1.0
    return Pose(openness, view)
