"""The scenes behind tests/data/backend_*.png, and how those pictures were made.

The reference pictures were drawn by main's VTK backend (``tspcli.render.vtk_backend``,
commit 8d303ea, the last before the pyvista backend replaced it), so that the test can show
the new backend draws the same pixels:

    git archive 8d303ea | tar -x -C /tmp/old && PYTHONPATH=/tmp/old python tests/data/backend_reference.py

writes the PNGs next to this file.  The test builds the same scenes with this
module's ``scenes()`` and compares.
"""
from __future__ import annotations

import os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIZE = (320, 180)


def scenes() -> dict:
    """name -> Scene: LeNet half open on black (labels with halos, legend, title) and on transparent."""
    import tspcli
    from tspcli.render.options import RenderOptions
    from tspcli.render.pipeline import compute_values, look_from, view_from
    from tspcli.scene.layout import SceneBuilder, initial_state

    out = {}
    for name, background in (("black", None), ("transparent", "transparent")):
        model = tspcli.load(os.path.join(ROOT, "samples", "lenet.yaml"))
        options = RenderOptions(size=SIZE, open=("conv1",), background=background, title="LeNet")
        compute_values(model, options)
        builder = SceneBuilder(model, look_from(options, model))
        out[name] = builder.build(initial_state(model, options.open, view_from(options)))
    return out


def main() -> None:
    import imageio.v3 as iio

    from tspcli.render import vtk_backend

    for name, scene in scenes().items():
        iio.imwrite(os.path.join(HERE, f"backend_{name}.png"), vtk_backend.render(scene))
        with vtk_backend.Renderer(SIZE, multisamples=0) as renderer:     # as animation frames were drawn
            iio.imwrite(os.path.join(HERE, f"backend_{name}_aliased.png"), renderer.render(scene))


if __name__ == "__main__":
    main()
