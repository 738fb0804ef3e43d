"""Vector figures (-o fig.svg / fig.pdf): real text, the PNG's picture, painter's order, the separation of backends."""
import ast
import json
import pathlib
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from tspcli.render.backends import painter

iio = pytest.importorskip("imageio.v3")
ROOT = pathlib.Path(__file__).resolve().parents[2]
SMALL = ("--size", "320x180")
SVG = "{http://www.w3.org/2000/svg}"
# (model, layers to open): the samples' chain and a model with branches
CASES = [("samples/lenet.yaml", "conv1"), ("samples/functional.yaml", "stem,branch_dw")]
MAD_BOUND = 14.0      # mean absolute difference, 0..255 per channel, of the rasterised figure from the PNG
BOX_SLACK = 2.0       # pixels


def render(cli, tmp_path, name, *args, model="samples/lenet.yaml", open_="conv1"):
    out = tmp_path / name
    r = cli("render", model, "-o", out, *SMALL, "--open", open_, "--boxes", tmp_path / (name + ".json"), *args)
    assert r.code == 0, r.err
    return out, json.loads((tmp_path / (name + ".json")).read_text())


def on_white(image: np.ndarray) -> np.ndarray:
    """RGB floats of an RGB(A) uint8 picture laid on white."""
    rgb = image[..., :3].astype(float)
    if image.shape[2] == 4:
        alpha = image[..., 3:].astype(float) / 255
        rgb = rgb * alpha + 255 * (1 - alpha)
    return rgb


def rasterise(path: pathlib.Path, size) -> np.ndarray:
    """The figure as pixels (72 dpi: its points are the PNG's pixels): poppler for PDF, cairosvg for SVG."""
    if path.suffix == ".pdf":
        if shutil.which("pdftoppm") is None:
            pytest.skip("pdftoppm (poppler-utils) is not installed")
        subprocess.run(["pdftoppm", "-r", "72", "-png", "-singlefile", str(path), str(path.with_suffix(""))],
                       check=True)
        return on_white(iio.imread(path.with_suffix(".png")))
    try:
        import cairosvg
    except (ImportError, OSError):              # cairosvg, or the cairo library under it, is missing
        pytest.skip("cairosvg (and libcairo2) is not installed")
    return on_white(iio.imread(cairosvg.svg2png(url=str(path), output_width=size[0], output_height=size[1])))


def ink_box(image: np.ndarray, box, background) -> np.ndarray | None:
    """The box of the pixels that differ from the background within ``box`` (to whole pixels, one more
    all round for anti-aliasing): where the layer's drawing lies in it; a layer drawn k pixels off its
    place moves an edge of this box by k (neighbours and lines may reach in, alike in both pictures)."""
    x0, y0 = (max(0, int(np.floor(v)) - 1) for v in box[:2])
    x1, y1 = int(np.ceil(box[2])) + 1, int(np.ceil(box[3])) + 1
    region = np.abs(image[y0:y1, x0:x1] - background).max(axis=2) > 40
    rows, cols = np.nonzero(region)
    if len(rows) == 0:
        return None
    return np.array([cols.min() + x0, rows.min() + y0, cols.max() + 1 + x0, rows.max() + 1 + y0], dtype=float)


@pytest.mark.slow
@pytest.mark.parametrize("model,open_", CASES)
@pytest.mark.parametrize("kind", ["pdf", "svg"])
def test_the_rasterised_figure_matches_the_png(cli, tmp_path, model, open_, kind):
    """Same boxes (--boxes) as the PNG; every layer's drawn extent within 2 px of the PNG's; the
    pictures' mean absolute difference within MAD_BOUND (thin lines and anti-aliasing differ)."""
    png, png_boxes = render(cli, tmp_path, "out.png", "--background", "white", model=model, open_=open_)
    figure, boxes = render(cli, tmp_path, "out." + kind, "--background", "white", model=model, open_=open_)
    assert boxes["size"] == png_boxes["size"]
    for ours, theirs in zip(boxes["layers"], png_boxes["layers"]):
        assert ours["name"] == theirs["name"]
        assert np.allclose(ours["box"], theirs["box"], atol=BOX_SLACK)
    raster = on_white(iio.imread(png))
    vector = rasterise(figure, boxes["size"])
    assert vector.shape == raster.shape
    white = np.array([255.0, 255.0, 255.0])
    for layer in png_boxes["layers"]:
        drawn, expected = ink_box(vector, layer["box"], white), ink_box(raster, layer["box"], white)
        assert drawn is not None and expected is not None, layer["name"]
        assert np.abs(drawn - expected).max() <= BOX_SLACK, (layer["name"], drawn, expected)
    assert np.abs(vector - raster).mean() < MAD_BOUND


def test_svg_has_one_text_per_label_and_crisp_maps(cli, tmp_path):
    figure, boxes = render(cli, tmp_path, "out.svg")
    root = ET.parse(figure).getroot()
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    assert boxes["labels"]
    for label in boxes["labels"]:
        # a label's first line is its layer's name (beside a vertical stack: "name  shape" on one line)
        assert sum(text.split("  ")[0] == label["layer"] for text in texts) == 1, label["layer"]
    assert all("DejaVu Sans" in t.get("style", "") for t in root.iter(SVG + "text"))
    images = list(root.iter(SVG + "image"))
    assert images and all("pixelated" in i.get("style", "") for i in images)


@pytest.mark.slow
def test_pdf_text_extracts_with_every_label_in_an_embedded_truetype_font(cli, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    figure, boxes = render(cli, tmp_path, "out.pdf")
    page = pypdf.PdfReader(figure).pages[0]
    text = page.extract_text()
    for label in boxes["labels"]:
        assert label["layer"] in text
    assert "28×28×6" in text                        # conv1's shape, with its multiplication signs
    fonts = page["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        if font["/Subtype"] == "/Type0":          # Type 42 with characters beyond Latin-1 (×): a CID font
            font = font["/DescendantFonts"][0].get_object()
        assert font["/Subtype"] in ("/TrueType", "/CIDFontType2")
        assert "DejaVuSans" in font["/BaseFont"]
        assert "/FontFile2" in font["/FontDescriptor"]          # the TrueType program embedded (Type 42)


@pytest.mark.slow
def test_a_transparent_figure_has_no_background_and_a_white_one_has(cli, tmp_path):
    clear, _ = render(cli, tmp_path, "clear.svg", "--background", "transparent")
    white, _ = render(cli, tmp_path, "white.svg", "--background", "white")

    def full_page_rects(path):
        root = ET.parse(path).getroot()
        return [p for p in root.iter(SVG + "path") if " ".join(p.get("d", "").split()).startswith("M 0 180 L 320 180")]

    assert not full_page_rects(clear)
    assert full_page_rects(white)


@pytest.mark.slow
def test_vector_cells_draws_each_cell_and_keeps_a_limit(cli, tmp_path, monkeypatch):
    figure, _ = render(cli, tmp_path, "cells.svg", "--vector-cells")
    root = ET.parse(figure).getroot()
    assert not list(root.iter(SVG + "image"))
    from tspcli.render.backends import flatten

    monkeypatch.setattr(flatten, "MAX_VECTOR_CELLS", 1000)
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "many.pdf", *SMALL, "--open", "conv1", "--vector-cells")
    assert r.code == 2 and "at most 1,000 cells" in r.err
    assert not (tmp_path / "many.pdf").exists()


def test_tsp_is_refused_naming_the_parallel_presets(cli, tmp_path):
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "x.pdf", "--camera", "tsp")
    assert r.code == 2
    assert r.err.count("\n") == 1 and all(name in r.err for name in ("iso", "front", "side", "top"))
    assert not list(tmp_path.iterdir())


def test_crop_trims_the_page_to_the_drawing(cli, tmp_path):
    out = tmp_path / "crop.svg"        # a square page: LeNet's chain leaves room above and below
    r = cli("render", "samples/lenet.yaml", "-o", out, "--size", "320x320", "--direction", "horizontal", "--rows", "1",
            "--crop", "--boxes", tmp_path / "b.json")
    assert r.code == 0, r.err
    boxes = json.loads((tmp_path / "b.json").read_text())
    root = ET.parse(out).getroot()
    width, height = (float(root.get(k).removesuffix("pt")) for k in ("width", "height"))
    assert (width, height) == pytest.approx(tuple(boxes["size"]), abs=0.5)
    assert width * height < 320 * 320       # trimmed to the drawing plus its margin


def test_painter_paints_what_is_behind_first():
    eye = np.array([0.0, 100.0, 0.0])                 # above, looking down
    # a wide low slab (its centre 99 from the eye) under a small box off to the side (its centre about
    # 410 away): apart along y with the eye above both, the slab is behind, whatever the distances say
    lo = np.array([[-1000.0, 0.0, -1000.0], [400.0, 10.0, 0.0]])
    hi = np.array([[1000.0, 1.0, 1000.0], [410.0, 20.0, 10.0]])
    assert painter.order(lo, hi, eye) == [0, 1]
    assert painter.order(lo, hi, np.array([0.0, -100.0, 0.0])) == [1, 0]
    # boxes that intersect have no exact order: the farther centre is painted first, the nearer covers it
    lo = np.array([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]])
    hi = np.array([[10.0, 10.0, 10.0], [15.0, 15.0, 15.0]])
    assert painter.order(lo, hi, np.array([100.0, 100.0, 100.0])) == [0, 1]


@pytest.mark.slow
def test_batch_writes_vector_figures(cli, tmp_path):
    r = cli("batch", "samples/lenet.yaml", "samples/functional.yaml", "--out", tmp_path, "-o", "{stem}.pdf",
            "--set", "size=320x180", "--jobs", "1")
    assert r.code == 0, r.err
    for stem in ("lenet", "functional"):
        assert (tmp_path / f"{stem}.pdf").read_bytes().startswith(b"%PDF")


VECTOR_MODULES = ["vector", "flatten", "sheets", "painter", "glyphs", "primitives"]


def _imports(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found |= {f"{node.module or ''}.{a.name}" for a in node.names} | {node.module or ""}
    return found


def test_the_vector_and_raster_backends_import_nothing_of_each_other():
    backends = ROOT / "tspcli" / "render" / "backends"
    raster = [p for p in (ROOT / "tspcli" / "render").rglob("*.py")
              if any(i.startswith(("vtk", "pyvista")) for i in _imports(p))]
    assert raster
    for name in VECTOR_MODULES:
        imports = _imports(backends / f"{name}.py")
        assert not any("vtk" in i or "pyvista" in i or "raster" in i for i in imports), (name, imports)
    for path in raster:
        imports = _imports(path)
        assert not any(i.split(".")[-1] in VECTOR_MODULES or "matplotlib" in i for i in imports), (path, imports)


def test_layer_names_are_text_never_mathtext(cli, tmp_path):
    model = tmp_path / "m.yaml"
    model.write_text('model: {type: Sequential, name: m}\nlayers:\n'
                     '  - {type: GreyscaleInput, name: "in$x^2$", shape: [8, 8, 1]}\n'
                     '  - {type: Conv2d, name: "c$\\\\frac{a}{", filters: 2, kernelSize: 3}\n')
    r = cli("render", model, "-o", tmp_path / "m.svg", *SMALL)
    assert r.code == 0, r.err
    texts = ["".join(t.itertext()) for t in ET.parse(tmp_path / "m.svg").getroot().iter(SVG + "text")]
    assert any(t.startswith("in$x^2$") for t in texts) and any(t.startswith("c$\\frac{a}{") for t in texts)


def test_a_translucent_map_drawn_two_sided_folds_its_far_face_into_its_near_one():
    """Blocks.faces == "all" (the raster shows a translucent map's far face through its near one):
    one image whose alpha is 1 - (1 - a)^2, placed on the near face; all maps of the grid in it."""
    from tspcli.render.backends.flatten import flatten
    from tspcli.render.backends.primitives import Picture
    from tspcli.scene import atlas
    from tspcli.scene.scene import Blocks, Camera, Scene, Texture

    maps = np.zeros((2, 4, 4, 4), np.uint8)
    maps[..., 0] = 255
    maps[..., 3] = 128
    maps[1, 0, 0, 3] = 255
    image, tiles, sides = atlas.pack(maps, np.array([[0, 0, 255, 64], [0, 0, 128, 64]], np.uint8))
    blocks = Blocks("m/maps", np.array([[-3.0, 0.0, 0.0], [3.0, 0.0, 0.0]]), (4.0, 1.0, 4.0),
                    Texture("m", image), tiles, sides, faces="all")
    camera = Camera((0.0, 1000.0, 10.0), (0.0, 0.0, 0.0), (0.0, 0.0, -1.0), 0.0, parallel_scale=10.0)
    scene = Scene([blocks], [], [], camera, (0.0, 0.0, 0.0, 0.0), (0.0, 0.0, 0.0), size=(100, 100))
    pictures = [p for p in flatten(scene) if isinstance(p, Picture)]
    assert len(pictures) == 1                                   # both maps in one sheet, the far faces folded
    alpha = pictures[0].image[..., 3]
    assert alpha.shape == (4, 10)                               # 4 + 2 gap + 4 cells across
    assert alpha[1, 1] == 255 - 127 ** 2 // 255 and alpha[0, 6] == 255 and alpha[0, 4] == 0
