"""`tspcli doctor`: what rendering will use on this machine, checked by drawing one picture."""
from __future__ import annotations

import os
import platform
import sys

import click

from ..text import echo


@click.command("doctor")
def command():
    """Check that this machine can render: the OpenGL window, VTK, the GL driver, ffmpeg.

    Draws one 64x64 picture offscreen in a child process, so a server can be
    checked before a batch.  Exit 0 when rendering works, 1 when it does not
    (with what to install).
    """
    from .. import __version__
    from ..render import opengl

    echo(f"tspcli {__version__}, Python {platform.python_version()}, {platform.system()} {platform.machine()}")
    shown = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    echo(f"display:  {shown or 'none (no DISPLAY or WAYLAND_DISPLAY): offscreen'}")
    choice = opengl.choose()
    echo(f"window:   {choice.window or ('none usable' if choice.missing else 'VTK default')}: "
         f"{choice.missing or choice.how}")
    echo(f"OSMesa:   {opengl.probe_osmesa() or 'not installed'}")
    if choice.missing:
        echo(f"fix:      {opengl.INSTALL}")
        sys.exit(1)
    env = dict(os.environ)
    if choice.window:
        env.setdefault("VTK_DEFAULT_OPENGL_WINDOW", choice.window)
    drawn = opengl.draw_in_child(env)
    if "error" in drawn:
        echo(f"drawing:  {drawn['error']}")
        echo(f"fix:      {opengl.INSTALL}")
        sys.exit(1)
    echo(f"VTK:      {drawn['vtk']} ({drawn['window']})")
    echo(f"OpenGL:   {drawn['renderer']}; {drawn['version']}")
    red = drawn["pixel"][:3] == [255, 0, 0]
    echo(f"drawing:  a 64x64 picture in {drawn['seconds']:.2f} s, "
         f"{'pixels read back correctly' if red else 'WRONG pixels ' + str(drawn['pixel'])}")
    echo(f"ffmpeg:   {_ffmpeg()}")
    if not red:
        sys.exit(1)
    echo("ok: tspcli can render here")


def _ffmpeg() -> str:
    try:
        import imageio_ffmpeg

        return f"{imageio_ffmpeg.get_ffmpeg_exe()} (for .mp4)"
    except Exception as exc:  # noqa: BLE001 - a report, not a failure: PNG and GIF need no ffmpeg
        return f"not found ({type(exc).__name__}); .mp4 cannot be written, .png and .gif can"
