"""Frames to files: a PNG still, numbered PNG frames, MP4 (H.264) or a looping GIF.

``write_frames`` takes a stream (any iterable) of RGB(A) uint8 frames and picks
the format from the output path:

* ``x.mp4``: H.264 in yuv420p through imageio-ffmpeg's bundled ffmpeg; odd
  widths or heights are padded by one edge pixel (yuv420p needs even sizes);
  ``quality`` is the x264 CRF (0 lossless .. 51 worst, 18 looks lossless);
* ``x.gif``: loops forever; exact colours where a frame allows (see gif.py);
* ``frames/`` (a folder: trailing slash, existing folder or no extension):
  ``frame_0000.png``, ``frame_0001.png``, ...; ``out_%04d.png``: that pattern;
  both numbered from 0 without gaps, never replacing files of the user's
  (see frames.py; ``overwrite`` allows it);
* ``x.png``: a still, for a stream of exactly one frame.

Frames are encoded as they arrive, so memory stays flat however long the video.
Everything is written to a temporary file (or folder) beside the target and
renamed into place when complete: on an error, Ctrl-C or SIGTERM (which
tspcli.atomic.install_sigterm_handler turns into KeyboardInterrupt) nothing is
left at the output path and the ffmpeg process is killed.
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import tempfile
from typing import Iterable, Iterator

import numpy as np

from ..atomic import atomic_output, check_writable, disk_full
from ..errors import OptionError, ToolFailure
from .frames import PATTERN as _PATTERN
from .frames import check_frames_target, write_numbered
from .png import png_bytes, save_png

DEFAULT_FPS = 30.0
# x264 at CRF 20 on rendered diagrams: veryfast costs ~60% of medium's CPU per frame and
# gives files no larger (benchmarks/writers.py), leaving the cores to the renderer.
X264_PRESET = "veryfast"
DEFAULT_CRF = 20  # flat-coloured diagrams stay crisp; x264's own default (23) smears edges
_KINDS_HELP = (".png (one frame), .svg, .pdf, .mp4, .gif, a folder/, a pattern like out_%04d.png, "
               "or a 3D file (.glb, .gltf)")
STILL_KINDS = ("png", "scene")   # one picture, or one state of the scene (a vector figure, a 3D file)


def write_png(frame: np.ndarray, path: str) -> None:
    """Write an RGB or RGBA uint8 frame to ``path`` atomically, or to stdout for ``-``."""
    if path == "-":
        check_stdout()
        sys.stdout.buffer.write(png_bytes(frame))
        sys.stdout.flush()
        return
    with atomic_output(path, suffix=".png") as tmp:
        save_png(frame, tmp)


def crop(frame: np.ndarray, box) -> np.ndarray:
    """The part (x0, y0, x1, y1), whole pixels from the top left, of a frame (--crop)."""
    x0, y0, x1, y1 = box
    return np.ascontiguousarray(frame[y0:y1, x0:x1])


def write_json(doc, path: str) -> None:
    """Write ``doc`` as JSON to ``path`` atomically (e.g. --boxes)."""
    import json

    lines = []
    for key, value in doc.items():      # one entry a line: readable, and diffs stay small
        if isinstance(value, list) and value and isinstance(value[0], dict):
            text = "[\n  " + ",\n  ".join(json.dumps(entry) for entry in value) + "\n ]"
        else:
            text = json.dumps(value)
        lines.append(f" {json.dumps(key)}: {text}")
    with atomic_output(path, suffix=".json") as tmp:
        with open(tmp, "w", encoding="utf-8") as out:
            out.write("{\n" + ",\n".join(lines) + "\n}\n")


def check_stdout(animation=None) -> None:
    """stdout (``-o -``) takes a PNG still, and only when it goes to a pipe or a file, not a terminal."""
    if animation is not None:
        raise OptionError("-o - writes one PNG picture; write an animation to a file",
                          hint="e.g. -o out.mp4 or -o out.gif")
    if sys.stdout.isatty():
        raise OptionError("refusing to write PNG bytes to a terminal (-o -)",
                          hint="redirect or pipe it: -o - > out.png, or -o - | display")


def output_kind(path: str) -> str:
    """'mp4', 'gif', 'png', 'pattern', 'folder', or 'scene' (a file a backend draws a scene into)."""
    from .backends import FILE_BACKENDS

    base = os.path.basename(path)
    plain = base.replace("%%", "")
    if "%" in plain:
        if len(_PATTERN.findall(plain)) != 1 or "%" in _PATTERN.sub("", plain):
            raise OptionError(f"frame pattern '{path}' needs exactly one number like %04d "
                              f"(write %% for a literal %)")
        if not base.lower().endswith(".png"):
            raise OptionError(f"frame pattern '{path}' must end in .png")
        return "pattern"
    if not base:
        return "folder"
    ext = os.path.splitext(base)[1].lower()
    if ext in (".mp4", ".gif", ".png"):   # even when a folder has that name: check_writable refuses it
        return ext[1:]
    if ext in FILE_BACKENDS:
        return "scene"
    if os.path.exists(path) and not os.path.isdir(path) and not os.path.isfile(path):
        check_writable(path)              # /dev/full, a FIFO: not a frames folder
    if not ext or os.path.isdir(path):
        return "folder"
    raise OptionError(f"cannot write '{path}': unknown kind of output '{ext}' (use {_KINDS_HELP})")


def write_frames(frames: Iterable[np.ndarray], path: str, *, fps: float = DEFAULT_FPS,
                 quality: int = DEFAULT_CRF, total: int | None = None, quiet: bool = False,
                 overwrite: bool = False) -> int:
    """Write ``frames`` to ``path`` in the format its name asks for; return the frame count.

    ``total`` (when known) sizes the progress bar and lets a still fail before
    any frame is made.  The progress bar goes to stderr when it is a terminal
    and ``quiet`` is false.  ``overwrite`` lets frames replace a folder or
    pattern files that are not an earlier run's (frames.py).
    """
    kind = check_output(path, fps=fps, quality=quality, total=total, overwrite=overwrite)
    from ..progress import track

    stream = track(frames, total, quiet=quiet)
    if kind == "mp4":
        return _write_mp4(stream, path, fps, quality)
    if kind == "gif":
        return _write_gif(stream, path, fps)
    if kind == "png":
        return _write_still(stream, path)
    return write_numbered(_rgb_frames(stream, keep_alpha=True), path, kind, total, overwrite)


def check_output(path: str, *, fps: float = DEFAULT_FPS, quality: int = DEFAULT_CRF,
                 total: int | None = None, overwrite: bool = False) -> str:
    """The kind of output ``path`` asks for (see ``output_kind``), once its options are checked:
    callers can fail before making a frame."""
    kind = output_kind(path)
    if kind in ("folder", "pattern"):
        check_frames_target(path, kind, overwrite)
    _check_fps(fps, kind)
    if kind == "mp4":
        check_quality(quality)
    if kind == "png" and total is not None and total != 1:
        raise OptionError(_one_frame_only(path, total))
    return kind


def check_quality(quality) -> int:
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 51:
        raise OptionError(f"quality (x264 CRF) must be a whole number 0..51, not {quality!r}")
    return quality


def _check_fps(fps, kind: str) -> None:
    from ..scene.timeline import check_fps
    from .gif import MAX_FPS

    check_fps(fps)
    if kind == "gif" and fps > MAX_FPS:
        raise OptionError(f"a GIF plays at most {MAX_FPS:g} fps, not {fps:g} (its frame delays "
                          f"are in 1/100 s and browsers slow shorter ones down); use MP4 or "
                          f"--fps {MAX_FPS:g}")


def _one_frame_only(path: str, count) -> str:
    return (f"'{path}' holds one frame, the animation has {count}; "
            f"write it to .mp4, .gif, a folder/ or a pattern like out_%04d.png")


def _rgb_frames(frames: Iterable[np.ndarray], keep_alpha: bool = False) -> Iterator[np.ndarray]:
    """Contiguous uint8 frames of one size (RGB, or as given when ``keep_alpha``)."""
    size = None
    for i, frame in enumerate(frames):
        frame = np.asarray(frame)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] not in (3, 4):
            raise ToolFailure(f"frame {i} is {frame.dtype} {frame.shape}, "
                              f"expected uint8 (H, W, 3|4)")
        if size is None:
            size = frame.shape[:2]
        elif frame.shape[:2] != size:
            raise ToolFailure(f"frame {i} is {frame.shape[1]}x{frame.shape[0]}, "
                              f"the first was {size[1]}x{size[0]}")
        yield np.ascontiguousarray(frame if keep_alpha else frame[..., :3])


def _first(frames: Iterator[np.ndarray]) -> np.ndarray:
    first = next(frames, None)
    if first is None:
        raise ToolFailure("no frames to write")
    return first


# --- MP4 ---------------------------------------------------------------------------

def _even(frame: np.ndarray) -> np.ndarray:
    """Pad an odd height or width by repeating the last row or column (yuv420p needs even)."""
    h, w = frame.shape[:2]
    if h % 2 or w % 2:
        frame = np.pad(frame, ((0, h % 2), (0, w % 2), (0, 0)), mode="edge")
    return frame


def _ffmpeg_command(out: str, width: int, height: int, fps: float, crf: int) -> list[str]:
    from fractions import Fraction

    import imageio_ffmpeg

    return [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{width}x{height}",
            "-r", str(Fraction(fps).limit_denominator(1001)), "-i", "pipe:0", "-an",
            # BT.709 matrix, tagged, so players show the layer colours as rendered
            "-vf", "scale=out_color_matrix=bt709:out_range=tv,format=yuv420p",
            "-c:v", "libx264", "-crf", str(crf), "-preset", X264_PRESET,
            "-x264-params", "colorprim=bt709:transfer=bt709:colormatrix=bt709",
            "-movflags", "+faststart", "-f", "mp4", out]


def _write_mp4(frames: Iterable[np.ndarray], path: str, fps: float, crf: int) -> int:
    with atomic_output(path) as tmp:
        rest = _rgb_frames(frames)
        first = _first(rest)
        h, w = _even(first).shape[:2]
        with tempfile.TemporaryFile() as log:
            # Its own session: Ctrl-C reaches only us, and we stop ffmpeg ourselves.
            proc = subprocess.Popen(_ffmpeg_command(tmp, w, h, fps, crf), stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
            try:
                count = 0
                for frame in itertools.chain([first], rest):
                    proc.stdin.write(_even(frame).data)
                    count += 1
                proc.stdin.close()
                code = proc.wait()
            except BrokenPipeError:
                code = proc.wait()
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            if code != 0:
                log.seek(0)
                said = log.read().decode(errors="replace").strip().splitlines()
                if any("No space left on device" in line for line in said):
                    raise disk_full(path)
                raise ToolFailure(f"ffmpeg failed (exit {code})"
                                  + (f": {said[-1]}" if said else ""))
    return count


# --- GIF ---------------------------------------------------------------------------

def _write_gif(frames: Iterable[np.ndarray], path: str, fps: float) -> int:
    from .gif import GifStream

    with atomic_output(path) as tmp, open(tmp, "wb") as out:
        gif = GifStream(out, fps)
        for frame in _rgb_frames(frames):
            gif.add(frame)
        if not gif.count:
            raise ToolFailure("no frames to write")
        gif.close()
    return gif.count


# --- PNG ---------------------------------------------------------------------------

def _write_still(frames: Iterable[np.ndarray], path: str) -> int:
    rest = _rgb_frames(frames, keep_alpha=True)
    first = _first(rest)
    if next(rest, None) is not None:
        raise OptionError(_one_frame_only(path, "more than one"))
    write_png(first, path)
    return 1
