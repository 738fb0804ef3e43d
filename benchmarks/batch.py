"""`tspcli batch` with 1 and 2 local worker processes: wall time, CPU time and speed-up, in the same run.

The jobs are every sample model from four camera presets (20 figures at the
default 1920x1080), written by a jobs file.  Each case runs the command as a
user would (a fresh `python -m tspcli batch` process).  Every round runs, in
turn: --jobs 1; --jobs 2; a reference, the same 20 figures as a loop of
`tspcli render` processes (what a shell script does without batch); both
batches again with Mesa's software rasterizer held to one thread
(LP_NUM_THREADS=1: by default it runs a thread per core, so one worker alone
already keeps more than one core busy); and a ceiling, a pure-Python loop in
one process and then in two at once: what two cores gave anyone just then
(2.0: two free cores; the machine is shared).  CPU time is that of the
command and all its worker processes.

    python benchmarks/batch.py [--rounds 3] [--cameras iso,tsp,front,side]
"""
from __future__ import annotations

import argparse
import glob
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SPIN = "import time; t = time.perf_counter(); sum(range(40_000_000)); print(time.perf_counter() - t)"


def sample_jobs(cameras: list[str]) -> list[tuple[str, str]]:
    samples = sorted(glob.glob(os.path.join(ROOT, "samples", "*")))
    return [(path, camera) for path in samples if path.endswith((".yaml", ".json")) for camera in cameras]


def write_jobs(folder: str, jobs: list[tuple[str, str]]) -> str:
    lines = ["defaults:", '  output: "{stem}_{index}.png"', "jobs:"]
    lines += [f"  - {{model: '{model}', options: {{camera: {camera}}}}}" for model, camera in jobs]
    path = os.path.join(folder, "jobs.yaml")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def measured(commands: list[list[str]], env: dict | None = None) -> tuple[float, float]:
    """(wall, CPU seconds) of running ``commands`` one after another, children included."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in commands:
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{proc.stderr}{proc.stdout[-2000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def batch_command(jobs_file: str, out: str, workers: int) -> list[str]:
    return [sys.executable, "-m", "tspcli", "batch", "--jobs-file", jobs_file, "--out", out,
            "--jobs", str(workers), "--quiet"]


def render_loop(jobs: list[tuple[str, str]], out: str) -> list[list[str]]:
    os.makedirs(out, exist_ok=True)
    return [[sys.executable, "-m", "tspcli", "render", model, "--camera", camera,
             "-o", os.path.join(out, f"{i}.png")] for i, (model, camera) in enumerate(jobs)]


def ceiling() -> float:
    """Throughput of two CPU-bound processes over one, right now."""
    def spin(count: int) -> float:
        procs = [subprocess.Popen([sys.executable, "-c", SPIN], stdout=subprocess.PIPE, text=True)
                 for _ in range(count)]
        return max(float(p.communicate()[0]) for p in procs)
    return 2 * spin(1) / spin(2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cameras", default="iso,tsp,front,side")
    args = parser.parse_args()
    jobs = sample_jobs(args.cameras.split(","))
    load_before = os.getloadavg()
    one_thread = {"LP_NUM_THREADS": "1"}
    cases = {"batch --jobs 1": [], "batch --jobs 2": [], "render loop (reference)": [],
             "batch --jobs 1, LP_NUM_THREADS=1": [], "batch --jobs 2, LP_NUM_THREADS=1": []}
    ceilings = []
    with tempfile.TemporaryDirectory() as tmp:
        jobs_file = write_jobs(tmp, jobs)
        measured([batch_command(jobs_file, os.path.join(tmp, "warm"), 2)])     # warm the file cache
        for r in range(args.rounds):
            cases["batch --jobs 1"].append(measured([batch_command(jobs_file, os.path.join(tmp, f"1_{r}"), 1)]))
            cases["batch --jobs 2"].append(measured([batch_command(jobs_file, os.path.join(tmp, f"2_{r}"), 2)]))
            cases["render loop (reference)"].append(measured(render_loop(jobs, os.path.join(tmp, f"loop_{r}"))))
            for workers in (1, 2):
                out = os.path.join(tmp, f"{workers}_lp_{r}")
                cases[f"batch --jobs {workers}, LP_NUM_THREADS=1"].append(
                    measured([batch_command(jobs_file, out, workers)], env=one_thread))
            ceilings.append(ceiling())
    load_after = os.getloadavg()

    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"{len(jobs)} figures (1920x1080), {args.rounds} rounds\n")
    print("| case | wall s (median) | wall s (each round) | CPU s (median) |")
    print("|---|---|---|---|")
    for name, runs in cases.items():
        walls = [w for w, _ in runs]
        print(f"| {name} | {statistics.median(walls):.2f} | {', '.join(f'{w:.2f}' for w in walls)} "
              f"| {statistics.median(c for _, c in runs):.2f} |")
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in cases.items()}
    for tail in ("", ", LP_NUM_THREADS=1"):
        one, two = f"batch --jobs 1{tail}", f"batch --jobs 2{tail}"
        ratios = [a[0] / b[0] for a, b in zip(cases[one], cases[two])]
        print(f"\nSpeed-up --jobs 2 over --jobs 1{tail}: {wall[one] / wall[two]:.2f}x (medians); "
              f"per round {', '.join(f'{r:.2f}x' for r in ratios)}; goal >= 1.7x")
    print(f"--jobs 2 over the render loop: {wall['render loop (reference)'] / wall['batch --jobs 2']:.2f}x")
    print(f"Ceiling (two pure-Python processes over one), per round: {', '.join(f'{c:.2f}x' for c in ceilings)}")


if __name__ == "__main__":
    main()
