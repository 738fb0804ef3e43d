"""tspcli.render_file / render_image / plot: one render path for the CLI, batch and Python; 3D files."""
import base64
import json
import struct

import numpy as np
import pytest

import tspcli

iio = pytest.importorskip("imageio.v3")
SMALL = {"size": (160, 120)}


def read_gltf(path):
    """(JSON document, binary buffer) of a .glb, or of a .gltf with its buffer inline."""
    data = path.read_bytes()
    if path.suffix == ".gltf":
        doc = json.loads(data)
        uri = doc["buffers"][0]["uri"]
        assert uri.startswith("data:application/octet-stream;base64,")    # nothing to fetch
        return doc, base64.b64decode(uri.split(",", 1)[1])
    magic, version, length = struct.unpack_from("<III", data, 0)
    assert (magic, version, length) == (0x46546C67, 2, len(data))
    json_length, kind = struct.unpack_from("<II", data, 12)
    assert kind == 0x4E4F534A
    doc = json.loads(data[20:20 + json_length])
    bin_length, kind = struct.unpack_from("<II", data, 20 + json_length)
    assert kind == 0x004E4942
    return doc, data[28 + json_length:28 + json_length + bin_length]


def view_bytes(doc, blob, index):
    view = doc["bufferViews"][index]
    return blob[view.get("byteOffset", 0):view.get("byteOffset", 0) + view["byteLength"]]


def test_render_image_is_the_picture_render_file_writes(tmp_path):
    model = tspcli.load("samples/lenet.yaml")
    image = tspcli.render_image(model, open="conv1", **SMALL)
    assert image.shape == (120, 160, 3) and image.dtype == np.uint8
    warnings = tspcli.render_file("samples/lenet.yaml", str(tmp_path / "a.png"), open="conv1", **SMALL)
    assert warnings == []
    assert np.array_equal(iio.imread(tmp_path / "a.png"), image)


def test_options_are_checked_as_the_command_lines(tmp_path):
    from tspcli.errors import OptionError

    with pytest.raises(OptionError, match="camera 'fisheye' is not one of"):
        tspcli.render_file("samples/lenet.yaml", str(tmp_path / "a.png"), camera="fisheye")
    with pytest.raises(OptionError, match="unknown render option 'colour'"):
        tspcli.render_image("samples/lenet.yaml", colour="red")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["m.glb", "m.gltf"])
def test_a_3d_file_holds_every_layer_its_textures_and_the_camera(tmp_path, name):
    from tspcli.render.pipeline import build_scene, compute_values, options_from

    path = tmp_path / name
    tspcli.render_file("samples/lenet.yaml", str(path), open="conv1")
    doc, blob = read_gltf(path)
    model = tspcli.load("samples/lenet.yaml")
    options = options_from(open="conv1")
    compute_values(model, options)
    scene = build_scene(model, options)
    outlines = sum(b.edge is not None for b in scene.blocks)
    textures = {id(b.texture) for b in scene.blocks}
    assert len(doc["meshes"]) == len(scene.blocks) + outlines + sum(bool(lines.paths) for lines in scene.lines)
    assert len(doc["textures"]) == len(doc["images"]) == len(textures)
    names = [mesh["name"] for mesh in doc["meshes"]]
    assert "conv1/maps" in names
    # the open layer's 6 maps: 6 boxes of 6 faces of 2 triangles, textured, nearest magnification
    maps = doc["meshes"][names.index("conv1/maps")]["primitives"][0]
    assert doc["accessors"][maps["indices"]]["count"] == 6 * 6 * 2 * 3
    material = doc["materials"][maps["material"]]
    texture = doc["textures"][material["pbrMetallicRoughness"]["baseColorTexture"]["index"]]
    assert doc["samplers"][texture["sampler"]]["magFilter"] == 9728
    png = view_bytes(doc, blob, doc["images"][texture["source"]]["bufferView"])
    maps_blocks = next(b for b in scene.blocks if b.key == "conv1/maps")
    assert np.array_equal(iio.imread(png), maps_blocks.texture.image)
    positions = np.frombuffer(view_bytes(doc, blob, doc["accessors"][maps["attributes"]["POSITION"]]["bufferView"]),
                              np.float32).reshape(-1, 3)
    assert np.allclose(positions.mean(axis=0), maps_blocks.centers.mean(axis=0), atol=1e-3)
    camera = doc["nodes"][[n.get("name") for n in doc["nodes"]].index("camera")]
    assert np.allclose(camera["translation"], scene.camera.position)


def test_plot_returns_a_plotter_holding_the_scene():
    pv = pytest.importorskip("pyvista")
    from tspcli.render.pipeline import build_scene, options_from

    plotter = tspcli.plot("samples/lenet.yaml", off_screen=True, open="conv1", values=False, **SMALL)
    try:
        assert isinstance(plotter, pv.Plotter)
        scene = build_scene(tspcli.load("samples/lenet.yaml"), options_from(open="conv1", values=False, **SMALL))
        textured = [a for a in plotter.renderer.actors.values() if isinstance(a, pv.Actor) and a.texture is not None]
        assert len(textured) == 1                    # every box of the scene in one mesh over one atlas
        assert textured[0].mapper.dataset.n_points == 24 * sum(len(b.centers) for b in scene.blocks)
        texts = [a for a in plotter.renderer.actors.values() if isinstance(a, pv.Text)]
        assert {t.input for t in texts} >= {label.text for label in scene.labels}
        assert np.allclose(plotter.camera.position, scene.camera.position)
        assert plotter.screenshot(return_img=True).shape[:2] == (120, 160)
    finally:
        plotter.close()


def test_interactive_without_a_display_exits_2(cli, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    r = cli("render", "samples/lenet.yaml", "--interactive")
    assert r.code == 2 and "no display" in r.err and len(r.err.strip().splitlines()) == 1


def test_an_animation_cannot_go_to_a_3d_file(cli, tmp_path):
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "a.glb", "--animate", "open:conv1")
    assert r.code == 2 and "one state" in r.err
    assert list(tmp_path.iterdir()) == []


def test_batch_writes_3d_files(cli, tmp_path):
    r = cli("batch", "samples/lenet.yaml", "--out", tmp_path, "-o", "{stem}.glb", "--jobs", "1", "--json")
    assert r.code == 0, r.err
    doc, _ = read_gltf(tmp_path / "lenet.glb")
    assert len(doc["textures"]) >= 1 and len(doc["meshes"]) > 10


def test_3d_boxes_face_outward_and_one_sided_where_the_picture_is(tmp_path):
    """Every triangle is wound counter-clockwise seen from outside its box (glTF's front face), and
    boxes the picture draws with front faces only get one-sided materials."""
    from tspcli.render.pipeline import build_scene, options_from

    path = tmp_path / "m.glb"
    tspcli.render_file("samples/lenet.yaml", str(path), open="conv1", values=False)
    doc, blob = read_gltf(path)
    scene = build_scene(tspcli.load("samples/lenet.yaml"), options_from(open="conv1", values=False))
    by_key = {b.key: b for b in scene.blocks}
    for mesh in doc["meshes"]:
        primitive = mesh["primitives"][0]
        if mesh["name"] not in by_key:
            assert primitive["mode"] == 1                      # outlines and connections: lines
            continue
        blocks = by_key[mesh["name"]]
        points = np.frombuffer(view_bytes(doc, blob, doc["accessors"][primitive["attributes"]["POSITION"]]
                                          ["bufferView"]), np.float32).reshape(-1, 3)
        triangles = np.frombuffer(view_bytes(doc, blob, doc["accessors"][primitive["indices"]]["bufferView"]),
                                  np.uint32).reshape(-1, 3)
        corners = points[triangles]
        normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
        box = triangles[:, 0] // 24
        away = corners.mean(axis=1) - np.asarray(blocks.centers, np.float32)[box]
        assert ((normals * away).sum(axis=1) > 0).all(), mesh["name"]
        assert doc["materials"][primitive["material"]]["doubleSided"] == (blocks.faces != "front")
