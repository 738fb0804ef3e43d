"""The raster backend draws a scene of many layers with a few actors over one atlas of every texture,
and a textured face reads its own texture's colours from the atlas: exactly when magnified, without
its neighbours' colours when minified (the margins), in the same order on several pages."""
import numpy as np
import pytest

from tspcli.render.backends import pages
from tspcli.scene.scene import Blocks, Camera, Scene, Texture

backend = pytest.importorskip("tspcli.render.backends.pyvista_raster")
pv = pytest.importorskip("pyvista")

SIZE = (320, 180)
CELLS = np.array([[[200, 30, 30], [30, 200, 30], [30, 30, 200], [220, 220, 40]],
                  [[40, 220, 220], [220, 40, 220], [250, 250, 250], [90, 60, 10]],
                  [[10, 90, 60], [128, 128, 128], [255, 140, 0], [60, 10, 90]]], np.uint8)
GREEN = (10, 200, 30)


def rgba(rgb, shape) -> np.ndarray:
    image = np.empty((*shape, 4), np.uint8)
    image[..., :3], image[..., 3] = rgb, 255
    return image


def block(key, center, size, image, edge=None) -> Blocks:
    """One box showing all of ``image`` on its +y face (seen from above), flat corners on the others."""
    return Blocks(key, np.array([center], float), size, Texture(key, image), np.array([[0.0, 0.0, 1.0, 1.0]]),
                  np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]]), edge=edge, faces="front")


def scene(layers: int = 150, edges: bool = True) -> Scene:
    """A 4x3 texture over 160x120 pixels (40 a texel) and a uniform 64x64 one over 6x6 pixels, among
    ``layers`` small magenta and white layers (their own textures, outlines) beside them."""
    rng = np.random.default_rng(0)
    blocks = [block("cells", (0.0, 0.0, 0.0), (160.0, 1.0, 120.0), np.dstack([CELLS, np.full((3, 4), 255, np.uint8)])),
              block("minified", (120.0, 0.0, 0.0), (6.0, 1.0, 6.0), rgba(GREEN, (64, 64))),
              # taller, so packed first: the green texture lies beside it (the box is out of the picture)
              block("neighbour", (1000.0, 0.0, 0.0), (6.0, 1.0, 6.0), rgba((255, 0, 255), (72, 72)))]
    for i in range(layers):      # 4x4 pixels, left of the others, at most 2:1 minified (mipmap level 1)
        shape = tuple(rng.integers(2, 9, size=2))
        x, z = -158 + 5 * (i % 15), -88 + 5 * (i // 15)
        blocks.append(block(f"layer{i}", (x, -5.0 - i, z), (4.0, 1.0, 4.0),
                            rgba((255, 0, 255) if i % 2 else (255, 255, 255), shape),
                            edge=(0.5, 0.5, 0.5) if edges else None))
    camera = Camera((0.0, 1000.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, -1.0), 30.0, parallel_scale=90.0)
    return Scene(blocks, [], [], camera, (0.0, 0.0, 0.0, 1.0), (1.0, 1.0, 1.0), size=SIZE)


@pytest.fixture(scope="module")
def drawn():
    with backend.PyvistaRaster(SIZE) as raster:
        image = raster.draw(scene())
        actors = [a for a in raster.plotter.renderer.actors.values() if isinstance(a, pv.Actor)]
    return image, actors


def test_many_layers_are_a_few_actors(drawn):
    _, actors = drawn
    assert len([a for a in actors if a.texture is not None]) == 1          # every box, one atlas
    assert len(actors) == 2                                                 # and every outline


def test_a_magnified_face_shows_its_texels_exactly(drawn):
    image, _ = drawn
    # the face spans x 80..240, rows 30..150; texel (r, c) covers 40x40 pixels
    for r in range(3):
        for c in range(4):
            y, x = 30 + 40 * r, 80 + 40 * c
            assert np.array_equal(image[y + 20, x + 20], CELLS[r, c])
            # the texels on the face's border, up to one pixel from its edge: no neighbour's colour
            if r in (0, 2):
                edge_row = y + 1 if r == 0 else y + 38
                assert np.array_equal(image[edge_row, x + 20], CELLS[r, c])
            if c in (0, 3):
                edge_col = x + 1 if c == 0 else x + 38
                assert np.array_equal(image[y + 20, edge_col], CELLS[r, c])


def test_a_minified_face_reads_no_neighbour(drawn):
    image, _ = drawn
    """10.7:1, between mipmap levels 3 and 4 (8 and 16 texels a texel): all green to the face's edge."""
    face = image[87:93, 277:283]                     # 6x6 pixels at x 277..283, rows 87..93
    assert np.array_equal(face, np.broadcast_to(GREEN, face.shape))


def test_several_pages_draw_the_same_picture():
    """Textures over more than one page: one actor per run of layers on a page, in the same order.
    (Without outlines: where an outline and a face's border meet, the nearer is decided by rounding,
    which the different vertex buffers of the two drawings do differently.)"""
    images = []
    for limit in (None, 128):
        with backend.PyvistaRaster(SIZE) as raster:
            if limit:
                raster.blocks.limit = limit
            images.append(raster.draw(scene(edges=False)))
            pages_used, actors = len(raster.blocks.pages), len(raster.blocks.actors)
    assert pages_used > 2 and actors > 1
    assert np.array_equal(images[0], images[1])


def test_pages_hold_each_image_with_its_edge_around_it():
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, size=(h, w, 4), dtype=np.uint8) for h, w in [(5, 9), (30, 2), (1, 1), (17, 40)]]
    for limit in (4096, 64):
        out, maps = pages.pack(images, limit)
        assert all(max(p.shape[:2]) <= limit for p in out)
        for image, (p, affine) in zip(images, maps):
            page, (h, w) = out[p], image.shape[:2]
            ph, pw = page.shape[:2]
            left, top = round(affine[0, 1] * pw), round(affine[1, 1] * ph)
            assert (round(affine[0, 0] * pw), round(affine[1, 0] * ph)) == (w, h)
            assert np.array_equal(page[top:top + h, left:left + w], image)
            m = pages.MARGIN
            framed = page[top - m:top + h + m, left - m:left + w + m]
            assert np.array_equal(framed, np.pad(image, ((m, m), (m, m), (0, 0)), mode="edge"))
    assert len(pages.pack(images, 64)[0]) > 1
    with pytest.raises(ValueError):
        pages.pack([np.zeros((100, 10, 4), np.uint8)], 64)


def test_animation_smoothing_blends_stair_steps_and_keeps_lines_and_flat_areas():
    """smooth.smooth_edges: a slanted edge's stair-steps get levels between its two sides; a one-pixel
    line keeps its own pixels; pixels away from every edge keep theirs."""
    from tspcli.render.backends.smooth import smooth_edges

    h, w = 40, 60
    y, x = np.mgrid[0:h, 0:w]
    image = np.zeros((h, w, 3), np.uint8)
    image[x > 3 * y] = (240, 200, 40)                 # a slanted edge: a step of 3 pixels a row
    image[:, 55] = (255, 255, 255)                    # a thin line
    before = image.copy()
    out = smooth_edges(image)
    between = (out[..., 1] > 10) & (out[..., 1] < 190)
    assert between[1:15, :50].sum(axis=1).min() >= 1   # every row of the slanted edge has a blended pixel
    assert between[1:15, :50].sum(axis=1).max() <= 8    # and only the steps' own pixels (3 each side)
    rows = np.r_[0:17, 20:40]                           # away from where the line crosses the edge
    assert np.array_equal(out[rows, 55], before[rows, 55])
    assert np.array_equal(out[20:, :50], before[20:, :50])


def test_a_window_drawing_a_scene_then_an_empty_one_then_the_scene_again():
    """Boxes come and go between frames: the atlas and the actors follow (none left for an empty scene)."""
    full = scene(layers=5)
    empty = Scene([], [], [], full.camera, full.background, full.text_color, size=SIZE)
    with backend.PyvistaRaster(SIZE) as raster:
        first = raster.draw(full)
        assert not raster.draw(empty).any()
        assert raster.blocks.actors == [] and raster.lines.actors == []
        assert np.array_equal(raster.draw(full), first)
