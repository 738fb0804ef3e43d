"""`tspcli render`: the model in 3D, shaded by what an input produces, to a PNG or an animation."""
from __future__ import annotations

import click

from ..text import echo
from .common import (input_shape_option, load_model, max_memory_option, model_argument, show_all_option,
                     skip_unknown_option)
from .predict import init_option, input_option, preprocess_option

CAMERAS = ["iso", "tsp", "front", "side", "top"]


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
@click.option("--open", "open_", metavar="NAMES|all",
              help="Layers to open into their feature maps: comma-separated names, or all.")
@input_option
@preprocess_option
@click.option("--values/--no-values", default=None,
              help="Shade layers by their values for the input (default), or draw the architecture only.")
@click.option("--camera", type=click.Choice(CAMERAS), default=None,
              help="Camera preset: iso (default), tsp (TensorSpace's view), front, side, top.")
@click.option("--azimuth", type=float, default=None, help="Degrees around the model (overrides the preset).")
@click.option("--elevation", type=float, default=None, help="Degrees above the model, -90..90.")
@click.option("--zoom", type=float, default=None, help="Magnify the framed picture (2: the middle half).")
@click.option("--direction", type=click.Choice(["auto", "vertical", "horizontal"]), default=None,
              help="Stack layers upwards (TensorSpace) or left to right; auto: whichever fits the picture.")
@click.option("--size", metavar="WxH", default=None, help="Picture size before --scale (default 1920x1080).")
@click.option("--scale", type=float, default=None,
              help="Multiply the size, text and lines (3 for print); default 1.")
@click.option("--background", metavar="COLOUR", default=None,
              help="white, black (default), #RRGGBB, or transparent (alpha in the PNG).")
@click.option("--colormap", metavar="NAME", default=None,
              help="Colour values with a matplotlib colormap instead of the layer colour's opacity.")
@click.option("--normalize", type=click.Choice(["map", "layer", "model"]), default=None,
              help="Scale values min..max over each feature map (default), layer, or the whole model.")
@click.option("--no-labels", "labels", flag_value=False, default=None, help="No layer names and shapes.")
@click.option("--labels", "class_labels", metavar="FILE",
              help="Names of the output's classes, one a line: the top class is written beside its unit.")
@click.option("--close-buttons/--no-close-buttons", default=None,
              help="TensorSpace's close button beside each open layer (default: on; configs/paper.yaml: off).")
@click.option("--legend/--no-legend", default=None, help="Legend of layer types and shading (default: on).")
@click.option("--title", metavar="TEXT", default=None, help="A title at the top.")
@click.option("--text-scale", type=float, default=None,
              help="Multiply every font size (e.g. 1.5 for a figure printed at column width).")
@click.option("--rows", metavar="N|auto", default=None,
              help="Rows a long horizontal chain is wrapped into (default auto; 1: one row, as TensorSpace).")
@click.option("--links", metavar="LAYER[:MAP],...", default=None,
              help="Lines from each output map to the input maps it reads (DepthwiseConv2d: every map; "
                   "Conv2d/SeparableConv2d: map MAP, default 0); opens the layer and its input.")
@click.option("--explain-maps", type=int, default=None, metavar="N",
              help="Output maps an explain:LAYER step fills one by one (default 4); the rest fill at once.")
@click.option("--crop/--no-crop", default=None,
              help="Trim the picture to the drawing plus a small margin (on in configs/paper.yaml).")
@click.option("--boxes", "boxes", metavar="FILE.json", default=None,
              help="Also write where each layer, label and the legend were drawn, in pixels of the picture.")
@click.option("--vector-cells", "vector_cells", is_flag=True, default=None,
              help="In a .svg/.pdf, draw each cell of a feature map as a filled square, not an image "
                   "(at most 100,000 cells).")
@click.option("--seed", type=int, default=None, help="Seed of the default weights of layers without weights.")
@init_option
@click.option("--fold", type=click.Choice(["auto", "none"]), default=None,
              help="auto (default): BatchNormalization, activations and Dropout are drawn with the layer "
                   "before them; none: every layer on its own.")
@click.option("--animate", metavar="STEPS",
              help="What to play: open-all, or steps joined by commas: open:LAYER, close:LAYER, wait:MS, "
                   "orbit:DEGREES (e.g. open:conv1,wait:500,close:conv1); default for videos: the "
                   "description's or config's timeline.")
@click.option("--fps", type=float, default=None, help="Frames per second of an animation (default 30).")
@click.option("--quality", type=int, default=None, metavar="CRF",
              help="MP4 quality, x264's CRF: 0 lossless .. 51 worst (default 20).")
@click.option("--easing", type=click.Choice(["linear", "ease-in-out", "cubic"]), default=None,
              help="How layers move as they open (default linear, as TensorSpace).")
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
            legend, title, text_scale, rows, crop, boxes, links, explain_maps, vector_cells, seed, init, fold, animate, fps,
            quality, easing, quiet, overwrite, max_memory):
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
        "init": init, "fold": fold, "links": links, "explain_maps": explain_maps,
        "vector_cells": vector_cells,
        "timeline": animate, "fps": fps, "quality": quality, "easing": easing})
    from ..render.backends.offscreen import defer_pyplot
    from ..render.opengl import require
    from ..io.class_names import names_for_model
    from ..render.pipeline import render_file

    if options.boxes is not None:
        check_writable(options.boxes)
    if interactive or output == "-" or output_kind(output) != "scene":
        require()   # a machine without offscreen OpenGL: one line saying what to install, not a segfault
    defer_pyplot()    # this process never draws with pyplot: its 0.3-0.5 s import is not paid
    m = load_model(model, max_memory, options.input, options.input_shape)
    names_for_model(options.class_labels, m)     # a bad names file fails before any work
    if interactive:
        from ..render.pipeline import plot

        plot(m, options, off_screen=False).show()
        return
    render_file(m, output, options, quiet=quiet, from_flag=animate is not None,
                config=config, overwrite=overwrite, warn=lambda text: echo(f"tspcli: warning: {text}", err=True))
