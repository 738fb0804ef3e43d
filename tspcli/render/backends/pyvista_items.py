"""The pyvista objects of labels and of the overlay (title, note, legend), and the textures of the boxes.

Text is ``pv.Text``; a label remembers what it drew last, so an unchanged one
costs nothing.  The boxes and lines are batched in ``pyvista_batch``.
"""
from __future__ import annotations

import functools
import os

import numpy as np
import pyvista as pv
from vtkmodules.util.numpy_support import numpy_to_vtk
from vtkmodules.vtkCommonCore import VTK_FONT_FILE, VTK_UNSIGNED_CHAR
from vtkmodules.vtkRenderingCore import vtkActor2D, vtkCoordinate, vtkPolyDataMapper2D
from vtkmodules.vtkRenderingOpenGL2 import vtkOpenGLTexture, vtkTextureObject

from ...errors import ToolFailure
from ...scene.fonts import LINE_SPACING, font_file
from ...scene.overlay import overlay_items

LEADER_WIDTH = 1.0       # pixels at scale 1, as the outlines of layers
LEADER_INSET = 2.0       # pixels left free at each end of a leader
LEADER_OPACITY = 0.55
HALO_OPACITY = 0.6
MAX_TEXELS = 16384
JUSTIFY = {"left": 0, "center": 1, "right": 2, "bottom": 0, "top": 2}   # VTK's codes (VTK_TEXT_LEFT ...)


class _Item:
    actor = None

    def __init__(self, owner):
        self.owner = owner

    def add(self, plotter):
        plotter.add_actor(self.actor, reset_camera=False, render=False)

    def remove(self, plotter):
        plotter.remove_actor(self.actor, render=False)


class LabelItem(_Item):
    """Text pinned to a scene point, offset by pixels, always facing the viewer (its leader: ``Leaders``)."""

    def __init__(self, owner):
        super().__init__(owner)
        self.actor = pv.Text()
        # pyvista places text in the window only; a world anchor with a pixel offset is VTK's
        # reference coordinate, which pyvista does not wrap.
        self.anchor = vtkCoordinate()
        self.anchor.SetCoordinateSystemToWorld()
        position = self.actor.GetPositionCoordinate()
        position.SetCoordinateSystemToDisplay()
        position.SetReferenceCoordinate(self.anchor)
        self.label = None

    def update(self, label) -> None:
        if (label, self.owner.halo) == self.label:
            return
        self.label = (label, self.owner.halo)
        s = self.owner.px
        self.actor.SetInput(label.text)
        prop = self.actor.GetTextProperty()
        style_text(prop, label.size * s, label.color, label.bold)
        if self.owner.halo is not None:   # a veil of the background keeps text legible over layers
            prop.SetBackgroundColor(*rgb8(self.owner.halo))
            prop.SetBackgroundOpacity(HALO_OPACITY)
        prop.SetJustification(JUSTIFY[label.align])
        dx, dy = label.offset
        if label.align == "center":
            prop.SetVerticalJustification(JUSTIFY["top" if dy <= 0 else "bottom"])
        else:
            prop.SetVerticalJustification(JUSTIFY["center"])
        self.anchor.SetValue(*label.anchor)
        self.actor.GetPositionCoordinate().SetValue(dx * s, dy * s)


class Leaders:
    """Every label's leader line as one mesh in window pixels, under all label text.

    A line per label tied to its anchor cost an actor each (a millisecond in pyvista and in the first
    Render); here each end is placed in the window as VTK placed it, the anchor's window point plus
    the offset in whole pixels (``GetComputedViewportValue``), once the camera is set.
    """

    def __init__(self, plotter, px: float):
        self.plotter, self.px = plotter, px
        self.mesh = pv.PolyData()
        self.actor = pixel_actor(self.mesh)
        self.actor.GetProperty().SetLineWidth(LEADER_WIDTH * px)
        self.point = vtkCoordinate()          # a pixel offset from a world point, as the text's position
        self.point.SetCoordinateSystemToDisplay()
        self.anchor = vtkCoordinate()
        self.anchor.SetCoordinateSystemToWorld()
        self.point.SetReferenceCoordinate(self.anchor)
        plotter.add_actor(self.actor, reset_camera=False, render=False)
        self.key = None

    def update(self, labels: list) -> None:
        """Place the leaders of ``labels`` for the camera as it is now."""
        items, renderer = [], self.plotter.renderer
        for label in labels:
            if label.leader is None:
                continue
            start, end = np.array(label.leader, dtype=float), np.array(label.offset, dtype=float)
            along = (end - start) / max(float(np.linalg.norm(end - start)), 1e-6)
            self.anchor.SetValue(*label.anchor)
            ends = []
            for offset in (start + LEADER_INSET * along, end - LEADER_INSET * along):
                self.point.SetValue(*(offset * self.px), 0.0)
                ends.append((*self.point.GetComputedViewportValue(renderer), 0.0))
            items.append((np.array(ends, dtype=float), np.array([[0, 1]]), (*label.color, LEADER_OPACITY)))
        key = [(pts.tobytes(), rgba) for pts, _, rgba in items]
        if key != self.key:
            self.key = key
            self.actor.SetVisibility(bool(items))
            if items:
                set_polylines(self.mesh, items)

    def remove(self) -> None:
        self.plotter.remove_actor(self.actor, render=False)


# --- the title, note and legend: fixed in the picture --------------------------------------------
def overlay_actors(scene, px: float) -> list:
    """The overlay (see scene.overlay) in window pixels: every swatch and ramp as one mesh, each text an actor."""
    actors, points, quads, colors = [], [], [], []
    for item in overlay_items(scene):
        if item.kind == "text":
            actor = pv.Text(item.text, position=(int(round(item.x * px)), int(round(item.y * px))))
            style_text(actor.GetTextProperty(), item.size * px, scene.text_color, item.bold)
            actors.append(actor)
        else:
            bands = np.array(item.ramp) if item.kind == "ramp" else np.array([[*item.color, 1.0]])
            quads.append(band_quads(len(bands)) + sum(len(p) for p in points))
            points.append(band_points(item.x * px, item.y * px, item.w * px, item.h * px, len(bands)))
            colors.append(bands)
    if not quads:
        return actors
    mesh = pv.PolyData.from_regular_faces(np.concatenate(points), np.concatenate(quads))
    mesh.cell_data.set_scalars(np.rint(np.clip(np.concatenate(colors), 0, 1) * 255).astype(np.uint8), "rgba")
    return [pixel_actor(mesh)] + actors        # under the text, which never overlaps it


def band_points(x: float, y: float, w: float, h: float, k: int) -> np.ndarray:
    """The corners of a rectangle in pixels split into k vertical bands: (2k + 2, 3), bottom then top at each x."""
    xs = x + w * np.arange(k + 1) / k
    return np.array([[xi, yi, 0.0] for xi in xs for yi in (y, y + h)])


def band_quads(k: int) -> np.ndarray:
    """The k quads of ``band_points``' bands (indices from 0)."""
    return np.array([[2 * i, 2 * i + 2, 2 * i + 3, 2 * i + 1] for i in range(k)])


def pixel_actor(mesh: pv.PolyData) -> vtkActor2D:
    """A mesh drawn in window pixels, coloured by its cells' RGBA: pyvista has no 2D mesh actor."""
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(mesh)
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUseCellData()
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    return actor


# --- helpers ------------------------------------------------------------------------------------
def texture(window, image: np.ndarray) -> vtkOpenGLTexture:
    """A texture sampled bilinearly when minified and nearest when magnified (a zoomed-in map shows
    its values as crisp cells, as in TensorSpace).

    No mipmaps: VTK's texture object sends a highest level of 0, so the mipmaps the backend once
    generated were never read (minified faces sampled the full image, as they still do), and
    generating them for a whole atlas cost a tenth of a second.  ``pv.Texture`` sets one filter for
    both (interpolate on or off), so the texture object is made here and handed to VTK's OpenGL texture.
    """
    height, width = image.shape[:2]
    if max(width, height) > MAX_TEXELS:
        raise ToolFailure(f"texture of {width}x{height} texels is too large")
    data = np.ascontiguousarray(image[::-1], dtype=np.uint8)      # VTK's rows run bottom up
    array = numpy_to_vtk(data.reshape(-1, 4), deep=0, array_type=VTK_UNSIGNED_CHAR)   # copied by the upload
    tobj = vtkTextureObject()
    tobj.SetContext(window)
    if not tobj.Create2DFromRaw(width, height, 4, VTK_UNSIGNED_CHAR, array.GetVoidPointer(0)):
        raise ToolFailure(f"could not create a {width}x{height} texture")
    tobj.SetMinificationFilter(vtkTextureObject.Linear)
    tobj.SetMagnificationFilter(vtkTextureObject.Nearest)
    tobj.SetWrapS(vtkTextureObject.ClampToEdge)
    tobj.SetWrapT(vtkTextureObject.ClampToEdge)
    result = vtkOpenGLTexture()
    result.SetTextureObject(tobj)
    result.keep_alive = tobj
    return result


def set_polylines(mesh: pv.PolyData, items: list) -> None:
    """``items``: (points (M, 3), polylines, RGBA 0..1) into one mesh with a colour per polyline;
    polylines: an (n, k) array of n polylines of k point indices, or a list of such arrays."""
    points, cells, colors, base = [], [], [], 0
    for pts, paths, rgba in items:
        for group in (paths if isinstance(paths, list) else [paths]):
            group = np.asarray(group, dtype=np.int64)
            cells.append(np.column_stack([np.full(len(group), group.shape[1]), group + base]).ravel())
            colors.append(np.repeat(np.rint(np.clip([rgba], 0, 1) * 255), len(group), axis=0))
        points.append(pts)
        base += len(pts)
    mesh.points = np.concatenate(points)
    mesh.lines = np.concatenate(cells)
    mesh.cell_data.set_scalars(np.concatenate(colors).astype(np.uint8), "rgba")


def rgb8(color) -> tuple:
    """A colour in whole 8-bit levels, as pyvista's setters store it (text reads the same as through them)."""
    return tuple(round(255 * float(c)) / 255 for c in color[:3])


@functools.lru_cache(maxsize=2)
def _font(bold: bool) -> str | None:
    path = font_file(bold)
    return os.path.realpath(path) if path else None


def style_text(prop, size: float, color, bold: bool) -> None:
    """The picture's typeface (see scene.fonts), else VTK's own sans-serif.

    Set through VTK's own text property: pyvista's setters (colour parsing, theme look-ups, a check
    of the font file on disk each time) cost 0.2 ms a label, a tenth of a second for a long chain.
    """
    path = _font(bool(bold))
    if path:
        prop.SetFontFamily(VTK_FONT_FILE)
        prop.SetFontFile(path)
    else:
        prop.SetFontFamilyToArial()
        prop.SetBold(bool(bold))
    prop.SetFontSize(max(1, int(round(size))))
    prop.SetColor(*rgb8(color))
    prop.SetLineSpacing(LINE_SPACING)
