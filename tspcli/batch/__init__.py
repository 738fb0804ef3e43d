"""Many figures in one go: plan jobs (models x outputs x options), run them on an executor, report.

    from tspcli.batch import plan, run_jobs, report, local_pool
    jobs = plan(["models/*.h5"], template="{stem}.png", out_dir="figures")
    results = run_jobs(jobs, lambda n: local_pool(min(n, 2)))   # a context manager for n jobs
    doc = report(results, seconds)
"""
from .executors import dask_cluster, default_workers, local_pool
from .jobs import Job, plan
from .report import report, summary_lines
from .runner import run_jobs

__all__ = ["Job", "plan", "run_jobs", "report", "summary_lines", "local_pool", "dask_cluster",
           "default_workers"]
