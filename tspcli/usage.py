"""Click's usage errors as tspcli's one line: ``tspcli: error: --camera: 'x' is not one of iso, tsp, ...``.

Click prints a usage block and ``Error: Invalid value for '--camera': ...``; scripts
and people reading logs get the same one-line form as every other bad input instead,
naming the flag the user typed and with the same did-you-mean hints.
"""
from __future__ import annotations

import re

import click

from .errors import did_you_mean


def usage_line(exc: click.UsageError) -> str:
    """The text after ``tspcli: error: `` for one of Click's usage errors."""
    ctx = exc.ctx
    command = ctx.command_path if ctx is not None else "tspcli"
    help_hint = f"see {command} --help"
    if isinstance(exc, click.NoSuchOption):
        known = _option_names(ctx)
        hint = did_you_mean(exc.option_name, known) or help_hint
        return f"no such option {exc.option_name} (hint: {hint})"
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        where = _flag(exc.param)
        if isinstance(exc, click.MissingParameter):
            return f"missing {where} (hint: {help_hint})"
        return f"{where}: {_choice_text(exc.param, _sentence(exc.message))}"
    message = _sentence(exc.format_message())
    found = re.fullmatch(r"no such command '(.*)'", message)
    if found and ctx is not None and isinstance(ctx.command, click.Group):
        hint = did_you_mean(found.group(1), ctx.command.list_commands(ctx), what="commands")
        return f"{message} (hint: {hint})"
    return f"{message} (hint: {help_hint})"


def _flag(param: click.Parameter) -> str:
    """``--text-scale`` for an option (its long name), ``MODEL`` for an argument."""
    if isinstance(param, click.Option):
        return max(param.opts, key=lambda o: (o.startswith("--"), len(o)))
    return param.human_readable_name


def _option_names(ctx) -> list[str]:
    if ctx is None:
        return []
    return [opt for p in ctx.command.get_params(ctx) if isinstance(p, click.Option)
            for opt in p.opts + p.secondary_opts if opt.startswith("--")]


def _sentence(text: str) -> str:
    """Click's messages read as sentences; ours are clauses: no capital, no full stop."""
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:]


def _choice_text(param: click.Parameter, message: str) -> str:
    """``'x' is not one of iso, tsp`` (Click quotes every choice)."""
    if isinstance(param.type, click.Choice):
        found = re.match(r"(.*) is not one of ", message)
        if found:
            return f"{found.group(1)} is not one of {', '.join(map(str, param.type.choices))}"
    return message
