"""Security of reading: no code from the working directory runs, no file outside the model is read.

Every fixture is built here: hostile Python modules, model files pointing outside
themselves, shards and views leading out of their folder.  Targets outside the
model are FIFOs where possible: opening one would hang, so a refusal that comes
back at all proves nothing was opened.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from hostile import ROOT, refused, tspcli
from model_files import write_keras_archive, write_legacy_h5, write_tfjs

HOSTILE = ("h5py", "json", "numpy", "yaml")


def plant_modules(folder, markers):
    """Python modules that would write a marker file if anything imported them from ``folder``."""
    for name in HOSTILE:
        (folder / f"{name}.py").write_text(
            f"open({str(markers / (name + '.ran'))!r}, 'w').write('ran')\nraise ImportError('hostile')\n")


def models(folder):
    """One small model of every kind a user may give: .h5, .keras, TF.js, and a description."""
    h5 = write_legacy_h5(folder / "m.h5")
    keras = write_keras_archive(folder / "m.keras")
    tfjs = write_tfjs(folder / "tfjs")
    view = folder / "view.yaml"  # a view of the .h5: its description and the file both read
    view.write_text("model: {load: m.h5}\n")
    return {"h5": h5, "keras": keras, "tfjs": tfjs.parent, "description": view}


COMMANDS = {
    "summary": [],
    "validate": [],
    "predict": [],
    "render": ["--no-values", "--size", "64x48", "-o", "out.png"],
    "convert": ["-o", "m_out.yaml"],
}


@pytest.fixture
def hostile_cwd(tmp_path, monkeypatch):
    markers = tmp_path / "markers"
    markers.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    plant_modules(work, markers)
    monkeypatch.chdir(work)
    return work, markers


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["h5", "keras", "tfjs", "description"])
def test_no_module_of_the_working_directory_runs_for_any_command(cli, hostile_cwd, kind):
    """In-process, so the HDF5 child and every reader are exercised for 5 commands x 4 kinds."""
    work, markers = hostile_cwd
    model = models(work)[kind]
    for command, extra in COMMANDS.items():
        r = cli(command, model, *extra)
        assert r.code == 0, (command, r.err)
        assert not list(markers.iterdir()), (command, sorted(p.name for p in markers.iterdir()))
    assert (work / "out.png").stat().st_size > 0 and (work / "m_out.yaml").is_file()


def test_console_run_imports_nothing_from_the_working_directory(hostile_cwd):
    """As the console script runs: the parent and its HDF5 child both keep out of the folder."""
    work, markers = hostile_cwd
    write_legacy_h5(work / "m.h5")
    r = tspcli("summary", "m.h5", cwd=work)
    assert r.code == 0, r.err
    assert "conv" in r.out
    assert not list(markers.iterdir())


def test_hdf5_child_is_started_isolated(tmp_path):
    from tspcli.io import hdf5

    command = hdf5._child_command(tmp_path / "m.h5", ("optimizer_weights",), 100)
    assert command[1] == "-I"  # no PYTHONPATH, no user site, no working directory
    assert command[4] == str(os.getpid())  # the parent the child watches


def test_the_reader_child_dies_when_its_parent_is_killed(tmp_path):
    """A parent killed outright (SIGKILL: no cleanup of its own) takes the reader child with it."""
    parent_code = (
        "import subprocess, sys, os, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import os, sys, time; "
        "from tspcli.io.hdf5 import _die_with_parent; _die_with_parent(os.getppid()); "
        "print(os.getpid(), flush=True); time.sleep(60)'], stdout=subprocess.PIPE)\n"
        "print(child.stdout.readline().decode().strip(), flush=True)\n"
        "time.sleep(60)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdout=subprocess.PIPE, env=env)
    child_pid = int(parent.stdout.readline())
    os.kill(child_pid, 0)  # alive
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(child_pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.kill(child_pid, signal.SIGKILL)
    pytest.fail("the reader child outlived its parent")


@pytest.mark.slow
def test_batch_workers_import_nothing_from_the_working_directory(hostile_cwd):
    work, markers = hostile_cwd
    write_legacy_h5(work / "m.h5")
    r = tspcli("batch", "m.h5", "--out", "figs", "--set", "size=64x48", "--jobs", "1", cwd=work, timeout=120)
    assert r.code == 0, r.err
    assert (work / "figs" / "m.png").stat().st_size > 0
    assert not list(markers.iterdir())


# --- nothing outside the model is read ---------------------------------------------------------

@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.bin"
    path.write_bytes(np.arange(72 * 3, dtype="<f4").tobytes())
    return path


def test_hdf5_external_storage_is_refused(tmp_path, secret, cli):
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:
        del f["model_weights/out/out/kernel:0"]
        f["model_weights/out/out"].create_dataset("kernel:0", shape=(72, 3), dtype="<f4",
                                                   external=[(str(secret), 0, secret.stat().st_size)])
    out = tmp_path / "converted.yaml"
    refused(cli("convert", path, "-o", out), path, "model_weights/out/out/kernel:0", "external file",
            output=out)


def test_hdf5_external_link_is_refused(tmp_path, cli):
    other = write_legacy_h5(tmp_path / "other.h5")
    path = write_legacy_h5(tmp_path / "m.h5")
    with h5py.File(path, "a") as f:
        del f["model_weights/out"]
        f["model_weights/out"] = h5py.ExternalLink(str(other), "/model_weights/out")
    refused(cli("summary", path), path, "external link", "other.h5")


def test_hdf5_virtual_dataset_is_refused(tmp_path, cli):
    other = tmp_path / "other.h5"
    with h5py.File(other, "w") as f:
        f["data"] = np.ones((72, 3), "f4")
    path = write_legacy_h5(tmp_path / "m.h5")
    layout = h5py.VirtualLayout(shape=(72, 3), dtype="f4")
    layout[:] = h5py.VirtualSource(str(other), "data", shape=(72, 3))
    with h5py.File(path, "a") as f:
        del f["model_weights/out/out/kernel:0"]
        f["model_weights/out/out"].create_virtual_dataset("kernel:0", layout)
    refused(cli("predict", path), path, "virtual dataset", "kernel:0")


def _manifest_paths(model_json, paths):
    doc = json.loads(model_json.read_text())
    doc["weightsManifest"][0]["paths"] = paths
    model_json.write_text(json.dumps(doc))


@pytest.mark.parametrize("how", ["dotdot", "absolute", "symlink", "symlinked-folder"])
def test_tfjs_shards_outside_the_folder_are_refused_unopened(tmp_path, how):
    model_json = write_tfjs(tmp_path / "model")
    outside = tmp_path / "outside"
    outside.mkdir()
    os.mkfifo(outside / "fifo")  # opening it would hang: a refusal proves it stayed closed
    if how == "dotdot":
        bad = "../outside/fifo"
    elif how == "absolute":
        bad = str(outside / "fifo")
    elif how == "symlink":
        (model_json.parent / "shard").symlink_to(outside / "fifo")
        bad = "shard"
    else:
        (model_json.parent / "sub").symlink_to(outside)
        bad = "sub/fifo"
    _manifest_paths(model_json, ["group1-shard1of2", bad])
    refused(tspcli("summary", model_json), model_json, "weights shard", "folder")


def test_tfjs_shard_inside_the_folder_through_a_subfolder_is_read(tmp_path, cli):
    model_json = write_tfjs(tmp_path / "model")
    (model_json.parent / "w").mkdir()
    shutil.move(model_json.parent / "group1-shard2of2", model_json.parent / "w" / "s2")
    _manifest_paths(model_json, ["group1-shard1of2", "w/../w/s2"])
    assert cli("summary", model_json).code == 0


def _description(folder, model_keys: str):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "d.yaml"
    path.write_text(f"model: {{{model_keys}}}\nlayers:\n  - {{type: GreyscaleInput, name: image, shape: [8, 8, 1]}}\n"
                    "  - {type: Flatten, name: flat}\n  - {type: Output1d, name: out, units: 3}\n")
    return path


def test_view_load_outside_the_description_folder_is_refused(tmp_path, cli):
    write_legacy_h5(tmp_path / "m.h5")
    view = tmp_path / "views" / "v.yaml"
    view.parent.mkdir()
    view.write_text("model: {load: ../m.h5}\n")
    refused(cli("summary", view), view, "'load'", "outside the description's folder", "absolute path")


def test_view_load_through_a_symlink_leaving_the_folder_is_refused(tmp_path, cli):
    write_legacy_h5(tmp_path / "m.h5")
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "m.h5").symlink_to(tmp_path / "m.h5")
    view = tmp_path / "views" / "v.yaml"
    view.write_text("model: {load: m.h5}\n")
    refused(cli("summary", view), view, "outside the description's folder")


def test_absolute_paths_written_in_a_description_are_the_users_choice(tmp_path, cli):
    h5 = write_legacy_h5(tmp_path / "m.h5")
    view = tmp_path / "views" / "v.yaml"
    view.parent.mkdir()
    view.write_text(f"model: {{load: '{h5}'}}\n")
    assert cli("summary", view).code == 0


def test_description_weights_outside_its_folder_are_refused(tmp_path, cli):
    np.savez(tmp_path / "w.npz", **{"out/bias": np.zeros(3, "f4")})
    path = _description(tmp_path / "d", "weights: ../w.npz")
    refused(cli("validate", path), path, "'weights'", "outside")


def test_description_on_stdin_reads_relative_files_from_the_working_directory(tmp_path, cli, monkeypatch):
    write_legacy_h5(tmp_path / "m.h5")
    monkeypatch.chdir(tmp_path)
    r = cli("summary", "-", stdin="model: {load: m.h5}\n")
    assert r.code == 0, r.err
    assert "conv" in r.out
    refused(cli("summary", "-", stdin="model: {load: ../m.h5}\n"), "<stdin>", "outside")
