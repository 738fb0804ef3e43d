"""The typeface of every text in the picture, and how wide its text is (pure: no rendering library).

Text is set in DejaVu Sans, the face matplotlib draws its figures in (its
files ship with matplotlib, which pyvista installs), so labels read like the
rest of a paper's figures.  The scene lays labels out from the advance widths
below, measured from those files, so that boxes it keeps apart are apart in
the picture.  Without the files the backend falls back to VTK's built-in
sans-serif, whose name-like text runs up to ``FALLBACK_SLACK`` wider.
"""
from __future__ import annotations

import functools
import importlib.util
import os

LINE_SPACING = 1.1           # baseline to baseline, in font sizes
FALLBACK_SLACK = 1.1
HINTING = 0.35               # pixels a character may grow when small text is snapped to whole pixels

_ASCII = "".join(chr(c) for c in range(32, 127))
# Advance widths in hundredths of the font size, printable ASCII from the space to '~'.
_REGULAR = (
    "32 40 46 84 64 95 78 27 39 39 50 84 32 36 32 34 64 64 64 64 64 64 64 64 64 64 34 34 84 84 84 53 100 71 69 70 "
    "77 63 58 77 75 30 31 67 57 86 75 79 60 79 69 63 60 73 68 99 69 62 69 39 34 39 84 51 50 61 63 56 63 62 36 63 "
    "63 29 29 58 29 97 63 61 63 63 40 52 39 63 59 82 59 59 52 64 34 64 84")
_BOLD = (
    "35 46 52 84 70 100 87 31 46 46 52 84 38 42 38 37 70 70 70 70 70 70 70 70 70 70 40 40 84 84 84 58 100 77 76 73 "
    "83 68 68 82 84 37 38 78 64 100 84 85 73 85 77 69 70 81 77 111 77 73 73 46 37 46 84 50 50 67 72 59 72 68 45 72 "
    "71 34 35 68 34 104 71 69 72 72 50 60 48 71 65 92 65 65 58 71 37 71 84")
_OTHER = {"×": (0.84, 0.84), "·": (0.32, 0.38), "–": (0.50, 0.50), "…": (1.00, 1.00)}
_WIDTHS = {bold: {c: int(w) / 100 for c, w in zip(_ASCII, table.split())}
           for bold, table in ((False, _REGULAR), (True, _BOLD))}
for _char, (_regular, _bold) in _OTHER.items():
    _WIDTHS[False][_char], _WIDTHS[True][_char] = _regular, _bold


@functools.lru_cache(maxsize=None)
def font_file(bold: bool = False) -> str | None:
    """Path of DejaVu Sans (bold or regular) from matplotlib's data, or None where it is missing."""
    spec = importlib.util.find_spec("matplotlib")     # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        return None
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    path = os.path.join(spec.submodule_search_locations[0], "mpl-data", "fonts", "ttf", name)
    return path if os.path.isfile(path) else None


@functools.lru_cache(maxsize=4096)      # label placement asks for the same texts many times a picture
def text_width(text: str, size: float, bold: bool = False) -> float:
    """Pixels of the widest line of ``text`` at font size ``size``; unknown characters count one size."""
    widths = _WIDTHS[bold]
    slack = 1.0 if font_file(bold) else FALLBACK_SLACK
    return max((slack * size * sum(widths.get(c, 1.0) for c in line) + HINTING * len(line)
                for line in text.split("\n")), default=0.0)


def text_height(text: str, size: float) -> float:
    """Pixels from the top of the first line to the bottom of the last."""
    return size * (1.0 + LINE_SPACING * text.count("\n"))
