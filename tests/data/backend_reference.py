"""The scenes behind tests/data/backend_*.png, and how those pictures were made.

The reference pictures were drawn by main's VTK backend (``tspcli.render.vtk_backend``,
commit 8d303ea, the last before the pyvista backend replaced it) from the scenes that
commit's layout built (LeNet half open, 320x180, on black and on transparent, with a
title).  Those scenes are kept as data in ``backend_scenes.npz`` (``scene_store``), so the
test draws exactly them with today's backend, however the layout has changed since:

    git archive 8d303ea | tar -x -C /tmp/old && PYTHONPATH=/tmp/old python tests/data/backend_reference.py

rebuilds the scenes and the PNGs with that commit's code.
"""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIZE = (320, 180)
STORE = os.path.join(HERE, "backend_scenes.npz")


def scenes() -> dict:
    """name -> Scene, as stored."""
    sys.path.insert(0, HERE)
    try:
        import scene_store
    finally:
        sys.path.remove(HERE)
    return scene_store.load(STORE)


def built_scenes() -> dict:
    """name -> Scene built by the layout of the checkout on the path (the old one, to remake the store)."""
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

    sys.path.insert(0, HERE)
    import scene_store

    built = built_scenes()
    scene_store.dump(built, STORE)
    for name, scene in built.items():
        iio.imwrite(os.path.join(HERE, f"backend_{name}.png"), vtk_backend.render(scene))
        with vtk_backend.Renderer(SIZE, multisamples=0) as renderer:     # as animation frames were drawn
            iio.imwrite(os.path.join(HERE, f"backend_{name}_aliased.png"), renderer.render(scene))


if __name__ == "__main__":
    main()
