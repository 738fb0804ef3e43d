"""Ctrl-C and SIGTERM: predict, convert and batch stop cleanly (issue 10, interruption).

Each case runs tspcli in a child process with Ctrl-C's default meaning restored
(a shell's background job, as under CI, inherits SIGINT ignored), waits until the
output is being written, signals it, and checks: exit 130, nothing half-written,
no worker left.  The waits are hang guards, not speed assertions.
"""
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
GUARD_S = 60
# Ctrl-C means KeyboardInterrupt again; then a patch (if any) and tspcli's own main
LAUNCH = """
import os, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
exec(os.environ.get("TSPCLI_TEST_PATCH", ""))
from tspcli.cli import run
run()                       # the program as installed: sys.argv[1:] are its arguments
"""
# np.savez writes a little of the archive, then hangs: the signal comes mid-write
SLOW_SAVEZ = """
import time, numpy as np
def savez(file, *args, **kwargs):
    file.write(b"PK half an archive"); file.flush()
    time.sleep(600)
np.savez = savez
"""


def environment(patch: str = "") -> dict:
    return dict(os.environ, TSPCLI_TEST_PATCH=patch,
                PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def start(args, patch: str = "", **kwargs) -> subprocess.Popen:
    env = environment(patch)
    # restore_signals leaves SIGINT alone: the launcher sets it, so no preexec_fn (no at-fork hooks)
    return subprocess.Popen([sys.executable, "-c", LAUNCH, *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def wait_for(condition, proc, what: str) -> None:
    deadline = time.monotonic() + GUARD_S
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"tspcli ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {what} within {GUARD_S} s")
        time.sleep(0.05)


def parts(folder) -> list:
    return [name for name in os.listdir(folder) if ".part" in name]


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = pathlib.Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def finish(proc) -> tuple[int, str]:
    _, err = proc.communicate(timeout=GUARD_S)
    return proc.returncode, err


pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


# --- predict and convert ----------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("command, output", [("predict", "acts.npz"), ("convert", "m.yaml")])
def test_a_signal_mid_write_leaves_nothing(tmp_path, sig, command, output):
    proc = start([command, "samples/lenet.yaml", "-o", tmp_path / output], patch=SLOW_SAVEZ)
    wait_for(lambda: parts(tmp_path), proc, "partial file")
    proc.send_signal(sig)
    code, err = finish(proc)
    assert code == 130 and err.strip().splitlines()[-1] == "tspcli: interrupted", err
    assert "Traceback" not in err
    assert os.listdir(tmp_path) == []


# --- batch ----------------------------------------------------------------------------------------

def jobs_file(folder, long: bool) -> str:
    """Job 1: a quick still.  Job 2: a GIF that plays for minutes (long), or a short one."""
    steps = "orbit:360:600000" if long else "wait:100"
    path = folder / ("long.yaml" if long else "short.yaml")
    path.write_text(f"""defaults: {{options: {{size: 64x64, values: false, fps: 10}}}}
jobs:
  - {{model: {ROOT}/samples/lenet.yaml, output: lenet.png}}
  - {{model: {ROOT}/samples/depthwise.yaml, output: depthwise.gif, options: {{timeline: '{steps}'}}}}
""")
    return str(path)


def batch_until_busy(tmp_path, out):
    proc = start(["batch", "-f", jobs_file(tmp_path, long=True), "--out", out, "-j", "2", "-q"])
    wait_for(lambda: out.is_dir() and parts(out) and (out / "lenet.png").exists(), proc, "running GIF job")
    return proc, children(proc.pid)


@pytest.mark.slow
def test_batch_stops_removes_partial_files_and_ends_its_workers(tmp_path):
    out = tmp_path / "out"
    proc, workers = batch_until_busy(tmp_path, out)
    assert workers
    proc.send_signal(signal.SIGINT)
    code, err = finish(proc)
    assert code == 130 and err.strip().splitlines()[-1] == "tspcli: interrupted" and "Traceback" not in err
    assert sorted(os.listdir(out)) == ["lenet.png"]                  # finished: whole; running: gone
    time.sleep(0.5)
    assert not [pid for pid in workers if alive(pid)]
    # --skip-existing resumes: the finished job is skipped, the other one runs
    r = subprocess.run([sys.executable, "-m", "tspcli", "batch", "-f", jobs_file(tmp_path, long=False),
                        "--out", out, "--skip-existing", "--json", "-q"], cwd=ROOT, env=environment(), capture_output=True,
                       text=True, timeout=GUARD_S * 2)
    assert r.returncode == 0, r.stderr
    assert '"skipped": 1' in r.stdout and '"ok": 1' in r.stdout
    assert sorted(os.listdir(out)) == ["depthwise.gif", "lenet.png"]


@pytest.mark.slow
def test_sigterm_stops_a_batch_and_a_second_signal_kills_at_once(tmp_path):
    out = tmp_path / "out"
    proc, workers = batch_until_busy(tmp_path, out)
    proc.send_signal(signal.SIGTERM)
    proc.send_signal(signal.SIGINT)
    code, _ = finish(proc)
    assert code == 130
    time.sleep(0.5)
    assert not [pid for pid in workers if alive(pid)]


@pytest.mark.slow
def test_workers_die_with_a_killed_batch_and_clean_up(tmp_path):
    out = tmp_path / "out"
    proc, workers = batch_until_busy(tmp_path, out)
    proc.kill()                                   # SIGKILL: the batch itself cannot clean up
    proc.communicate(timeout=GUARD_S)
    deadline = time.monotonic() + GUARD_S
    while [pid for pid in workers if alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]
    assert sorted(os.listdir(out)) == ["lenet.png"]     # each worker removed its partial file
