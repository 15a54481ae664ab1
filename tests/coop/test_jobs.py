"""Jobs (coop.jobs): started, run with progress, done with a file, failed with a message,
retried; their page, download and retry, for the person who started them or an
administrator only; and the sweep of jobs left by a dead worker."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coop.errors import DomainError
from coop.jobs.registry import JobOutcome, job_kind
from coop.jobs.services import job_retry, job_run, job_start, jobs_sweep
from coop.models import AuditEvent, Job
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp

pytestmark = pytest.mark.django_db

SEEN = []


@job_kind("tests.count", label="Counting to three")
def count_job(job, work):
    """Counts; fails while its parameters say so (a DomainError, or a bug)."""
    if job.parameters.get("fail") == "domain":
        raise DomainError("The moon is not in the right phase.")
    if job.parameters.get("fail") == "bug":
        raise ZeroDivisionError("division by zero")
    for done in range(1, 4):
        work.progress(done, total=3, message=f"Counting {done}")
        SEEN.append((job.progress_done, job.progress_total))
    path = work.output("count.txt")
    path.write_text("1 2 3\n")
    return JobOutcome(file=path, filename="count.txt", lines=["Counted to 3."], data={"n": 3})


@pytest.fixture
def starter(db):
    return UserFactory(roles=["member"])


def test_a_job_is_queued_then_sent_to_the_workers_after_commit(
    starter, jobs_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = job_start(kind="tests.count", actor=starter, parameters={"n": 3})
    assert len(callbacks) == 1  # sent only once committed
    job.refresh_from_db()
    assert (job.status, job.created_by, job.language, job.parameters) == (
        "queued",
        starter,
        "en",
        {"n": 3},
    )
    assert AuditEvent.objects.filter(action="job.started", target_id=str(job.pk)).exists()


def test_an_unknown_kind_of_work_is_refused(starter):
    with pytest.raises(DomainError, match="unknown"):
        job_start(kind="tests.nothing", actor=starter)
    assert not Job.objects.exists()


def test_a_job_runs_reports_its_progress_and_keeps_its_file(starter, jobs_root):
    job = job_start(kind="tests.count", actor=starter)
    SEEN.clear()
    assert job_run(job_id=str(job.pk)) == "done"

    job.refresh_from_db()
    assert job.status == "done"
    assert SEEN == [(1, 3), (2, 3), (3, 3)]
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.result["lines"] == ["Counted to 3."] and job.result["n"] == 3
    assert job.result_name == "count.txt"
    assert job.result_file.read() == b"1 2 3\n"
    assert (jobs_root / str(job.pk) / "count.txt").exists()  # in the jobs' private folder
    assert job.attempts == 1 and job.started_at and job.finished_at
    # Run once: a second delivery of the same message leaves it alone.
    assert job_run(job_id=str(job.pk)) == "done"
    job.refresh_from_db()
    assert job.attempts == 1


@pytest.mark.parametrize(
    ("fail", "message"),
    [
        ("domain", "The moon is not in the right phase."),
        ("bug", "The work stopped on an unexpected error"),
    ],
)
def test_a_failing_job_says_why_and_can_be_retried(starter, jobs_root, fail, message):
    job = job_start(kind="tests.count", actor=starter, parameters={"fail": fail})
    assert job_run(job_id=str(job.pk)) == "failed"
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error.startswith(message)
    assert "ZeroDivisionError" not in job.error  # no exception names for people
    assert not job.result_file

    job.parameters = {}
    job.save(update_fields=["parameters"])  # what made it fail is gone
    job_retry(job=job, actor=starter)
    job.refresh_from_db()
    assert (job.status, job.error) == ("queued", "")
    assert job_run(job_id=str(job.pk)) == "done"
    job.refresh_from_db()
    assert job.attempts == 2
    assert AuditEvent.objects.filter(action="job.retried", target_id=str(job.pk)).exists()


def test_only_a_failed_job_can_be_retried_and_only_by_its_starter(starter, jobs_root):
    job = job_start(kind="tests.count", actor=starter)
    with pytest.raises(DomainError, match="Only work that failed"):
        job_retry(job=job, actor=starter)
    stranger = UserFactory(roles=["member"])
    with pytest.raises(DomainError, match="Only the person who started"):
        job_retry(job=job, actor=stranger)


def test_the_sweep_fails_jobs_without_a_sign_of_life_and_sends_stuck_ones_again(
    starter, jobs_root, settings, django_capture_on_commit_callbacks
):
    settings.JOBS_STALE_SECONDS = 60
    now = timezone.now()
    alive = job_start(kind="tests.count", actor=starter)
    dead = job_start(kind="tests.count", actor=starter)
    Job.objects.filter(pk=alive.pk).update(status="running", heartbeat_at=now)
    Job.objects.filter(pk=dead.pk).update(
        status="running", heartbeat_at=now - dt.timedelta(seconds=61)
    )
    stuck = job_start(kind="tests.count", actor=starter)
    Job.objects.filter(pk=stuck.pk).update(queued_at=now - dt.timedelta(minutes=5))

    report = jobs_sweep(now=now)

    assert (report["dead"], report["requeued"]) == (1, 1)
    alive.refresh_from_db()
    dead.refresh_from_db()
    assert alive.status == "running"
    assert dead.status == "failed"
    assert "The worker doing this work stopped" in dead.error
    assert "start it again" in dead.error


def test_the_sweep_deletes_old_results_and_their_files(starter, jobs_root, settings):
    settings.JOBS_KEEP_DAYS = 7
    job = job_start(kind="tests.count", actor=starter)
    job_run(job_id=str(job.pk))
    job.refresh_from_db()
    path = jobs_root / job.result_file.name
    assert path.exists()
    assert jobs_sweep(now=timezone.now() + dt.timedelta(days=6))["expired"] == 0
    assert jobs_sweep(now=timezone.now() + dt.timedelta(days=8))["expired"] == 1
    assert not Job.objects.exists()
    assert not path.exists()


# --- The pages -------------------------------------------------------------------------------


def page(client, job, **params):
    return client.get(reverse("jobs:detail", args=[job.pk]), params)


def test_the_page_shows_the_progress_with_a_refresh_link_and_htmx_polling(
    client, starter, jobs_root
):
    job = job_start(kind="tests.count", actor=starter)
    Job.objects.filter(pk=job.pk).update(
        status="running", progress_done=1200, progress_total=5000, message="Counting"
    )
    client.force_login(starter)
    response = page(client, job)
    html = response.content.decode()
    assert response.status_code == 200
    assert "1,200 of 5,000 done (24%)" in html
    assert '<label for="job-progress">Progress</label>' in html
    assert '<progress id="job-progress" max="5000" value="1200">' in html
    assert 'aria-live="polite"' in html
    assert 'data-hx-trigger="every 2s"' in html
    detail = reverse("jobs:detail", args=[job.pk])
    assert f'<a href="{detail}">Refresh</a>' in html
    assert response["Cache-Control"].startswith("max-age=0")

    # htmx asks for the status alone; nothing changed since: nothing to swap.
    partial = client.get(detail, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200
    assert partial.content.decode().lstrip().startswith('<section id="job-status"')
    stamp = f"running:1200:5000:{len('Counting')}"
    assert client.get(detail, {"seen": stamp}, HTTP_HX_REQUEST="true").status_code == 204


def test_the_finished_job_offers_its_file_and_stops_polling(client, starter, jobs_root):
    job = job_start(kind="tests.count", actor=starter)
    job_run(job_id=str(job.pk))
    client.force_login(starter)
    html = page(client, job).content.decode()
    assert "data-hx-trigger" not in html
    assert "Counted to 3." in html
    download = reverse("jobs:download", args=[job.pk])
    assert f'href="{download}"' in html
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="count.txt"'
    assert b"".join(response.streaming_content) == b"1 2 3\n"


def test_the_failed_job_says_why_and_offers_a_retry(client, starter, jobs_root):
    job = job_start(kind="tests.count", actor=starter, parameters={"fail": "domain"})
    job_run(job_id=str(job.pk))
    client.force_login(starter)
    html = page(client, job).content.decode()
    assert "<title>Error:" in html
    assert "The moon is not in the right phase." in html
    retry = reverse("jobs:retry", args=[job.pk])
    assert f'action="{retry}"' in html
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404

    response = client.post(retry, follow=True)
    assert "The work starts again." in response.content.decode()
    job.refresh_from_db()
    assert job.status == "queued"


def test_someone_else_sees_no_job_but_an_administrator_does(client, starter, jobs_root):
    job = job_start(kind="tests.count", actor=starter)
    job_run(job_id=str(job.pk))
    urls = [reverse(name, args=[job.pk]) for name in ("jobs:detail", "jobs:download")]

    client.force_login(UserFactory(roles=["member"]))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404

    administrator = UserFactory(roles=["administrator", "member"], is_staff=True)
    client.force_login(administrator)
    response = client.get(urls[0])
    assert response.status_code == 302  # set up two-factor authentication first
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    activate_totp(administrator)
    assert [client.get(url).status_code for url in urls] == [200, 200]

    client.logout()
    response = client.get(urls[0])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_in_french(client, starter, jobs_root):
    job = job_start(kind="tests.count", actor=starter)
    Job.objects.filter(pk=job.pk).update(status="running", progress_done=2, progress_total=5)
    client.force_login(starter)
    html = client.get(
        reverse("jobs:detail", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "2 sur 5 (40\u00a0%)" in html
    assert "Actualiser" in html
