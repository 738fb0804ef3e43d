"""Whole-process `tspcli render` times of this tree against another git ref (default main), interleaved.

Each run starts a fresh process of each version in turn (ref, then this tree,
case by case), so both see the same machine load; the table gives the median
wall seconds and the median CPU seconds (user + system of the process and its
threads, e.g. Mesa's llvmpipe), which a shared machine disturbs less.  The
batch row is the median per-figure time the batch report gives, one worker.

    python benchmarks/versus_main.py [--ref main] [--runs 5]      # prints Markdown
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import tempfile

from child_env import run_tspcli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = "samples/mobilenet_v1.yaml"
CASES = [
    ("summary (start-up and shapes)", ["summary", MODEL], None),
    ("closed, 1920x1080", ["render", MODEL], 1.1),
    ("all open, 1920x1080", ["render", MODEL, "--open", "all"], 1.4),
    ("configs/paper.yaml, 3600x2025", ["render", MODEL, "--config", "configs/paper.yaml"], 2.5),
]


def run(tree: str, args: list[str], out: str) -> tuple[float, float]:
    """(wall s, CPU s) of one `tspcli ARGS` process run from ``tree``; its stdout kept in ``run.last_output``."""
    if args[0] == "render":
        args = [*args, "-o", out]
    wall, cpu, run.last_output = run_tspcli(tree, args)
    return wall, cpu


def batch_per_figure(tree: str, out: str) -> float:
    """Median seconds per figure of a one-worker batch of the samples (the report's job times)."""
    run(tree, ["batch", "samples/*.yaml", "--out", out, "--jobs", "1", "--json", "--quiet"], out)
    jobs = json.loads(run.last_output)["jobs"]
    return statistics.median(job["seconds"] for job in jobs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ref", default="main")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repo", default=ROOT, help="the git repository that holds --ref (default: this one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ref_tree = os.path.join(tmp, "ref")
        os.mkdir(ref_tree)
        archive = subprocess.run(["git", "archive", args.ref], cwd=args.repo, check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", ref_tree], input=archive, check=True)
        trees = {args.ref: ref_tree, "this tree": ROOT}
        out = os.path.join(tmp, "out.png")
        load_before = os.getloadavg()[0]
        for tree in trees.values():           # warm the file cache
            run(tree, CASES[1][1], out)
        times = {(case[0], name): [] for case in CASES for name in trees}
        batch = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, cmd, _goal in CASES:
                for version, tree in trees.items():
                    times[name, version].append(run(tree, cmd, out))
            for version, tree in trees.items():
                batch[version].append(batch_per_figure(tree, os.path.join(tmp, f"batch-{len(batch[version])}")))
        load_after = os.getloadavg()[0]
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; shared with "
          f"other jobs: load average {load_before:.1f} before, {load_after:.1f} after; {args.runs} interleaved runs.\n")
    ref = args.ref
    print(f"| case | {ref} wall s | this wall s | {ref} CPU s | this CPU s | goal (wall) |")
    print("|---|---|---|---|---|---|")
    for name, _cmd, goal in CASES:
        cells = []
        for version in trees:
            cells.append(statistics.median(t[0] for t in times[name, version]))
        cpus = [statistics.median(t[1] for t in times[name, version]) for version in trees]
        verdict = "" if goal is None else f"<= {goal} s: {'met' if cells[1] <= goal else 'MISSED'}"
        print(f"| {name} | {cells[0]:.2f} | {cells[1]:.2f} | {cpus[0]:.2f} | {cpus[1]:.2f} | {verdict} |")
    per = [statistics.median(batch[v]) for v in trees]
    print(f"| batch, per figure (5 samples, 1 worker) | {per[0]:.2f} | {per[1]:.2f} | | | no worse than {ref} |")


if __name__ == "__main__":
    main()
