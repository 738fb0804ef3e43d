"""`tspcli render`: the model in 3D, shaded by what an input produces, to a PNG or an animation."""
from __future__ import annotations

import click

from ..render.options import CAMERAS, DIRECTIONS, FOLDS, HELP, NORMALIZE
from ..scene.timeline import EASINGS
from ..text import echo
from .common import (input_shape_option, load_model, max_memory_option, model_argument, show_all_option,
                     skip_unknown_option)
from .predict import init_option, input_option, preprocess_option

# Render options and their choices are described once, in render/options.py, for the command line,
# config files and the Python API.


@click.command("render")
@model_argument
@click.option("-o", "--output", metavar="FILE",
              help="A picture (.png), a vector figure (.svg, .pdf), a 3D file (.glb, .gltf), or an animation: "
                   ".mp4, .gif, a folder/ or a "
                   "pattern like out_%04d.png; - writes a PNG to stdout.")
@click.option("--interactive", is_flag=True,
              help="Open the model in a window to turn with the mouse (needs a display) instead of writing -o.")
@click.option("--config", "config", metavar="FILE",
              help="Render options from a YAML file (e.g. configs/paper.yaml); flags override it.")
@click.option("--open", "open_", metavar="NAMES|all", help=HELP["open"])
@input_option
@preprocess_option
@click.option("--values/--no-values", default=None, help=HELP["values"])
@click.option("--camera", type=click.Choice(CAMERAS), default=None, help=HELP["camera"])
@click.option("--azimuth", type=float, default=None, help=HELP["azimuth"])
@click.option("--elevation", type=float, default=None, help=HELP["elevation"])
@click.option("--zoom", type=float, default=None, help=HELP["zoom"])
@click.option("--direction", type=click.Choice(DIRECTIONS), default=None, help=HELP["direction"])
@click.option("--size", metavar="WxH", default=None, help=HELP["size"])
@click.option("--scale", type=float, default=None, help=HELP["scale"])
@click.option("--background", metavar="COLOUR", default=None, help=HELP["background"])
@click.option("--colormap", metavar="NAME", default=None, help=HELP["colormap"])
@click.option("--normalize", type=click.Choice(NORMALIZE), default=None, help=HELP["normalize"])
@click.option("--no-labels", "labels", flag_value=False, default=None, help=HELP["labels"])
@click.option("--labels", "class_labels", metavar="FILE", help=HELP["class_labels"])
@click.option("--close-buttons/--no-close-buttons", default=None, help=HELP["close_buttons"])
@click.option("--legend/--no-legend", default=None, help=HELP["legend"])
@click.option("--title", metavar="TEXT", default=None, help=HELP["title"])
@click.option("--text-scale", type=float, default=None, help=HELP["text_scale"])
@click.option("--rows", metavar="N|auto", default=None, help=HELP["rows"])
@click.option("--links", metavar="LAYER[:MAP],...", default=None, help=HELP["links"])
@click.option("--explain-maps", type=int, default=None, metavar="N", help=HELP["explain_maps"])
@click.option("--crop/--no-crop", default=None, help=HELP["crop"])
@click.option("--boxes", "boxes", metavar="FILE.json", default=None, help=HELP["boxes"])
@click.option("--vector-cells", "vector_cells", is_flag=True, default=None, help=HELP["vector_cells"])
@click.option("--seed", type=int, default=None, help=HELP["seed"])
@init_option
@click.option("--fold", type=click.Choice(FOLDS), default=None, help=HELP["fold"])
@click.option("--animate", metavar="STEPS", help=HELP["timeline"])
@click.option("--fps", type=float, default=None, help=HELP["fps"])
@click.option("--quality", type=int, default=None, metavar="CRF", help=HELP["quality"])
@click.option("--easing", type=click.Choice(list(EASINGS)), default=None, help=HELP["easing"])
@click.option("--antialias", type=click.Choice(["fxaa", "none"]), default=None, help=HELP["antialias"])
@click.option("-q", "--quiet", is_flag=True, help="No progress bar (there is none when stderr is not a terminal).")
@click.option("--overwrite", is_flag=True,
              help="Frames: replace a folder/ holding other things, or every file matching a pattern "
                   "(refused otherwise; an earlier run's frames folder is always replaced).")
@max_memory_option
@skip_unknown_option
@show_all_option
@input_shape_option
def command(model, output, interactive, config, open_, input_path, preprocess, values, camera, azimuth, elevation,
            zoom, direction, size, scale, background, colormap, normalize, labels, class_labels, close_buttons,
            legend, title, text_scale, rows, crop, boxes, links, explain_maps, vector_cells, seed, init, fold,
            animate, fps, quality, easing, antialias, quiet, overwrite, max_memory):
    """Draw MODEL in 3D (TensorSpace's look) to a PNG, or animate it, offscreen.

    Each layer is a slab in its type's colour; opened layers show their
    feature maps for an input (--input, else a built-in sample).  An .mp4,
    .gif or frames/ output plays --animate (or the timeline of the description
    or config).  Examples:

    \b
        tspcli render samples/mobilenet_v1.yaml -o mobilenet.png --open conv_dw_1
        tspcli render samples/lenet.yaml -o lenet.png --config configs/paper.yaml
        tspcli render samples/lenet.yaml -o lenet.pdf --config configs/paper-vector.yaml
        tspcli render samples/mobilenet_v1.yaml -o open.mp4 --config configs/video.yaml --animate open:conv_dw_1
        tspcli render samples/lenet.yaml -o lenet.gif --animate open-all --size 480x270 --fps 15
    """
    from ..atomic import check_writable, install_sigterm_handler
    from ..errors import OptionError
    from ..render.options import resolve
    from ..render.writers import check_stdout, output_kind

    install_sigterm_handler()
    if (output is None) == (not interactive):
        raise click.UsageError("give -o FILE, or --interactive to open a window (not both)")
    if interactive:
        from ..render.backends.offscreen import has_display

        if not has_display():
            raise OptionError("no display to open a window on ($DISPLAY is not set)",
                              hint="write a file instead: -o model.png, or -o model.glb for a 3D viewer")
    elif output == "-":
        check_stdout(animate)
    elif output_kind(output) in ("png", "mp4", "gif", "scene"):
        check_writable(output)
    options = resolve(config, {
        "open": open_, "input": input_path, "preprocess": preprocess, "values": values, "camera": camera,
        "azimuth": azimuth, "elevation": elevation, "zoom": zoom, "direction": direction, "size": size,
        "scale": scale, "background": background, "colormap": colormap, "normalize": normalize,
        "labels": labels, "class_labels": class_labels, "close_buttons": close_buttons, "legend": legend,
        "title": title, "text_scale": text_scale, "rows": rows, "crop": crop, "boxes": boxes, "seed": seed,
        "init": init, "fold": fold, "links": links, "explain_maps": explain_maps, "vector_cells": vector_cells,
        "timeline": animate, "fps": fps, "quality": quality, "easing": easing, "antialias": antialias})
    from ..io.class_names import names_for_model
    from ..render.opengl import require
    from ..render.pipeline import render_file

    if options.boxes is not None:
        check_writable(options.boxes)
    if output is None or output == "-" or output_kind(output) != "scene":   # .glb, .svg, .pdf need no OpenGL
        require()   # a machine without offscreen OpenGL: one line saying what to install, not a segfault
    m = load_model(model, max_memory, options.input, options.input_shape)
    names_for_model(options.class_labels, m)     # a bad names file fails before any work
    if interactive:
        from ..render.pipeline import plot

        plot(m, options, off_screen=False).show()
        return
    render_file(m, output, options, quiet=quiet, from_flag=animate is not None,
                config=config, overwrite=overwrite, warn=lambda text: echo(f"tspcli: warning: {text}", err=True))
