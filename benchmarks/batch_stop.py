"""How long `tspcli batch` takes to stop after Ctrl-C or SIGTERM while workers render, and the OpenGL probe.

    python benchmarks/batch_stop.py [REPEATS]

A batch of two long GIF jobs (an orbit of 10 minutes at 10 fps, 320x240) runs on two
workers; once both are writing, the batch gets the signal, and the time until it has
exited (workers ended, partial files removed) is measured.  Then `opengl.require()`
(the check `render` and `batch` run before VTK loads) is timed in fresh processes.
"""
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
LAUNCH = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
          "from tspcli.cli import main; main(sys.argv[1:])")


def stop_seconds(sig) -> float:
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.Popen([sys.executable, "-c", LAUNCH, "batch", "samples/lenet.yaml", "samples/depthwise.yaml",
                                 "-o", "{stem}.gif", "--out", out, "-j", "2", "-q", "--set", "size=320x240",
                                 "--set", "fps=10", "--set", "timeline=orbit:360:600000", "--set", "values=false"],
                                cwd=ROOT, stderr=subprocess.DEVNULL)
        while len([n for n in os.listdir(out) if ".part" in n]) < 2:
            time.sleep(0.05)
        time.sleep(1.0)                     # both are drawing frames now
        start = time.perf_counter()
        proc.send_signal(sig)
        proc.wait()
        seconds = time.perf_counter() - start
        assert proc.returncode == 130 and os.listdir(out) == [], (proc.returncode, os.listdir(out))
        return seconds


def probe_seconds() -> float:
    code = ("import time; t = time.perf_counter(); from tspcli.render.opengl import require; require(); "
            "print(time.perf_counter() - t)")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "VTK_DEFAULT_OPENGL_WINDOW")}
    return float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True,
                                text=True, check=True).stdout)


if __name__ == "__main__":
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    for sig in (signal.SIGINT, signal.SIGTERM):
        times = [stop_seconds(sig) for _ in range(repeats)]
        print(f"batch stops after {sig.name}: " + ", ".join(f"{t:.2f} s" for t in times))
    probes = [probe_seconds() for _ in range(repeats)]
    print("opengl.require(): " + ", ".join(f"{t * 1000:.0f} ms" for t in probes))
