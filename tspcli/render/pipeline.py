"""Model + render options -> picture, animation or 3D file: the one path `tspcli render`, batch and Python share.

    import tspcli
    tspcli.render_file("samples/mobilenet_v1.yaml", "out.png", open="conv_dw_1", background="white")
    image = tspcli.render_image(model, size=(800, 450))     # (H, W, 3) uint8
    plotter = tspcli.plot(model, open="all")                 # a pyvista.Plotter, not yet shown

Options are those of ``RenderOptions`` (render/options.py documents each once),
given as a ``RenderOptions`` or as keywords with the command line's values
(``size="800x450"``, ``open="all"``); they are checked as the command line's are.
"""
from __future__ import annotations

from typing import Callable

from ..errors import OptionError
from ..scene.camera import PARALLEL
from ..scene.layout import SceneBuilder
from .scene_inputs import drawn_model, look_from, opened_state
from .options import RenderOptions


def options_from(options: RenderOptions | None = None, **given) -> RenderOptions:
    """``options`` (default: the defaults) with the keyword options ``given`` applied and checked."""
    base = options if options is not None else RenderOptions()
    return base.updated(given) if given else base


def compute_values(model, options: RenderOptions) -> dict[str, str]:
    """Forward pass for ``options.input`` (else the built-in sample of the input's shape).

    Returns the layers left without values and why (e.g. a layer given by its
    shape only); those are drawn in flat colours.
    """
    from ..io.inputs import model_inputs

    model.predict(model_inputs(model, options.input, options.preprocess), seed=options.seed, init=options.init,
                  strict=False)
    return dict(model.uncomputed)


def build_scene(model, options: RenderOptions):
    """The still's Scene of ``model`` (values as they are: see ``compute_values``)."""
    shown = drawn_model(model, options)
    builder = SceneBuilder(shown, look_from(options, model))
    return builder.build(opened_state(shown, options))


def _loaded(model, max_memory: int | None):
    if isinstance(model, str) or hasattr(model, "__fspath__"):
        from ..loading import load

        return load(str(model), max_memory=max_memory) if max_memory else load(str(model))
    return model


def render_image(model, options: RenderOptions | None = None, *, raster=None, max_memory: int | None = None,
                 **given):
    """The picture of ``model`` (a Model or a path): (H, W, 3) uint8, or RGBA on a transparent background.

    Computes the values first unless ``values=False`` (or the model already has
    them: pass ``values=False`` after your own ``model.predict``).  ``raster``:
    a raster backend of the options' size and scale kept between pictures
    (``backends.open_raster``; its window and compiled shaders are half the
    cost of a small picture); else a fresh one.
    """
    options = options_from(options, **given)
    model = _loaded(model, max_memory)
    if options.values:
        compute_values(model, options)
    return render_still(model, options, raster)[0]


def render_still(model, options: RenderOptions, raster=None):
    """(picture, ``scene.boxes.Boxes`` of where everything was drawn in it) of ``model`` as it is;
    ``options.crop`` trims both to the drawing plus a small margin.  ``raster`` as for ``render_image``."""
    from ..scene.boxes import crop_box, scene_boxes
    from .backends import open_raster
    from .writers import crop

    scene = build_scene(model, options)
    if raster is not None:
        frame = raster.draw(scene)
    else:
        with open_raster(options.size, options.scale) as fresh:
            frame = fresh.draw(scene)
    boxes = scene_boxes(scene).scaled(frame.shape[1] / scene.size[0])
    if options.crop:
        box = crop_box(boxes)
        frame, boxes = crop(frame, box), boxes.cropped(box)
    return frame, boxes


def render_file(model, output: str, options: RenderOptions | None = None, *, quiet: bool = True,
                from_flag: bool = False, config: str | None = None, overwrite: bool = False, raster=None,
                max_memory: int | None = None, warn: Callable[[str], None] | None = None, **given) -> list[str]:
    """Render ``model`` (a Model or a path) into ``output``; returns the warnings (layers without values).

    The output's name decides what is written: ``.png`` (or ``-``, stdout) a
    still; ``.svg``/``.pdf`` the still as a vector figure; ``.glb``/``.gltf``
    (and other scene formats, see ``backends``) the still's scene as a 3D file; ``.mp4``, ``.gif``, ``folder/`` or
    ``out_%04d.png`` the ``timeline`` option's steps, else the description's.
    Bad options or steps fail before the forward pass; the file appears only
    when complete.  ``warn`` is called with each warning as soon as it is known;
    ``from_flag``/``config`` only say where the timeline came from in errors;
    ``overwrite`` lets frames replace a folder or pattern files that are not an
    earlier run's.
    """
    from .backends import draws_picture, file_backend, preload_raster
    from .writers import check_output, check_stdout, output_kind

    options = options_from(options, **given)
    if output == "-":
        check_stdout(options.timeline if from_flag else None)
    scene_writer = None if output == "-" else file_backend(output)
    if scene_writer is not None and from_flag:
        raise OptionError(f"'{output}' holds the model in one state, not an animation",
                          hint="leave out --animate, or write .mp4, .gif or a folder/")
    figure = scene_writer is not None and draws_picture(output)
    still = output == "-" or scene_writer is not None or (output_kind(output) == "png" and not from_flag)
    if options.boxes is not None and (not still or (scene_writer is not None and not figure)):
        raise OptionError("--boxes describes a still picture", hint="render a .png, .svg or .pdf, or leave "
                                                                    "--boxes out")
    if figure:
        check_vector(options)
    if scene_writer is None and raster is None:
        preload_raster()
    model = _loaded(model, max_memory)
    if options.links:
        from ..scene.annotate import check_links

        check_links(model, options.links)
    timeline = None
    if not still:   # bad steps or outputs fail before the forward pass
        from .animation import timeline_for

        timeline = timeline_for(model, options, from_flag=from_flag, config=config)
        check_output(output, fps=options.fps, quality=options.quality, total=len(timeline.frame_times(options.fps)),
                     overwrite=overwrite)
    warnings = []
    if options.values:
        for name, reason in compute_values(model, options).items():
            warnings.append(f"layer '{name}' has no values: {reason}")
            if warn is not None:
                warn(warnings[-1])
    if timeline is not None:
        from .animation import write_animation

        write_animation(model, options, output, timeline, quiet=quiet, overwrite=overwrite)
    elif figure:
        from .writers import write_json

        drawn = write_figure(scene_writer, build_scene(model, options), options, output)
        if options.boxes:
            write_json(drawn.as_json(), options.boxes)
    elif scene_writer is not None:
        scene_writer.write_scene(build_scene(model, options), output, options.scale)
    else:
        from .writers import write_json, write_png

        frame, drawn = render_still(model, options, raster)
        write_png(frame, output)
        if options.boxes:
            write_json(drawn.as_json(), options.boxes)
    return warnings


def check_vector(options: RenderOptions) -> None:
    """A vector figure is drawn with a parallel camera: fail before any work for another."""
    if options.camera not in PARALLEL:
        raise OptionError(f"a vector figure (.svg, .pdf) is drawn with a parallel camera: --camera "
                          f"{', '.join(PARALLEL)}, not {options.camera}",
                          hint="tsp's perspective bends flat maps out of shape for an image; write a .png")


def write_figure(writer, scene, options: RenderOptions, output: str):
    """``scene`` as a vector figure by the backend module ``writer``, cropped as ``options.crop`` says;
    returns its ``scene.boxes.Boxes``, in points of the figure (its pixels when rasterised at 72 dpi)."""
    from ..scene.boxes import crop_box, scene_boxes

    boxes = scene_boxes(scene).scaled(options.scale)
    box = None
    if options.crop:
        box = crop_box(boxes)
        boxes = boxes.cropped(box)
    writer.write_scene(scene, output, options.scale, crop=box, cells=options.vector_cells)
    return boxes


def plot(model, options: RenderOptions | None = None, *, off_screen: bool | None = None,
         max_memory: int | None = None, **given):
    """A ``pyvista.Plotter`` holding the still's scene of ``model``, not yet shown.

    Show it (``.show()``, with any of pyvista's Jupyter backends), turn it, add
    actors or take screenshots as with any Plotter.  ``off_screen``: pyvista's
    choice by default; True for a Plotter without a window.
    """
    from .backends import pyvista_raster

    options = options_from(options, **given)
    model = _loaded(model, max_memory)
    if options.values:
        compute_values(model, options)
    raster = pyvista_raster.PyvistaRaster(options.size, options.scale, off_screen=off_screen)
    raster.show(build_scene(model, options))
    return raster.plotter
