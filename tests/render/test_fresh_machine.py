"""A fresh machine: no offscreen OpenGL is one line with what to install, `tspcli doctor` checks a server.

Missing libraries are simulated two ways: the probe monkeypatched (fast, in-process),
and Mesa hidden from a child process with its own variables (libglvnd's
``__EGL_VENDOR_LIBRARY_DIRS``, Mesa's ``LIBGL_DRIVERS_PATH``), so the real probe meets
a libEGL without a vendor and a vendor without a driver.
"""
import os
import pathlib
import subprocess
import sys

import pytest

from tspcli.render import opengl

ROOT = pathlib.Path(__file__).resolve().parents[2]
INSTALL = "apt-get install -y libegl1 libgl1-mesa-dri; Fedora: dnf install -y mesa-libEGL mesa-dri-drivers"
HIDDEN = {"__EGL_VENDOR_LIBRARY_DIRS": "/nonexistent", "LIBGL_DRIVERS_PATH": "/nonexistent"}


@pytest.fixture
def no_opengl(monkeypatch):
    """This process sees no usable EGL and no OSMesa, and no display."""
    monkeypatch.setattr(opengl, "probe_egl", lambda: opengl.EglProbe(False, "libEGL.so.1 is not installed"))
    monkeypatch.setattr(opengl, "probe_osmesa", lambda: None)
    for name in ("VTK_DEFAULT_OPENGL_WINDOW", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)


def here_egl_works() -> bool:
    return sys.platform.startswith("linux") and opengl.probe_egl().ok


def one_line(r, code) -> str:
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert r.code == code and len(lines) == 1 and "Traceback" not in r.err, (r.code, r.err)
    return lines[0]


# --- detection ---------------------------------------------------------------------------------------

def test_render_without_opengl_says_what_to_install(cli, tmp_path, no_opengl):
    line = one_line(cli("render", "samples/lenet.yaml", "-o", tmp_path / "x.png"), 1)
    assert line == ("tspcli: failed: no offscreen OpenGL to render with: libEGL.so.1 is not installed, "
                    f"and no libOSMesa (install it: Debian/Ubuntu: {INSTALL})")
    assert list(tmp_path.iterdir()) == []


def test_batch_without_opengl_says_it_once(cli, tmp_path, no_opengl):
    line = one_line(cli("batch", "samples/lenet.yaml", "samples/depthwise.yaml", "--out", tmp_path), 1)
    assert "no offscreen OpenGL" in line and "BrokenProcessPool" not in line
    assert list(tmp_path.iterdir()) == []


def test_osmesa_is_the_fallback(monkeypatch):
    monkeypatch.setattr(opengl, "probe_egl", lambda: opengl.EglProbe(False, "libEGL.so.1 is not installed"))
    monkeypatch.setattr(opengl, "probe_osmesa", lambda: "libOSMesa.so.8")
    env = {}
    assert "OSMesa" in opengl.require(env) and env["VTK_DEFAULT_OPENGL_WINDOW"] == opengl.OSMESA_WINDOW


def test_a_display_or_the_users_choice_is_left_to_vtk(monkeypatch):
    monkeypatch.setattr(opengl, "probe_egl", lambda: pytest.fail("no probe with a display"))
    assert opengl.choose({"DISPLAY": ":0"}).window is None
    chosen = opengl.choose({"VTK_DEFAULT_OPENGL_WINDOW": "vtkOSOpenGLRenderWindow"})
    assert chosen.window == "vtkOSOpenGLRenderWindow" and not chosen.missing


@pytest.mark.skipif(not here_egl_works(), reason="needs Mesa's EGL on this machine to hide it")
@pytest.mark.skipif(bool(opengl.probe_osmesa()), reason="OSMesa would be used instead")
@pytest.mark.parametrize("hide, missing", [("__EGL_VENDOR_LIBRARY_DIRS", "EGL finds no device"),
                                           ("LIBGL_DRIVERS_PATH", "EGL cannot initialise a device")])
def test_a_real_egl_without_vendor_or_driver_is_detected_before_vtk(tmp_path, hide, missing):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                            "VTK_DEFAULT_OPENGL_WINDOW")}
    env.update({hide: HIDDEN[hide], "PYTHONPATH": str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")})
    r = subprocess.run([sys.executable, "-m", "tspcli", "render", "samples/lenet.yaml", "-o", tmp_path / "x.png"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr     # one line, not VTK's warnings
    assert r.stderr.startswith(f"tspcli: failed: no offscreen OpenGL to render with: {missing}")
    assert INSTALL in r.stderr and list(tmp_path.iterdir()) == []


# --- doctor ------------------------------------------------------------------------------------------

def test_doctor_on_this_machine(cli):
    r = cli("doctor")
    lines = dict(line.split(":", 1) for line in r.out.splitlines() if ":" in line)
    if opengl.choose().missing:                       # a machine without OpenGL: it says so
        assert r.code == 1 and INSTALL in r.out
        return
    assert r.code == 0, r.out + r.err
    assert lines["VTK"].strip()[0].isdigit()
    assert lines["OpenGL"].strip() and "; " in lines["OpenGL"]        # the driver's name and GL version
    assert "pixels read back correctly" in lines["drawing"]
    assert r.out.rstrip().endswith("ok: tspcli can render here")


def test_doctor_without_opengl_says_what_to_install(cli, no_opengl):
    r = cli("doctor")
    assert r.code == 1 and "window:   none usable: libEGL.so.1 is not installed" in r.out
    assert f"fix:      Debian/Ubuntu: {INSTALL}" in r.out


def test_doctor_reports_a_crashing_driver(cli, monkeypatch):
    monkeypatch.setattr(opengl, "_DRAW_ONE", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)")
    if opengl.choose().missing:
        pytest.skip("no OpenGL here: doctor stops before drawing")
    r = cli("doctor")
    assert r.code == 1 and "drawing:  crashed (signal 11)" in r.out


# --- the README's set-up ---------------------------------------------------------------------------

def test_readme_sets_up_as_ci_does():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "apt-get install -y python3-venv libegl1 libgl1-mesa-dri" in readme
    assert 'pip install -e .' in readme and 'pip install -e ".[test]" && pytest' in readme
    for step in ('pip install --quiet -e .\n', 'pip install --quiet -e ".[test]"', "tspcli doctor", "pytest"):
        assert step in ci, step


def test_a_gltf_file_needs_no_opengl(cli, tmp_path, no_opengl):
    r = cli("render", "samples/lenet.yaml", "-o", tmp_path / "m.glb", "--no-values")
    assert r.code == 0, r.err
    assert (tmp_path / "m.glb").read_bytes()[:4] == b"glTF"
