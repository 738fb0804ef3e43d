"""Where the 2-D overlay goes: title and legend boxes in pixels (pure).

The scene builder uses these boxes to keep the model clear of them when it
frames the camera; the backend draws exactly these boxes, so both agree.
Sizes are pixels at scale 1; text width is estimated from the character count.
"""
from __future__ import annotations

from dataclasses import dataclass

from .scene import Legend

CHAR_WIDTH = 0.6         # average advance of the sans-serif font (Arial), in font sizes
LINE_HEIGHT = 1.3


def text_width(text: str, size: float) -> float:
    return max((len(line) for line in text.split("\n")), default=0) * CHAR_WIDTH * size


def text_height(text: str, size: float) -> float:
    return (text.count("\n") + 1) * LINE_HEIGHT * size


@dataclass(frozen=True)
class Item:
    """One thing of the overlay: a filled box (``color``), a colour ramp, or text at (x, y)."""

    kind: str                        # swatch | ramp | text
    x: float                         # left, pixels from the left border
    y: float                         # bottom, pixels from the bottom border
    w: float = 0.0
    h: float = 0.0
    text: str = ""
    color: tuple = (0.0, 0.0, 0.0)
    size: float = 0.0
    bold: bool = False


def legend_items(legend: Legend, size: tuple[int, int], top_inset: float, row: bool) -> list[Item]:
    """Legend as overlay items: a column at the top left, or a row along the bottom (``row``)."""
    px = legend.size
    pad = 0.8 * px
    box = 0.9 * px
    step = LINE_HEIGHT * px
    items: list[Item] = []
    x, y = pad, size[1] - top_inset - pad - step
    for entry in legend.entries:
        if row:
            items.append(Item("swatch", x, pad + 0.15 * px, box, box, color=entry.color))
            items.append(Item("text", x + box + 0.4 * px, pad, text=entry.text, size=px))
            x += box + 0.4 * px + text_width(entry.text, px) + 1.2 * px
        else:
            items.append(Item("swatch", x, y + 0.15 * px, box, box, color=entry.color))
            items.append(Item("text", x + box + 0.4 * px, y, text=entry.text, size=px))
            y -= step
    key = legend.shading
    if key is not None:
        ramp_w = 8 * px
        if row:
            kx, ky = x + 0.6 * px, pad
            items.append(Item("text", kx, ky, text=key.title, size=px))
            kx += text_width(key.title, px) + 0.6 * px
            items.append(Item("text", kx, ky, text=key.low, size=px))
            kx += text_width(key.low, px) + 0.3 * px
            items.append(Item("ramp", kx, ky + 0.15 * px, ramp_w, box))
            items.append(Item("text", kx + ramp_w + 0.3 * px, ky, text=key.high, size=px))
        else:
            y -= 0.4 * px
            items.append(Item("text", pad, y, text=key.title, size=px))
            y -= step
            items.append(Item("text", pad, y, text=key.low, size=px))
            rx = pad + text_width(key.low, px) + 0.3 * px
            items.append(Item("ramp", rx, y + 0.15 * px, ramp_w, box))
            items.append(Item("text", rx + ramp_w + 0.3 * px, y, text=key.high, size=px))
    return items


def items_extent(items: list[Item]) -> tuple[float, float]:
    """(right, top) pixel extent of overlay items measured from the bottom-left corner."""
    right = max((i.x + (i.w or text_width(i.text, i.size)) for i in items), default=0.0)
    top = max((i.y + (i.h or text_height(i.text, i.size)) for i in items), default=0.0)
    return right, top
