import os
import pathlib

import pytest

# Keras is the oracle in tests, always on jax and on the CPU.
os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
# imageio-ffmpeg (reading test videos back) would start ffmpeg with a preexec_fn, which makes
# subprocess fork() the whole test process, jax threads included; without it ffmpeg is spawned.
os.environ.setdefault("IMAGEIO_FFMPEG_NO_PREVENT_SIGINT", "1")

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data():
    """The real models of ../shared/data; tests that use them skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def keras():
    """Keras 3 on jax, the oracle; tests that need it skip when it is not installed."""
    return pytest.importorskip("keras")


@pytest.fixture(scope="session")
def keras3_saved(keras, tmp_path_factory):
    """Keras 3 models with random weights, each saved as .h5 and .keras (tests/model_files.py)."""
    from model_files import save_keras3_models

    return save_keras3_models(keras, tmp_path_factory.mktemp("keras3_files"))


class CliResult:
    def __init__(self, code, out, err):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `tspcli ARGS...` in-process; returns exit code, stdout and stderr."""
    import io
    import sys

    from tspcli.cli import main

    def run(*args, stdin=None):
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
