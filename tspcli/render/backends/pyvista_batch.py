"""A scene's boxes and lines as few pyvista actors: one textured mesh per atlas page, one line mesh per style.

Each actor costs about a millisecond in pyvista, and a texture its own upload
in the first Render, so a 300-layer chain drawn one actor per element spent a
second on them.  Here every Blocks element adds its quads to one mesh whose
texture is a page of ``pages`` holding every layer's texture; the opacity of
each element rides in the vertex colours' alpha, which VTK multiplies with
the texture's.  Outlines and connections of one width and (opaque or not) are
one line mesh, each polyline coloured by cell colours.

Translucent faces are blended in the order of the mesh's cells (VTK draws them
without depth writes, in one call), so the cells are ordered as the painter's
order of separate actors was: elements farthest first (by their middle), and
within one element the faces turned away from the eye first, or only the
faces turned toward it (``Blocks.faces == "front"``).  Elements whose textures
lie on different pages (only for scenes whose textures outgrow a page) are
drawn by one actor per run of consecutive elements on one page, in that order.
Per frame only what changed is handed to VTK: moved points, new cell orders,
and the pages only when the set of textures changes.
"""
from __future__ import annotations

import itertools

import numpy as np
import pyvista as pv
from vtkmodules.vtkRenderingOpenGL2 import vtkTextureObject

from ...errors import ToolFailure
from ...scene import geometry
from .pages import pack
from .pyvista_items import set_polylines, texture

PAGE_LIMIT = 16384          # texels a side at most, or less where the GL says so
MEMO_SIZE = 4096
_STAMPS = itertools.count()  # marks each array a part makes, so a run knows whether it has it (ids are reused)


class _Part:
    """What one Blocks element adds to the textured mesh, kept between frames."""

    def __init__(self):
        self.texture = self.tiles = self.plane = self.geometry = self.origin = None
        self.relative = self.points = self.tcoords = self.local_tcoords = None
        self.count, self.opacity, self.page = 0, None, None
        self.middle = np.zeros(3)

    def update(self, blocks, maps: dict, memo: dict) -> None:
        centers = np.asarray(blocks.centers, dtype=float)
        origin, relative = centers[0], centers - centers[0]
        key = (relative.tobytes(), blocks.size)
        if key != self.geometry:      # a layer that only slid along keeps its relative corners
            self.relative = _memo(memo, ("points",) + key, geometry.box_points, relative, blocks.size)
            self.middle = (relative.min(axis=0) + relative.max(axis=0)) / 2
            self.geometry, self.origin = key, None
        if self.origin is None or not np.array_equal(origin, self.origin):
            # float32 corners about the first box, then moved: the numbers a separate actor drew
            self.points, self.origin, self.points_stamp = self.relative + origin, origin, next(_STAMPS)
        count = len(centers)
        if self.tiles is not blocks.tiles or count != self.count or blocks.plane != self.plane:
            self.local_tcoords = _memo(memo, ("tcoords", np.asarray(blocks.tiles).tobytes(), count,
                                              np.asarray(blocks.side_tiles).tobytes(), blocks.plane),
                                       geometry.box_tcoords, blocks.tiles, blocks.side_tiles, blocks.plane)
            self.tiles, self.count, self.plane, self.tcoords = blocks.tiles, count, blocks.plane, None
        if self.tcoords is None or blocks.texture is not self.texture:
            page, affine = maps[id(blocks.texture)]
            tc = self.local_tcoords * affine[:, 0] + affine[:, 1]
            tc[:, 1] = 1.0 - tc[:, 1]                 # VTK's v runs up from the bottom row
            self.tcoords, self.page, self.texture = tc.astype(np.float32), page, blocks.texture
            self.tcoords_stamp = next(_STAMPS)
        self.opacity = blocks.opacity
        self.center = origin + self.middle
        self.centers, self.size, self.front_only = centers, blocks.size, blocks.faces == "front"

    def quads(self, eye: np.ndarray) -> np.ndarray:
        """This element's quads (vertex indices from 0) in drawing order for an eye at ``eye``."""
        quads = geometry.box_quads(self.count).reshape(self.count, 6, 4)
        if self.front_only:
            return quads[front_faces(eye, self.centers, self.size)]
        toward = eye - self.center
        away = [k for k, normal in enumerate(geometry.FACE_NORMALS) if float(normal @ toward) < 0]
        faces = away + [k for k in range(6) if k not in away]
        return quads[:, faces].transpose(1, 0, 2).reshape(-1, 4)


def _memo(memo: dict, key: tuple, make, *args):
    """``make(*args)`` once per key: layers of one kind share their relative corners and their tiles (a
    chain of 300 layers has a handful of each), so a first frame makes each once. Read-only results."""
    value = memo.get(key)
    if value is None:
        if len(memo) > MEMO_SIZE:
            memo.clear()
        value = memo[key] = make(*args)
        for array in (value if isinstance(value, tuple) else (value,)):
            array.flags.writeable = False
    return value


def front_faces(eye: np.ndarray, centers: np.ndarray, size) -> np.ndarray:
    """(N, 6) mask of each box's faces turned toward the eye (its plane lies between the eye and the
    box's centre): what a one-sided material shows, so each box draws one data face at most."""
    half = np.asarray(size, dtype=float) / 2
    reach = np.abs(geometry.FACE_NORMALS) @ half                  # centre to each face's plane
    return (eye - centers) @ geometry.FACE_NORMALS.T > reach


class _Run:
    """One actor: consecutive elements (in drawing order) whose textures share a page."""

    def __init__(self):
        self.mesh = pv.PolyData()
        mapper = pv.DataSetMapper(self.mesh)
        mapper.color_mode = "direct"           # the vertex colours are (1, 1, 1, opacity)
        mapper.scalar_map_mode = "point"
        self.actor = pv.Actor(mapper=mapper)
        self.actor.prop.lighting = False       # flat colours, as TensorSpace's unlit materials
        self.actor.force_translucent = True
        self.points_key = self.attributes_key = self.page = self.cells = None

    def update(self, parts: list, order: list, eye: np.ndarray, page) -> None:
        """``parts``: this run's elements in scene order (so that moving only changes the cells); ``order``
        their indices in drawing order."""
        if page is not self.page:
            self.actor.texture, self.page = page, page
        starts = np.cumsum([0] + [24 * p.count for p in parts[:-1]])
        points_key = tuple(p.points_stamp for p in parts)
        if points_key != self.points_key:
            self.mesh.points = np.concatenate([p.points for p in parts])
            self.points_key = points_key
        attributes_key = tuple((p.tcoords_stamp, p.opacity) for p in parts)
        if attributes_key != self.attributes_key:
            self.mesh.active_texture_coordinates = np.concatenate([p.tcoords for p in parts])
            alpha = np.concatenate([np.full(24 * p.count, round(255 * p.opacity), np.uint8) for p in parts])
            rgba = np.full((len(alpha), 4), 255, np.uint8)
            rgba[:, 3] = alpha
            self.mesh.point_data.set_scalars(rgba, "rgba")
            self.attributes_key = attributes_key
        cells = np.concatenate([parts[i].quads(eye) + starts[i] for i in order])
        if self.cells is None or not np.array_equal(cells, self.cells):
            self.mesh.regular_faces = self.cells = cells


class BlocksBatch:
    """Every Blocks element of the scene as one textured actor per page (see the module's note)."""

    def __init__(self, plotter):
        self.plotter = plotter
        self.parts: dict[str, _Part] = {}
        self.runs: list[_Run] = []
        self.textures: tuple = ()          # the texture objects packed (held, so their ids stay theirs)
        self.pages, self.maps = [], {}
        self.memo: dict = {}
        # the GL's limit once a context exists (a window not yet shown has none: answers 0 or -1)
        gl_limit = vtkTextureObject.GetMaximumTextureSize(plotter.render_window)
        self.limit = min(PAGE_LIMIT, gl_limit) if gl_limit > 0 else PAGE_LIMIT

    @property
    def actors(self) -> list:
        return [run.actor for run in self.runs]

    def update(self, blocks_list: list) -> None:
        textures = tuple({id(b.texture): b.texture for b in blocks_list}.values())
        if tuple(map(id, textures)) != tuple(map(id, self.textures)):
            try:
                images, maps = pack([t.image for t in textures], self.limit) if textures else ([], [])
            except ValueError as error:
                raise ToolFailure(str(error)) from None
            window = self.plotter.render_window
            self.pages = [texture(window, image) for image in images]
            self.maps = {id(t): (self.pages[p], affine) for t, (p, affine) in zip(textures, maps)}
            self.textures = textures
            for part in self.parts.values():
                part.tcoords = None
        wanted = {}
        for blocks in blocks_list:
            part = wanted[blocks.key] = self.parts.get(blocks.key) or _Part()
            part.update(blocks, self.maps, self.memo)
        self.parts = wanted

    def order(self, eye: np.ndarray) -> bool:
        """Put the cells in drawing order for ``eye``; True when the actors changed (added or removed)."""
        parts = list(self.parts.values())
        distance = [-float(np.linalg.norm(p.center - eye)) for p in parts]
        drawn = sorted(range(len(parts)), key=distance.__getitem__)
        groups = []                                        # runs of consecutive elements on one page
        for i in drawn:
            if groups and parts[groups[-1][0]].page is parts[i].page:
                groups[-1].append(i)
            else:
                groups.append([i])
        changed = len(groups) != len(self.runs)
        while len(self.runs) > len(groups):
            self.plotter.remove_actor(self.runs.pop().actor, render=False)
        while len(self.runs) < len(groups):
            self.runs.append(_Run())
            self.plotter.add_actor(self.runs[-1].actor, reset_camera=False, render=False)
        for run, group in zip(self.runs, groups):
            members = sorted(group)
            rank = {index: k for k, index in enumerate(members)}
            run.update([parts[i] for i in members], [rank[i] for i in group], eye, parts[group[0]].page)
        return changed

    def remove(self) -> None:
        for run in self.runs:
            self.plotter.remove_actor(run.actor, render=False)
        self.runs = []


class LinesBatch:
    """Outlines of boxes and connections: one actor per (width, opaque or not), coloured per polyline."""

    def __init__(self, plotter, px: float):
        self.plotter, self.px = plotter, px
        self.groups: dict[tuple, tuple] = {}      # (width, opaque) -> (actor, mesh, key)
        self.edges: dict[str, tuple] = {}         # cached outlines: key -> (geometry key, points, segments)
        self.memo: dict = {}

    @property
    def actors(self) -> list:
        return [actor for actor, _, _ in self.groups.values()]

    def update(self, blocks_list: list, lines_list: list) -> bool:
        """True when actors were added or removed."""
        styles = {}            # (width, opaque) -> [(key, points, polylines, rgba)]
        edges = {}
        for blocks in blocks_list:
            if blocks.edge is None:
                continue
            centers = np.asarray(blocks.centers, dtype=float)
            key = (blocks.key, centers.tobytes(), blocks.size, blocks.edge, blocks.opacity)
            cached = self.edges.get(blocks.key)
            if cached is None or cached[0][1:3] != key[1:3]:
                relative = centers - centers[0]
                relative, segments = _memo(self.memo, ("edges", relative.tobytes(), blocks.size),
                                           geometry.box_edges, relative, blocks.size)
                cached = (key, relative + centers[0], segments)
            edges[blocks.key] = (key,) + cached[1:]
            styles.setdefault((1.0, blocks.opacity >= 1), []).append((key, *cached[1:], (*blocks.edge, blocks.opacity)))
        self.edges = edges
        for lines in lines_list:
            if lines.paths:
                key = (tuple(p.tobytes() for p in lines.paths), lines.color)
                starts = np.cumsum([0] + [len(p) for p in lines.paths[:-1]])
                paths = [np.arange(s, s + len(p))[None] for s, p in zip(starts, lines.paths)]
                styles.setdefault((lines.width, lines.color[3] >= 1), []).append(
                    (key, np.concatenate(lines.paths), paths, lines.color))
        changed = False
        for style in [s for s in self.groups if s not in styles]:
            self.plotter.remove_actor(self.groups.pop(style)[0], render=False)
            changed = True
        for style, items in styles.items():
            if style not in self.groups:
                self.groups[style] = self._actor(*style) + (None,)
                changed = True
            actor, mesh, key = self.groups[style]
            keys = [item[0] for item in items]
            if keys != key:
                set_polylines(mesh, [item[1:] for item in items])
                self.groups[style] = (actor, mesh, keys)
        return changed

    def _actor(self, width: float, opaque: bool) -> tuple:
        mesh = pv.PolyData()
        mapper = pv.DataSetMapper(mesh)
        mapper.color_mode = "direct"
        mapper.scalar_map_mode = "cell"
        actor = pv.Actor(mapper=mapper)
        actor.prop.lighting = False
        actor.prop.line_width = width * self.px
        # drawn with the opaque geometry (writing depth) or, faded, with the translucent: as a separate actor was
        actor.force_opaque, actor.force_translucent = opaque, not opaque
        self.plotter.add_actor(actor, reset_camera=False, render=False)
        return actor, mesh

    def remove(self) -> None:
        for actor, _, _ in self.groups.values():
            self.plotter.remove_actor(actor, render=False)
        self.groups = {}
