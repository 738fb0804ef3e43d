"""The outcome of a batch: the JSON report (`batch --json`, a stable shape) and the text summary."""
from __future__ import annotations

STATUSES = ("ok", "failed", "skipped", "cancelled")


def report(results: list[dict], seconds: float) -> dict:
    """``{"ok", "seconds", "counts": {status: n}, "jobs": [row, ...]}``; rows as runner.run_jobs gives them."""
    counts = {status: sum(r["status"] == status for r in results) for status in STATUSES}
    return {"ok": counts["failed"] == counts["cancelled"] == 0, "seconds": round(seconds, 3),
            "counts": counts, "jobs": results}


def summary_lines(doc: dict) -> list[str]:
    """One line of counts, then one line per failed job: what it was, and why."""
    counts = doc["counts"]
    parts = [f"{counts['ok']} written"] + [f"{counts[s]} {s}" for s in STATUSES[1:] if counts[s]]
    lines = [f"batch: {', '.join(parts)} in {doc['seconds']:.1f} s"]
    for row in doc["jobs"]:
        if row["status"] == "failed":
            lines.append(f"  job {row['job']} {row['model']} -> {row['output'] or '?'}: {row['error']}")
    return lines
