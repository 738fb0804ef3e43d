"""Draw a Scene as 2-D vector primitives to SVG or PDF, with matplotlib's own file backends.

Why matplotlib: it is installed already (pyvista depends on it), so a vector
figure costs no new dependency; its PDF backend embeds DejaVu Sans as
TrueType (Type 42) and its SVG backend writes real ``<text>``, so labels stay
text that can be searched, selected and edited; and its renderers place an
image by any affine map without resampling it (``draw_image`` with a
transform: every cell of a feature map stays a crisp square, ``image-rendering:
pixelated`` in SVG).  pycairo would add a dependency that builds against the
cairo C library, and a second text layout beside the scene's own measure of
DejaVu Sans (``scene.fonts``).  The object API (a Figure and the
format's canvas, no pyplot) and ``rc_context`` keep matplotlib's global state
untouched, so a library user's own figures are not changed by ours.

What is drawn comes from ``flatten`` (faces, images, lines in painter's order)
and, on top, as in the PNG: label leaders and text, the legend, the note and
the title (``scene.overlay``).  1 pixel of the scene at scale 1 is ``scale``
points, so the file rasterised at 72 dpi has the PNG's size in pixels.
"""
from __future__ import annotations

import os
import re

import numpy as np
from matplotlib import rc_context
from matplotlib.artist import Artist
from matplotlib.backends.backend_pdf import FigureCanvasPdf
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Affine2D

from ...atomic import atomic_output
from ...errors import ToolFailure
from ...scene import camera as cam
from ...scene.fonts import LINE_SPACING
from ...scene.label_spots import label_box
from ...scene.overlay import overlay_items
from .flatten import flatten
from .primitives import Fill, Picture, Stroke

FORMATS = ("svg", "pdf")
LEADER_WIDTH = 1.0       # pixels at scale 1, as in the PNG
LEADER_INSET = 2.0       # pixels left free at each end of a leader
LEADER_OPACITY = 0.55
HALO_OPACITY = 0.6       # a veil of the background behind labels on an opaque background
_RC = {
    "svg.fonttype": "none",          # text as <text>, not paths
    "pdf.fonttype": 42,              # TrueType (Type 42), subset and embedded: text extracts and edits
    "font.family": "DejaVu Sans",
    "svg.hashsalt": "tspcli",        # the same command writes the same file
    "svg.image_inline": True,
    "path.simplify": False,
}


def write_scene(scene, path: str, scale: float = 1.0, *, crop=None, cells: bool = False) -> None:
    """Write ``scene`` to ``path`` as SVG or PDF (by its extension), atomically; ``crop`` and
    ``cells`` as for ``draw``."""
    kind = os.path.splitext(path)[1].lower()[1:]
    if kind not in FORMATS:
        raise ToolFailure(f"the vector backend writes .svg or .pdf, not '{path}'")
    figure = draw(scene, scale, cells, crop)
    canvas = (FigureCanvasPdf if kind == "pdf" else FigureCanvasSVG)(figure)
    metadata = {"Date": None} if kind == "svg" else {"CreationDate": None, "ModDate": None}
    with rc_context(_RC), atomic_output(path, suffix="." + kind) as tmp:
        canvas.print_figure(tmp, format=kind, dpi=72, facecolor="none", edgecolor="none", metadata=metadata)


def draw(scene, scale: float = 1.0, cells: bool = False, crop=None):
    """A matplotlib Figure of ``scene``, each of its W x H pixels ``scale`` points; ``crop``
    (x0, y0, x1, y1, in those points from the top left, as ``scene.boxes.crop_box``): only that part."""
    width, height = scene.size
    x0, y0, x1, y1 = crop if crop is not None else (0, 0, width * scale, height * scale)
    with rc_context(_RC):
        figure = Figure(figsize=((x1 - x0) / 72, (y1 - y0) / 72), dpi=72)
        figure.patch.set_visible(False)          # no background rectangle unless the scene has a background
        # scene pixels (y up) -> points of the page (y up from its bottom, which is y1 from the top)
        px = Affine2D().scale(scale).translate(-x0, y1 - height * scale).scale(1 / 72) + figure.dpi_scale_trans
        items = flatten(scene, cells)
        if scene.background[3] > 0:
            corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=float)
            items.insert(0, Fill([corners], tuple(scene.background)))
        figure.add_artist(_Primitives(items, px, scale, zorder=0))
        figure.add_artist(_Primitives(_label_marks(scene), px, scale, zorder=1))
        for text in _texts(scene, px, scale):
            figure.add_artist(text)
    return figure


def _label_marks(scene) -> list:
    """What goes under the text: label halos and leaders, legend swatches and ramps."""
    items = []
    halo = scene.background[3] == 1
    for label in scene.labels:
        (ax, ay), = cam.project(np.array([label.anchor]), scene.camera, scene.size)
        if halo:
            x0, y0, x1, y1 = label_box(label, scene.camera, scene.size)
            items.append(Fill([np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])],
                              (*scene.background[:3], HALO_OPACITY)))
        if label.leader is not None:
            start, end = np.array(label.leader, dtype=float), np.array(label.offset, dtype=float)
            along = (end - start) / max(float(np.linalg.norm(end - start)), 1e-6)
            ends = np.array([start + LEADER_INSET * along, end - LEADER_INSET * along]) + [ax, ay]
            items.append(Stroke([ends], (*label.color, LEADER_OPACITY), LEADER_WIDTH))
    for item in overlay_items(scene):
        if item.kind == "swatch":
            items.append(Fill([_rect(item.x, item.y, item.w, item.h)], (*item.color, 1.0)))
        elif item.kind == "ramp":
            k = len(item.ramp)
            items += [Fill([_rect(item.x + item.w * i / k, item.y, item.w / k, item.h)], tuple(color))
                      for i, color in enumerate(item.ramp)]
    return items


def _texts(scene, px, scale: float) -> list:
    """Labels, the legend's words, the note and the title as matplotlib Text artists."""
    def text(x, y, words, size, color, bold, ha, va, name):
        font = FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal",
                              size=max(1, round(size * scale)))
        # parse_math off: a layer name from a file is text, never mathtext ("a$b$" stays as it is)
        artist = Text(x, y, words, color=color, fontproperties=font, ha=ha, va=va, ma=ha, parse_math=False,
                      usetex=False, linespacing=LINE_SPACING, transform=px, zorder=2)
        artist.set_gid(name)
        return artist

    out = []
    for label in scene.labels:
        (ax, ay), = cam.project(np.array([label.anchor]), scene.camera, scene.size)
        dx, dy = label.offset
        va = ("top" if dy <= 0 else "bottom") if label.align == "center" else "center"
        out.append(text(ax + dx, ay + dy, label.text, label.size, label.color, label.bold, label.align, va,
                        "label-" + _name(label.key)))
    for i, item in enumerate(i for i in overlay_items(scene) if i.kind == "text"):
        out.append(text(item.x, item.y, item.text, item.size, scene.text_color, item.bold, "left", "bottom",
                        f"overlay-{i}"))
    return out


class _Primitives(Artist):
    """Fills, pictures and strokes drawn straight through the renderer, in their order."""

    def __init__(self, items, px, scale, zorder):
        super().__init__()
        self.items, self.px, self.scale = items, px, scale
        self.set_zorder(zorder)

    def draw(self, renderer):
        seen: dict[str, int] = {}
        for item in self.items:
            gc = renderer.new_gc()
            if isinstance(item, Fill):
                gc.set_linewidth(0)
                renderer.draw_path(gc, _path(item.polygons, closed=True), self.px, tuple(item.color))
            elif isinstance(item, Stroke):
                gc.set_linewidth(item.width * self.scale)
                gc.set_foreground(item.color, isRGBA=True)
                gc.set_capstyle("butt")
                gc.set_joinstyle("round")
                renderer.draw_path(gc, _path(item.paths, closed=False), self.px, None)
            elif isinstance(item, Picture):
                gc.set_alpha(item.opacity)
                name = _name(item.name)
                seen[name] = seen.get(name, 0) + 1
                gc.set_gid(name if seen[name] == 1 else f"{name}-{seen[name]}")
                matrix = np.vstack([item.matrix, [0.0, 0.0, 1.0]])
                renderer.draw_image(gc, 0, 0, item.image, Affine2D(matrix) + self.px)
            gc.restore()


def _rect(x, y, w, h) -> np.ndarray:
    return np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], dtype=float)


def _name(key: str) -> str:
    """An SVG id from a scene key (layer names come from files: keep only safe characters)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", key)


def _path(polylines, closed: bool):
    """One compound path of several polylines (polygons when ``closed``)."""
    vertices, codes = [], []
    for line in polylines:
        line = np.asarray(line, dtype=float)
        vertices.append(line)
        part = np.full(len(line), Path.LINETO, dtype=Path.code_type)
        part[0] = Path.MOVETO
        codes.append(part)
        if closed:
            vertices.append(line[:1])
            codes.append(np.array([Path.CLOSEPOLY], dtype=Path.code_type))
    return Path(np.concatenate(vertices), np.concatenate(codes))
