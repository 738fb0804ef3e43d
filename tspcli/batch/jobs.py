"""The jobs of a batch: models from globs, list files and jobs files, each with its output and options.

Everything a job needs is checked here, before any work starts: patterns that
match nothing, malformed jobs files, unknown or bad render options, output
templates and colliding outputs are all OptionErrors (exit 2).

A jobs file (YAML or JSON) is a list of jobs, or a mapping with ``defaults``
and ``jobs``::

    defaults:
      output: "{stem}_{input}.png"
      options: {size: 1280x720, background: white}
    jobs:
      - model: models/lenet.h5
        input: digits/7.png
        options: {open: all}
      - models/mobilenet_*.h5      # just a model (or a glob)

Paths in a jobs file or a list file (``@models.txt``: one path or glob a line,
``#`` comments) are relative to that file's folder; outputs are relative to
the output folder.  Options apply in this order, later ones winning: render
defaults, ``--config``, the jobs file's defaults, the job's own, ``--set``.
"""
from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field, replace

from ..errors import OptionError, TspError
from ..render.options import RenderOptions, resolve
from ..render.writers import STILL_KINDS
from . import template as tpl

JOB_KEYS = ("model", "input", "output", "options")
DEFAULT_KEYS = ("input", "output", "options")


@dataclass(frozen=True)
class Job:
    """One model rendered to one file."""

    index: int                  # from 1, in the order the jobs were listed
    model: str                  # as the user wrote it (relative to the current folder)
    output: str | None          # None only for a job that failed while it was planned
    options: RenderOptions
    layer: str | None = None    # the layer a {layer} template opened
    error: str | None = None    # why the job failed before it ran


@dataclass
class _Entry:
    """A model or pattern with what its source says about it."""

    pattern: str
    file: str | None = None             # the list or jobs file it came from, and where
    line: int | None = None
    output: str | None = None           # template
    layers: list = field(default_factory=list)   # (options dict, file, key lines), applied in order


def plan(sources: list[str], *, jobs_file: str | None = None, template: str | None = None,
         out_dir: str = ".", config: str | None = None, sets: tuple[str, ...] = (),
         allow_outside: bool = False, overwrite: bool = False) -> list[Job]:
    """The jobs for command-line ``sources`` (paths, globs, @lists) and a jobs file.

    Every output must lie inside ``out_dir`` (symbolic links resolved), except where the
    command line's own template leads out (``-o '../{stem}.png'``: the user said so) or
    ``allow_outside`` lets a jobs file's templates do so.
    """
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise OptionError(f"--out '{out_dir}' is a file, not a folder")
    base = resolve(config, {})
    overrides = parse_sets(sets)
    entries = []
    for source in sources:
        if source.startswith("@"):
            entries += _list_entries(source[1:])
        else:
            entries.append(_Entry(source))
    if jobs_file:
        if jobs_file == "-" and "@-" in sources:
            raise OptionError("stdin can be read once: give either @- or --jobs-file -")
        entries += _jobs_file_entries(jobs_file)
    if not entries:
        raise OptionError("nothing to do: give models, globs, @list files or --jobs-file")
    if template is not None:
        tpl.fields_of(template, "--output")

    jobs, seen = [], set()
    for entry in entries:
        for model in _expand(entry):
            key = os.path.realpath(model)
            if not entry.layers and key in seen:   # `batch 'm/*.yaml' m/a.yaml` renders a.yaml once
                continue
            seen.add(key)
            options = _options_for(base, entry, overrides)
            chosen = entry.output or template or tpl.DEFAULT
            own = entry.output is None and _leads_out(chosen)
            jobs += _jobs_for(model, chosen, options, out_dir, first_index=len(jobs) + 1,
                              confine=not (allow_outside or own), overwrite=overwrite,
                              where="--output" if entry.output is None else f"{entry.file}:{entry.line}: output")
    _check_outputs(jobs)
    return jobs


def parse_sets(sets) -> dict:
    """``--set key=value`` pairs: values are read as YAML scalars (``labels=false``, ``scale=2``)."""
    import yaml

    given = {}
    for item in sets:
        key, eq, text = item.partition("=")
        if not eq or not key.strip():
            raise OptionError(f"--set '{item}' is not KEY=VALUE", hint="e.g. --set size=800x600")
        try:
            value = yaml.safe_load(text) if text.strip() else None
        except yaml.YAMLError:
            value = text
        given[key.strip()] = value
    try:
        RenderOptions().updated(given)
    except TspError as exc:
        raise OptionError(f"--set: {exc.message}", hint=exc.hint) from None
    return given


# --- sources -----------------------------------------------------------------------------

def _read(path: str) -> tuple[str, str]:
    from ..spec import read_text

    try:
        return read_text(path)
    except TspError as exc:
        raise OptionError(exc.message, file=exc.file or path, hint=exc.hint) from None


def _folder(path: str) -> str:
    return "" if path == "-" else os.path.dirname(path)


def _rebase(folder: str, path: str) -> str:
    return path if not folder or os.path.isabs(path) else os.path.join(folder, path)


def _list_entries(path: str) -> list[_Entry]:
    text, name = _read(path)
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):
            entries.append(_Entry(_rebase(_folder(path), line), name, number))
    return entries


def _jobs_file_entries(path: str) -> list[_Entry]:
    from ..spec import parse_document

    text, name = _read(path)
    try:
        doc = parse_document(text, name)
    except TspError as exc:
        raise OptionError(exc.message, file=exc.file or name, line=exc.line) from None
    defaults = {}
    if isinstance(doc, dict):
        _check_keys(doc, ("defaults", "jobs"), name, "a jobs file")
        if "jobs" not in doc:
            raise OptionError("a jobs file needs 'jobs': a list of jobs", file=name, line=_line(doc))
        defaults = _mapping(doc.get("defaults") or {}, name, "defaults")
        _check_keys(defaults, DEFAULT_KEYS, name, "defaults")
        doc = doc["jobs"]
    if not isinstance(doc, list):
        raise OptionError("a jobs file is a list of jobs, or a mapping with 'defaults' and 'jobs'",
                          file=name, line=_line(doc))
    folder = _folder(path)
    lines = getattr(doc, "item_lines", None) or [None] * len(doc)
    entries = []
    for job, line in zip(doc, lines):
        if isinstance(job, str):
            job = {"model": job}
        job = _mapping(job, name, "a job", line)
        _check_keys(job, JOB_KEYS, name, "a job")
        if not isinstance(job.get("model"), str):
            raise OptionError("a job needs 'model': a path or glob", file=name, line=_line(job) or line)
        layers = [_file_options(d, folder, name) for d in (defaults, job)]
        output = job.get("output", defaults.get("output"))
        if output is not None:
            tpl.fields_of(str(output), f"{name}:{_line(job, 'output') or _line(defaults, 'output')}: output")
        entries.append(_Entry(_rebase(folder, job["model"]), name, _line(job) or line,
                              output=None if output is None else str(output), layers=layers))
    return entries


def _file_options(part: dict, folder: str, name: str) -> tuple[dict, str, dict]:
    """A job's (or the defaults') options, with its 'input' key folded in; paths made relative to us."""
    options = _mapping(part.get("options") or {}, name, "options")
    lines = dict(getattr(options, "key_lines", {}) or {})
    options = dict(options)
    if "input" in part:
        options["input"] = part["input"]
        lines["input"] = _line(part, "input")
    if isinstance(options.get("input"), str):
        options["input"] = _rebase(folder, options["input"])
    return options, name, lines


def _mapping(value, name: str, what: str, line: int | None = None) -> dict:
    if not isinstance(value, dict):
        raise OptionError(f"{what} must be a mapping, got {value!r}", file=name, line=_line(value) or line)
    return value


def _check_keys(mapping: dict, allowed, name: str, what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise OptionError(f"unknown key '{key}' in {what}", file=name, line=_line(mapping, key),
                              hint="known: " + ", ".join(allowed))


def _line(container, key=None) -> int | None:
    lines = getattr(container, "key_lines", None) or {}
    return lines.get(key) if key is not None and key in lines else getattr(container, "line", None)


# --- expansion ---------------------------------------------------------------------------

def _expand(entry: _Entry) -> list[str]:
    if glob.has_magic(entry.pattern):
        found = sorted(glob.glob(entry.pattern, recursive=True))
        if not found:
            raise OptionError(f"no file matches '{entry.pattern}'", file=entry.file, line=entry.line)
        return found
    if entry.pattern == "-":
        raise OptionError("batch cannot read a model from stdin",
                          hint="pipe a list of paths instead: ... | tspcli batch @-")
    if not os.path.exists(entry.pattern):
        raise OptionError(f"no such file '{entry.pattern}'", file=entry.file, line=entry.line)
    return [entry.pattern]


def _options_for(base: RenderOptions, entry: _Entry, overrides: dict) -> RenderOptions:
    options = base
    for given, name, lines in entry.layers:
        options = options.updated(given, file=name, lines=lines)
    return options.updated(overrides)


def _leads_out(template: str) -> bool:
    """Whether a template itself leaves the output folder (absolute, or with a ``..`` folder)."""
    return os.path.isabs(template) or ".." in template.replace(os.sep, "/").split("/")


def _jobs_for(model: str, template: str, options: RenderOptions, out_dir: str, first_index: int,
              confine: bool = True, where: str = "--output", overwrite: bool = False) -> list[Job]:
    from .worker import check_output

    layers = [None]
    if "layer" in tpl.fields_of(template):
        try:
            layers = _openable_layers(model)
        except TspError as exc:   # this model fails; the others still run
            return [Job(first_index, model, None, options, error=str(exc))]
    jobs = []
    values = tpl.distinct_names([layer for layer in layers if layer is not None])
    for index, layer in enumerate(layers, first_index):
        name = tpl.fill(template, model=model, input=options.input, index=index, layer=values.get(layer))
        output = os.path.normpath(os.path.join(out_dir, name))
        if confine:
            tpl.check_inside(output, out_dir, where)
        kind = check_output(output, options, overwrite)
        jobs.append(Job(index, model, output, _with_boxes(_with_layer(options, layer, kind), out_dir, model, index,
                                                          values.get(layer), len(layers), confine), layer=layer))
    return jobs


def _with_boxes(options: RenderOptions, out_dir: str, model: str, index: int, layer: str | None, jobs: int,
                confine: bool) -> RenderOptions:
    """A job's --boxes file: the option is a template filled as the output's is (``{stem}.json``)."""
    if not options.boxes:
        return options
    where = "boxes template"
    if jobs > 1 and not tpl.fields_of(options.boxes, where) & {"layer", "index"}:
        raise OptionError(f"{where} '{options.boxes}' names one file for {jobs} pictures of {model}",
                          hint="add {layer} or {index}")
    name = tpl.fill(options.boxes, model=model, input=options.input, index=index, layer=layer, where=where)
    path = os.path.normpath(os.path.join(out_dir, name))
    if confine:
        tpl.check_inside(path, out_dir, where)
    return replace(options, boxes=path)


def _with_layer(options: RenderOptions, layer: str | None, kind: str) -> RenderOptions:
    """A {layer} job: an animation without steps of its own plays that layer opening; else it is open."""
    if layer is None:
        return options
    if kind not in STILL_KINDS and options.timeline is None:
        # closing first is no step for a layer that starts closed, and makes one that starts open move
        return replace(options, timeline=f"close:{layer},open:{layer}")
    return replace(options, open=(layer,))


def _openable_layers(model: str) -> list[str]:
    """The layers that have something to unfold (as TensorSpace lets them open)."""
    from ..loading import load
    from ..scene.timeline import can_open

    return [layer.name for layer in load(model).layers if can_open(layer)]   # init() names them


def _check_outputs(jobs: list[Job]) -> None:
    first = {}
    for job in jobs:
        if job.output is None:
            continue
        for path in (job.output, job.options.boxes):
            if path:
                _claim(first, job, path)


def _claim(first: dict, job: Job, path: str) -> None:
    """Fail when another job writes ``path`` too."""
    key = os.path.abspath(path)
    if key in first:
        raise OptionError(f"jobs {first[key].index} ({first[key].model}) and {job.index} ({job.model}) "
                          f"both write '{path}'", hint="add {parent}, {input} or {index} to the template")
    first[key] = job
