"""Jobs through real Celery worker processes: the register's PDF printed by a worker, the
worker killed (SIGKILL) in the middle, the job found dead by the sweep and marked failed with
a retry, and the retry finishing the work on another worker."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from coop.jobs.services import job_retry, jobs_sweep
from coop.models import Job
from members.jobs import register_export_start
from tests.coop.conftest import wait_until
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.bulk import import_many_members, member_name
from tests.members.factories import standard_register

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Entries per printed part: 80 parts, several seconds of work for the worker even on a quiet
# machine (the kill must come while it prints: with 200 entries, once the register's cells were
# made cheaper, the job could end between its first parts and the kill).
MEMBERS = 800
CHUNK = 10


@pytest.fixture
def worker_settings(monkeypatch, settings, jobs_root):
    """The workers (started after this) and this process share the jobs' folder; workers
    show a sign of life every half second; a job silent for 3 seconds is taken for dead."""
    monkeypatch.setenv("JOBS_ROOT", str(jobs_root))
    monkeypatch.setenv("JOBS_HEARTBEAT_SECONDS", "0.5")
    monkeypatch.setenv("REGISTER_PDF_CHUNK_ROWS", str(CHUNK))
    settings.JOBS_STALE_SECONDS = 3


def reloaded(job: Job) -> Job:
    job.refresh_from_db()
    return job


def test_a_worker_killed_mid_job_is_found_by_the_sweep_and_the_retry_finishes(
    celery_workers, worker_settings, monkeypatch
):
    StatutesFactory()
    standard_register()
    administrator = UserFactory(roles=["administrator"])
    import_many_members(MEMBERS)
    (doomed,) = celery_workers("doomed")

    job = register_export_start(on=timezone.localdate(), file_format="pdf", actor=administrator)
    wait_until(
        lambda: reloaded(job).status == "running" and job.progress_done >= 2 * CHUNK,
        timeout=60,
        interval=0.05,
        what="the worker to print its first parts",
    )
    assert job.progress_total == MEMBERS
    # While the worker lives its heartbeat moves on, and the sweep leaves the job alone.
    beat = job.heartbeat_at
    wait_until(lambda: reloaded(job).heartbeat_at > beat, timeout=5, what="a heartbeat")
    assert jobs_sweep()["dead"] == 0

    doomed.kill()  # SIGKILL: the worker and its pool process die at once, mid-job
    job = reloaded(job)
    assert job.status == "running"
    assert 0 < job.progress_done < MEMBERS
    wait_until(lambda: jobs_sweep()["dead"] == 1, timeout=15, interval=0.5, what="the sweep")
    job = reloaded(job)
    assert job.status == "failed"
    assert "The worker doing this work stopped" in job.error
    assert not job.result_file

    # The doomed worker printed with its two printing processes (killed with it); the rescuer
    # prints in its own process, which starts sooner on a loaded machine.
    monkeypatch.setenv("REGISTER_PDF_PROCESSES", "1")
    celery_workers("rescuer")
    job_retry(job=job, actor=administrator)
    wait_until(lambda: reloaded(job).status == "done", timeout=120, what="the retried job")
    assert job.attempts == 2
    assert (job.progress_done, job.progress_total) == (MEMBERS, MEMBERS)
    reader = PdfReader(io.BytesIO(job.result_file.read()))
    assert len(reader.pages) == job.result["pages"] >= MEMBERS // CHUNK
    text = "\n".join(page.extract_text() for page in reader.pages)
    for number in (1, 401, MEMBERS):
        assert member_name(number) in text
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in text
