"""What is drawn: plain geometry, textures and text; no rendering library here.

A ``Scene`` is a pure function of (model, state) built by ``scene.layout`` and
drawn by a backend (``render.backends``).  Every element carries a stable ``key``
(the layer name and a part) so that a backend can keep one actor per element
between frames and only update what changed: positions, sizes, opacity.

Coordinates follow TensorSpace: layers stack along +y with the input at the
bottom, feature maps lie in the x-z plane, image rows run along +z and image
columns along +x.  Horizontal stacking is a camera choice, not other geometry.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

RGB = tuple[float, float, float]
RGBA = tuple[float, float, float, float]
Vec3 = tuple[float, float, float]


@dataclass(frozen=True, eq=False)
class Texture:
    """An RGBA uint8 image with straight (not premultiplied) alpha, row 0 at the top.

    Compared by identity: the same object means the same pixels, so a backend
    uploads it once and reuses it while the object stays in the scene.
    """

    key: str
    image: np.ndarray


@dataclass(eq=False)
class Blocks:
    """N equal axis-aligned boxes drawn as one mesh.

    This one primitive draws feature maps, closed slabs, bars of units,
    output cubes, image plates and close buttons.  The two faces across the
    ``plane`` (along y by default) show the box's tile of ``texture``; the
    faces across the other axes show the tiles ``side_tiles[0]`` and
    ``side_tiles[1]``, in x, y, z order (flat colours baked into the texture,
    shaded, so that slabs read as solids without lights).
    """

    key: str
    centers: np.ndarray            # (N, 3)
    size: Vec3                     # extent along x, y, z
    texture: Texture
    tiles: np.ndarray              # (N, 4): u0, v0, u1, v1 of each box's y faces, v = 0 at the top row
    side_tiles: np.ndarray         # (2, 4): tiles of the x faces and of the z faces
    edge: RGB | None = None        # outline colour of each box, None for none
    opacity: float = 1.0           # multiplies the texture's alpha (fading)
    # Which faces are drawn: "all", or "front": only those turned toward the camera, as TensorSpace's
    # one-sided materials do; a translucent box then shows one data face, not two whose opacities stack
    # (on black, the lowest value is drawn at minOpacity x colour, not at 1 - (1 - minOpacity)^2).
    faces: str = "all"
    # The signed scene axes of the texture's columns and rows (downward): the data faces are the two
    # across the third axis.  TensorSpace's layer plane by default; open maps may face the camera.
    plane: tuple[str, str] = ("+x", "+z")


@dataclass(eq=False)
class Lines:
    """Polylines of one colour: connections between layers."""

    key: str
    paths: list[np.ndarray]        # each (M, 3)
    color: RGBA
    width: float                   # pixels at scale 1


@dataclass(frozen=True)
class Label:
    """Horizontal text tied to a point of the scene, at a constant pixel size.

    The text's attachment point is ``offset`` pixels from the anchor's place
    in the picture: its left or right end (vertically centred) for those
    alignments; for ``center``, the middle of its top edge when the offset
    points down (or is zero) and of its bottom edge when it points up.
    ``leader``: a thin line from this point (pixels from the anchor) to the
    attachment point, tying a label set further out to its layer.
    """

    key: str
    text: str
    anchor: Vec3
    size: float                    # font size in pixels at scale 1
    color: RGB
    align: str = "left"            # left | center | right, relative to the anchor
    offset: tuple[float, float] = (0.0, 0.0)   # pixels at scale 1 (right, up)
    bold: bool = False
    leader: tuple[float, float] | None = None


@dataclass(frozen=True)
class LegendEntry:
    """A layer type and its colour; ``ramp`` (RGBA tuples, lowest value first): how its values are shaded."""

    text: str
    color: RGB
    ramp: tuple = ()


@dataclass(frozen=True, eq=False)
class ShadingKey:
    """How values were turned into colour: ``low`` [ramp] ``high`` ``title``, e.g. "min [ramp] max value of
    each feature map"; the ramp shows the shading of a neutral colour, each type's swatch its own."""

    title: str
    ramp: np.ndarray               # (K, 4) RGBA in 0..1, low to high
    low: str
    high: str


@dataclass(frozen=True)
class Legend:
    entries: tuple[LegendEntry, ...]
    shading: ShadingKey | None
    size: float                    # font size in pixels at scale 1


@dataclass(frozen=True)
class Camera:
    """A perspective camera (``view_angle``: the vertical field of view in degrees), or a parallel
    one when ``parallel_scale`` (half the picture's height in scene units) is given."""

    position: Vec3
    focal_point: Vec3
    up: Vec3
    view_angle: float
    parallel_scale: float | None = None


@dataclass(eq=False)
class Scene:
    blocks: list[Blocks]
    lines: list[Lines]
    labels: list[Label]
    camera: Camera
    background: RGBA               # alpha 0: a transparent picture
    text_color: RGB
    legend: Legend | None = None
    legend_row: bool = False       # a row along the bottom instead of a column at the top left
    title: str | None = None       # drawn at the top centre
    title_size: float = 24.0       # pixels at scale 1
    size: tuple[int, int] = (1920, 1080)   # pixels at scale 1
    note: str | None = None        # a remark at the top right, e.g. that some labels were left out
    note_size: float = 14.0        # pixels at scale 1
    meta: dict = field(default_factory=dict)
    legend_at: tuple[float, float] | None = None   # the legend's top left, pixels from the picture's; None: corner
