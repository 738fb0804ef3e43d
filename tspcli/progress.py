"""A one-line progress bar on stderr: items done, rate, time left.

Drawn only when the stream is a terminal and the user did not ask for quiet, so
logs and pipes stay clean.  Coloured unless NO_COLOR is set (https://no-color.org).
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")
REDRAW_EVERY_S = 0.1


def _clock_text(seconds: float) -> str:
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts items and redraws ``label done/total [bar] pct rate left`` in place."""

    def __init__(self, total: int | None = None, *, label: str = "frames", unit: str = "fps",
                 quiet: bool = False, stream=None, clock=time.monotonic):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = not quiet and self.stream.isatty()
        self.colour = not os.environ.get("NO_COLOR")
        self.total = total
        self.label = label
        self.unit = unit
        self.clock = clock
        self.done = 0
        self.start = clock()
        self.last_draw = None

    def update(self, n: int = 1) -> None:
        self.done += n
        now = self.clock()
        if self.enabled and (self.last_draw is None or now - self.last_draw >= REDRAW_EVERY_S):
            self._draw(now)

    def close(self) -> None:
        """Draw the final count and end the line."""
        if self.enabled:
            self._draw(self.clock())
            self.stream.write("\n")
            self.stream.flush()

    def line(self, now: float) -> str:
        elapsed = now - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        speed = f"{rate:.1f} {self.unit}"
        if not self.total:
            return f"{self.label} {self.done}  {speed}"
        fraction = min(1.0, self.done / self.total)
        left = _clock_text((self.total - self.done) / rate) + " left" if rate > 0 else "--:-- left"
        text = f"{self.label} {self.done}/{self.total}"
        tail = f" {fraction:4.0%}  {speed}  {left}"
        room = shutil.get_terminal_size().columns - len(text) - len(tail) - 4
        width = max(0, min(30, room))
        if not width:
            return text + tail
        filled = int(fraction * width)
        bar = "#" * filled + "-" * (width - filled)
        if self.colour:
            bar = f"\x1b[36m{bar}\x1b[0m"
        return f"{text} [{bar}]{tail}"

    def _draw(self, now: float) -> None:
        self.stream.write("\r\x1b[K" + self.line(now))
        self.stream.flush()
        self.last_draw = now


def track(items: Iterable[T], total: int | None = None, **options) -> Iterator[T]:
    """Yield ``items`` while a Progress counts them; the line ends however the loop ends."""
    progress = Progress(total, **options)
    try:
        for item in items:
            yield item
            progress.update()
    finally:
        progress.close()
