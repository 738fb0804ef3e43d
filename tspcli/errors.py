"""Errors a user can act on.

Every error names where the problem is (file, line, layer, key) and what is
wrong, on one line.  ``TspError`` and its subclasses mean bad input or usage
(exit code 2); ``ToolFailure`` means tspcli itself failed while working
(exit code 1).
"""
from __future__ import annotations


class TspError(Exception):
    """Bad input or usage: exit code 2."""

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 layer: str | None = None, key: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.layer = layer
        self.key = key
        self.hint = hint

    def located(self, *, file: str | None = None, line: int | None = None,
                layer: str | None = None, key: str | None = None) -> "TspError":
        """Fill in location parts that are still unknown; returns self."""
        self.file = self.file or file
        self.line = self.line or line
        self.layer = self.layer or layer
        self.key = self.key or key
        return self

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        parts = []
        if self.layer:
            parts.append(f"layer '{self.layer}'")
        if self.key:
            parts.append(f"key '{self.key}'")
        prefix = (", ".join(parts) + ": ") if parts else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where}{prefix}{self.message}{hint}"


class SpecError(TspError):
    """A description (YAML/JSON) is malformed or refers to something that does not exist."""


class SpecErrors(SpecError):
    """Several independent problems in one description; prints as the first, `validate` lists all."""

    def __init__(self, errors: list[TspError]):
        first = errors[0]
        super().__init__(first.message, file=first.file, line=first.line, layer=first.layer, key=first.key,
                         hint=first.hint)
        self.errors = errors


class ShapeError(TspError):
    """Shapes do not fit together (channels, merges, sizes that come out <= 0)."""


class LoadError(TspError):
    """A model file cannot be read (not the format, truncated, inconsistent weights)."""


class InputError(TspError):
    """An input (image, .npy, .json) is unreadable or has the wrong shape or values."""


class OptionError(TspError):
    """A command-line or config option is malformed."""


class ToolFailure(Exception):
    """tspcli failed while working (not the user's fault): exit code 1."""

    exit_code = 1


def did_you_mean(name, known, *, what: str | None = None, show: int = 12, key=None) -> str:
    """The hint for an unknown ``name``: the closest of ``known``, then (with ``what``) a list of them.

    Every "unknown X" message uses this, so all read alike:
    ``did you mean 'conv_dw_1'? layers: input, conv1, ... (20 more)``.  ``key`` maps a
    name to what is compared (e.g. ``str.lower`` for case-insensitive types).
    """
    import difflib

    known = [str(k) for k in known]
    key = key or (lambda s: s)
    compared = {key(k): k for k in reversed(known)}       # the first of equal keys wins
    close = difflib.get_close_matches(key(str(name)), list(compared), n=1, cutoff=0.6)
    parts = [f"did you mean '{compared[close[0]]}'?"] if close else []
    if what and known:
        listed = ", ".join(known[:show]) + (f", ... ({len(known) - show} more)" if len(known) > show else "")
        parts.append(f"{what}: {listed}")
    return " ".join(parts)
