"""Text from files made safe for a terminal.

Names, labels and paths come from files a user may have downloaded: a layer
named ``"\\x1b]0;pwned\\x07"`` or ``"x\\ntspcli: all good"`` must show as text,
never move the cursor, retitle the window or forge a line.  ``safe`` escapes
every character Python does not call printable (control characters, ESC,
BEL, newlines, tabs, bidi overrides, lone surrogates, ...) the way ``repr``
does (``\\x1b``, ``\\n``, ``\\u202e``, ``\\udc80``) and keeps the rest,
letters of every script included.  JSON output needs none of this: ``json``
escapes control characters itself (``\\u001b``) and writes ASCII.
"""
from __future__ import annotations


def safe(value) -> str:
    """``str(value)`` with every non-printable character escaped as ``repr`` escapes it."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def echo(message, err: bool = False) -> None:
    """Print one line made of text that may come from a file (see ``safe``)."""
    import click

    click.echo(safe(message), err=err)
