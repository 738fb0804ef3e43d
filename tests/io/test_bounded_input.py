"""Bounded work: hostile inputs are refused within seconds with one line (exit 2), before memory is spent.

Huge files are sparse (truncate), compressed bombs are zip headers that lie or
HDF5 datasets never written, so every case is built here in milliseconds.
"""
import json
import os
import struct
import tracemalloc
import zipfile

import h5py
import numpy as np
import pytest

from hostile import refused, tspcli
from model_files import write_keras_archive, write_legacy_h5, write_tfjs

LAYERS = "layers:\n  - {type: GreyscaleInput, name: image, shape: [8, 8, 1]}\n  - {type: Flatten}\n"
BIG = 65 * 2**20  # just over the 64 MiB text limit


def write(path, text):
    path.write_text(text)
    return path


# --- YAML aliases and nesting ------------------------------------------------------------------

def laughs(levels=9, fan=9):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]")
    return lines


@pytest.mark.parametrize("text, words", [
    ("\n".join(laughs()) + "\n" + LAYERS, ["more than 1,000,000 values", "alias bomb"]),
    (LAYERS + "timeline:\n" + "\n".join("  - " + line.split(": ", 1)[1] for line in laughs()) + "\n",
     ["alias bomb"]),
    ("model: {name: &a [b, c]}\nlayers: &l [*l]\n", ["recursive structure"]),
], ids=["list-bomb", "in-timeline", "self-reference"])
def test_alias_bombs_and_recursive_aliases_are_refused_quickly(tmp_path, text, words):
    path = write(tmp_path / "bomb.yaml", text)
    refused(tspcli("validate", path), path, *words)


def test_fan_out_mapping_alias_bomb_is_refused(tmp_path):
    lines = ["a0: &a0 {k0: x, k1: x, k2: x, k3: x, k4: x, k5: x, k6: x, k7: x, k8: x}"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(9)) + "}")
    path = write(tmp_path / "fan.yaml", "\n".join(lines) + "\n")
    refused(tspcli("summary", path), path, "more than 1,000,000 values", "alias bomb")


def test_alias_bomb_in_a_config_is_refused(tmp_path):
    path = write(tmp_path / "c.yaml", "\n".join(laughs()) + "\n")
    out = tmp_path / "x.png"
    refused(tspcli("render", "samples/lenet.yaml", "--config", path, "-o", out, cwd=ROOT), path,
            "alias bomb", output=out)


def test_a_few_aliases_are_fine(cli, tmp_path):
    path = write(tmp_path / "ok.yaml", "model: {color: &c {conv2d: '#ff0000'}}\n" + LAYERS)
    assert cli("summary", path).code == 0


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    "{a: " * 100_000 + "1" + "}" * 100_000,
    "".join(" " * i + "a:\n" for i in range(1200)) + " " * 1200 + "b: 1\n",
], ids=["brackets", "braces", "indentation"])
def test_deep_yaml_nesting_is_an_error_not_a_recursion_error(tmp_path, text):
    path = write(tmp_path / "deep.yaml", text)
    refused(tspcli("summary", path), path, "nest")  # ours (100 levels), or libyaml's own limit first


def test_deep_json_description_is_an_error(tmp_path):
    path = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    refused(tspcli("summary", path), path, "nested too deeply")


def test_deep_input_json_is_an_error(tmp_path):
    path = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    refused(tspcli("predict", "samples/lenet.yaml", "--input", path, cwd=ROOT), path, "nested too deeply")


# --- size caps and file kinds ------------------------------------------------------------------

def sparse(path, size=BIG):
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("role", ["description", "config", "jobs", "input"])
def test_text_files_over_64_mib_are_refused_before_reading(tmp_path, role):
    name = {"description": "m.yaml", "config": "c.yaml", "jobs": "jobs.yaml", "input": "x.json"}[role]
    path = sparse(tmp_path / name)
    out = tmp_path / "o.png"
    args = {"description": ["summary", path],
            "config": ["render", "samples/lenet.yaml", "--config", path, "-o", out],
            "jobs": ["batch", "--jobs-file", path, "--out", tmp_path / "figs"],
            "input": ["predict", "samples/lenet.yaml", "--input", path]}[role]
    refused(tspcli(*args, cwd=ROOT), path, "65 MiB", "64 MiB", output=out)


@pytest.mark.parametrize("role", ["description", "config", "jobs", "input", "model"])
def test_devices_and_fifos_are_refused_not_read(tmp_path, role):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # nobody writes: reading it would hang
    for path, kind in ((fifo, "pipe"), ("/dev/zero", "device")):
        args = {"description": ["summary", path], "config": ["render", "samples/lenet.yaml", "--config", path,
                                                             "-o", tmp_path / "o.png"],
                "jobs": ["batch", "--jobs-file", path, "--out", tmp_path / "figs"],
                "input": ["predict", "samples/lenet.yaml", "--input", path],
                "model": ["summary", path]}[role]
        if role == "model" and kind == "pipe":
            os.rename(fifo, tmp_path / "pipe.h5")
            args, path = ["summary", tmp_path / "pipe.h5"], tmp_path / "pipe.h5"
        refused(tspcli(*args, cwd=ROOT), path, kind)


def _lie_about_size(archive_path, member, size):
    """Set a zip member's declared uncompressed size in the central directory."""
    data = bytearray(archive_path.read_bytes())
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46:at + 46 + name_len] == member.encode():
            struct.pack_into("<I", data, at + 24, size)
        at += 4
    archive_path.write_bytes(bytes(data))


@pytest.mark.parametrize("member, limit", [("model.weights.h5", "100MB"), ("config.json", "8GiB")])
def test_keras_member_larger_than_its_limit_is_refused_before_inflating(tmp_path, member, limit):
    """Weights within --max-memory, the config within the 64 MiB text limit."""
    path = write_keras_archive(tmp_path / "m.keras")
    _lie_about_size(path, member, 3 * 2**30)
    refused(tspcli("summary", path, "--max-memory", limit), path, member, "3 GiB")


def test_keras_member_with_impossible_ratio_is_refused(tmp_path):
    path = tmp_path / "m.keras"
    write_keras_archive(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    _lie_about_size(path, "model.weights.h5", 3 * 2**30)
    refused(tspcli("summary", path), path, "model.weights.h5", "zip bomb")


def test_npz_weights_member_bomb_is_refused(tmp_path):
    np.savez(tmp_path / "w.npz", **{"out/bias": np.zeros(3, "f4")})
    _lie_about_size(tmp_path / "w.npz", "out/bias.npy", 3 * 2**30)
    path = write(tmp_path / "m.yaml", "model: {weights: w.npz}\n" + LAYERS
                 + "  - {type: Output1d, name: out, units: 3}\n")
    refused(tspcli("predict", path), tmp_path / "w.npz", "out/bias.npy", "3 GiB", "zip bomb")


def test_unallocated_compressed_hdf5_dataset_is_checked_against_max_memory(tmp_path):
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:  # 10 GB declared, never written: a few KB on disk
        f["model_weights/out"].create_dataset("huge", shape=(50_000, 50_000), dtype="f4",
                                              chunks=(1000, 1000), compression="gzip")
    assert path.stat().st_size < 1e6
    refused(tspcli("summary", path), path, "model_weights/out/huge", "--max-memory")


def test_sparse_tfjs_shard_is_compared_with_the_manifest_before_reading(tmp_path):
    model_json = write_tfjs(tmp_path / "model")
    sparse(model_json.parent / "group1-shard2of2", 3 * 2**30)
    refused(tspcli("summary", model_json), model_json, "group1-shard2of2", "the manifest describes")


def test_tfjs_manifest_larger_than_max_memory_is_refused_before_opening_shards(tmp_path):
    model_json = write_tfjs(tmp_path / "model")
    doc = json.loads(model_json.read_text())
    doc["weightsManifest"][0]["weights"][0]["shape"] = [50_000, 50_000]
    doc["weightsManifest"][0]["paths"] = ["never-there"]
    model_json.write_text(json.dumps(doc))
    refused(tspcli("summary", model_json), model_json, "weightsManifest group 1", "more than the limit")


def test_png_decompression_bomb_is_bad_input(tmp_path):
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (12_000, 12_000)).save(path)  # 144 M pixels, a few KB
    assert path.stat().st_size < 1e6
    refused(tspcli("predict", "samples/lenet.yaml", "--input", path, cwd=ROOT), path, "decompression bomb")


# --- --max-memory covers weights and scratch ---------------------------------------------------

def test_dense_too_big_for_max_memory_is_refused_before_allocating(tmp_path):
    path = write(tmp_path / "m.yaml", "layers:\n  - {type: Input1d, name: x, shape: [50000]}\n"
                                      "  - {type: Dense, name: d, units: 50000}\n")
    out = tmp_path / "o.png"
    refused(tspcli("render", path, "-o", out), path, "layer 'd'", "weights", "2,500,050,000", output=out)
    refused(tspcli("predict", path), path, "weights")


def test_keras_default_weights_are_float32_and_unchanged(cli):
    import zlib

    import tspcli
    from tspcli.engine import ensure_weights

    model = tspcli.load("samples/lenet.yaml")
    ensure_weights(model, seed=3)
    assert all(w.dtype == np.float32 for l in model.layers for w in l.weights.values())
    model = tspcli.load("samples/lenet.yaml")
    ensure_weights(model, seed=3, init="keras")  # drawn in pieces: the values of one draw
    layer = next(l for l in model.layers if "kernel" in l.weights)
    kernel = layer.weights["kernel"]
    assert kernel.dtype == np.float32
    rng = np.random.default_rng([3, zlib.crc32(layer.name.encode())])
    fan_in, fan_out = np.prod(kernel.shape[:-1]), np.prod(kernel.shape[:-2]) * kernel.shape[-1]
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    one_draw = rng.random(kernel.size, dtype=np.float32) * np.float32(2 * limit) + np.float32(-limit)
    np.testing.assert_array_equal(kernel, one_draw.reshape(kernel.shape))


@pytest.mark.parametrize("op", ["conv2d", "conv2d_transpose"])
def test_convolution_scratch_stays_in_bounded_tiles(monkeypatch, op):
    """A row of im2col patches bigger than the tile is split; the numbers stay the same."""
    from tspcli import ops
    from tspcli.ops import conv

    rng = np.random.default_rng(0)
    # A long row: 8000 pixels x 3x3x16 floats of patches (4.6 MB), or 8000 x 3x3x16 scattered values.
    x = rng.standard_normal((4, 8000, 16 if op == "conv2d" else 4)).astype(np.float32)
    k = rng.standard_normal((3, 3, 16, 4)).astype(np.float32)  # conv2d: Cin 16; transposed: Cout 16
    whole = getattr(ops, op)(x, k, 1, "same")
    monkeypatch.setattr(conv, "_PATCH_BYTES", 64 << 10)
    tracemalloc.start()
    tiled = getattr(ops, op)(x, k, 1, "same")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    np.testing.assert_allclose(tiled, whole, rtol=1e-5, atol=1e-5)
    # the input (or its padded copy), the output and its accumulator, and small tiles: no 4.6 MB row
    assert peak < 1.2 * (x.nbytes + 2 * whole.nbytes) + (512 << 10), peak
