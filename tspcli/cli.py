"""The ``tspcli`` command line: a thin layer over the library.

Each command lives in its own module under ``tspcli.commands`` and is imported
only when it runs, so ``tspcli --help`` stays fast and never pulls in pyvista,
h5py, keras or jax.
"""
from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading

import click

from . import __version__
from .errors import ToolFailure, TspError
from .process_settings import keep_freed_memory, one_blas_thread
from .text import echo

# name -> (module under tspcli.commands, one-line help shown by `tspcli --help`)
COMMANDS = {
    "summary": ("summary", "Print every layer with its input/output shape and parameter count."),
    "validate": ("validate", "Check descriptions or model files; one line per problem."),
    "render": ("render", "Draw the model in 3D (TensorSpace's look) to a PNG, MP4, GIF or frames, offscreen."),
    "layers": ("layers", "List the layer catalogue, or one layer's parameters."),
    "predict": ("predict", "Compute every layer's values for an input; print the top classes."),
    "convert": ("convert", "Write a model file (.h5, .keras, TF.js, ONNX, TFLite) as a description and .npz weights."),
    "batch": ("batch", "Render many models to many figures in parallel (local processes or Dask)."),
    "doctor": ("doctor", "Check that this machine can render: OpenGL window, VTK, GL driver, ffmpeg."),
}

EXIT_CODES_HELP = """\b
Exit codes: 0 success, 1 a failure while working, 2 bad input or usage.
"""


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"tspcli.commands.{COMMANDS[name][0]}")
        return module.command

    def format_commands(self, ctx, formatter):
        rows = [(name, help_) for name, (_, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, epilog=EXIT_CODES_HELP,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tspcli")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx, debug):
    """tspcli: draw a neural network in 3D, shaded by what a real input produces.

    MODEL arguments accept a YAML/JSON description, a Keras .h5 or .keras file,
    a TensorFlow.js model.json, an ONNX .onnx or a TensorFlow Lite .tflite file,
    or '-' for a description on stdin.
    """
    ctx.obj = {"debug": debug}


def _debug_requested(argv) -> bool:
    return "--debug" in argv or os.environ.get("TSPCLI_DEBUG") == "1"


def run() -> None:
    """The ``tspcli`` program: ``main``, then an exit without the interpreter's teardown.

    Freed memory is kept for reuse (``process_settings``).  Tearing down a
    process that has drawn (VTK's and Mesa's objects, the EGL
    display, a few hundred modules) took 0.2 s of a 1.3 s figure.  When the
    command returns, its files are complete and in place, so only the exit
    handlers run (temporary folders, worker pools), stdout and stderr are
    flushed, and the process ends.  Threads still running (none, normally),
    a profiler or a tracer (cProfile, coverage: they write at exit) get the
    usual exit.
    """
    keep_freed_memory()
    try:
        main()
        code = 0
    except SystemExit as exc:
        if exc.code is not None and not isinstance(exc.code, int):
            raise
        code = exc.code or 0
    if threading.active_count() > 1 or sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):   # a closed pipe, or closed after one (BrokenPipeError above)
            code = code or 1
    os._exit(code)


def main(argv=None) -> None:
    """Console entry point: map failures to one line and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    one_blas_thread()
    debug = _debug_requested(argv)
    try:
        # as click's own main, but an EOFError or Ctrl-C is left as it is (click's main turns both
        # into Abort, so a truncated file would read "interrupted", after a blank line)
        with cli.make_context("tspcli", argv) as ctx:
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:   # bare `tspcli`: the help
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:   # usage errors: one line, exit 2
        from .usage import usage_line

        echo(f"tspcli: error: {usage_line(exc)}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        echo(f"tspcli: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("tspcli: interrupted", err=True)
        sys.exit(130)
    except TspError as exc:
        if debug:
            raise
        echo(f"tspcli: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except ToolFailure as exc:
        if debug:
            raise
        echo(f"tspcli: failed: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("tspcli: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        # the reader of our stdout went away (e.g. `| head`): not an error of ours
        sys.stderr.close()
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if debug:
            raise
        echo(f"tspcli: internal error: {type(exc).__name__}: {exc} "
                   f"(run again with --debug for the traceback)", err=True)
        sys.exit(1)
    sys.exit(0)
