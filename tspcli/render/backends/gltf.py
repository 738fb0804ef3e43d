"""A Scene as a glTF 2.0 file (.glb binary, or .gltf with its data inline): meshes, textures, lines, camera.

Written from the scene's numpy arrays, not exported from VTK: VTK's
``vtkGLTFExporter`` (pyvista's ``export_gltf``) takes a texture only from a
``vtkTexture``'s input image, and drops lines' colours and 2-D text; here
every Blocks element is one mesh whose material shows its texture (a PNG in
the file) unlit, with TensorSpace's nearest-texel magnification; closed
layers' outlines and the connections are LINES primitives; the picture's
camera is the file's camera.  Labels, the legend and the title are text in
the picture, not geometry, and are left out.

One file, nothing to fetch: a .glb holds its buffer and images; a .gltf holds
them as a base64 ``data:`` URI.  Coordinates are the scene's (+y up,
right-handed, as glTF's), one unit a scene unit.
"""
from __future__ import annotations

import base64
import json
import struct

import numpy as np

from ...atomic import atomic_output
from ...scene import geometry
from ..png import png_bytes

# glTF constants
FLOAT, UNSIGNED_INT = 5126, 5125
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
LINES, TRIANGLES = 1, 4
NEAREST, LINEAR_MIPMAP_LINEAR, CLAMP_TO_EDGE = 9728, 9987, 33071
UNLIT = "KHR_materials_unlit"
GLB_MAGIC, GLB_JSON, GLB_BIN = 0x46546C67, 0x4E4F534A, 0x004E4942


def write_scene(scene, path: str, scale: float = 1.0) -> None:
    """Write ``scene`` to ``path`` (.glb or .gltf), atomically; ``scale`` does not apply to a 3D file."""
    document, blob = GltfBuilder().scene(scene)
    with atomic_output(path) as tmp, open(tmp, "wb") as out:
        out.write(pack_glb(document, blob) if path.lower().endswith(".glb") else pack_gltf(document, blob))


def pack_glb(document: dict, blob: bytes) -> bytes:
    """The binary container: a 12-byte header, the JSON chunk (space-padded), the BIN chunk (zero-padded)."""
    document = dict(document, buffers=[{"byteLength": len(blob)}])
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    blob += b"\0" * (-len(blob) % 4)
    total = 12 + 8 + len(text) + 8 + len(blob)
    return (struct.pack("<III", GLB_MAGIC, 2, total) + struct.pack("<II", len(text), GLB_JSON) + text
            + struct.pack("<II", len(blob), GLB_BIN) + blob)


def pack_gltf(document: dict, blob: bytes) -> bytes:
    uri = "data:application/octet-stream;base64," + base64.b64encode(blob).decode()
    return json.dumps(dict(document, buffers=[{"byteLength": len(blob), "uri": uri}]), indent=1).encode()


class GltfBuilder:
    """Collects the JSON document and the one binary buffer it points into."""

    def __init__(self):
        self.doc = {"asset": {"version": "2.0", "generator": "tspcli"}, "extensionsUsed": [UNLIT],
                    "scenes": [{"nodes": []}], "scene": 0, "nodes": [], "meshes": [], "materials": [],
                    "accessors": [], "bufferViews": [], "textures": [], "images": [], "samplers": [
                        {"magFilter": NEAREST, "minFilter": LINEAR_MIPMAP_LINEAR,
                         "wrapS": CLAMP_TO_EDGE, "wrapT": CLAMP_TO_EDGE}]}
        self.chunks: list[bytes] = []
        self.size = 0
        self.textures: dict[int, int] = {}     # id(scene Texture) -> glTF texture index

    def scene(self, scene) -> tuple[dict, bytes]:
        for blocks in scene.blocks:
            self._blocks(blocks)
            if blocks.edge is not None:
                points, segments = geometry.box_edges(blocks.centers, blocks.size)
                self._lines(f"{blocks.key}/outline", points, segments, (*blocks.edge, blocks.opacity))
        for lines in scene.lines:
            if lines.paths:
                points = np.concatenate(lines.paths)
                starts = np.cumsum([0] + [len(p) for p in lines.paths[:-1]])
                segments = np.concatenate([np.stack([np.arange(s, s + len(p) - 1), np.arange(s + 1, s + len(p))], 1)
                                           for s, p in zip(starts, lines.paths)])
                self._lines(lines.key, points, segments, lines.color)
        self._camera(scene)
        return {k: v for k, v in self.doc.items() if v != []}, b"".join(self.chunks)

    # --- elements -------------------------------------------------------------------------
    def _blocks(self, blocks) -> None:
        points = geometry.box_points(blocks.centers, blocks.size)
        attributes = {"POSITION": self._positions(points),
                      "TEXCOORD_0": self._accessor(
                          geometry.box_tcoords(blocks.tiles, blocks.side_tiles, blocks.plane), "VEC2")}
        translucent = blocks.opacity < 1 or bool((blocks.texture.image[..., 3] < 255).any())
        # "front": a one-sided material, as TensorSpace's, so a viewer shows each box's faces toward it only
        one_sided = blocks.faces == "front"
        material = self._material(blocks.key, (1.0, 1.0, 1.0, blocks.opacity), translucent,
                                  texture=self._texture(blocks.texture), double_sided=not one_sided)
        self._mesh(blocks.key, attributes, self._indices(_outward_triangles(points, len(blocks.centers))),
                   TRIANGLES, material)

    def _lines(self, name: str, points: np.ndarray, segments: np.ndarray, rgba) -> None:
        material = self._material(name, tuple(float(c) for c in rgba), rgba[3] < 1)
        self._mesh(name, {"POSITION": self._positions(points)}, self._indices(segments), LINES, material)

    def _camera(self, scene) -> None:
        camera = scene.camera
        eye, target = np.asarray(camera.position, float), np.asarray(camera.focal_point, float)
        back = eye - target
        back /= np.linalg.norm(back)
        right = np.cross(np.asarray(camera.up, float), back)
        right /= np.linalg.norm(right)
        rotation = np.stack([right, np.cross(back, right), back], axis=1)   # columns: camera x, y, z
        width, height = scene.size
        distance = float(max(np.linalg.norm(eye - target), 1.0))
        if camera.parallel_scale is not None:   # the parallel presets: glTF's orthographic camera
            self.doc["cameras"] = [{"type": "orthographic", "orthographic": {
                "xmag": float(camera.parallel_scale * width / height), "ymag": float(camera.parallel_scale),
                "znear": distance * 1e-3, "zfar": 2 * distance}}]
        else:
            self.doc["cameras"] = [{"type": "perspective", "perspective": {
                "yfov": float(np.radians(camera.view_angle)), "aspectRatio": width / height,
                "znear": distance * 1e-3}}]
        self._node({"name": "camera", "camera": 0, "translation": eye.tolist(),
                    "rotation": _quaternion(rotation)})

    # --- glTF objects ---------------------------------------------------------------------
    def _mesh(self, name: str, attributes: dict, indices: int, mode: int, material: int) -> None:
        self.doc["meshes"].append({"name": name, "primitives": [
            {"attributes": attributes, "indices": indices, "mode": mode, "material": material}]})
        self._node({"name": name, "mesh": len(self.doc["meshes"]) - 1})

    def _node(self, node: dict) -> None:
        self.doc["nodes"].append(node)
        self.doc["scenes"][0]["nodes"].append(len(self.doc["nodes"]) - 1)

    def _material(self, name: str, rgba, translucent: bool, texture: int | None = None,
                  double_sided: bool = True) -> int:
        pbr = {"baseColorFactor": [float(c) for c in rgba], "metallicFactor": 0.0, "roughnessFactor": 1.0}
        if texture is not None:
            pbr["baseColorTexture"] = {"index": texture}
        self.doc["materials"].append({"name": name, "pbrMetallicRoughness": pbr, "doubleSided": double_sided,
                                      "alphaMode": "BLEND" if translucent else "OPAQUE",
                                      "extensions": {UNLIT: {}}})
        return len(self.doc["materials"]) - 1

    def _texture(self, texture) -> int:
        """One image per scene Texture, however many meshes show it."""
        if id(texture) not in self.textures:
            png = png_bytes(texture.image)
            self.doc["images"].append({"name": texture.key, "mimeType": "image/png", "bufferView": self._view(png)})
            self.doc["textures"].append({"sampler": 0, "source": len(self.doc["images"]) - 1})
            self.textures[id(texture)] = len(self.doc["textures"]) - 1
        return self.textures[id(texture)]

    def _positions(self, points: np.ndarray) -> int:
        points = np.asarray(points, np.float32)
        return self._accessor(points, "VEC3", bounds=True)

    def _indices(self, cells: np.ndarray) -> int:
        return self._accessor(np.asarray(cells, np.uint32).ravel(), "SCALAR", target=ELEMENT_ARRAY_BUFFER)

    def _accessor(self, data: np.ndarray, kind: str, bounds: bool = False, target: int = ARRAY_BUFFER) -> int:
        data = np.ascontiguousarray(data, dtype=np.uint32 if data.dtype == np.uint32 else np.float32)
        accessor = {"bufferView": self._view(data.tobytes(), target),
                    "componentType": UNSIGNED_INT if data.dtype == np.uint32 else FLOAT,
                    "count": int(len(data)), "type": kind}
        if bounds:
            accessor["min"] = data.min(axis=0).tolist()
            accessor["max"] = data.max(axis=0).tolist()
        self.doc["accessors"].append(accessor)
        return len(self.doc["accessors"]) - 1

    def _view(self, data: bytes, target: int | None = None) -> int:
        """A view of ``data`` appended to the buffer at a 4-byte boundary."""
        padding = -self.size % 4
        if padding:
            self.chunks.append(b"\0" * padding)
            self.size += padding
        view = {"buffer": 0, "byteOffset": self.size, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.chunks.append(data)
        self.size += len(data)
        self.doc["bufferViews"].append(view)
        return len(self.doc["bufferViews"]) - 1


def _outward_triangles(points: np.ndarray, count: int) -> np.ndarray:
    """(count*12, 3) triangles of the boxes' quads, each wound counter-clockwise seen from outside
    (glTF's front faces), whichever way ``geometry`` orders a face's corners."""
    quads = geometry.box_quads(count)
    p = np.asarray(points, float)[quads]                                    # (count*6, 4, 3)
    normal = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    outward = np.tile(geometry.FACE_NORMALS, (count, 1))
    quads = np.where(((normal * outward).sum(axis=1) < 0)[:, None], quads[:, ::-1], quads)
    return np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]], axis=1).reshape(-1, 3)


def _quaternion(m: np.ndarray) -> list[float]:
    """Unit quaternion (x, y, z, w) of a rotation matrix."""
    w = np.sqrt(max(0.0, 1.0 + m[0, 0] + m[1, 1] + m[2, 2])) / 2
    x = np.copysign(np.sqrt(max(0.0, 1.0 + m[0, 0] - m[1, 1] - m[2, 2])) / 2, m[2, 1] - m[1, 2])
    y = np.copysign(np.sqrt(max(0.0, 1.0 - m[0, 0] + m[1, 1] - m[2, 2])) / 2, m[0, 2] - m[2, 0])
    z = np.copysign(np.sqrt(max(0.0, 1.0 - m[0, 0] - m[1, 1] + m[2, 2])) / 2, m[1, 0] - m[0, 1])
    q = np.array([x, y, z, w])
    return (q / np.linalg.norm(q)).tolist()
