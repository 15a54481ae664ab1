"""Benchmark: the register of members on a date as PDF, for 50,000 members, as its job prints
it (in parts of REGISTER_PDF_CHUNK_ROWS entries, joined into one document).

The job runs in a process of its own, as in a Celery worker, and is measured there: its wall
time and its peak resident memory. There is no faster way to compare it with in the same run
(one WeasyPrint document of 50,000 rows took more than 10 minutes and 10 GB, issue 14), so
the ratios are against the budgets the issue sets: 5 minutes and 1 GB.

    register_pdf_time: ratio=R target=1      R = seconds / 300
    register_pdf_memory: ratio=R target=1    R = peak bytes / 1 GiB

The line before them also gives the CPU time of the job's process and its printing processes
per entry: the wall time depends on what else the machine runs, the CPU time much less (the
budget, on 2 free cores, is about 2 x 300 s / 50,000 = 12 ms of CPU per entry, joining and
all: 9.8 measured with 50,000 entries on a busy machine, since issue 14's plain cells).

Exits non-zero if the PDF is wrong (pypdf reads it: pages numbered to the last, the first and
last members on it). Runs on a database of its own (voliere_bench_register_pdf), loaded in
bulk SQL as bench/register.py does it, and dropped here.

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/register_pdf.py
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

from jobs_kit import GIB, run_job_in_child
from kit import bench_database, load_register, verbose

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_register_pdf"
MEMBERS = int(os.environ.get("BENCH_PDF_MEMBERS", "50000"))
TIME_BUDGET = 300.0  # seconds
MEMORY_BUDGET = 1 * GIB


def main() -> int:
    jobs_root = Path(tempfile.mkdtemp(prefix="bench-register-pdf-"))
    os.environ["JOBS_ROOT"] = str(jobs_root)
    problems: list[str] = []
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, jobs_root, ignore_errors=True)
        url = cleanup.enter_context(bench_database(BENCH_DB))
        from django.utils import timezone
        from pypdf import PdfReader

        from coop.models import Job, Statutes

        load_register(url, MEMBERS)
        Statutes.objects.create(
            effective_from=dt.date(2010, 1, 1),
            decision_ref="AGE constitutive",
            name="Coopérative de banc d'essai",
            registered_office="1 place de la Mairie, 38000 Grenoble",
        )
        on = timezone.localdate()
        # The row job_start writes, without sending it to a broker: the child runs it.
        job = Job.objects.create(
            kind="members.register_pdf",
            parameters={"on": on.isoformat()},
            language="fr",
            queued_at=timezone.now(),
        )
        seconds, peak, status, cpu = run_job_in_child(
            str(job.pk), env={"JOBS_ROOT": str(jobs_root)}
        )
        job.refresh_from_db()
        if status != "done":
            problems.append(f"register_pdf: the job is {status}: {job.error}")
        else:
            reader = PdfReader(job.result_file.path)
            pages = len(reader.pages)
            first = reader.pages[0].extract_text()
            last = reader.pages[-1].extract_text()
            verbose(f"{pages} pages, {job.result_file.size / 1e6:.1f} MB")
            if pages != job.result.get("pages"):
                problems.append(f"register_pdf: {pages} pages, the job says {job.result}")
            if f"Page {pages} sur {pages}" not in last:
                problems.append("register_pdf: the last page is not numbered as the last")
            if "Registre des associés" not in first:
                problems.append("register_pdf: the first page has no title")
            if (job.progress_done, job.progress_total)[0] != job.progress_total:
                problems.append(f"register_pdf: progress {job.progress_done}/{job.progress_total}")
        verbose(f"{MEMBERS} members: {seconds:.1f} s, peak {peak / 2**20:.0f} MiB")

    print(
        f"register_pdf: {MEMBERS} entries in {seconds:.1f} s ({seconds / MEMBERS * 1000:.1f} ms "
        f"per entry), {cpu:.1f} s of CPU ({cpu / MEMBERS * 1000:.1f} ms per entry), "
        f"peak memory {peak / 2**20:.0f} MiB"
    )
    print(f"register_pdf_time: ratio={seconds / TIME_BUDGET:.2f} target=1")
    print(f"register_pdf_memory: ratio={peak / MEMORY_BUDGET:.2f} target=1")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
