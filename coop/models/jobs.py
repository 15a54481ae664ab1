"""Long work done by a Celery worker on someone's behalf: a job, its progress and its result.

The rules live in coop.jobs; this is the row the progress page reads.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coop.jobs.storage import job_storage


def _input_path(job: "Job", filename: str) -> str:
    return f"{job.pk}/input/{filename}"


def _result_path(job: "Job", filename: str) -> str:
    return f"{job.pk}/{filename}"


class Job(models.Model):
    """One piece of long work (a register as PDF, an import...), run by a Celery worker.

    Its row says where the work stands (status, progress, the current step), keeps the
    parameters it was started with and, at the end, the file it produced or the report of
    what it did, or the reason it failed. `heartbeat_at` is renewed by the worker while it
    runs: a running job whose heartbeat is too old was left by a dead worker.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("in progress")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind of work"), max_length=60)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    language = models.CharField(_("language"), max_length=8)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("to do"), default=0)
    message = models.CharField(_("current step"), max_length=300, blank=True)
    result = models.JSONField(_("report"), default=dict, blank=True)
    input_file = models.FileField(
        _("file given"), storage=job_storage, upload_to=_input_path, max_length=300, blank=True
    )
    result_file = models.FileField(
        _("file produced"), storage=job_storage, upload_to=_result_path, max_length=300, blank=True
    )
    result_name = models.CharField(_("name of the file produced"), max_length=200, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"))
    started_at = models.DateTimeField(_("taken by a worker at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="coop_job_status_known",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="coop_job_failed_says_why",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="coop_job_status_beat_idx"),
            models.Index(fields=["created_by", "created_at"], name="coop_job_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def percent(self) -> int | None:
        """How far the work is, in whole percent; None while the amount of work is unknown."""
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)
