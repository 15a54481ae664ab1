"""What the benchmarks of jobs share (bench/register_pdf.py, bench/import.py): run one job in
a process of its own, as a worker would, and measure its time and peak memory.

Not a benchmark itself (`make bench` skips it, as it skips kit.py).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
GIB = 1024**3


def run_job_in_child(job_id: str, *, env: dict[str, str]) -> tuple[float, int, str]:
    """Run the job `job_id` in a new Python process (Django set up there, as in a worker):
    its wall time in seconds, its peak resident memory in bytes, and its final status."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), job_id],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the job's process failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds, report["maxrss_kib"] * 1024, report["status"]


def _child(job_id: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from coop.jobs.services import job_run

    status = job_run(job_id=job_id)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"status": status, "maxrss_kib": peak}))


if __name__ == "__main__":
    _child(sys.argv[1])
