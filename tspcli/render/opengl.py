"""Which OpenGL an offscreen render will use, checked before VTK loads it.

On a fresh Linux server without Mesa's EGL or OSMesa, VTK finds no window it can
open and crashes (a segfault, or an unrelated texture error).  ``require`` finds
out first, with ctypes only, in a few milliseconds (about 0.1 s when llvmpipe
loads): is there a display (then VTK's own choice stands), else can EGL
initialise a device (libEGL, a vendor library such as Mesa's, and its driver),
else is libOSMesa there.  It sets ``VTK_DEFAULT_OPENGL_WINDOW`` to what works,
or raises one ToolFailure saying what is missing and what to install.

``describe`` is `tspcli doctor`'s report; it also draws a picture in a child
process (``python -I``, nothing from the current folder) and asks the GL driver
its name, which a crash there cannot take down.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from dataclasses import dataclass

from ..errors import ToolFailure

INSTALL = ("Debian/Ubuntu: apt-get install -y libegl1 libgl1-mesa-dri; "
           "Fedora: dnf install -y mesa-libEGL mesa-dri-drivers")
EGL_WINDOW, OSMESA_WINDOW = "vtkEGLRenderWindow", "vtkOSOpenGLRenderWindow"
_EGL_PLATFORM_DEVICE_EXT = 0x313F
_EGL_VENDOR, _EGL_VERSION = 0x3053, 0x3054


@dataclass
class Choice:
    """What rendering will use: ``window`` (a VTK class, or None for VTK's own choice), why, or what is missing."""

    window: str | None
    how: str
    missing: str | None = None


def choose(env=os.environ) -> Choice:
    """The window an offscreen render should use here (see the module's text); does not change ``env``."""
    if env.get("VTK_DEFAULT_OPENGL_WINDOW"):
        return Choice(env["VTK_DEFAULT_OPENGL_WINDOW"], "set by VTK_DEFAULT_OPENGL_WINDOW")
    if not sys.platform.startswith("linux"):
        return Choice(None, f"VTK's own window for {sys.platform}")
    if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
        return Choice(None, "the display " + (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")))
    egl = probe_egl()
    if egl.ok:
        return Choice(EGL_WINDOW, f"EGL ({egl.detail})")
    osmesa = probe_osmesa()
    if osmesa:
        return Choice(OSMESA_WINDOW, f"OSMesa ({osmesa}); EGL: {egl.detail}")
    return Choice(None, "nothing", missing=f"{egl.detail}, and no libOSMesa")


def require(env=os.environ) -> str:
    """Pick the window for this process (and its children) or fail with what to install; the choice's text."""
    choice = choose(env)
    if choice.missing:
        raise ToolFailure(f"no offscreen OpenGL to render with: {choice.missing} (install it: {INSTALL})")
    if choice.window and not env.get("VTK_DEFAULT_OPENGL_WINDOW"):
        env["VTK_DEFAULT_OPENGL_WINDOW"] = choice.window
    return choice.how


@dataclass
class EglProbe:
    ok: bool
    detail: str


def probe_egl() -> EglProbe:
    """Whether EGL can initialise a device, as VTK's EGL window does, without VTK."""
    try:
        egl = ctypes.CDLL("libEGL.so.1")
    except OSError:
        return EglProbe(False, "libEGL.so.1 is not installed")
    egl.eglGetProcAddress.restype = ctypes.c_void_p
    egl.eglGetProcAddress.argtypes = [ctypes.c_char_p]
    query_address = egl.eglGetProcAddress(b"eglQueryDevicesEXT")
    display_address = egl.eglGetProcAddress(b"eglGetPlatformDisplayEXT")
    if not query_address or not display_address:
        return EglProbe(False, "libEGL has no device extensions (no EGL vendor library such as Mesa's)")
    query = ctypes.CFUNCTYPE(ctypes.c_uint, ctypes.c_int, ctypes.POINTER(ctypes.c_void_p),
                             ctypes.POINTER(ctypes.c_int))(query_address)
    devices, count = (ctypes.c_void_p * 16)(), ctypes.c_int(0)
    if not query(16, devices, ctypes.byref(count)) or count.value < 1:
        return EglProbe(False, "EGL finds no device (no EGL vendor library such as Mesa's libEGL_mesa)")
    get_display = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_uint, ctypes.c_void_p,
                                   ctypes.c_void_p)(display_address)
    egl.eglInitialize.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
    egl.eglQueryString.restype = ctypes.c_char_p
    egl.eglQueryString.argtypes = [ctypes.c_void_p, ctypes.c_int]
    egl.eglTerminate.argtypes = [ctypes.c_void_p]
    quiet = "EGL_LOG_LEVEL" not in os.environ
    if quiet:   # Mesa's own warnings would add lines to our one
        os.environ["EGL_LOG_LEVEL"] = "fatal"
    try:
        for device in devices[:count.value]:
            display = get_display(_EGL_PLATFORM_DEVICE_EXT, device, None)
            major, minor = ctypes.c_int(), ctypes.c_int()
            if display and egl.eglInitialize(display, ctypes.byref(major), ctypes.byref(minor)):
                vendor = (egl.eglQueryString(display, _EGL_VENDOR) or b"?").decode(errors="replace")
                egl.eglTerminate(display)
                return EglProbe(True, f"EGL {major.value}.{minor.value}, {vendor}, {count.value} device(s)")
    finally:
        if quiet:
            del os.environ["EGL_LOG_LEVEL"]
    return EglProbe(False, "EGL cannot initialise a device (no GL driver, e.g. Mesa's swrast_dri.so)")


def probe_osmesa() -> str | None:
    """The OSMesa library's path when it loads, else None."""
    for name in (ctypes.util.find_library("OSMesa"), "libOSMesa.so.8", "libOSMesa.so"):
        if name:
            try:
                ctypes.CDLL(name)
                return name
            except OSError:
                continue
    return None


# Run by `tspcli doctor` in a child (python -I): VTK alone draws a red 64x64 picture offscreen.
_DRAW_ONE = r"""
import json, time
start = time.perf_counter()
from vtkmodules.vtkCommonCore import vtkUnsignedCharArray, vtkVersion
from vtkmodules.vtkRenderingCore import vtkRenderer, vtkRenderWindow
import vtkmodules.vtkRenderingOpenGL2
window = vtkRenderWindow()
window.SetOffScreenRendering(1)
window.SetSize(64, 64)
renderer = vtkRenderer()
renderer.SetBackground(1.0, 0.0, 0.0)
window.AddRenderer(renderer)
window.Render()
pixels = vtkUnsignedCharArray()
window.GetPixelData(0, 0, 0, 0, 1, pixels, 0)
caps = dict(line.split(":", 1) for line in window.ReportCapabilities().splitlines() if ":" in line)
print(json.dumps({"vtk": vtkVersion.GetVTKVersion(), "window": window.GetClassName(),
                  "renderer": caps.get("OpenGL renderer string", "").strip(),
                  "version": caps.get("OpenGL version string", "").strip(),
                  "pixel": [pixels.GetValue(i) for i in range(3)],
                  "seconds": round(time.perf_counter() - start, 2)}))
"""
DRAW_TIMEOUT_S = 120


def draw_in_child(env=os.environ) -> dict:
    """Draw one picture with VTK in a child process: its GL renderer and version, or ``{"error": ...}``."""
    import json
    import subprocess

    try:
        done = subprocess.run([sys.executable, "-I", "-c", _DRAW_ONE], capture_output=True, text=True,
                              timeout=DRAW_TIMEOUT_S, env=dict(env))
    except subprocess.TimeoutExpired:
        return {"error": f"drawing did not finish in {DRAW_TIMEOUT_S} s"}
    if done.returncode != 0:
        how = (f"crashed (signal {-done.returncode})" if done.returncode < 0
               else f"failed (exit {done.returncode})")
        said = [line for line in done.stderr.splitlines() if line.strip()]
        return {"error": how + (f": {said[-1].strip()}" if said else "")}
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"error": f"gave no answer: {done.stdout.strip()[-200:]!r}"}
