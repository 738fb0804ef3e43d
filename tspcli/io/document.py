"""A description's text (YAML, or JSON for ``.json`` files) -> plain data that remembers its lines.

Descriptions, ``--config`` files and jobs files come from anywhere, so parsing
is bounded and yields plain data only:

* PyYAML's safe loader (libyaml's parser when present), with a composer that counts nodes as it builds them:
  an alias counts as the whole tree it repeats, so an alias bomb is refused
  after ``MAX_NODES`` expanded nodes (well before a second), an alias inside
  its own anchor (a recursive structure) is refused, and nesting deeper than
  ``MAX_DEPTH`` levels is an error, not a RecursionError.
* Scalars are text, whole numbers, finite numbers, booleans or null; tags such
  as ``!!binary`` or ``!!timestamp``, lone surrogates, NaN/infinity and whole
  numbers beyond 2**53 are refused where they are written.
* A ``.json`` file is parsed as JSON (trailing commas are errors); YAML's tree
  of the same text only supplies the lines for messages.
"""
from __future__ import annotations

import json
import math

import yaml

from tspcli.errors import SpecError

MAX_NODES = 1_000_000   # expanded nodes (aliases count as what they repeat)
MAX_DEPTH = 100         # nesting levels of lists and mappings
MAX_INT = 2**53         # beyond this a whole number is no count, size or time of a model
_COLLECTIONS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")
_SCALARS = ("tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null")


class LineDict(dict):
    """A dict that knows the line of itself and of each of its keys."""

    line: int | None = None
    key_lines: dict


class LineList(list):
    line: int | None = None
    item_lines: list


try:  # libyaml's scanner and parser when PyYAML has them: about 10x faster than its own
    from yaml.cyaml import CParser as _Events
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    class _Events(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)


class _BoundedLoader(yaml.composer.Composer, _Events, yaml.constructor.SafeConstructor,
                     yaml.resolver.Resolver):
    """The safe loader's parts, with PyYAML's own composer (not libyaml's, which cannot be bounded)
    counting expanded nodes and nesting depth while it composes."""

    def __init__(self, text):
        _Events.__init__(self, text)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._depth = 0
        self._count = 0
        self._sizes: dict[int, int] = {}  # id(node) -> nodes it expands to, once complete

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            node = super().compose_node(parent, index)
            size = self._sizes.get(id(node))
            if size is None:
                raise yaml.composer.ComposerError(
                    None, None, "an alias inside its own anchor (a recursive structure) is not allowed", mark)
            self._counted(size, mark)
            return node
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
        before = self._count
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._counted(1, mark)
        self._sizes[id(node)] = self._count - before
        return node

    def _counted(self, size: int, mark) -> None:
        self._count += size
        if self._count > MAX_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"expands to more than {MAX_NODES:,} values (an alias bomb?)", mark)


def parse_document(text: str, name: str):
    """Parse a description's text into LineDict/LineList trees of plain values."""
    if name.lower().endswith(".json"):
        values = _json_values(text, name)
        try:
            lines = _yaml_tree(text, name)
        except SpecError:  # valid JSON that YAML 1.1 cannot read (tabs): values without lines
            return _plain(values, name, None, 0)
        return _with_lines(values, lines, name)
    return _yaml_tree(text, name)


def _yaml_tree(text: str, name: str):
    loader = None
    try:
        loader = _BoundedLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise SpecError("the description is empty", file=name)
        return _convert(loader, node, name)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character
        raise SpecError(f"cannot parse: character {char!r} is not allowed in YAML "
                        "(binary data?)", file=name, line=line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise SpecError(f"cannot parse: {problem}", file=name, line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"cannot parse: {str(exc).splitlines()[0]}", file=name) from None
    finally:
        if loader is not None:
            loader.dispose()


def _json_values(text: str, name: str):
    def refuse(constant):
        raise ValueError(f"{constant} is not a number JSON allows")

    def unique(pairs):
        out = {}
        for key, value in pairs:
            if key in out:
                raise ValueError(f"key {key!r} appears twice")
            out[key] = value
        return out

    try:
        return json.loads(text, parse_constant=refuse, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise SpecError(f"cannot parse JSON: {exc.msg} (column {exc.colno})", file=name, line=exc.lineno) from None
    except ValueError as exc:
        raise SpecError(f"cannot parse JSON: {exc}", file=name) from None
    except RecursionError:
        raise SpecError("cannot parse JSON: nested too deeply", file=name) from None


def _shown_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _convert(loader, node, name):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALARS:
            raise SpecError(f"unsupported tag {_shown_tag(node.tag)}: descriptions hold plain text and numbers only",
                            file=name, line=line, hint="quote the value to make it text")
        return _scalar(loader.construct_object(node, deep=True), name, line)
    if node.tag not in _COLLECTIONS:
        raise SpecError(f"unsupported tag {_shown_tag(node.tag)}: descriptions hold plain data only",
                        file=name, line=line)
    if isinstance(node, yaml.MappingNode):
        out = LineDict()
        out.line, out.key_lines = line, {}
        loader.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = _convert(loader, key_node, name)
            if not isinstance(key, (str, int, float, bool)):
                raise SpecError("a key must be a plain name", file=name, line=key_node.start_mark.line + 1)
            if key in out:
                raise SpecError(f"key {key!r} appears twice", file=name, line=key_node.start_mark.line + 1)
            out[key] = _convert(loader, value_node, name)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    out = LineList(_convert(loader, item, name) for item in node.value)
    out.line, out.item_lines = line, [item.start_mark.line + 1 for item in node.value]
    return out


def _scalar(value, name: str, line: int | None):
    """A plain value, or a SpecError saying why it cannot be one."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SpecError(f"text contains {value[exc.start]!r}, a lone surrogate (not valid Unicode)",
                            file=name, line=line) from None
    elif isinstance(value, float) and not math.isfinite(value):
        raise SpecError(f"{value} is not allowed: numbers must be finite", file=name, line=line)
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        raise SpecError(f"the number {str(value)[:20]}{'...' if len(str(value)) > 20 else ''} is out of range "
                        f"(at most 2**53)", file=name, line=line)
    return value


def _with_lines(values, lines, name: str):
    """JSON's values in the shape of YAML's tree of the same text, which knows the lines."""
    if isinstance(values, dict) and isinstance(lines, LineDict) and values.keys() == lines.keys():
        out = LineDict((k, _with_lines(v, lines[k], name)) for k, v in values.items())
        out.line, out.key_lines = lines.line, lines.key_lines
        return out
    if isinstance(values, list) and isinstance(lines, LineList) and len(values) == len(lines):
        out = LineList(_with_lines(v, item, name) for v, item in zip(values, lines))
        out.line, out.item_lines = lines.line, lines.item_lines
        return out
    return _plain(values, name, getattr(lines, "line", None), 0)


def _plain(values, name: str, line: int | None, depth: int):
    """JSON values checked as YAML's are, where no lines are known."""
    if depth > MAX_DEPTH:
        raise SpecError(f"cannot parse: nested deeper than {MAX_DEPTH} levels", file=name, line=line)
    if isinstance(values, dict):
        return {_scalar(k, name, line): _plain(v, name, line, depth + 1) for k, v in values.items()}
    if isinstance(values, list):
        return [_plain(v, name, line, depth + 1) for v in values]
    return _scalar(values, name, line)
