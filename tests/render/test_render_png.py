"""`tspcli render`: the pixels and files a user gets (small pictures keep these fast)."""
import hashlib

import numpy as np
import pytest

import tspcli
from tspcli.render.options import RenderOptions
from tspcli.render.scene_inputs import look_from, view_from
from tspcli.scene import camera as cam
from tspcli.scene.layout import SceneBuilder, initial_state

iio = pytest.importorskip("imageio.v3")
SMALL = ("--size", "320x240")
DEPTHWISE = np.array([0xFB, 0xBF, 0x1F]) / 255


def render(cli, tmp_path, *args, name="out.png", model="samples/depthwise.yaml"):
    out = tmp_path / name
    r = cli("render", model, "-o", out, *SMALL, *args)
    assert r.code == 0, r.err
    return iio.imread(out), out


def hue_matches(pixels, rgb, background=(0, 0, 0), tolerance=0.06):
    """Pixels of ``rgb`` seen through some opacity over ``background``: on the line from one to the other."""
    ink = pixels[..., :3].astype(float) / 255 - background
    norm = np.linalg.norm(ink, axis=-1, keepdims=True)
    direction = (np.asarray(rgb) - background) / np.linalg.norm(np.asarray(rgb) - background)
    return (np.linalg.norm(ink / np.maximum(norm, 1e-6) - direction, axis=-1) < tolerance) & (norm[..., 0] > 0.2)


def layer_pixel(model_path, layer, size=(320, 240), **options):
    """Where the centre of ``layer`` lands in the picture (row, column)."""
    model = tspcli.load(model_path)
    opts = RenderOptions(size=size, values=False, **options)
    scene = SceneBuilder(model, look_from(opts, model)).build(initial_state(model, opts.open, view_from(opts)))
    element = next(b for b in scene.blocks if b.key.startswith(layer + "/"))
    x, y = cam.project(element.centers.mean(axis=0)[None], scene.camera, size)[0]
    return int(round(size[1] - y)), int(round(x))


def test_depthwise_colour_is_where_the_depthwise_layer_is(cli, tmp_path):
    image, _ = render(cli, tmp_path, "--no-values", "--no-labels", "--no-legend", "--open", "dw_same")
    row, col = layer_pixel("samples/depthwise.yaml", "dw_rect", labels=False, legend=False, open=("dw_same",))
    window = image[row - 3:row + 4, col - 3:col + 4]
    assert hue_matches(window, DEPTHWISE).mean() > 0.5
    assert hue_matches(image, DEPTHWISE).sum() > 500        # dw_same, dw_rect and dw_shape


def test_open_layer_differs_from_closed(cli, tmp_path):
    closed, _ = render(cli, tmp_path, "--no-labels", name="closed.png")
    opened, _ = render(cli, tmp_path, "--no-labels", "--open", "pointwise", name="open.png")
    assert closed.shape == opened.shape
    assert (np.abs(closed.astype(int) - opened.astype(int)).sum(axis=-1) > 30).mean() > 0.02


def test_transparent_background_has_real_alpha(cli, tmp_path):
    image, _ = render(cli, tmp_path, "--background", "transparent")
    assert image.shape == (240, 320, 4)
    corners = image[[0, 0, -1, -1], [0, -1, 0, -1]]
    assert (corners[:, 3] == 0).all()
    assert (image[..., 3] == 255).any() and ((image[..., 3] > 0) & (image[..., 3] < 255)).any()


def test_opaque_backgrounds_are_rgb_in_the_given_colour(cli, tmp_path):
    image, _ = render(cli, tmp_path, "--background", "#336699", "--no-legend")
    assert image.shape == (240, 320, 3)
    assert tuple(image[0, 0]) == (0x33, 0x66, 0x99)


def test_scale_2_doubles_the_size(cli, tmp_path):
    image, _ = render(cli, tmp_path, "--scale", "2")
    assert image.shape[:2] == (480, 640)


def test_the_same_command_gives_the_same_bytes(cli, tmp_path):
    _, a = render(cli, tmp_path, "--open", "dw_same,pointwise", name="a.png")
    _, b = render(cli, tmp_path, "--open", "dw_same,pointwise", name="b.png")
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()


def test_a_config_sets_options_and_flags_override_it(cli, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("size: 200x100\nbackground: white\nlegend: false\n")
    image, _ = render(cli, tmp_path, "--config", config, "--size", "240x120")
    assert image.shape == (120, 240, 3)
    assert tuple(image[0, 0]) == (255, 255, 255)


@pytest.mark.parametrize("args, message", [
    (("--open", "nope"), "no drawn layer named 'nope'"),
    (("--size", "12x"), "not WIDTHxHEIGHT"),
    (("--size", "5x5"), "out of range"),
    (("--background", "#12345"), "is not a colour"),
    (("--colormap", "no_such_map"), "unknown colormap"),
    (("--zoom", "0"), "zoom must be a positive number"),
    (("--scale", "-1"), "scale must be a positive number"),
    (("--text-scale", "0"), "text-scale must be a positive number"),
    (("--rows", "many"), "rows must be 'auto' or a whole number"),
    (("--rows", "0"), "rows must be 1 to 8"),
])
def test_bad_options_exit_2_with_one_line(cli, tmp_path, args, message):
    out = tmp_path / "x.png"
    r = cli("render", "samples/lenet.yaml", "-o", out, *SMALL, *args)
    assert r.code == 2
    assert message in r.err and "Traceback" not in r.err
    assert not out.exists()


def test_unwritable_or_non_png_output_exits_2(cli, tmp_path):
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "missing" / "x.png")
    assert r.code == 2 and "does not exist" in r.err
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "x.jpg")
    assert r.code == 2 and "unknown kind of output '.jpg'" in r.err


def test_a_bad_config_key_names_file_and_line(cli, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("size: 320x240\nbackgroud: white\n")
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "x.png", "--config", config)
    assert r.code == 2
    assert f"{config}:2" in r.err and "backgroud" in r.err


@pytest.mark.parametrize("sample", ["lenet.yaml", "lenet.json", "functional.yaml"])
def test_every_small_sample_renders(cli, tmp_path, sample):
    image, _ = render(cli, tmp_path, "--open", "all", model=f"samples/{sample}")
    assert image.std() > 5


@pytest.mark.slow
def test_paper_preset_prints_mobilenet_at_3x(cli, tmp_path):
    out = tmp_path / "paper.png"
    r = cli("render", "samples/mobilenet_v1.yaml", "-o", out, "--config", "configs/paper.yaml",
            "--open", "conv_dw_1")
    assert r.code == 0, r.err
    image = iio.imread(out)
    # 3600x2025 cropped to the drawing (paper.yaml crops): the width is the drawing's, the height at most
    assert image.shape[1:] == (3600, 3) and image.shape[0] <= 2025
    # ink shading: tints of the colour (towards white) and shades of it (towards black)
    inked = hue_matches(image, DEPTHWISE, background=(1, 1, 1)) | hue_matches(image, DEPTHWISE)
    assert inked.sum() > 100_000


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tensorspace/lenet_mnist_keras2.1.6.h5", "tfkeras2/tfk2_mobilenet_v2.h5",
                                  "tensorspace/lenet_tfjs/model.json", "tensorspace/acgan_tfjs/model.json"])
def test_real_models_render(cli, tmp_path, shared_data, name):
    image, _ = render(cli, tmp_path, "--open", "all", model=shared_data / name)
    assert image.std() > 5


def test_on_white_open_maps_are_ink_darker_than_the_paper(cli, tmp_path):
    def ink(*args):
        image, _ = render(cli, tmp_path, "--no-labels", "--no-legend", "--size", "640x360", "--open", "dw_same",
                          *args, name="w.png")
        lum = image[..., :3].astype(float) @ [0.2126, 0.7152, 0.0722] / 255
        return lum[lum < 0.97]          # what is drawn on the paper

    drawn = ink("--background", "white")
    assert drawn.size > 5_000
    # values show as darker ink: the highest dark, a good part clearly inked (ReLU's zeros are the palest tint)
    assert np.percentile(drawn, 25) < 0.7 and np.percentile(drawn, 5) < 0.5
    on_black, _ = render(cli, tmp_path, "--no-labels", "--no-legend", "--open", "dw_same", name="b.png")
    assert hue_matches(on_black, DEPTHWISE).sum() > 500                  # black keeps TensorSpace's opacity


def test_the_picture_gets_the_usual_file_mode(cli, tmp_path):
    import os

    _, out = render(cli, tmp_path)
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask


def test_the_users_input_flows_through_the_picture(cli, tmp_path):
    digit = np.zeros((28, 28, 1), np.float32)
    digit[4:24, 12:16] = 1.0                          # a "1"
    np.save(tmp_path / "one.npy", digit)
    sample, _ = render(cli, tmp_path, "--no-labels", name="sample.png", model="samples/lenet.yaml")
    mine, _ = render(cli, tmp_path, "--no-labels", "--input", tmp_path / "one.npy", name="mine.png",
                     model="samples/lenet.yaml")
    assert (np.abs(sample.astype(int) - mine.astype(int)).sum(axis=-1) > 30).sum() > 200
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "x.png", "--input", tmp_path / "missing.npy")
    assert r.code == 2 and "missing.npy" in r.err


def test_title_legend_and_labels_are_drawn_and_can_be_left_out(cli, tmp_path):
    plain, _ = render(cli, tmp_path, "--no-labels", "--no-legend", name="plain.png")
    titled, _ = render(cli, tmp_path, "--no-labels", "--no-legend", "--title", "Depthwise", name="t.png")

    def light_grey(image):                            # the text colour on black, unlike any layer colour
        band = image[:30].astype(int)
        return ((band.min(axis=-1) > 150) & (np.ptp(band, axis=-1) < 25)).sum()

    assert light_grey(titled) > light_grey(plain) + 30
    full, _ = render(cli, tmp_path, name="full.png")
    assert (np.abs(full.astype(int) - plain.astype(int)).sum(axis=-1) > 30).sum() > 300
