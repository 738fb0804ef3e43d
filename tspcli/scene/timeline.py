"""How an animation plays: the state of the scene at any time, as a pure function.

A timeline is compiled from steps that play one after another: open or close
layers, wait, orbit the camera.  ``Timeline.state_at(t_ms)`` gives every layer's
openness (0 closed .. 1 open) and the camera's azimuth offset at time t from the
steps alone, so any frame can be rendered by itself (or in parallel).

Where the steps come from:

* ``open-all``: every closed layer that can open opens in turn, then they all
  close together; the animation ends as it began, so a GIF loops without a jump.
* ``open:dw1,wait:500,close:dw1,orbit:360:4000``: steps separated by commas;
  ``open:a+b`` opens two layers at once, ``open:all`` / ``close:all`` every layer
  that can; an optional last ``:MS`` sets the step's length.
* a ``timeline:`` list in a description or config, whose items are such strings or
  mappings: ``[{open: dw1}, {wait: 500}, {close: [dw1, dw2], ms: 800},
  {orbit: 360, ms: 4000}]``.

A layer's ``initStatus`` is its state at time 0.  Opening or closing a layer takes
its ``animeTime``, else the model's, else 2000 ms; a step's ``ms`` overrides both.
Opening a layer that is already open does nothing and takes no time, as in
TensorSpace.  Layers that TensorSpace never opens (GreyscaleInput, Input1d, and
layers with a single channel) cannot be named in open or close steps.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping

from ..errors import OptionError, TspError, did_you_mean
from . import explain
from .drawn import drawn_inbound
from .look import NO_LAYER
from .timeline_steps import BadStep, read_step

MAX_FRAMES = 100_000      # frames in one animation: about 55 minutes at 30 fps

DEFAULT_ANIME_TIME_MS = 2000.0
# An orbit step without ``ms`` turns at this pace: a full turn in 4 s.
ORBIT_MS_PER_TURN = 4000.0
NEVER_OPEN = frozenset({"GreyscaleInput", "Input1d"})
# RGBInput opens in two moves (separate R, G, B; then spread them), each eased by itself.
TWO_PHASE = frozenset({"RGBInput"})


def _sine_in_out(x: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * x)


def _cubic_in_out(x: float) -> float:
    return 4.0 * x ** 3 if x < 0.5 else 1.0 - (2.0 - 2.0 * x) ** 3 / 2.0


# Each maps progress 0..1 to 0..1 with f(0) = 0 and f(1) = 1.  TensorSpace moves
# linearly; ease-in-out is sinusoidal; cubic is the steeper cubic in-out.
EASINGS: dict[str, Callable[[float], float]] = {
    "linear": lambda x: x,
    "ease-in-out": _sine_in_out,
    "cubic": _cubic_in_out,
}


def check_fps(fps) -> float:
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) \
            or not math.isfinite(fps) or fps <= 0:
        raise OptionError(f"fps must be a positive number, not {fps!r}")
    return fps


def check_easing(name: str) -> str:
    if name not in EASINGS:
        raise OptionError(f"unknown easing '{name}' (use {', '.join(EASINGS)})")
    return name


@dataclass(frozen=True)
class Moment:
    """The animated part of a scene at one instant (read-only by convention).

    ``openness``: layer name -> 0.0 (closed) .. 1.0 (open) for every drawn layer,
    eased.  For an RGBInput 0..0.5 separates R, G and B vertically and 0.5..1
    spreads them; a 1-D layer stretches from its block to its full length.
    ``moving``: layers in the middle of opening or closing; in a functional Model
    the layout slides their level-mates aside according to the openness values.
    ``azimuth``: degrees the camera has orbited about the model from its preset.
    ``explaining``: layer name -> ``explain.Explaining`` while an explain step plays.
    """

    openness: Mapping[str, float]
    moving: frozenset = frozenset()
    azimuth: float = 0.0
    explaining: Mapping[str, explain.Explaining] = field(default_factory=dict)


def _progress(t: float, start: float, ms: float) -> float:
    if t >= start + ms:
        return 1.0
    if t <= start:
        return 0.0
    return (t - start) / ms


@dataclass(frozen=True)
class Transition:
    """One layer opening or closing from ``start_ms`` for ``ms``."""

    layer: str
    start_ms: float
    ms: float
    opening: bool
    two_phase: bool = False

    def openness(self, t: float, ease: Callable[[float], float]) -> float:
        p = _progress(t, self.start_ms, self.ms)
        if self.two_phase:
            eased = 0.5 * ease(2 * p) if p < 0.5 else 0.5 + 0.5 * ease(2 * p - 1)
        else:
            eased = ease(p)
        return eased if self.opening else 1.0 - eased


@dataclass(frozen=True)
class Orbit:
    """The camera turning ``degrees`` about the model from ``start_ms`` for ``ms``."""

    start_ms: float
    ms: float
    degrees: float


@dataclass(frozen=True)
class Explanation:
    """``layer``'s computation played from ``start_ms`` for ``ms``, ``maps`` output maps one by one."""

    layer: str
    start_ms: float
    ms: float
    maps: int


@dataclass(frozen=True)
class Timeline:
    """Transitions, orbits and explanations on one clock; ``state_at`` reads it at any time."""

    initial: Mapping[str, float]
    transitions: tuple = ()
    orbits: tuple = ()
    duration_ms: float = 0.0
    easing: str = "linear"
    explanations: tuple = ()
    named: frozenset = frozenset()      # layers the steps name (not through 'all'): they keep their own slab

    def __post_init__(self):
        check_easing(self.easing)

    def state_at(self, t_ms: float) -> Moment:
        """The state at ``t_ms``; before 0 it is the initial state, after the end the final one."""
        ease = EASINGS[self.easing]
        openness = dict(self.initial)
        moving = set()
        for tr in self.transitions:  # in start order, so later ones win
            if t_ms < tr.start_ms:
                break
            openness[tr.layer] = tr.openness(t_ms, ease)
            if tr.start_ms < t_ms < tr.start_ms + tr.ms:
                moving.add(tr.layer)
        azimuth = sum(o.degrees * ease(_progress(t_ms, o.start_ms, o.ms)) for o in self.orbits)
        # linear: the window moves at one pace; a finished explanation leaves the plain open layer
        explaining = {e.layer: explain.Explaining(_progress(t_ms, e.start_ms, e.ms), e.maps)
                      for e in self.explanations if e.start_ms <= t_ms < e.start_ms + e.ms}
        return Moment(openness, frozenset(moving), azimuth, explaining)

    def frame_times(self, fps: float) -> list[float]:
        """Times (ms) of the frames at ``fps``: round(duration x fps) intervals, both ends included.

        The first frame shows the initial state and the last exactly the final
        state, so there are round(duration x fps) + 1 frames: without the extra
        one the final state (a layer fully open) would never be seen.  Frames
        are evenly spaced by duration / round(duration x fps), which differs
        from 1/fps only by the rounding.
        """
        check_fps(fps)
        if self.duration_ms <= 0:
            return [0.0]
        frames = self.duration_ms / 1000.0 * fps
        if not frames <= MAX_FRAMES:        # counted before a list of them is made (inf and nan too)
            raise OptionError(f"the animation would have {frames:.3g} frames ({self.duration_ms / 1000:.3g} s "
                              f"at {fps:g} fps); at most {MAX_FRAMES:,} are made",
                              hint="lower --fps or shorten the steps")
        n = max(1, round(frames))
        return [self.duration_ms * (i / n) for i in range(n + 1)]

    def states(self, fps: float) -> Iterator[Moment]:
        return (self.state_at(t) for t in self.frame_times(fps))


def can_open(layer) -> bool:
    """Whether TensorSpace would let this layer open (it has something to unfold)."""
    if not layer.drawn or layer.layer_type in NEVER_OPEN:
        return False
    shape = layer.output_shape
    return not (shape is not None and len(shape) >= 2 and shape[-1] == 1)


class _Player:
    """Plays steps forward on a model's layers, recording transitions and orbits."""

    def __init__(self, model, error: type[TspError], where: str, file: str | None,
                 initial: Mapping[str, float] | None = None, explain_maps: int = explain.DEFAULT_MAPS):
        self.model = model
        self.explain_maps = explain_maps
        self.error = error
        self.where = where
        self.file = file
        self.label = ""  # the step being played, for messages
        self.layers = {layer.name: layer for layer in model.layers if layer.drawn}
        if initial is None:
            default = model.options.get("layerInitStatus", "close")
            self.is_open = {name: (layer.init_status or default) == "open"
                            for name, layer in self.layers.items()}
        else:
            self.is_open = {name: initial.get(name, 0.0) >= 1.0 for name in self.layers}
        self.initial = {name: 1.0 if o else 0.0 for name, o in self.is_open.items()}
        self.openable = [name for name, layer in self.layers.items() if can_open(layer)]
        self.t = 0.0
        self.transitions: list[Transition] = []
        self.orbits: list[Orbit] = []
        self.explanations: list[Explanation] = []
        self.named: set[str] = set()

    def fail(self, message: str, hint: str | None = None) -> TspError:
        label = f"{self.label}: " if self.label else ""
        return self.error(f"{self.where}: {label}{message}", file=self.file, hint=hint)

    def anime_ms(self, name: str) -> float:
        # As in TensorSpace, only a positive animeTime counts; the layer's comes first.
        for value in (self.layers[name].anime_time, self.model.options.get("animeTime")):
            if value is not None and value > 0:
                return float(value)
        return DEFAULT_ANIME_TIME_MS

    def resolve(self, names: list[str]) -> list[str]:
        if names == ["all"]:
            return list(self.openable)
        for name in names:
            if name not in self.layers:
                if any(layer.name == name for layer in self.model.layers):
                    raise self.fail(f"layer '{name}' is hidden (not drawn)")
                raise self.fail(NO_LAYER.format(name=name), hint=did_you_mean(name, self.layers, what="layers"))
            if name not in self.openable:
                raise self.fail(f"layer '{name}' ({self.layers[name].layer_type}) cannot open "
                                f"or close (it has a single map or nothing to unfold)")
        return names

    def toggle(self, names: list[str], opening: bool, ms: float | None) -> None:
        """Open (or close) ``names`` together; the step lasts as long as the slowest."""
        longest = 0.0
        for name in self.resolve(names):
            if self.is_open[name] == opening:
                continue
            length = self.anime_ms(name) if ms is None else ms
            two_phase = self.layers[name].layer_type in TWO_PHASE
            self.transitions.append(Transition(name, self.t, length, opening, two_phase))
            self.is_open[name] = opening
            longest = max(longest, length)
        self.t += longest

    def open_all(self) -> None:
        opened = [name for name in self.openable if not self.is_open[name]]
        for name in opened:
            self.toggle([name], True, None)
        if opened:
            self.toggle(opened, False, None)

    def orbit(self, degrees: float, ms: float | None) -> None:
        length = abs(degrees) / 360.0 * ORBIT_MS_PER_TURN if ms is None else ms
        self.orbits.append(Orbit(self.t, length, degrees))
        self.t += length

    def explain(self, name: str, ms: float | None) -> None:
        """Open the layer and its input (together, if either is closed), then play its computation."""
        if name not in self.layers:
            self.resolve([name])          # reports it
        layer = self.layers[name]
        if layer.layer_type != "DepthwiseConv2d":
            raise self.fail(f"layer '{name}' is a {layer.layer_type}; explain plays a DepthwiseConv2d "
                            f"(use --links for what other layers read)")
        sources = drawn_inbound(layer)
        if len(sources) != 1 or len(sources[0].output_shape) != 3:
            raise self.fail(f"the input of '{name}' is not drawn as one layer of feature maps")
        self.toggle([n for n in (sources[0].name, name) if n in self.openable], True, None)
        channels = layer.output_shape[-1]
        length = explain.default_ms(self.explain_maps, channels) if ms is None else ms
        self.explanations.append(Explanation(name, self.t, length, self.explain_maps))
        self.t += length


def parse_timeline(what, model, *, easing: str = "linear", error: type[TspError] = OptionError,
                   where: str = "--animate", file: str | None = None,
                   initial: Mapping[str, float] | None = None,
                   explain_maps: int = explain.DEFAULT_MAPS) -> Timeline:
    """Compile ``what`` (a string like ``open:dw1,close:dw1`` or a list of steps) for ``model``.

    Problems raise ``error`` (OptionError for a command-line value, SpecError for
    a description's ``timeline:``) with a one-line message naming ``where``.
    ``initial`` (layer name -> openness) replaces the initStatus of every layer
    at time 0, e.g. with layers a user opened by ``--open``.  ``explain_maps``: output
    maps an ``explain`` step plays one by one.
    """
    check_easing(easing)
    builder = _Player(model, error, where, file, initial, explain_maps)
    if isinstance(what, str):
        steps = [(f"step {i} '{text.strip()}'", text) for i, text in enumerate(what.split(","), 1)]
    elif isinstance(what, list):
        steps = [(f"step {i}", item) for i, item in enumerate(what, 1)]
    else:
        raise builder.fail(f"expected a string or a list of steps, not {type(what).__name__}")

    for label, item in steps:
        builder.label = label
        try:
            action, value, ms = read_step(item)
        except BadStep as bad:
            raise builder.fail(str(bad)) from None
        _play(builder, action, value, ms)
    builder.label = ""
    if builder.t <= 0:
        raise builder.fail("nothing to animate (every step is already done at time 0; "
                           "open layers that start closed, or add a wait or an orbit)")
    return Timeline(builder.initial, tuple(builder.transitions), tuple(builder.orbits),
                    builder.t, easing, tuple(builder.explanations), frozenset(builder.named))


def _play(builder: _Player, action: str, value, ms: float | None) -> None:
    if action == "open-all":
        builder.open_all()
    elif action in ("open", "close"):
        builder.toggle(value, action == "open", ms)
        builder.named.update(name for name in value if name != "all")
    elif action == "wait":
        builder.t += value
    elif action == "explain":
        builder.explain(value, ms)
        builder.named.add(value)
    else:
        builder.orbit(value, ms)
