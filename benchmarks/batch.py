"""`tspcli batch` with 1 and 2 local worker processes: wall time and speed-up, in the same run.

The jobs are every sample model from four camera presets (20 figures at the
default 1920x1080), written by a jobs file.  Each case runs the command as a
user would (a fresh `python -m tspcli batch` process); the rounds alternate
--jobs 1 and --jobs 2 so that other load on the machine falls on both alike.
"Busy" is the sum of the seconds the jobs took inside the workers; wall time
minus busy/N is what the batch costs around the renders (start-up of the
command and of the workers, imports, planning, waiting for the last job).

    python benchmarks/batch.py [--rounds 3] [--cameras iso,tsp,front,side]
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def write_jobs(folder: str, cameras: list[str]) -> str:
    samples = sorted(glob.glob(os.path.join(ROOT, "samples", "*")))
    models = [path for path in samples if path.endswith((".yaml", ".json"))]
    lines = ["defaults:", '  output: "{stem}_{index}.png"', "jobs:"]
    for model in models:
        for camera in cameras:
            lines.append(f"  - {{model: '{model}', options: {{camera: {camera}}}}}")
    path = os.path.join(folder, "jobs.yaml")
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def run_batch(jobs_file: str, out: str, workers: int) -> tuple[float, float, int]:
    """(wall seconds, busy seconds, jobs) of one `tspcli batch` process."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "tspcli", "batch", "--jobs-file", jobs_file, "--out", out,
                           "--jobs", str(workers), "--json"], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"batch --jobs {workers} failed:\n{proc.stderr}{proc.stdout[-2000:]}")
    rows = json.loads(proc.stdout)["jobs"]
    return wall, sum(r["seconds"] for r in rows), len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cameras", default="iso,tsp,front,side")
    args = parser.parse_args()
    load_before = os.getloadavg()
    results = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as tmp:
        jobs_file = write_jobs(tmp, args.cameras.split(","))
        run_batch(jobs_file, os.path.join(tmp, "warm"), 2)          # warm the file cache
        for round_ in range(args.rounds):
            for workers in (1, 2):
                results[workers].append(run_batch(jobs_file, os.path.join(tmp, f"{workers}_{round_}"), workers))
    load_after = os.getloadavg()

    count = results[1][0][2]
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}; load average before {load_before[0]:.2f}, "
          f"after {load_after[0]:.2f} (1 min)")
    print(f"{count} figures (1920x1080), {args.rounds} rounds alternating --jobs 1 and --jobs 2\n")
    print("| --jobs | wall s (median) | wall s (each round) | busy s (median) | overhead s |")
    print("|---|---|---|---|---|")
    for workers, runs in results.items():
        walls = [w for w, _, _ in runs]
        busy = statistics.median(b for _, b, _ in runs)
        overhead = statistics.median(w - b / workers for w, b, _ in runs)
        print(f"| {workers} | {statistics.median(walls):.2f} | {', '.join(f'{w:.2f}' for w in walls)} "
              f"| {busy:.2f} | {overhead:.2f} |")
    ratios = [one[0] / two[0] for one, two in zip(results[1], results[2])]
    medians = {workers: statistics.median(w for w, _, _ in runs) for workers, runs in results.items()}
    median_ratio = medians[1] / medians[2]
    print(f"\nSpeed-up --jobs 2 over --jobs 1: {median_ratio:.2f}x (medians); "
          f"per round {', '.join(f'{r:.2f}x' for r in ratios)}; goal >= 1.7x")


if __name__ == "__main__":
    main()
