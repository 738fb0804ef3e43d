"""Render options -> what the scene builder takes: the look, the camera's view, the pose of a still
and the model as drawn (folded).  Shared by stills and animations (pipeline, animation)."""
from __future__ import annotations

from ..io.class_names import names_for_model
from ..scene.annotate import with_links_open
from ..scene.camera import View
from ..scene.layout import Look, Pose, initial_state
from .options import RenderOptions


def look_from(options: RenderOptions, model) -> Look:
    background = options.background or (getattr(model, "options", None) or {}).get("color", {}).get("background")
    return Look(size=options.size, background=background or "black", colormap=options.colormap,
                normalize=options.normalize, labels=options.labels, legend=options.legend, title=options.title,
                text_scale=options.text_scale, rows=options.rows, links=options.links,
                class_names=names_for_model(options.class_labels, model), close_buttons=options.close_buttons)


def view_from(options: RenderOptions) -> View:
    return View(options.camera, options.azimuth, options.elevation, options.zoom, options.direction)


def drawn_model(model, options: RenderOptions, named=frozenset()):
    """What is drawn: ``model`` with element-wise layers folded into the layer before them
    (``options.fold``, tspcli.scene.folding), except layers the user names: in ``--open`` or
    ``--links``, in a view's list, or ``named`` by a timeline's steps."""
    from ..scene.folding import fold

    keep = set(named) | set(getattr(model, "named_in_view", ()))
    keep |= {request.layer for request in options.links or ()}
    if options.open not in (None, "all"):
        keep |= set(options.open)
    return fold(model, options.fold, keep)


def opened_state(model, options: RenderOptions) -> Pose:
    """The still's state: layers open as ``options.open`` and initStatus say, and every linked layer with its input."""
    return initial_state(model, with_links_open(model, options.links, options.open), view_from(options))
