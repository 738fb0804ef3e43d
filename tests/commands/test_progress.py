"""The progress bar: only on a terminal, never when quiet or piped; NO_COLOR respected."""
import io

import pytest

from tspcli.progress import Progress, track


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_a_pipe_gets_no_progress_bar():
    piped = io.StringIO()
    assert list(track(range(5), 5, stream=piped)) == [0, 1, 2, 3, 4]
    assert piped.getvalue() == ""


def test_quiet_silences_the_bar_on_a_terminal():
    terminal = Terminal()
    list(track(range(5), 5, quiet=True, stream=terminal))
    assert terminal.getvalue() == ""


def test_the_line_shows_count_percentage_rate_and_time_left(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    clock, terminal = Clock(), Terminal()
    progress = Progress(20, stream=terminal, clock=clock)
    for _ in range(10):
        clock.now += 0.2
        progress.update()
    line = progress.line(clock.now)
    assert line.startswith("frames 10/20 [")
    assert "\x1b[36m" in line  # coloured bar
    assert line.endswith(" 50%  5.0 fps  0:02 left")
    progress.close()
    assert terminal.getvalue().endswith(" 50%  5.0 fps  0:02 left\n")


def test_fast_updates_redraw_at_most_ten_times_a_second():
    clock, terminal = Clock(), Terminal()
    progress = Progress(1000, stream=terminal, clock=clock)
    for _ in range(1000):
        clock.now += 0.001
        progress.update()
    progress.close()
    assert terminal.getvalue().count("\r") == 10 + 1  # every 0.1 s for 1 s, and the last


def test_no_color_leaves_the_bar_plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = Terminal()
    list(track(range(3), 3, stream=terminal))
    assert "\x1b[36m" not in terminal.getvalue()
    assert "frames 3/3 [##" in terminal.getvalue()


def test_an_unknown_total_shows_count_and_rate():
    clock = Clock()
    progress = Progress(None, stream=Terminal(), clock=clock)
    clock.now += 2
    progress.update(3)
    assert progress.line(clock.now) == "frames 3  1.5 fps"


def test_the_line_ends_when_the_loop_is_interrupted():
    terminal = Terminal()

    def failing():
        yield 1
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        list(track(failing(), 10, stream=terminal))
    assert terminal.getvalue().endswith("\n")
