"""A timeline played through one scene builder and one offscreen renderer: frames for a writer.

    m = tspcli.load("samples/mobilenet_v1.yaml")
    opts = RenderOptions(size=(1280, 720), timeline="open:conv_dw_1")
    compute_values(m, opts)
    write_animation(m, opts, "out.mp4")

Frame i shows ``timeline.state_at(t_i)``: a pure function of i, so any frame can
be drawn alone (``Animation.scene``).  Between frames only what moved is
updated: the builder keeps its textures and the renderer its actors.  All
frames of one camera azimuth share one camera that frames every state of the
animation, so nothing zooms while layers open; an orbit turns that framing
with the azimuth.  Frames are drawn in a thread of their own while the main
thread hands the previous ones to the encoder (ffmpeg works in a process of its
own), so drawing, writing and encoding overlap.
"""
from __future__ import annotations

import queue
import threading
from dataclasses import replace
from typing import Callable, Iterator, TypeVar

import numpy as np

from ..errors import OptionError, SpecError
from ..scene.layout import SceneBuilder, Pose
from ..scene.timeline import Timeline, parse_timeline
from .options import RenderOptions
from .scene_inputs import drawn_model, look_from, opened_state, view_from

AHEAD = 2        # frames drawn ahead of the encoder; memory stays flat
MAX_KEYS = 8     # states composed in full (camera and labels fitted); frames glide between them
WAKE_S = 0.2     # see in_background
INTERRUPT_JOIN_S = 0.5
T = TypeVar("T")


def timeline_for(model, options: RenderOptions, *, from_flag: bool, config: str | None = None) -> Timeline:
    """The steps to play: --animate, else the config's ``timeline:``, else the description's.

    Layers opened by ``options.open`` (or their initStatus) are open at time 0.
    """
    if options.timeline is not None:
        what, error = options.timeline, OptionError
        where, file = ("--animate", None) if from_flag else ("timeline", config)
    elif getattr(model, "timeline", None) is not None:
        what, error, where, file = model.timeline, SpecError, "timeline", model.source
    else:
        raise OptionError("an animation needs steps to play",
                          hint="--animate open-all (or e.g. open:LAYER,close:LAYER), "
                               "or a timeline: list in the description or the --config file")
    # read once on every layer, so that the layers the steps name are drawn on their own
    named = parse_timeline(what, model, easing=options.easing, error=error, where=where, file=file,
                           initial=opened_state(model, options).openness, explain_maps=options.explain_maps).named
    shown = drawn_model(model, options, named)
    return parse_timeline(what, shown, easing=options.easing, error=error, where=where, file=file,
                          initial=opened_state(shown, options).openness, explain_maps=options.explain_maps)


class Animation:
    """The frames of ``timeline`` played on ``model`` at ``options.fps``, as ``options`` draw them."""

    def __init__(self, model, options: RenderOptions, timeline: Timeline):
        self.options = options
        self.timeline = timeline
        self.builder = SceneBuilder(drawn_model(model, options, timeline.named), look_from(options, model))
        self.times = timeline.frame_times(options.fps)
        self.samples = self._samples()
        # One stacking direction for the whole animation, chosen for its most open state.
        most_open = max(self.samples, key=lambda s: sum(s.openness.values()))
        self.view = self.builder.resolve(most_open).view
        start = self._view_at(0.0)
        self.keys = []
        self.compact = False
        if not timeline.orbits:     # composed key states; frames glide between them (scene.tween)
            self.keys = [(t, self.builder.build(Pose(timeline.state_at(t).openness, start)))
                         for t in self._key_times()]
            return
        camera = self.builder.frame_states(self._samples_at(start))
        # Labels keep one form throughout: compact if they would overlap in any state.
        self.compact = self.builder.crowded(self._samples_at(start), camera)
        self._cameras = {} if self.compact else {start.azimuth: camera}

    def __len__(self) -> int:
        return len(self.times)

    def state(self, i: int) -> Pose:
        tl = self.timeline.state_at(self.times[i])
        return Pose(tl.openness, self._view_at(tl.azimuth), tl.explaining)

    def scene(self, i: int):
        state = self.state(i)
        if self.keys:
            return self.builder.tweened(state, *self.between(i))
        return self.builder.build(state, camera=self.camera(state.view), compact=self.compact)

    def between(self, i: int):
        """(key scene before frame ``i``, key scene after it, how far frame ``i`` is from one to the other)."""
        t = self.times[i]
        k = max(0, min(len(self.keys) - 2, int(np.searchsorted([key[0] for key in self.keys], t, "right")) - 1))
        (t0, first), (t1, second) = self.keys[k], self.keys[min(k + 1, len(self.keys) - 1)]
        return first, second, (t - t0) / (t1 - t0) if t1 > t0 else 0.0

    def _key_times(self) -> list[float]:
        """When the key states are composed: the start and the end, and where moves begin and end
        (at most ``MAX_KEYS``, evenly picked, so that a long timeline costs a few compositions)."""
        times = {0.0, self.timeline.duration_ms}
        for move in self.timeline.transitions:
            times |= {move.start_ms, move.start_ms + move.ms}
        times = sorted(times)
        if len(times) > MAX_KEYS:
            times = [times[round(i)] for i in np.linspace(0, len(times) - 1, MAX_KEYS)]
        return times

    def camera(self, view):
        """The camera that frames every state of the animation from ``view`` (cached per azimuth)."""
        if view.azimuth not in self._cameras:
            self._cameras[view.azimuth] = self.builder.frame_states(self._samples_at(view), self.compact)
        return self._cameras[view.azimuth]

    def frames(self) -> Iterator[np.ndarray]:
        """Every frame in order, drawn in a thread ``AHEAD`` frames before the caller takes it."""
        return in_background(self._draw)

    def _draw(self) -> Iterator[np.ndarray]:
        from .backends import open_raster

        # options.antialias: "fxaa", a pass over the finished frame (backends/smooth.py), or none; not the
        # stills' 4x MSAA, which costs 2.8 times the drawing on a software GL (benchmarks/antialias.py)
        antialias = None if self.options.antialias == "none" else self.options.antialias
        with open_raster(self.builder.look.size, self.options.scale, antialias=antialias) as raster:
            for i in range(len(self)):
                yield raster.draw(self.scene(i))

    def _view_at(self, orbited: float):
        return replace(self.view, azimuth=self.view.angles[0] + orbited)

    def _samples_at(self, view) -> list[Pose]:
        return [replace(s, view=view) for s in self.samples]

    def _samples(self) -> list[Pose]:
        """States that bound every frame's: the ends, and the start, middle and end of each move.

        Positions move monotonically between a move's ends, except an RGB input's
        channels, which rise and fall back: their farthest is the middle.
        """
        times = {0.0, self.timeline.duration_ms}
        for move in self.timeline.transitions:
            times |= {move.start_ms, move.start_ms + move.ms / 2, move.start_ms + move.ms}
        states = {}
        for t in sorted(times):
            openness = self.timeline.state_at(t).openness
            states.setdefault(tuple(sorted(openness.items())), Pose(openness, view_from(self.options)))
        return list(states.values())


def write_animation(model, options: RenderOptions, path: str, timeline: Timeline | None = None, *,
                    quiet: bool = False, overwrite: bool = False) -> int:
    """Play ``timeline`` (default: ``timeline_for(model, options)``) into ``path``; the frame count.

    ``overwrite`` lets frames replace a folder or pattern files that are not an earlier run's."""
    from .writers import write_frames

    if timeline is None:
        timeline = timeline_for(model, options, from_flag=False)
    animation = Animation(model, options, timeline)
    return write_frames(animation.frames(), path, fps=options.fps, quality=options.quality,
                        total=len(animation), quiet=quiet, overwrite=overwrite)


def in_background(produce: Callable[[], Iterator[T]], ahead: int = AHEAD) -> Iterator[T]:
    """The items of ``produce()``, made in a thread of their own at most ``ahead`` items early.

    The thread calls ``produce`` itself, so what it makes (an OpenGL context
    belongs to the thread that made it) is made, used and closed there.  Its
    errors are raised here; when the consumer stops (done, an error, Ctrl-C,
    SIGTERM) the thread is told to stop and joined before this returns, except
    that an interruption waits at most INTERRUPT_JOIN_S for a frame in the making
    (the daemon thread ends after it), so the output's cleanup is not held up.
    The consumer wakes every WAKE_S: a signal the kernel gave to the drawing
    thread runs its Python handler only when the main thread wakes.
    """
    items: queue.Queue = queue.Queue(ahead)
    stop = threading.Event()

    def hand_over(entry) -> bool:
        while not stop.is_set():
            try:
                items.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            produced = produce()
            try:
                for item in produced:
                    if not hand_over((True, item)):
                        return
            finally:
                produced.close()
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            hand_over((False, exc))
            return
        hand_over((False, None))

    thread = threading.Thread(target=work, name="tspcli-frames", daemon=True)
    thread.start()
    wait_s = None
    try:
        while True:
            try:
                made, value = items.get(timeout=WAKE_S)
            except queue.Empty:
                continue
            if not made:
                if value is not None:
                    raise value
                return
            yield value
    except KeyboardInterrupt:
        wait_s = INTERRUPT_JOIN_S
        raise
    finally:
        stop.set()
        thread.join(wait_s)
