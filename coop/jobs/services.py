"""Starting, running, retrying and sweeping jobs (see coop.jobs)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError, PermissionRefused
from coop.jobs.registry import JobOutcome, kind_named
from coop.jobs.work import JobWork
from coop.models import Job
from coop.roles import Role, has_role

logger = logging.getLogger(__name__)

# Problems kept in the job's report for the page (all are in the report's file).
PROBLEMS_KEPT = 500


def job_visible_to(*, job: Job, user: Any) -> bool:
    """Only the person who started a job, or an administrator, sees it and its file."""
    if not getattr(user, "is_authenticated", False):
        return False
    return job.created_by_id == user.pk or has_role(user, Role.ADMINISTRATOR)


def _enqueue(job_id: str) -> None:
    """Send the job to the workers. If the broker is out of reach, the job stays queued and
    the sweep sends it again when the broker is back."""
    from coop.jobs.tasks import job_run_task

    try:
        job_run_task.delay(job_id)
    except Exception:  # kombu's errors vary with the transport: log it, the sweep retries
        logger.warning("Job %s: the broker is out of reach, the sweep will send it", job_id)


@transaction.atomic
def job_start(
    *,
    kind: str,
    actor: Actor,
    parameters: dict[str, Any] | None = None,
    input_file: File[bytes] | None = None,
    input_name: str = "",
) -> Job:
    """Record a job of `kind` for `actor` and send it to the workers once committed."""
    job_kind = kind_named(kind)
    if job_kind is None:
        raise DomainError(_("This kind of work is unknown."), code="job_kind_unknown")
    now = timezone.now()
    job = Job(
        kind=kind,
        parameters=parameters or {},
        language=get_language() or settings.LANGUAGE_CODE,
        created_by=actor_person(actor),
        queued_at=now,
    )
    if input_file is not None:
        job.input_file.save(input_name or "input", input_file, save=False)
    job.save()
    audit_record(
        actor=actor,
        action=AuditAction.JOB_STARTED,
        target=job,
        data={"kind": kind, "parameters": job.parameters},
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: _enqueue(job_id))
    return job


@transaction.atomic
def job_retry(*, job: Job, actor: Actor) -> Job:
    """Start a failed job again, with the same parameters and file."""
    if not job_visible_to(job=job, user=actor):
        raise PermissionRefused(
            _("Only the person who started this work, or an administrator, can start it again.")
        )
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != Job.Status.FAILED:
        raise DomainError(
            _("Only work that failed can be started again; this one is %(status)s.")
            % {"status": job.get_status_display()},
            code="job_not_failed",
        )
    previous_error = job.error
    job.status = Job.Status.QUEUED
    job.error = ""
    job.message = ""
    job.progress_done = job.progress_total = 0
    job.queued_at = timezone.now()
    job.started_at = job.heartbeat_at = job.finished_at = None
    job.save(
        update_fields=[
            "status",
            "error",
            "message",
            "progress_done",
            "progress_total",
            "queued_at",
            "started_at",
            "heartbeat_at",
            "finished_at",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.JOB_RETRIED,
        target=job,
        data={"kind": job.kind, "previous_error": previous_error},
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: _enqueue(job_id))
    return job


def _claim(job_id: str) -> bool:
    """Take a queued job for this worker (only one worker ever takes it)."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
    )


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, DomainError):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        return _(
            "The work took longer than allowed and was stopped; nothing of it was kept. Try "
            "again later; if it stops again, tell the people who run Volière."
        )
    return _(
        "The work stopped on an unexpected error; nothing of it was kept. Try again; if it "
        "fails again, tell the people who run Volière (the error is in their logs)."
    )


def _finish(job: Job, outcome: JobOutcome) -> None:
    """Keep the job's file and report, and mark it done (unless the sweep gave it up)."""
    result: dict[str, Any] = {
        "lines": [str(line) for line in outcome.lines],
        "problems": outcome.problems[:PROBLEMS_KEPT],
        "problems_total": outcome.problems_total or len(outcome.problems),
        **outcome.data,
    }
    if outcome.file is not None:
        with outcome.file.open("rb") as produced:
            job.result_file.save(outcome.filename or outcome.file.name, File(produced), save=False)
        job.result_name = outcome.filename or outcome.file.name
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.DONE,
        result=result,
        result_file=job.result_file.name or "",
        result_name=job.result_name,
        progress_done=job.progress_done,
        progress_total=job.progress_total,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if not updated:  # the sweep took it for dead meanwhile: its retry will do the work again
        logger.warning("Job %s finished after it was given up; its result is dropped", job.pk)
        if job.result_file:
            job.result_file.delete(save=False)


def _fail(job: Job, exc: BaseException) -> None:
    error = _failure_message(exc)
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED, error=error, finished_at=timezone.now()
    )
    audit_record(
        actor=None,
        action=AuditAction.JOB_FAILED,
        target=job,
        data={"kind": job.kind, "error": error},
    )


def job_run(*, job_id: str) -> str:
    """Run a queued job (in the worker): claim it, run its kind, keep its result or its
    failure. A job already taken, finished or given up is left alone (a message delivered
    twice runs the work once). Returns the job's status."""
    if not _claim(job_id):
        status = Job.objects.filter(pk=job_id).values_list("status", flat=True).first()
        logger.info("Job %s not run: it is %s", job_id, status or "gone")
        return status or "gone"
    job = Job.objects.select_related("created_by").get(pk=job_id)
    work = JobWork(job, heartbeat_seconds=settings.JOBS_HEARTBEAT_SECONDS)
    work.start()
    try:
        with translation.override(job.language):
            try:
                kind = kind_named(job.kind)
                if kind is None:
                    raise DomainError(_("This kind of work is unknown."), code="job_kind_unknown")
                outcome = kind.run(job, work)
                work.stop()  # the last progress is written before the job is marked done
                _finish(job, outcome)
            except Exception as exc:
                if not isinstance(exc, DomainError):
                    logger.exception("Job %s (%s) failed", job.pk, job.kind)
                work.stop()
                _fail(job, exc)
                return Job.Status.FAILED
        return Job.Status.DONE
    finally:
        work.stop()
        work.cleanup()


def jobs_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Fail the jobs whose worker died (no sign of life for JOBS_STALE_SECONDS), send again
    the queued jobs no worker took (a broker that was out of reach), and delete the jobs
    finished more than JOBS_KEEP_DAYS ago with their files."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.JOBS_STALE_SECONDS)
    dead = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale):
        with translation.override(job.language):
            error = _(
                "The worker doing this work stopped (the server restarted or ran out of memory); "
                "its last sign of life was at %(time)s. Nothing of the unfinished work was kept: "
                "start it again."
            ) % {"time": date_format(timezone.localtime(job.heartbeat_at), "TIME_FORMAT")}
        with transaction.atomic():
            if Job.objects.filter(
                pk=job.pk, status=Job.Status.RUNNING, heartbeat_at__lt=stale
            ).update(status=Job.Status.FAILED, error=error, finished_at=now):
                audit_record(
                    actor=None,
                    action=AuditAction.JOB_FAILED,
                    target=job,
                    data={"kind": job.kind, "error": "worker lost"},
                )
                dead += 1
    requeued = 0
    for job_id in Job.objects.filter(status=Job.Status.QUEUED, queued_at__lt=stale).values_list(
        "pk", flat=True
    ):
        # Sent again at most once per JOBS_STALE_SECONDS, however long the queue is.
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(queued_at=now)
        _enqueue(str(job_id))
        requeued += 1
    expired = 0
    for job in Job.objects.filter(
        status__in=[Job.Status.DONE, Job.Status.FAILED],
        finished_at__lt=now - dt.timedelta(days=settings.JOBS_KEEP_DAYS),
    ):
        for stored in (job.result_file, job.input_file):
            if stored:
                stored.delete(save=False)
        job.delete()
        expired += 1
    return {"dead": dead, "requeued": requeued, "expired": expired}
