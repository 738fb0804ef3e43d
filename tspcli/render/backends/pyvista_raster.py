"""Draw a Scene into an RGB(A) array through a pyvista Plotter, offscreen.

The scene's elements become pyvista objects built from numpy arrays
(``pv.PolyData`` meshes, ``pv.Actor``, ``pv.Text``) held by a
``pv.Plotter(off_screen=True)``: all boxes are one textured mesh over one
atlas of every texture, outlines and connections one line mesh per style
(``pyvista_batch``), each label its own text.  A ``PyvistaRaster`` keeps them
between pictures, so that the next frame of an animation only updates
positions, opacities, the order of faces and the textures that changed.  Raw VTK calls remain only where pyvista has no API; each says why.

No display is needed: ``render.opengl.require`` picks EGL, else OSMesa, before
VTK loads (or says what to install).
"""
from __future__ import annotations

import numpy as np

from ...errors import OptionError, ToolFailure
from ...scene import geometry
from ..opengl import require
from .offscreen import unused_imports_deferred

require()

with unused_imports_deferred():
    import pyvista as pv
    import pyvista.plotting  # noqa: F401  (pv.Plotter would load it later, without the stand-ins)

from .pyvista_batch import BlocksBatch, LinesBatch  # noqa: E402
from .pyvista_items import LabelItem, Leaders, overlay_actors  # noqa: E402
from .smooth import smooth_edges  # noqa: E402

MULTISAMPLES = 4         # stills' anti-aliasing (MSAA); Mesa's software GL offers at most 4
MAX_PIXELS = 16384       # the largest side a software GL renders


def render(scene, scale: float = 1.0) -> np.ndarray:
    """One picture of ``scene``: (H, W, 3) uint8, or (H, W, 4) with straight alpha when the background is transparent."""
    with PyvistaRaster(scene.size, scale) as raster:
        return raster.draw(scene)


class PyvistaRaster:
    """A pyvista Plotter of a fixed size that draws scenes, reusing actors between calls.

    ``antialias``: "msaa" (stills: 4 samples), "fxaa" (animations: a cheap
    post-process of the frame read back, ``smooth.smooth_edges``) or None.  ``off_screen=False`` makes a Plotter for a window
    on screen (``tspcli.plot``, ``--interactive``).
    """

    def __init__(self, size: tuple[int, int], scale: float = 1.0, antialias: str | None = "msaa",
                 off_screen: bool = True):
        self.scale = self.px = float(scale)       # scene pixels -> window pixels
        self.width, self.height = (int(round(v * self.scale)) for v in size)
        if self.width < 1 or self.height < 1:
            raise OptionError(f"picture size {self.width}x{self.height} is empty")
        if max(self.width, self.height) > MAX_PIXELS:
            raise OptionError(f"picture size {self.width}x{self.height} is larger than {MAX_PIXELS} pixels a side",
                              hint="lower --size or --scale")
        if off_screen and pv.plotting.tools.SUPPORTS_PLOTTING is None:
            # pyvista asks whether a display works by running `xset`, then opening a window of its own
            # (0.04 s) only to warn when it does not; ours is checked below, on the window we draw in.
            # No API: the answer is a module global of pyvista's.
            pv.plotting.tools.SUPPORTS_PLOTTING = True
        # lighting="none": every material is unlit (TensorSpace's flat colours), lights would only cost.
        self.plotter = pv.Plotter(off_screen=off_screen, window_size=(self.width, self.height), lighting="none")
        self.plotter.disable_anti_aliasing()
        if antialias == "msaa":
            self.plotter.enable_anti_aliasing("msaa", multi_samples=MULTISAMPLES)
        # Not VTK's FXAA pass: on a software GL it cost as much as the drawing (and pyvista's
        # enable_anti_aliasing("fxaa") swaps in SSAA, 16x the drawing, under EGL and OSMesa).
        self.smooth = antialias == "fxaa"
        window = self.plotter.render_window
        window.SetAlphaBitPlanes(1)   # no pyvista API outside depth peeling: transparent pictures need alpha
        # Blending follows our back-to-front order (``_sort``); VTK's default weighted OIT only
        # approximates it, and costs 2.5 times the drawing (1280x720, llvmpipe). pyvista has no switch.
        self.plotter.renderer.SetUseOIT(False)
        if off_screen:
            window.Initialize()
            if not window.SupportsOpenGL():   # asks our own window; pyvista's check opens another
                self.plotter.close()
                raise ToolFailure("no usable OpenGL: install Mesa's EGL (libegl1) or OSMesa, or set "
                                  "VTK_DEFAULT_OPENGL_WINDOW")
        self._items: dict[str, LabelItem] = {}
        self.blocks = BlocksBatch(self.plotter)
        self.lines = LinesBatch(self.plotter, self.px)
        self.leaders = Leaders(self.plotter, self.px)       # added before any text: drawn under it
        self._overlay: list = []
        self._overlay_key = None
        self.halo = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        for item in self._items.values():
            item.remove(self.plotter)
        self._items.clear()
        self.blocks.remove()
        self.lines.remove()
        self.leaders.remove()
        self.plotter.close()

    # --- drawing --------------------------------------------------------------------------
    def draw(self, scene) -> np.ndarray:
        """Draw ``scene``; returns the picture (see ``render``)."""
        self.show(scene)
        transparent = scene.background[3] < 1
        self.plotter.render()     # a no-op before the first screenshot, which renders itself
        image = self.plotter.screenshot(transparent_background=transparent, return_img=True)
        image = image if transparent else np.ascontiguousarray(image[..., :3])
        if self.smooth:           # on the window's premultiplied colour, where blending is right
            image = smooth_edges(image)
        return _unpremultiply(image) if transparent else image

    def show(self, scene) -> None:
        """Put ``scene`` in the plotter (actors, camera, background) without drawing it."""
        self.halo = tuple(scene.background[:3]) if scene.background[3] == 1 else None
        self._sync(scene)
        self._set_camera(scene)
        self.leaders.update(scene.labels)
        self.plotter.set_background(scene.background[:3])
        # pyvista sets the background's alpha only while taking a transparent screenshot of the window.
        self.plotter.renderer.SetBackgroundAlpha(scene.background[3])

    def _sync(self, scene) -> None:
        """Update the batched meshes, and create, update or remove one item per label (matched by key)."""
        self.blocks.update(scene.blocks)
        moved = self.lines.update(scene.blocks, scene.lines)
        moved = self.blocks.order(np.asarray(scene.camera.position, dtype=float)) or moved
        if moved:
            # Translucent geometry blends in the renderer's order: the boxes last, as when each was an
            # actor sorted after the lines. pyvista cannot reorder props; moving them in the renderer's
            # own list keeps their textures (removing and adding through the plotter would free them).
            props = self.plotter.renderer.GetViewProps()
            for actor in self.blocks.actors:
                props.RemoveItem(actor)
                props.AddItem(actor)
        wanted = {"label:" + label.key: label for label in scene.labels}
        for key in [k for k in self._items if k not in wanted]:
            self._items.pop(key).remove(self.plotter)
        for key, label in wanted.items():
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = LabelItem(self)
                item.add(self.plotter)
            item.update(label)
        self._sync_overlay(scene)

    def _sync_overlay(self, scene) -> None:
        key = (scene.title, scene.title_size, scene.note, scene.note_size, scene.legend, scene.legend_row,
               scene.legend_at, scene.text_color, scene.size)
        if key == self._overlay_key:
            return
        for actor in self._overlay:
            self.plotter.remove_actor(actor, render=False)
        self._overlay = overlay_actors(scene, self.px)
        for actor in self._overlay:
            self.plotter.add_actor(actor, reset_camera=False, render=False)
        self._overlay_key = key

    def _set_camera(self, scene) -> None:
        camera, vcam = scene.camera, self.plotter.camera
        vcam.position = camera.position
        vcam.focal_point = camera.focal_point
        vcam.up = camera.up
        vcam.parallel_projection = camera.parallel_scale is not None     # the iso, front, side, top presets
        if camera.parallel_scale is not None:
            vcam.parallel_scale = camera.parallel_scale
        else:
            vcam.view_angle = camera.view_angle
        # From the scene itself: VTK's own reset can see the bounds of the previous frame.
        points = np.concatenate([geometry.blocks_corners(scene.blocks)]
                                + [path for lines in scene.lines for path in lines.paths])
        if len(points):
            eye = np.asarray(camera.position)
            forward = np.asarray(camera.focal_point) - eye
            depth = (points - eye) @ (forward / np.linalg.norm(forward))
            near, far = float(depth.min()), float(depth.max())
            margin = 0.02 * (far - near) + 1e-3 * far
            vcam.clipping_range = (max(near - margin, 1e-3 * far), far + margin)


def _unpremultiply(rgba: np.ndarray) -> np.ndarray:
    """The window holds colour premultiplied by alpha; PNG wants straight alpha."""
    alpha = rgba[..., 3:4].astype(np.float32)
    rgb = rgba[..., :3].astype(np.float32) * 255 / np.maximum(alpha, 1)
    out = np.empty(rgba.shape, np.uint8)
    out[..., :3] = np.clip(np.rint(rgb), 0, 255)
    out[..., 3:] = rgba[..., 3:]
    return out
