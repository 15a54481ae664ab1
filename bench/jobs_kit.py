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
from typing import Any, NamedTuple

from kit import verbose

BASE_DIR = Path(__file__).resolve().parent.parent
GIB = 1024**3


class JobMeasure(NamedTuple):
    seconds: float  # wall time
    peak: int  # bytes
    status: str
    cpu_seconds: float  # the job's process and the processes it started, user and system


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_job_in_child(job_id: str, *, env: dict[str, str]) -> JobMeasure:
    """Run the job `job_id` in a new Python process (Django set up there, as in a worker):
    its wall time in seconds, its peak resident memory in bytes, its final status, and the CPU
    time it and its own processes used (less sensitive than the wall time to a busy machine).

    The memory counts the processes the job starts too (the register's printing processes):
    the job's own peak plus, for each process it may run at once, the largest peak among
    them (an upper bound of what they held together)."""
    started, cpu_before = time.perf_counter(), _children_cpu()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), job_id],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if done.returncode != 0:
        raise SystemExit(f"the job's process failed:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    verbose(
        f"job process peak {report['maxrss_kib'] / 1024:.0f} MiB, its children's peak "
        f"{report['children_maxrss_kib'] / 1024:.0f} MiB x {report['children_at_once']}"
    )
    verbose(report["cpu"])
    peak = report["maxrss_kib"] + report["children_maxrss_kib"] * report["children_at_once"]
    return JobMeasure(seconds, peak * 1024, report["status"], cpu)


def _backend_cpu(connection: Any) -> str:
    """The CPU time of the PostgreSQL process that served the job, when the server runs on
    this machine (its share of the import's time, apart from Python's)."""
    if connection.connection is None:
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return ""
    ticks = os.sysconf("SC_CLK_TCK")
    return f", its PostgreSQL process {(int(fields[11]) + int(fields[12])) / ticks:.1f} s"


def _child(job_id: str) -> None:
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from coop.jobs.services import job_run

    status = job_run(job_id=job_id)
    cpu = f"job process CPU {time.process_time():.1f} s{_backend_cpu(connection)}"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child's
    report = {
        "status": status,
        "cpu": cpu,
        "maxrss_kib": peak,
        "children_maxrss_kib": children,
        "children_at_once": settings.REGISTER_PDF_PROCESSES if children else 0,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    _child(sys.argv[1])
