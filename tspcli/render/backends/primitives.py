"""What a vector figure is made of: filled polygons, placed images and polylines, in pixels (pure).

Pixels at scale 1, x right and y up from the picture's bottom-left corner
(as ``scene.camera.project``).  A face's corners come in the order
(s, t) = (0, 0), (1, 0), (1, 1), (0, 1), where s runs along an image's columns
and t along its rows from row 0.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Fill:
    """Polygons of one colour, each (K, 2)."""

    polygons: list
    color: tuple                 # RGBA 0..1


@dataclass
class Picture:
    """An RGBA image whose unit square (s right, t towards the image's last row) ``matrix`` (2, 3) maps to pixels."""

    image: np.ndarray            # (h, w, 4) uint8, straight alpha, row 0 first
    matrix: np.ndarray
    opacity: float
    name: str


@dataclass
class Stroke:
    """Polylines of one colour and width, each (M, 2)."""

    paths: list
    color: tuple                 # RGBA 0..1
    width: float                 # pixels at scale 1


def bilinear(corners: np.ndarray, st: np.ndarray) -> np.ndarray:
    """Points at (s, t) of a face given by its four corners (3-D: a rectangle, so this is exact; project after)."""
    s, t = st[:, :1], st[:, 1:]
    p0, p1, p2, p3 = corners
    return (1 - s) * (1 - t) * p0 + s * (1 - t) * p1 + s * t * p2 + (1 - s) * t * p3


def affine(corners: np.ndarray) -> np.ndarray:
    """The least-squares affine map of the unit square's corners (0, 0), (1, 0), (1, 1), (0, 1) onto ``corners``."""
    p0, p1, p2, p3 = corners
    ds, dt = (p1 + p2 - p0 - p3) / 2, (p2 + p3 - p0 - p1) / 2
    origin = (p0 + p1 + p2 + p3) / 4 - (ds + dt) / 2
    return np.column_stack([ds, dt, origin])
