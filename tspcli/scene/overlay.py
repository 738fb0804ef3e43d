"""Where the 2-D overlay goes: legend and note boxes in pixels (pure).

The scene builder uses these boxes to keep the model clear of them when it
frames the camera; the backend draws exactly these boxes, so both agree.
Sizes are pixels at scale 1, text widths those of the picture's typeface.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from .fonts import text_height, text_width
from .scene import Legend

TITLE_BAND = 2.2         # title sizes of room kept at the top for a title


@dataclass(frozen=True)
class Item:
    """One thing of the overlay: a filled box (``color``), a colour ramp (``ramp``), or text at (x, y)."""

    kind: str                        # swatch | ramp | text
    x: float                         # left, pixels from the left border
    y: float                         # bottom, pixels from the bottom border
    w: float = 0.0
    h: float = 0.0
    text: str = ""
    color: tuple = (0.0, 0.0, 0.0)
    size: float = 0.0
    bold: bool = False
    ramp: tuple = ()                 # RGBA tuples, left to right


def legend_items(legend: Legend, size: tuple[int, int], top_inset: float, row: bool) -> list[Item]:
    """Legend as overlay items: a column at the top left, or rows along the bottom (``row``).

    Each entry is a swatch (a ramp of its shading when values are shown) and
    the type's name; the shading key follows: what the shading means, then a
    ramp from min to max.  Rows wrap to stay inside the picture.
    """
    px = legend.size
    pad, gap = 0.8 * px, 0.4 * px
    groups = []      # each a list of (width, items at x = 0, y = 0)
    for entry in legend.entries:
        w = (2.2 if entry.ramp else 0.9) * px
        kind = "ramp" if entry.ramp else "swatch"
        groups.append([Item(kind, 0.0, 0.1 * px, w, 0.8 * px, color=entry.color, ramp=entry.ramp),
                       Item("text", w + gap, 0.0, text=entry.text, size=px)])
    key = legend.shading
    if key is not None:     # "min [ramp] max value of ...": the ramp shows what min and max look like
        ramp_w = 5 * px
        low_w = text_width(key.low, px) + 0.3 * px
        high_x = low_w + ramp_w + 0.3 * px
        ramp = [Item("text", 0.0, 0.0, text=key.low, size=px),
                Item("ramp", low_w, 0.1 * px, ramp_w, 0.8 * px, ramp=tuple(map(tuple, key.ramp))),
                Item("text", high_x, 0.0, text=key.high, size=px)]
        if row:
            title_x = high_x + text_width(key.high, px) + 0.3 * px
            groups.append(ramp + [Item("text", title_x, 0.0, text=key.title.replace("\n", " "), size=px)])
        else:
            groups += [ramp, [Item("text", 0.0, 0.0, text=key.title, size=px)]]
    lines: list[list] = [[]]
    x = pad
    for group in groups:
        w = max(i.x + (i.w or text_width(i.text, i.size)) for i in group)
        if row and lines[-1] and x + w > size[0] - pad:
            lines.append([])
            x = pad
        lines[-1].append((x, group))
        x = x + w + 1.2 * px if row else pad
        if not row:
            lines.append([])
    lines = [line for line in lines if line]
    items: list[Item] = []
    heights = [max(text_height(i.text, i.size) if i.kind == "text" else i.h for _, g in line for i in g)
               for line in lines]
    if row:   # the last line sits on the bottom margin, earlier ones above it
        baselines = [pad + sum(h + 0.3 * px for h in heights[k + 1:]) for k in range(len(lines))]
    else:     # from the top inset down
        baselines = [size[1] - top_inset - pad - sum(h + 0.3 * px for h in heights[:k]) - heights[k]
                     for k in range(len(lines))]
    for line, base in zip(lines, baselines):
        for x0, group in line:
            items += [replace(i, x=i.x + x0, y=i.y + base) for i in group]
    return items


def overlay_items(scene) -> list[Item]:
    """Everything drawn flat over the picture: the title, a note, the legend."""
    return [item for items in overlay_groups(scene).values() for item in items]


def overlay_groups(scene) -> dict[str, list[Item]]:
    """The overlay's items by what they make up: ``title``, ``note`` and ``legend`` (empty when absent)."""
    groups: dict[str, list[Item]] = {"title": [], "note": [], "legend": []}
    width, height = scene.size
    top = 0.0
    if scene.title:
        size = scene.title_size
        w, h = text_width(scene.title, size, bold=True), text_height(scene.title, size)
        groups["title"] = [Item("text", (width - w) / 2, height - 0.7 * size - h, w, h, text=scene.title,
                                size=size, bold=True)]
        top = TITLE_BAND * size
    if scene.note:
        groups["note"] = note_items(scene.note, scene.size, scene.note_size, top)
        top += groups["note"][0].h
    if scene.legend is not None:
        groups["legend"] = legend_items(scene.legend, scene.size, top, scene.legend_row)
        if scene.legend_at is not None:
            groups["legend"] = moved_to(groups["legend"], scene.legend_at, height)
    return groups


def moved_to(items: list[Item], at: tuple[float, float], height: float) -> list[Item]:
    """``items`` moved so that their top left corner is ``at`` (pixels from the picture's top left)."""
    left = min(i.x for i in items)
    top = max(i.y + (i.h or text_height(i.text, i.size)) for i in items)
    dx, dy = at[0] - left, (height - at[1]) - top
    return [replace(i, x=i.x + dx, y=i.y + dy) for i in items]


def note_items(note: str, size: tuple[int, int], font: float, top_inset: float) -> list[Item]:
    """A one-line remark at the top right, under the title band."""
    pad = 0.8 * font
    w, h = text_width(note, font), text_height(note, font)
    return [Item("text", size[0] - pad - w, size[1] - top_inset - pad - h, w, h + pad, text=note, size=font)]


def items_extent(items: list[Item]) -> tuple[float, float]:
    """(right, top) pixel extent of overlay items measured from the bottom-left corner."""
    right = max((i.x + (i.w or text_width(i.text, i.size, i.bold)) for i in items), default=0.0)
    top = max((i.y + (i.h or text_height(i.text, i.size)) for i in items), default=0.0)
    return right, top


def items_size(items: list[Item]) -> tuple[float, float]:
    """(width, height) of the box that holds overlay items."""
    right, top = items_extent(items)
    return right - min(i.x for i in items), top - min(i.y for i in items)
