"""The scenes behind tests/data/backend_*.png, and how those pictures were made.

The pictures were drawn by main's VTK backend (``tspcli.render.vtk_backend``, commit
8d303ea, the last before the pyvista backend replaced it) from the scenes saved beside
them (``backend_scenes.json`` and ``.npz``: pure data), so the test compares backends
on the very same scene, whatever the scene builder does since:

    python tests/data/backend_reference.py save                       # scenes from this tree
    git archive 8d303ea | tar -x -C /tmp/old
    PYTHONPATH=/tmp/old python tests/data/backend_reference.py draw   # pictures by the VTK backend

``load()`` reads the scenes back for the test.
"""
from __future__ import annotations

import dataclasses
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIZE = (320, 180)
STEM = os.path.join(HERE, "backend_scenes")


def build() -> dict:
    """name -> Scene: LeNet half open on black (labels with halos, legend, title) and on transparent."""
    import tspcli
    from tspcli.render.pipeline import build_scene, compute_values, options_from

    out = {}
    for name, background in (("black", None), ("transparent", "transparent")):
        model = tspcli.load(os.path.join(ROOT, "samples", "lenet.yaml"))
        options = options_from(size=SIZE, open=("conv1",), background=background, title="LeNet")
        compute_values(model, options)
        out[name] = build_scene(model, options)
    return out


def save(scenes: dict) -> None:
    arrays, doc = {}, {}

    def array(name, value):
        arrays[name] = np.asarray(value)
        return name

    for name, scene in scenes.items():
        legend = None
        if scene.legend is not None:
            shading = scene.legend.shading
            legend = {"entries": [dataclasses.asdict(e) for e in scene.legend.entries], "size": scene.legend.size,
                      "shading": None if shading is None else {
                          "title": shading.title, "low": shading.low, "high": shading.high,
                          "ramp": array(f"{name}/shading", shading.ramp)}}
        doc[name] = {
            "camera": dataclasses.asdict(scene.camera), "background": scene.background,
            "text_color": scene.text_color, "legend": legend, "legend_row": scene.legend_row, "title": scene.title,
            "title_size": scene.title_size, "size": scene.size, "note": scene.note, "note_size": scene.note_size,
            "legend_at": getattr(scene, "legend_at", None),
            "blocks": [{"key": b.key, "size": b.size, "edge": b.edge, "opacity": b.opacity, "faces": b.faces,
                        "plane": getattr(b, "plane", None),
                        "texture": b.texture.key, "image": array(f"{name}/b{i}/image", b.texture.image),
                        "centers": array(f"{name}/b{i}/centers", b.centers),
                        "tiles": array(f"{name}/b{i}/tiles", b.tiles),
                        "side_tiles": array(f"{name}/b{i}/side_tiles", b.side_tiles)}
                       for i, b in enumerate(scene.blocks)],
            "lines": [{"key": lines.key, "color": lines.color, "width": lines.width,
                       "paths": [array(f"{name}/l{i}/{j}", p) for j, p in enumerate(lines.paths)]}
                      for i, lines in enumerate(scene.lines)],
            "labels": [dataclasses.asdict(label) for label in scene.labels],
        }
    with open(STEM + ".json", "w") as out:
        json.dump(doc, out, default=float)          # numpy scalars in tuples
    np.savez_compressed(STEM + ".npz", **arrays)


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def load() -> dict:
    """name -> Scene, as saved."""
    from tspcli.scene import scene as s

    with open(STEM + ".json") as file:
        doc = json.load(file)
    scenes = {}
    with np.load(STEM + ".npz", allow_pickle=False) as arrays:
        for name, d in doc.items():
            legend = None
            if d["legend"] is not None:
                shading = d["legend"]["shading"]
                legend = s.Legend(tuple(s.LegendEntry(e["text"], _tuples(e["color"]), _tuples(e["ramp"]))
                                        for e in d["legend"]["entries"]),
                                  None if shading is None else s.ShadingKey(shading["title"], arrays[shading["ramp"]],
                                                                            shading["low"], shading["high"]),
                                  d["legend"]["size"])
            blocks = [s.Blocks(b["key"], arrays[b["centers"]], _tuples(b["size"]), s.Texture(b["texture"],
                               arrays[b["image"]]), arrays[b["tiles"]], arrays[b["side_tiles"]],
                               edge=_tuples(b["edge"]), opacity=b["opacity"], faces=b["faces"],
                               **({"plane": _tuples(b["plane"])} if b.get("plane") else {})) for b in d["blocks"]]
            lines = [s.Lines(ln["key"], [arrays[p] for p in ln["paths"]], _tuples(ln["color"]), ln["width"])
                     for ln in d["lines"]]
            labels = [s.Label(**{k: _tuples(v) for k, v in label.items()}) for label in d["labels"]]
            camera = s.Camera(**{k: _tuples(v) for k, v in d["camera"].items()})
            scenes[name] = s.Scene(blocks, lines, labels, camera, _tuples(d["background"]), _tuples(d["text_color"]),
                                   legend=legend, legend_row=d["legend_row"], title=d["title"],
                                   title_size=d["title_size"], size=_tuples(d["size"]), note=d["note"],
                                   note_size=d["note_size"],
                                   **({"legend_at": _tuples(d["legend_at"])} if d.get("legend_at") else {}))
    return scenes


def draw() -> None:
    """The pictures, by the VTK backend of the tree on PYTHONPATH (see the module's text)."""
    import imageio.v3 as iio

    from tspcli.render import vtk_backend

    for name, scene in load().items():
        iio.imwrite(os.path.join(HERE, f"backend_{name}.png"), vtk_backend.render(scene))
        with vtk_backend.Renderer(SIZE, multisamples=0) as renderer:     # as animation frames were drawn
            iio.imwrite(os.path.join(HERE, f"backend_{name}_aliased.png"), renderer.render(scene))


if __name__ == "__main__":
    save(build()) if sys.argv[1:] == ["save"] else draw()
