"""Animated GIF that streams: frames are encoded one at a time, memory stays flat.

Pillow encodes each frame (palette and LZW) as a one-frame GIF; we lift its image
block out and stitch the frames into one looping animation here, because Pillow's
animated-GIF writer holds every frame until the end.

Palette: a frame with at most 256 colours is stored exactly.  Otherwise its most
frequent colours -- the flat faces of layers, the background, the text -- keep
exact entries, and the rest (antialiased edges, shaded maps) share an adaptive
palette.  No dithering: it would speckle flat areas and bloat the file.  After
the first frame only the rectangle that changed is stored.
"""
from __future__ import annotations

import io
import struct

import numpy as np

EXACT_COLOURS = 128
# Delays are in 1/100 s and browsers slow anything under 2/100 s down to 1/10 s.
MAX_FPS = 50.0
LOOP_FOREVER = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"


def palettize(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(palette of at most 256 RGB rows, index image) for an (H, W, 3) uint8 frame."""
    from PIL import Image

    h, w, _ = rgb.shape
    colours, counts = _colour_counts(rgb)
    wide = rgb.astype(np.uint32)
    codes = (wide[..., 0] << 16) | (wide[..., 1] << 8) | wide[..., 2]
    inverse = np.searchsorted(colours, codes.ravel())
    if len(colours) <= 256:
        return _unpack(colours), inverse.reshape(h, w).astype(np.uint8)

    exact = np.sort(colours[np.argsort(counts, kind="stable")[::-1][:EXACT_COLOURS]])
    slot = np.minimum(np.searchsorted(exact, colours), len(exact) - 1)
    is_exact = exact[slot] == colours
    rest = rgb.reshape(-1, 3)[~is_exact[inverse]].reshape(-1, 1, 3)
    adaptive = Image.fromarray(rest).quantize(256 - len(exact), dither=Image.Dither.NONE)
    approximate = np.asarray(adaptive.getpalette(), np.uint8).reshape(-1, 3)
    palette = np.concatenate([_unpack(exact), approximate])
    # Pad with a real colour so that no pixel can land on an unset (black) entry.
    palette = np.concatenate([palette, np.repeat(palette[-1:], 256 - len(palette), axis=0)])

    # Nearest entry for every distinct colour (Pillow, approximate), then the exact ones exactly.
    palette_image = Image.new("P", (1, 1))
    palette_image.putpalette(palette.ravel().tolist())
    distinct = Image.fromarray(_unpack(colours).reshape(-1, 1, 3))
    nearest = distinct.quantize(palette=palette_image, dither=Image.Dither.NONE)
    index_of = np.where(is_exact, slot, np.asarray(nearest).ravel())
    return palette, index_of[inverse].reshape(h, w).astype(np.uint8)


def _colour_counts(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct colours of an (H, W, 3) frame packed as 0xRRGGBB, ascending, and their pixel counts.

    Pillow counts with a hash table; ``np.unique`` sorts every pixel, ten times
    slower on a rendered 1280x720 frame.
    """
    from PIL import Image

    found = Image.fromarray(np.ascontiguousarray(rgb)).getcolors(rgb.shape[0] * rgb.shape[1])
    counts = np.array([n for n, _ in found], dtype=np.int64)
    channels = np.array([c for _, c in found], dtype=np.uint32).reshape(-1, 3)
    packed = (channels[:, 0] << 16) | (channels[:, 1] << 8) | channels[:, 2]
    order = np.argsort(packed)
    return packed[order], counts[order]


def _unpack(codes: np.ndarray) -> np.ndarray:
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=1).astype(np.uint8)


def _encode(palette: np.ndarray, indices: np.ndarray) -> tuple[bytes, int, int, bytes]:
    """Let Pillow LZW-encode one frame: (colour table, size bits, interlace bit, image data)."""
    from PIL import Image

    image = Image.fromarray(indices, "P")
    image.putpalette(palette.ravel().tolist())
    buffer = io.BytesIO()
    image.save(buffer, format="GIF", interlace=False)
    gif = buffer.getvalue()
    flags, pos = gif[10], 13
    table, bits = b"", 0
    if flags & 0x80:
        bits = flags & 7
        table, pos = gif[pos:pos + (3 << (bits + 1))], pos + (3 << (bits + 1))
    while gif[pos] == 0x21:  # extensions Pillow may add: skip their sub-blocks
        pos += 2
        while gif[pos]:
            pos += gif[pos] + 1
        pos += 1
    if gif[pos] != 0x2C:
        raise ValueError("unexpected GIF layout from Pillow")
    local = gif[pos + 9]
    pos += 10
    if local & 0x80:
        bits = local & 7
        table, pos = gif[pos:pos + (3 << (bits + 1))], pos + (3 << (bits + 1))
    return table, bits, local & 0x40, gif[pos:-1]  # the last byte is the trailer


class GifStream:
    """Write frames to an open binary file as a GIF that loops forever."""

    def __init__(self, fileobj, fps: float):
        self.fp = fileobj
        self.fps = fps
        self.previous: np.ndarray | None = None
        self.count = 0

    def add(self, rgb: np.ndarray) -> None:
        h, w, _ = rgb.shape
        if self.previous is None:
            self.fp.write(b"GIF89a" + struct.pack("<HHBBB", w, h, 0, 0, 0) + LOOP_FOREVER)
            top, left, bottom, right = 0, 0, h, w
        else:
            top, left, bottom, right = _changed_box(self.previous, rgb)
        palette, indices = palettize(rgb[top:bottom, left:right])
        table, bits, interlace, data = _encode(palette, indices)
        # Delays that add up: frame i ends at round(100 * (i + 1) / fps) hundredths.
        delay = round(100 * (self.count + 1) / self.fps) - round(100 * self.count / self.fps)
        control = struct.pack("<BBBBHBB", 0x21, 0xF9, 4, 1 << 2, delay, 0, 0)  # keep what's drawn
        descriptor = struct.pack("<BHHHHB", 0x2C, left, top, right - left, bottom - top,
                                 0x80 | interlace | bits)
        self.fp.write(control + descriptor + table + data)
        self.previous = rgb.copy()
        self.count += 1

    def close(self) -> None:
        self.fp.write(b";")


def _changed_box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) around the pixels that differ; one pixel when none do."""
    h, w, depth = after.shape
    changed = (before != after).reshape(h, w * depth)  # reductions over contiguous rows are fast
    rows = np.flatnonzero(changed.any(axis=1))
    if len(rows) == 0:
        return 0, 0, 1, 1
    band = changed[rows[0]:rows[-1] + 1].any(axis=0).reshape(w, depth).any(axis=1)
    cols = np.flatnonzero(band)
    return int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1
