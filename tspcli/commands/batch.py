"""`tspcli batch`: many models (and inputs, and options) to many figures, in parallel."""
from __future__ import annotations

import sys
import time

import click

from ..text import echo
from .common import json_option, max_memory_option, parse_bytes, print_json


@click.command("batch")
@click.argument("sources", nargs=-1, metavar="[SOURCE]...")
@click.option("-f", "--jobs-file", metavar="FILE",
              help="YAML/JSON list of jobs {model, input, output, options}, with optional defaults.")
@click.option("-o", "--output", "template", metavar="TEMPLATE",
              help="Output name; fields {stem} {parent} {input} {index} {layer} (one job per layer "
                   "that can open). Default: {stem}.png")
@click.option("--out", "out_dir", default=".", metavar="DIR", help="Folder for the outputs (made if missing).")
@click.option("--config", metavar="FILE", help="Render options for every job (YAML, as for render).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="A render option for every job, over all others (repeatable): --set size=800x600.")
@click.option("-j", "--jobs", "workers", type=click.IntRange(min=1), default=None, metavar="N",
              help="Local worker processes (default: the number of cores).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Run on a Dask cluster (tcp://host:8786) instead; needs tspcli[dask].")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failed job (running ones finish).")
@click.option("--skip-existing", is_flag=True, help="Skip jobs whose output exists (resume a batch).")
@click.option("--overwrite", is_flag=True,
              help="Let a frames folder/ output replace a folder that holds other things (refused otherwise).")
@click.option("--allow-outside", is_flag=True,
              help="Let a jobs file's output templates write outside --out (refused otherwise).")
@json_option
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary; failures are still listed.")
@max_memory_option
def command(sources, jobs_file, template, out_dir, config, sets, workers, scheduler, fail_fast, skip_existing,
            overwrite, allow_outside, as_json, quiet, max_memory):
    """Render many models to many figures: one job per model (or per model and layer).

    Each SOURCE is a model file, a glob (quote it: 'models/*.h5') or an @LIST
    file of paths, one a line (@- reads stdin).  Each job writes what its output
    name asks for, as render does: a .png still, a .pdf or .svg figure, or an .mp4, .gif or frames
    folder/ playing the timeline option (--set timeline=open-all) or the
    description's.  Examples:

    \b
        tspcli batch 'models/*.h5' --out figures/ --config configs/paper.yaml
        tspcli batch samples/lenet.yaml -o '{stem}_{layer}.mp4' --config configs/video.yaml

    Exit codes: 0 every job succeeded, 1 a job failed, 2 bad usage or jobs
    file (nothing was rendered).
    """
    from ..batch import dask_cluster, default_workers, local_pool, plan, report, run_jobs, summary_lines
    from ..batch.executors import handle_stop_signals
    from ..errors import OptionError
    from ..progress import Progress

    if scheduler and workers:
        raise OptionError("--jobs counts local processes; with --scheduler the cluster decides")
    handle_stop_signals()   # Ctrl-C/SIGTERM: a clean stop; a second one: at once
    limit = parse_bytes(max_memory)
    jobs = plan(list(sources), jobs_file=jobs_file, template=template, out_dir=out_dir, config=config,
                sets=sets, allow_outside=allow_outside, overwrite=overwrite)
    workers = workers or default_workers()
    if not scheduler:   # no offscreen OpenGL here: say so once, not once per job (.glb files need none)
        from ..render.opengl import require
        from ..render.writers import output_kind

        if any(job.output and output_kind(job.output) != "scene" for job in jobs):
            require()

    def open_executor(count):
        return dask_cluster(scheduler) if scheduler else local_pool(min(count, workers))

    progress = Progress(len(jobs), label="jobs", unit="jobs/s", quiet=quiet)
    failed = 0

    def on_done(result):
        nonlocal failed
        failed += result["status"] == "failed"
        progress.label = f"jobs ({failed} failed)" if failed else "jobs"
        progress.update()

    start = time.perf_counter()
    try:
        results = run_jobs(jobs, open_executor, fail_fast=fail_fast, skip_existing=skip_existing,
                           max_memory=limit, on_done=on_done, overwrite=overwrite)
    finally:
        progress.close()
    doc = report(results, time.perf_counter() - start)
    if as_json:
        print_json(doc)
    else:
        lines = summary_lines(doc)
        for line in lines if not quiet else lines[1:]:
            echo(line, err=True)
    if not doc["ok"]:
        sys.exit(1)
