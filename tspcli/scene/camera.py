"""Camera presets and automatic framing (pure numpy).

Angles are given in the *display frame*: screen up is +y and the layers stack
upwards (``vertical``, TensorSpace's way) or to the right (``horizontal``).
Azimuth turns the camera about the screen-up axis from the front (+z) towards
the right; elevation lifts it.  The scene itself never rotates: a horizontal
picture is the same geometry seen by a camera turned with it.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import OptionError
from .scene import Camera

# preset -> (azimuth, elevation, vertical field of view in degrees; None: a parallel projection)
# The diagram views are parallel (orthographic), as technical drawings are: a layer's size in the
# picture does not depend on its depth, and a vector figure places each flat map by one exact
# affine map (see render.backends).  tsp is TensorSpace's perspective.
PRESETS = {
    "iso": (30.0, 25.0, None),    # oblique: slab sides and open maps both readable
    "tsp": (0.0, 0.0, 45.0),      # TensorSpace's camera: level with the model, looking along -z
    "front": (0.0, 0.0, None),
    "side": (90.0, 0.0, None),
    "top": (0.0, 90.0, None),
}
PARALLEL = tuple(name for name, (_, _, fov) in PRESETS.items() if fov is None)
DIRECTIONS = ("vertical", "horizontal")     # and "auto": whichever shows the model larger
MARGIN = 0.02       # of the picture's shorter side, kept free all round

# Rows: display-frame axes in scene coordinates.  Horizontal: the stacking axis
# (+y) points right, image rows (+z) point down, image columns (+x) away from the viewer.
_TO_DISPLAY = {
    "vertical": np.eye(3),
    "horizontal": np.array([[0.0, 1.0, 0.0], [0.0, 0.0, -1.0], [-1.0, 0.0, 0.0]]),
}


@dataclass(frozen=True)
class View:
    """Where the camera looks from; the distance is found by framing."""

    preset: str = "iso"
    azimuth: float | None = None      # None: the preset's
    elevation: float | None = None
    zoom: float = 1.0
    direction: str = "auto"

    def __post_init__(self):
        if self.preset not in PRESETS:
            raise OptionError(f"unknown camera '{self.preset}'", hint="one of " + ", ".join(PRESETS))
        if self.direction not in (*DIRECTIONS, "auto"):
            raise OptionError(f"unknown direction '{self.direction}'", hint="vertical, horizontal or auto")
        if not (self.zoom > 0 and math.isfinite(self.zoom)):
            raise OptionError(f"zoom must be a positive number, got {self.zoom}")
        if self.elevation is not None and not -90 <= self.elevation <= 90:
            raise OptionError(f"elevation must be within -90..90 degrees, got {self.elevation}")

    @property
    def angles(self) -> tuple[float, float, float | None]:
        az, el, fov = PRESETS[self.preset]
        return (az if self.azimuth is None else self.azimuth,
                el if self.elevation is None else self.elevation, fov)

    def orientation(self) -> tuple[np.ndarray, np.ndarray, float | None]:
        """(unit vector from the target to the camera, up vector, view angle or None for a parallel
        projection), in scene coordinates."""
        az, el, fov = self.angles
        a, e = math.radians(az), math.radians(el)
        toward = np.array([math.cos(e) * math.sin(a), math.sin(e), math.cos(e) * math.cos(a)])
        if abs(el) > 89.9:   # looking straight down or up: screen up is away from the azimuth
            up = np.array([-math.sin(a), 0.0, -math.cos(a)]) * np.sign(el)
        elif self.direction == "horizontal":   # roll so that the stack runs level across the picture
            right = np.array([1.0, 0.0, 0.0]) - math.cos(e) * math.sin(a) * toward
            up = np.cross(toward, right / np.linalg.norm(right))
        else:
            up = np.array([0.0, 1.0, 0.0])
        rot = _TO_DISPLAY[self.direction]
        return rot.T @ toward, rot.T @ up, fov


def basis(toward: np.ndarray, up: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(right, up, forward) unit vectors of a camera looking along -toward."""
    forward = -toward / np.linalg.norm(toward)
    right = np.cross(forward, up)
    right /= np.linalg.norm(right)
    return right, np.cross(right, forward), forward


def frame(points: np.ndarray, view: View, size: tuple[int, int], *, margin: float = MARGIN,
          extents: np.ndarray | None = None, insets: tuple[float, float, float, float] = (0, 0, 0, 0)) -> Camera:
    """The closest camera along ``view`` that shows every point inside the picture.

    ``extents`` (P, 4) reserves pixels (left, right, below, above) around each
    projected point, e.g. for its label; ``insets`` (left, right, bottom, top)
    reserves pixels at the picture's borders (title, legend); ``margin`` is a
    fraction of the smaller side kept free all round.  ``view.zoom`` narrows
    the field of view afterwards, so zoom 2 shows the middle half.
    """
    toward, up, fov = view.orientation()
    right, up, forward = basis(toward, up)
    pts = np.asarray(points, dtype=float).reshape(-1, 3)
    width, height = size
    ext = np.zeros((len(pts), 4)) if extents is None else np.asarray(extents, dtype=float)
    pad = margin * min(width, height)
    left, right_in, bottom, top = insets
    # allowed NDC interval of each point on each axis
    lo_x = -1 + 2 * (left + pad + ext[:, 0]) / width
    hi_x = 1 - 2 * (right_in + pad + ext[:, 1]) / width
    lo_y = -1 + 2 * (bottom + pad + ext[:, 2]) / height
    hi_y = 1 - 2 * (top + pad + ext[:, 3]) / height
    if np.any(lo_x >= hi_x) or np.any(lo_y >= hi_y):   # reserved space does not fit: frame the points alone
        return frame(points, view, size, margin=margin)
    X, Y, Z = pts @ right, pts @ up, pts @ forward
    span = float(max(np.ptp(X), np.ptp(Y), np.ptp(Z), 1e-6))
    if fov is None:
        ext, extremes = _grouped(ext, X, Y)

        def bounds(share):      # the NDC intervals with ``share`` of the room asked around each group of points
            room = share * ext
            return (-1 + 2 * (left + pad + room[:, 0]) / width, 1 - 2 * (right_in + pad + room[:, 1]) / width,
                    -1 + 2 * (bottom + pad + room[:, 2]) / height, 1 - 2 * (top + pad + room[:, 3]) / height)

        share = 1.0
        if _parallel_scale(extremes, bounds(1.0), width / height) is None:
            # The room asked cannot all be given (labels pushed far aside want the model both larger
            # and smaller): the largest share of it that can, so the drawing stays inside the picture.
            low, high = 0.0, 1.0
            for _ in range(20):
                mid = (low + high) / 2
                fits = _parallel_scale(extremes, bounds(mid), width / height) is not None
                low, high = (mid, high) if fits else (low, mid)
            share = low
        scale = _parallel_scale(extremes, bounds(share), width / height)
        return zoomed(_parallel_camera(extremes, Z, bounds(share), (right, up, forward), width / height, span, scale),
                      view.zoom)
    ty = math.tan(math.radians(fov) / 2)
    tx = ty * width / height

    def window(coord, lo, hi, t, cz):
        depth = Z - cz
        return np.max(coord - hi * t * depth), np.min(coord - lo * t * depth)

    def fits(cz):
        a, b = window(X, lo_x, hi_x, tx, cz)
        c, d = window(Y, lo_y, hi_y, ty, cz)
        return a <= b and c <= d

    closest, cz = float(Z.min()) - 1e-3 * span, float(Z.min()) - 1e3 * span
    for _ in range(60):   # bisection for the closest camera depth that fits; cz always fits
        mid = (closest + cz) / 2
        if fits(mid):
            cz = mid
        else:
            closest = mid
    cx = sum(window(X, lo_x, hi_x, tx, cz)) / 2
    cy = sum(window(Y, lo_y, hi_y, ty, cz)) / 2
    position = cx * right + cy * up + cz * forward
    distance = (float(Z.min()) + float(Z.max())) / 2 - cz
    focal = position + forward * distance
    camera = Camera(tuple(map(float, position)), tuple(map(float, focal)), tuple(map(float, up)), fov)
    return zoomed(camera, view.zoom)


def _grouped(ext: np.ndarray, X: np.ndarray, Y: np.ndarray):
    """(the distinct rows of ``ext``, (X max, X min, Y max, Y min) of the points asking each): points
    asking the same room bind the framing only through their extremes."""
    order = np.lexsort(ext.T[::-1])
    ranked = ext[order]
    first = np.ones(len(order), bool)
    first[1:] = np.any(ranked[1:] != ranked[:-1], axis=1)
    starts = np.flatnonzero(first)
    x, y = X[order], Y[order]
    return ranked[starts], (np.maximum.reduceat(x, starts), np.minimum.reduceat(x, starts),
                            np.maximum.reduceat(y, starts), np.minimum.reduceat(y, starts))


def _parallel_scale(extremes, bounds, aspect: float) -> float | None:
    """The smallest view (half-height S) of a parallel camera that holds every group of points in its
    allowed interval of the picture (``bounds``: NDC intervals per group, ``extremes``: see ``_grouped``),
    or None when no view does.

    A point at X lands at (X - cx) / (S * aspect) in NDC, so it fits when
    X - hi * S * aspect <= cx <= X - lo * S * aspect.  Some cx serves every
    point when each pair (i, j) has X_i - X_j <= S * aspect * (hi_i - lo_j):
    a lower bound on S where hi_i > lo_j and an upper one where a label pushed
    far aside needs the model spread out (hi_i < lo_j).  Points with the same
    interval bind only through their extremes, so pairs of groups suffice.
    """
    lo_x, hi_x, lo_y, hi_y = bounds
    x_top, x_bottom, y_top, y_bottom = extremes
    lower, upper = 0.0, np.inf
    for top, bottom, lo, hi, k in ((x_top, x_bottom, lo_x, hi_x, aspect), (y_top, y_bottom, lo_y, hi_y, 1.0)):
        need = top[:, None] - bottom[None, :]                  # X_i - X_j, at its largest per pair of groups
        room = k * (hi[:, None] - lo[None, :])
        if np.any((room == 0) & (need > 0)):
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = need / room
        lower = max(lower, float(np.max(ratio[room > 0], initial=0.0)))
        upper = min(upper, float(np.min(ratio[room < 0], initial=np.inf)))
    return lower if lower <= upper else None


def _parallel_camera(extremes, Z, bounds, axes, aspect: float, span: float, scale: float) -> Camera:
    """The parallel camera of half-height ``scale`` centred on the points' windows, in front of them all."""
    lo_x, hi_x, lo_y, hi_y = bounds
    x_top, x_bottom, y_top, y_bottom = extremes
    right, up, forward = axes
    scale = max(scale, 1e-9 * span)
    cx = (np.max(x_top - hi_x * scale * aspect) + np.min(x_bottom - lo_x * scale * aspect)) / 2
    cy = (np.max(y_top - hi_y * scale) + np.min(y_bottom - lo_y * scale)) / 2
    # Any depth in front of the model draws the same picture; far back, the distance from the eye
    # orders elements as their depth does (back-to-front sorting of translucent layers).
    cz = float(Z.min()) - 100 * span
    position = cx * right + cy * up + cz * forward
    focal = position + forward * ((float(Z.min()) + float(Z.max())) / 2 - cz)
    return Camera(tuple(map(float, position)), tuple(map(float, focal)), tuple(map(float, up)), 0.0, scale)


def half_height(camera: Camera) -> float:
    """Half the picture's height in scene units at the focal point: smaller shows the model larger."""
    if camera.parallel_scale is not None:
        return camera.parallel_scale
    distance = float(np.linalg.norm(np.subtract(camera.focal_point, camera.position)))
    return distance * math.tan(math.radians(camera.view_angle) / 2)


def zoomed(camera: Camera, zoom: float) -> Camera:
    """The same camera with its field of view narrowed ``zoom`` times (2: the middle half)."""
    if camera.parallel_scale is not None:
        return replace(camera, parallel_scale=camera.parallel_scale / zoom)
    ty = math.tan(math.radians(camera.view_angle) / 2)
    return replace(camera, view_angle=math.degrees(2 * math.atan(ty / zoom)))


def project(points: np.ndarray, camera: Camera, size: tuple[int, int]) -> np.ndarray:
    """Pixel coordinates (x right, y up from the bottom-left) of scene points."""
    return projector(camera, size)(points)


def projector(camera: Camera, size: tuple[int, int]):
    """``project`` for one camera (for callers that project many times)."""
    pos = np.asarray(camera.position, dtype=float)
    right, up, forward = _basis_of(camera)
    width, height = size
    parallel = camera.parallel_scale
    ty = parallel if parallel is not None else math.tan(math.radians(camera.view_angle) / 2)
    tx = ty * width / height

    def apply(points: np.ndarray) -> np.ndarray:
        rel = np.asarray(points, dtype=float).reshape(-1, 3) - pos
        depth = 1.0 if parallel is not None else rel @ forward
        x = (rel @ right) / (depth * tx)
        y = (rel @ up) / (depth * ty)
        return np.stack([(x + 1) * width / 2, (y + 1) * height / 2], axis=1)

    return apply


@functools.lru_cache(maxsize=64)
def _basis_of(camera: Camera) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A camera's (right, up, forward), worked out once: label placement projects thousands of times."""
    forward = np.asarray(camera.focal_point) - np.asarray(camera.position)
    return basis(-forward, np.asarray(camera.up))
