"""Every bad input gets one clear line naming the file (exit 2): never a traceback or "internal error"."""
import io
import zipfile

import numpy as np
import pytest

from hostile import refused, tspcli
from model_files import write_legacy_h5, write_tfjs

HEAD = "layers:\n  - {type: GreyscaleInput, name: image, shape: [8, 8, 1]}\n"
MODEL = HEAD + "  - {type: Flatten, name: flat}\n  - {type: Output1d, name: out, units: 3}\n"


def write(path, text):
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


# --- descriptions ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, line, words", [
    ("model: {name: a\0b}\n" + MODEL, 1, ["'\\x00' is not allowed", "binary data"]),
    ("model: {name: !!binary aGVsbG8=}\n" + MODEL, 1, ["unsupported tag !!binary"]),
    ("model: {name: 2020-01-01}\n" + MODEL, 1, ["unsupported tag !!timestamp", "quote"]),
    (HEAD + '  - {type: Flatten, name: "bad\\udc80name"}\n', 3, ["Unicode"]),  # libyaml or our check
    ("model: {minOpacity: .nan}\n" + MODEL, 1, ["nan is not allowed", "finite"]),
    ("model: {animeTime: .inf}\n" + MODEL, 1, ["inf is not allowed"]),
    (f"model: {{animeTime: {2**200}}}\n" + MODEL, 1, ["out of range"]),
    ("model: {animeTime: 1.0e+300}\n" + MODEL, 1, ["animeTime", "at most 3,600,000 ms"]),
    ("model: {minOpacity: 5}\n" + MODEL, 1, ["minOpacity", "from 0 to 1"]),
    (HEAD + "  - {type: Conv2d, name: c, filters: 16, kernelSize: 24}\n", 3,
     ["kernel 24x24 is larger than its input 8x8"]),
    (HEAD + "  - {type: Conv2d, name: c, filters: 4, kernelSize: 3}\n  - {type: Output1d, units: 3}\n", 4,
     ["needs a 1-D input", "add a Flatten"]),
], ids=["nul", "binary", "timestamp", "surrogate", "nan", "inf", "2**200", "1e300", "opacity", "kernel",
        "flatten"])
def test_bad_values_in_a_description_are_one_located_line(cli, tmp_path, text, line, words):
    path = write(tmp_path / "m.yaml", text)
    for command in ("validate", "summary"):
        message = refused(cli(command, path), f"{path}:{line}", *words)
        assert "[-" not in message  # no negative output shapes


def test_json_description_is_json(cli, tmp_path):
    path = write(tmp_path / "m.json", '{"layers": [{"type": "GreyscaleInput", "shape": [8, 8, 1]},]}')
    refused(cli("summary", path), f"{path}:1", "cannot parse JSON")
    path = write(tmp_path / "nan.json", '{"model": {"minOpacity": NaN}, "layers": []}')
    refused(cli("summary", path), path, "NaN is not a number JSON allows")
    path = write(tmp_path / "twice.json", '{"layers": [], "layers": []}')
    refused(cli("summary", path), path, "'layers' appears twice")


def test_json_description_keeps_its_lines_and_yaml_stays_yaml(cli, tmp_path):
    path = write(tmp_path / "m.json", '{"layers": [\n  {"type": "GreyscaleInput", "shape": [8, 8, 1]},\n'
                                      '  {"type": "Nope"}\n]}\n')
    refused(cli("summary", path), f"{path}:3", "Nope")
    path = write(tmp_path / "m.yaml", "layers: [{type: GreyscaleInput, shape: [8, 8, 1]}, {type: Flatten},]\n")
    assert cli("summary", path).code == 0  # a trailing comma in a YAML flow list is YAML


def test_lone_surrogate_in_a_model_file_is_refused(cli, tmp_path):
    model_json = write_tfjs(tmp_path / "model")
    model_json.write_text(model_json.read_text().replace('"name": "conv"', '"name": "c\\udc80nv"'))
    refused(cli("summary", model_json), model_json, "lone surrogate")


def test_model_file_on_stdin_says_model_files_are_read_by_path(tmp_path):
    data = write_legacy_h5(tmp_path / "m.h5").read_bytes()
    refused(tspcli("summary", "-", stdin=data), "<stdin>", "stdin takes a description", "by path")
    refused(tspcli("summary", "-", stdin=b"layers:\0\xff\xfe"), "<stdin>", "binary data")


# --- options -----------------------------------------------------------------------------------

def test_max_memory_with_400_nines(cli):
    r = cli("summary", "samples/lenet.yaml", "--max-memory", "9" * 400)
    assert r.code == 2 and r.err.count("\n") == 1 and "--max-memory" in r.err and "EiB" in r.err


def test_negative_seed(cli):
    r = cli("predict", "samples/lenet.yaml", "--seed", "-1")
    assert r.code == 2 and r.err.count("\n") == 1 and "--seed: -1 is not in the range 0<=x<=4294967295" in r.err


# --- weights .npz and inputs .npy --------------------------------------------------------------

def npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def zip_of(**members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


HUGE_HEADER = b"\x93NUMPY\x01\x00" + (60000).to_bytes(2, "little") + b"{" + b" " * 59998 + b"\n"
BAD_NPZ = {
    "npy": (npy_bytes(np.zeros(3, "f4")), "single .npy array"),
    "object": (zip_of(**{"out/bias.npy": npy_bytes(np.array([None, 1], dtype=object))}), "not numbers"),
    "strings": (npz_bytes(**{"out/bias": np.array(["a", "b", "c"])}), "not numbers"),
    "truncated": (npz_bytes(**{"out/bias": np.zeros(3, "f4")})[:-40], "corrupt or truncated"),
    "short-array": (zip_of(**{"out/bias.npy": npy_bytes(np.zeros(3, "f4"))[:-4]}), "truncated or corrupt"),
    "huge-header": (zip_of(**{"out/bias.npy": HUGE_HEADER}), "no valid .npy header"),
    "empty-file": (b"", "is empty"),
    "empty-archive": (zip_of(), "holds no arrays"),
    "empty-member": (zip_of(**{"out/bias.npy": b""}), "is empty"),
    "not-npy-member": (zip_of(**{"readme.txt": b"hi"}), "not a .npy array"),
}


@pytest.mark.parametrize("case", list(BAD_NPZ))
def test_bad_weights_npz_is_one_line_never_interrupted(cli, tmp_path, case):
    data, words = BAD_NPZ[case]
    (tmp_path / "w.npz").write_bytes(data)
    path = write(tmp_path / "m.yaml", "model: {weights: w.npz}\n" + MODEL)
    out = tmp_path / "acts.npz"
    r = cli("predict", path, "-o", out)
    refused(r, tmp_path / "w.npz", words, output=out)
    assert "interrupted" not in r.err


@pytest.mark.parametrize("data, words", [
    (npy_bytes(np.array([None] * 64, dtype=object)), "not numbers"),
    (npy_bytes(np.zeros(64, "f4"))[:-8], "truncated or corrupt"),
    (b"", "is empty"),
    (npy_bytes(np.zeros(10**6, "f8")), "more than the limit"),
], ids=["object", "truncated", "empty", "too-big"])
def test_bad_input_npy_is_one_line(cli, tmp_path, data, words):
    (tmp_path / "x.npy").write_bytes(data)
    path = write(tmp_path / "m.yaml", MODEL)
    refused(cli("predict", path, "--input", tmp_path / "x.npy"), tmp_path / "x.npy", words)


def test_validate_checks_the_weights_file_render_will_read(cli, tmp_path):
    path = write(tmp_path / "m.yaml", "model: {weights: w.npz}\n" + MODEL)
    refused(cli("validate", path), tmp_path / "w.npz", "no such file")
    np.savez(tmp_path / "w.npz", **{"out/bias": np.zeros(4, "f4")})
    refused(cli("validate", path), tmp_path / "w.npz", "'out/bias' has shape [4], the layer needs [3]")
    np.savez(tmp_path / "w.npz", **{"out/bias": np.ones(3, "f4")})
    assert cli("validate", path).code == 0
