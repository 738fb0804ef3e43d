"""Model + render options -> picture: the steps `tspcli render` runs, usable from Python.

    m = tspcli.load("samples/mobilenet_v1.yaml")
    opts = RenderOptions(open=("conv_dw_1",), background="white")
    compute_values(m, opts)
    write_png(render_model(m, opts), "out.png")
    write_vector(m, opts, "out.pdf")            # or .svg: the same picture as vectors
"""
from __future__ import annotations

from ..errors import OptionError
from ..scene.camera import PARALLEL, View
from ..scene.layout import Look, SceneBuilder, initial_state
from .options import RenderOptions


def compute_values(model, options: RenderOptions) -> dict[str, str]:
    """Forward pass for ``options.input`` (else the built-in sample of the input's shape).

    Returns the layers left without values and why (e.g. a layer given by its
    shape only); those are drawn in flat colours.
    """
    from ..commands.predict import model_inputs

    model.predict(model_inputs(model, options.input, options.preprocess), seed=options.seed, strict=False)
    return dict(getattr(model, "uncomputed", {}))


def look_from(options: RenderOptions, model) -> Look:
    background = options.background or (getattr(model, "options", None) or {}).get("color", {}).get("background")
    return Look(size=options.size, background=background or "black", colormap=options.colormap,
                normalize=options.normalize, labels=options.labels, legend=options.legend, title=options.title,
                text_scale=options.text_scale, rows=options.rows)


def view_from(options: RenderOptions) -> View:
    return View(options.camera, options.azimuth, options.elevation, options.zoom, options.direction)


def build_scene(model, options: RenderOptions):
    """The Scene (pure data) of ``model`` as ``options`` say: what every backend draws."""
    builder = SceneBuilder(model, look_from(options, model))
    return builder.build(initial_state(model, options.open, view_from(options)))


def render_model(model, options: RenderOptions, renderer=None):
    """The picture of ``model`` as ``options`` say: (H, W, 3) uint8, or RGBA on a transparent background.

    ``renderer``: a ``vtk_backend.Renderer`` of the options' size and scale to draw
    with, kept between pictures (its window and compiled shaders are half the
    cost of a small render); else a fresh one.
    """
    return render_still(model, options, renderer)[0]


def render_still(model, options: RenderOptions, renderer=None):
    """(picture, ``scene.boxes.Boxes`` of where everything was drawn in it); ``options.crop`` trims both
    to the drawing plus a small margin.  ``renderer`` as for ``render_model``."""
    from ..scene.boxes import crop_box, scene_boxes
    from . import vtk_backend
    from .writers import crop

    scene = build_scene(model, options)
    frame = renderer.render(scene) if renderer is not None else vtk_backend.render(scene, options.scale)
    boxes = scene_boxes(scene).scaled(frame.shape[1] / scene.size[0])
    if options.crop:
        box = crop_box(boxes)
        frame, boxes = crop(frame, box), boxes.cropped(box)
    return frame, boxes


def check_vector(options: RenderOptions) -> None:
    """A vector figure is drawn with a parallel camera: fail before any work for another."""
    if options.camera not in PARALLEL:
        raise OptionError(f"a vector figure (.svg, .pdf) is drawn with a parallel camera: --camera "
                          f"{', '.join(PARALLEL)}, not {options.camera}",
                          hint="tsp's perspective bends flat maps out of shape for an image; write a .png")


def write_vector(model, options: RenderOptions, path: str):
    """``model`` as ``options`` say, drawn as vectors to ``path`` (.svg or .pdf, by its extension);
    returns the ``scene.boxes.Boxes`` of the figure, in its points (pixels when rasterised at 72 dpi)."""
    import os

    from ..scene.boxes import crop_box, scene_boxes
    from .backends import vector

    check_vector(options)
    scene = build_scene(model, options)
    boxes = scene_boxes(scene).scaled(options.scale)
    box = None
    if options.crop:
        box = crop_box(boxes)
        boxes = boxes.cropped(box)
    kind = os.path.splitext(path)[1].lower()[1:]
    vector.write(scene, path, kind, options.scale, options.vector_cells, crop=box)
    return boxes
