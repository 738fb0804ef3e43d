"""Draw a Scene offscreen into an RGB(A) array, with VTK (the library under pyvista).

The backend talks to VTK's classes directly rather than through pyvista's
Plotter: ``import pyvista`` alone costs 0.6-1.3 s on a 2-core machine, a third
of the budget of a whole ``tspcli render``, and the Plotter adds nothing a
fixed offscreen scene needs.

No display is needed: on Linux without $DISPLAY the EGL window is chosen
(Mesa's software EGL, or a GPU driver's), else OSMesa.  Elsewhere VTK's own
choice stands.  A ``Renderer`` keeps one actor per scene element, keyed by the
element's ``key``, so that drawing the next frame of an animation only updates
positions, sizes, opacities and the textures that changed.
"""
from __future__ import annotations

import ctypes.util
import os
import sys

import numpy as np

from ..errors import OptionError, ToolFailure
from ..scene import geometry
from ..scene.fonts import LINE_SPACING, font_file
from ..scene.overlay import overlay_items

MULTISAMPLES = 4         # anti-aliasing (MSAA); Mesa's software GL offers at most 4
LEADER_WIDTH = 1.0       # pixels at scale 1, as the outlines of layers
LEADER_INSET = 2.0       # pixels left free at each end of a leader
LEADER_OPACITY = 0.55
HALO_OPACITY = 0.6
MAX_PIXELS = 16384       # the largest side a software GL renders


def configure_offscreen(env=os.environ) -> None:
    """Pick a headless OpenGL window before VTK loads (no X server needed)."""
    if not sys.platform.startswith("linux"):
        return
    if env.get("VTK_DEFAULT_OPENGL_WINDOW") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return
    if ctypes.util.find_library("EGL"):
        env["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"
    elif ctypes.util.find_library("OSMesa"):
        env["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkOSOpenGLRenderWindow"


configure_offscreen()

from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray, vtk_to_numpy  # noqa: E402
from vtkmodules.vtkCommonCore import VTK_FONT_FILE, VTK_UNSIGNED_CHAR, vtkPoints, vtkUnsignedCharArray  # noqa: E402
from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData  # noqa: E402
from vtkmodules.vtkRenderingCore import (vtkActor, vtkActor2D, vtkCoordinate, vtkPolyDataMapper,  # noqa: E402
                                         vtkPolyDataMapper2D, vtkRenderer, vtkRenderWindow, vtkTextActor)
from vtkmodules.vtkRenderingOpenGL2 import vtkOpenGLTexture, vtkTextureObject  # noqa: E402
import vtkmodules.vtkRenderingFreeType  # noqa: E402,F401  (registers text rendering)
import vtkmodules.vtkRenderingOpenGL2  # noqa: E402,F401  (registers the OpenGL classes)


def render(scene, scale: float = 1.0) -> np.ndarray:
    """One picture of ``scene``: (H, W, 3) uint8, or (H, W, 4) with straight alpha when the background is transparent."""
    with Renderer(scene.size, scale) as renderer:
        return renderer.render(scene)


class Renderer:
    """An offscreen window of a fixed size that draws scenes, reusing actors between calls."""

    def __init__(self, size: tuple[int, int], scale: float = 1.0, multisamples: int = MULTISAMPLES):
        self.scale = float(scale)
        self.width, self.height = (int(round(v * self.scale)) for v in size)
        if self.width < 1 or self.height < 1:
            raise OptionError(f"picture size {self.width}x{self.height} is empty")
        if max(self.width, self.height) > MAX_PIXELS:
            raise OptionError(f"picture size {self.width}x{self.height} is larger than {MAX_PIXELS} pixels a side",
                              hint="lower --size or --scale")
        self.px = self.scale       # scene pixels -> window pixels
        self.window = vtkRenderWindow()
        self.window.SetOffScreenRendering(1)
        self.window.SetMultiSamples(multisamples)
        self.window.SetAlphaBitPlanes(1)
        self.window.SetSize(self.width, self.height)
        self.renderer = vtkRenderer()
        # Blending follows our back-to-front order (``_sort``); VTK's default weighted OIT only
        # approximates it, and costs 2.5 times the drawing (1280x720, llvmpipe).
        self.renderer.SetUseOIT(False)
        self.window.AddRenderer(self.renderer)
        self.window.Initialize()
        if not self.window.SupportsOpenGL():
            raise ToolFailure("no usable OpenGL: install Mesa's EGL (libegl1) or OSMesa, or set "
                              "VTK_DEFAULT_OPENGL_WINDOW")
        self._items: dict[str, object] = {}
        self._overlay: list = []
        self._overlay_key = None
        self._order: list[int] = []
        self.halo = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        for item in self._items.values():
            item.remove(self.renderer)
        self._items.clear()
        self.window.Finalize()

    # --- drawing --------------------------------------------------------------------------
    def render(self, scene) -> np.ndarray:
        """Draw ``scene``; returns the picture (see ``render``)."""
        self.halo = tuple(scene.background[:3]) if scene.background[3] == 1 else None
        self._sync(scene)
        self._set_camera(scene)
        self._sort(np.asarray(scene.camera.position))
        r, g, b, a = scene.background
        self.renderer.SetBackground(r, g, b)
        self.renderer.SetBackgroundAlpha(a)
        self.window.Render()
        return self._read(transparent=a < 1)

    def _sync(self, scene) -> None:
        """Create, update or remove one item per scene element (matched by key)."""
        wanted = {}
        for blocks in scene.blocks:
            wanted["blocks:" + blocks.key] = (_BlocksItem, blocks)
            if blocks.edge is not None:
                wanted["edges:" + blocks.key] = (_EdgesItem, blocks)
        for lines in scene.lines:
            wanted["lines:" + lines.key] = (_LinesItem, lines)
        for label in scene.labels:
            wanted["label:" + label.key] = (_LabelItem, label)
        for key in [k for k in self._items if k not in wanted]:
            self._items.pop(key).remove(self.renderer)
        for key, (kind, element) in wanted.items():
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = kind(self)
                item.add(self.renderer)
            item.update(element)
        self._sync_overlay(scene)

    def _sync_overlay(self, scene) -> None:
        key = (scene.title, scene.title_size, scene.note, scene.note_size, scene.legend, scene.legend_row,
               scene.text_color, scene.size)
        if key == self._overlay_key:
            return
        for actor in self._overlay:
            self.renderer.RemoveViewProp(actor)
        self._overlay = [self._overlay_actor(item, scene) for item in overlay_items(scene)]
        for actor in self._overlay:
            self.renderer.AddViewProp(actor)
        self._overlay_key = key

    def _overlay_actor(self, item, scene):
        s = self.px
        if item.kind == "text":
            actor = _text_actor(item.text, item.size * s, scene.text_color, bold=item.bold)
            actor.SetDisplayPosition(int(round(item.x * s)), int(round(item.y * s)))
            return actor
        colors = np.array(item.ramp) if item.kind == "ramp" else np.array([[*item.color, 1.0]])
        return _rect_strip(item.x * s, item.y * s, item.w * s, item.h * s, colors)

    def _sort(self, eye: np.ndarray) -> None:
        """Painter's order for see-through layers: farthest element first, back faces first.

        Layers are translucent and do not intersect, so drawing back to front
        gives correct blending in one pass; depth peeling gave the same
        picture at 5-7 times the cost with many open layers.
        """
        items = [item for item in self._items.values() if isinstance(item, _BlocksItem)]
        for item in items:
            item.order_faces(eye)
        items.sort(key=lambda item: -float(np.linalg.norm(item.center - eye)))
        order = [id(item.actor) for item in items]
        if order != self._order:
            # Reorder the renderer's prop list in place: RemoveViewProp would also free the textures.
            props = self.renderer.GetViewProps()
            for item in items:
                props.RemoveItem(item.actor)
                props.AddItem(item.actor)
            self._order = order

    def _set_camera(self, scene) -> None:
        camera = scene.camera
        vcam = self.renderer.GetActiveCamera()
        vcam.SetPosition(*camera.position)
        vcam.SetFocalPoint(*camera.focal_point)
        vcam.SetViewUp(*camera.up)
        vcam.SetParallelProjection(camera.parallel_scale is not None)
        if camera.parallel_scale is not None:
            vcam.SetParallelScale(camera.parallel_scale)
        else:
            vcam.SetViewAngle(camera.view_angle)
        # From the scene itself: VTK's own reset can see the bounds of the previous frame.
        points = [geometry.bounds_corners(b.centers, b.size) for b in scene.blocks]
        points += [path for lines in scene.lines for path in lines.paths]
        if points:
            eye = np.asarray(camera.position)
            forward = np.asarray(camera.focal_point) - eye
            depth = (np.concatenate(points) - eye) @ (forward / np.linalg.norm(forward))
            near, far = float(depth.min()), float(depth.max())
            margin = 0.02 * (far - near) + 1e-3 * far
            vcam.SetClippingRange(max(near - margin, 1e-3 * far), far + margin)

    def _read(self, transparent: bool) -> np.ndarray:
        w, h = self.width, self.height
        data = vtkUnsignedCharArray()
        if not transparent:   # RGB straight from GL: 3x faster than dropping alpha in numpy
            self.window.GetPixelData(0, 0, w - 1, h - 1, 0, data, 0)
            return np.ascontiguousarray(vtk_to_numpy(data).reshape(h, w, 3)[::-1])
        self.window.GetRGBACharPixelData(0, 0, w - 1, h - 1, 0, data)
        return _unpremultiply(vtk_to_numpy(data).reshape(h, w, 4)[::-1])


def _unpremultiply(rgba: np.ndarray) -> np.ndarray:
    """The window holds colour premultiplied by alpha; PNG wants straight alpha."""
    alpha = rgba[..., 3:4].astype(np.float32)
    rgb = rgba[..., :3].astype(np.float32) * 255 / np.maximum(alpha, 1)
    out = np.empty_like(rgba)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255)
    out[..., 3:] = rgba[..., 3:]
    return out


# --- items: one per scene element ---------------------------------------------------------
class _Item:
    def __init__(self, owner: Renderer):
        self.owner = owner

    def add(self, renderer):
        renderer.AddViewProp(self.actor)

    def remove(self, renderer):
        renderer.RemoveViewProp(self.actor)


class _UnlitLinesItem(_Item):
    """An unlit actor over one polydata of line segments (outlines, connections)."""

    def __init__(self, owner):
        super().__init__(owner)
        self.poly = vtkPolyData()
        mapper = vtkPolyDataMapper()
        mapper.SetInputData(self.poly)
        self.actor = vtkActor()
        self.actor.SetMapper(mapper)
        self.actor.GetProperty().LightingOff()
        self.key = None  # what was drawn last, so an unchanged element costs nothing


class _BlocksItem(_Item):
    """One textured quad mesh for a Blocks element."""

    def __init__(self, owner):
        super().__init__(owner)
        self.poly = vtkPolyData()
        self.mapper = vtkPolyDataMapper()
        self.mapper.SetInputData(self.poly)
        self.mapper.ScalarVisibilityOff()
        self.actor = vtkActor()
        self.actor.SetMapper(self.mapper)
        prop = self.actor.GetProperty()
        prop.LightingOff()                   # flat colours, as TensorSpace's unlit materials
        prop.SetColor(1.0, 1.0, 1.0)
        self.actor.ForceTranslucentOn()
        self.texture_source = None
        self.tiles = None
        self.geometry = None
        self.count = 0
        self.center = self.middle = np.zeros(3)
        self.faces = None
        self.front_only = False

    def update(self, blocks) -> None:
        if blocks.texture is not self.texture_source:
            self.actor.SetTexture(_upload(self.owner.window, blocks.texture.image))
            self.texture_source = blocks.texture
        count = len(blocks.centers)
        if self.tiles is not blocks.tiles or count != self.count:
            tcoords = geometry.box_tcoords(blocks.tiles, blocks.side_tiles)
            tcoords[:, 1] = 1.0 - tcoords[:, 1]          # VTK's v runs up from the bottom row
            self.poly.GetPointData().SetTCoords(numpy_to_vtk(tcoords, deep=1))
            self.tiles, self.count, self.faces = blocks.tiles, count, None
        origin, relative = _split_origin(blocks.centers)
        key = (relative.tobytes(), blocks.size)
        if key != self.geometry:      # a layer that only slid along keeps its mesh
            points = vtkPoints()
            points.SetData(numpy_to_vtk(geometry.box_points(relative, blocks.size), deep=1))
            self.poly.SetPoints(points)
            self.geometry = key
            self.middle = (relative.min(axis=0) + relative.max(axis=0)) / 2
        self.actor.SetPosition(*origin)
        self.center = origin + self.middle
        self.actor.GetProperty().SetOpacity(blocks.opacity)
        front_only = blocks.faces == "front"
        if front_only != self.front_only:
            self.front_only, self.faces = front_only, None
        self.centers, self.size = np.asarray(blocks.centers, dtype=float), blocks.size

    def order_faces(self, eye: np.ndarray) -> None:
        """Draw the faces turned away from the eye before those turned towards it, or with
        ``Blocks.faces == "front"`` only those turned towards it (see ``_front_faces``)."""
        quads = geometry.box_quads(self.count).reshape(self.count, 6, 4)
        if self.front_only:
            faces = _front_faces(eye, self.centers, self.size)
            if self.faces is None or not np.array_equal(faces, self.faces):
                self.poly.SetPolys(_cells(quads[faces]))
                self.poly.Modified()
                self.faces = faces
            return
        toward = eye - self.center
        away = [k for k, normal in enumerate(geometry.FACE_NORMALS) if float(normal @ toward) < 0]
        faces = away + [k for k in range(6) if k not in away]
        if faces != self.faces:
            self.poly.SetPolys(_cells(quads[:, faces].transpose(1, 0, 2).reshape(-1, 4)))
            self.poly.Modified()
            self.faces = faces


class _EdgesItem(_UnlitLinesItem):
    """The outline of closed layers (TensorSpace's frame lines)."""

    def __init__(self, owner):
        super().__init__(owner)
        self.actor.GetProperty().SetLineWidth(1.0 * owner.px)

    def update(self, blocks) -> None:
        origin, relative = _split_origin(blocks.centers)
        self.actor.SetPosition(*origin)
        key = (relative.tobytes(), blocks.size, blocks.edge, blocks.opacity)
        if key == self.key:
            return
        self.key = key
        points, segments = geometry.box_edges(relative, blocks.size)
        _set_lines(self.poly, points, [segments])
        self.actor.GetProperty().SetColor(*blocks.edge)
        self.actor.GetProperty().SetOpacity(blocks.opacity)


class _LinesItem(_UnlitLinesItem):
    """Connections between layers."""

    def update(self, lines) -> None:
        key = (tuple(p.tobytes() for p in lines.paths), lines.color, lines.width)
        if key == self.key:
            return
        self.key = key
        points = np.concatenate(lines.paths) if lines.paths else np.zeros((0, 3))
        starts = np.cumsum([0] + [len(p) for p in lines.paths[:-1]])
        cells = [np.arange(s, s + len(p)) for s, p in zip(starts, lines.paths)]
        _set_lines(self.poly, points, cells)
        prop = self.actor.GetProperty()
        prop.SetColor(*lines.color[:3])
        prop.SetOpacity(lines.color[3])
        prop.SetLineWidth(lines.width * self.owner.px)


class _LabelItem(_Item):
    """Text pinned to a scene point, offset by pixels, always facing the viewer; and its leader line."""

    def __init__(self, owner):
        super().__init__(owner)
        self.actor = vtkTextActor()
        self.anchor = vtkCoordinate()
        self.anchor.SetCoordinateSystemToWorld()
        position = self.actor.GetPositionCoordinate()
        position.SetCoordinateSystemToDisplay()
        position.SetReferenceCoordinate(self.anchor)
        # The leader's points are pixel offsets from the anchor, as the text's position is.
        self.leader_poly = vtkPolyData()
        offsets = vtkCoordinate()
        offsets.SetCoordinateSystemToDisplay()
        offsets.SetReferenceCoordinate(self.anchor)
        mapper = vtkPolyDataMapper2D()
        mapper.SetInputData(self.leader_poly)
        mapper.SetTransformCoordinate(offsets)
        self.leader = vtkActor2D()
        self.leader.SetMapper(mapper)
        self.leader.GetProperty().SetLineWidth(LEADER_WIDTH * owner.px)
        self.label = None

    def add(self, renderer):
        renderer.AddViewProp(self.leader)
        renderer.AddViewProp(self.actor)

    def remove(self, renderer):
        renderer.RemoveViewProp(self.actor)
        renderer.RemoveViewProp(self.leader)

    def update(self, label) -> None:
        if (label, self.owner.halo) == self.label:
            return
        self.label = (label, self.owner.halo)
        s = self.owner.px
        self.actor.SetInput(label.text)
        prop = self.actor.GetTextProperty()
        _style_text(prop, label.size * s, label.color, label.bold)
        if self.owner.halo is not None:   # a veil of the background keeps text legible over layers
            prop.SetBackgroundColor(*self.owner.halo)
            prop.SetBackgroundOpacity(HALO_OPACITY)
        {"left": prop.SetJustificationToLeft, "center": prop.SetJustificationToCentered,
         "right": prop.SetJustificationToRight}[label.align]()
        dx, dy = label.offset
        if label.align == "center":
            prop.SetVerticalJustificationToTop() if dy <= 0 else prop.SetVerticalJustificationToBottom()
        else:
            prop.SetVerticalJustificationToCentered()
        self.anchor.SetValue(*label.anchor)
        self.actor.GetPositionCoordinate().SetValue(dx * s, dy * s)
        self.leader.SetVisibility(label.leader is not None)
        if label.leader is not None:
            start, end = np.array(label.leader, dtype=float), np.array(label.offset, dtype=float)
            along = (end - start) / max(float(np.linalg.norm(end - start)), 1e-6)
            ends = np.array([start + LEADER_INSET * along, end - LEADER_INSET * along]) * s
            _set_lines(self.leader_poly, np.pad(ends, ((0, 0), (0, 1))), [np.array([0, 1])])
            self.leader.GetProperty().SetColor(*label.color)
            self.leader.GetProperty().SetOpacity(LEADER_OPACITY)


def _front_faces(eye: np.ndarray, centers: np.ndarray, size) -> np.ndarray:
    """(N, 6) mask of each box's faces turned toward the eye (its plane lies between the eye and the
    box's centre): what a one-sided material shows, so each box draws one data face at most."""
    half = np.asarray(size, dtype=float) / 2
    reach = np.abs(geometry.FACE_NORMALS) @ half                  # centre to each face's plane
    return (eye - centers) @ geometry.FACE_NORMALS.T > reach


# --- VTK helpers ------------------------------------------------------------------------------
def _split_origin(centers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first centre, centres relative to it): meshes are built about the first box and the actor
    is moved there, so a fresh window and a reused one draw the same numbers."""
    centers = np.asarray(centers, dtype=float)
    return centers[0], centers - centers[0]


def _upload(window, image: np.ndarray) -> vtkOpenGLTexture:
    """A texture object with mipmaps (minified maps stay smooth) and nearest magnification
    (a zoomed-in map shows its values as crisp cells, as in TensorSpace)."""
    height, width = image.shape[:2]
    if max(width, height) > MAX_PIXELS:
        raise ToolFailure(f"texture of {width}x{height} texels is too large")
    data = np.ascontiguousarray(image[::-1], dtype=np.uint8)      # VTK's rows run bottom up
    array = numpy_to_vtk(data.reshape(-1, 4), deep=1, array_type=VTK_UNSIGNED_CHAR)
    tobj = vtkTextureObject()
    tobj.SetContext(window)
    tobj.SetGenerateMipmap(True)
    if not tobj.Create2DFromRaw(width, height, 4, VTK_UNSIGNED_CHAR, array.GetVoidPointer(0)):
        raise ToolFailure(f"could not create a {width}x{height} texture")
    tobj.SetMinificationFilter(vtkTextureObject.LinearMipmapLinear)
    tobj.SetMagnificationFilter(vtkTextureObject.Nearest)
    tobj.SetWrapS(vtkTextureObject.ClampToEdge)
    tobj.SetWrapT(vtkTextureObject.ClampToEdge)
    texture = vtkOpenGLTexture()
    texture.SetTextureObject(tobj)
    texture.keep_alive = tobj
    return texture


def _cells(connectivity: np.ndarray) -> vtkCellArray:
    """Cells of equal size from an (n, k) index array, without a Python loop."""
    n, k = connectivity.shape
    return _cell_array(np.arange(0, (n + 1) * k, k), connectivity.ravel())


def _cell_array(offsets: np.ndarray, connectivity: np.ndarray) -> vtkCellArray:
    cells = vtkCellArray()
    cells.SetData(numpy_to_vtkIdTypeArray(np.ascontiguousarray(offsets, dtype=np.int64), deep=1),
                  numpy_to_vtkIdTypeArray(np.ascontiguousarray(connectivity, dtype=np.int64), deep=1))
    return cells


def _set_lines(poly: vtkPolyData, points: np.ndarray, polylines: list[np.ndarray]) -> None:
    """Polylines (each an array of point indices, or an (n, 2) array of segments) into ``poly``."""
    cells = [c for group in polylines for c in np.atleast_2d(group)]
    sizes = np.array([len(c) for c in cells], dtype=np.int64)
    vpoints = vtkPoints()
    vpoints.SetData(numpy_to_vtk(np.asarray(points, dtype=np.float32).reshape(-1, 3), deep=1))
    poly.SetPoints(vpoints)
    connectivity = np.concatenate(cells) if cells else np.zeros(0, np.int64)
    poly.SetLines(_cell_array(np.concatenate([[0], np.cumsum(sizes)]), connectivity))
    poly.Modified()


def _style_text(prop, size: float, color, bold: bool) -> None:
    """The picture's typeface (see scene.fonts), else VTK's own sans-serif."""
    path = font_file(bool(bold))
    if path:
        prop.SetFontFamily(VTK_FONT_FILE)
        prop.SetFontFile(path)
    else:
        prop.SetFontFamilyToArial()
        prop.SetBold(bool(bold))
    prop.SetFontSize(max(1, int(round(size))))
    prop.SetColor(*color)
    prop.SetLineSpacing(LINE_SPACING)


def _text_actor(text: str, size: float, color, bold: bool = False) -> vtkTextActor:
    actor = vtkTextActor()
    actor.SetInput(text)
    _style_text(actor.GetTextProperty(), size, color, bold)
    return actor


def _rect_strip(x: float, y: float, w: float, h: float, colors: np.ndarray) -> vtkActor2D:
    """A rectangle in pixels split into len(colors) vertical bands of the given RGBA colours."""
    k = len(colors)
    xs = x + w * np.arange(k + 1) / k
    points = np.array([[xi, yi, 0.0] for xi in xs for yi in (y, y + h)])
    quads = np.array([[2 * i, 2 * i + 2, 2 * i + 3, 2 * i + 1] for i in range(k)])
    poly = vtkPolyData()
    vpoints = vtkPoints()
    vpoints.SetData(numpy_to_vtk(points, deep=1))
    poly.SetPoints(vpoints)
    poly.SetPolys(_cells(quads))
    rgba = np.rint(np.clip(colors, 0, 1) * 255).astype(np.uint8)
    scalars = numpy_to_vtk(rgba, deep=1, array_type=VTK_UNSIGNED_CHAR)
    poly.GetCellData().SetScalars(scalars)
    mapper = vtkPolyDataMapper2D()
    mapper.SetInputData(poly)
    mapper.SetColorModeToDirectScalars()
    mapper.SetScalarModeToUseCellData()
    actor = vtkActor2D()
    actor.SetMapper(mapper)
    return actor
