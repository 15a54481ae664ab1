"""Downloading the published ballot box as a reader does: the results page starts a job, the
job runs (here, as a worker would), the job's page offers the file."""

import tempfile

import kombu
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from coop.jobs.services import job_run
from coop.models import Job
from governance.models import Assembly


def ballot_box_download(client: Client, assembly: Assembly, file_format: str) -> bytes:
    from coop.celery import app

    eager = app.conf.task_always_eager
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.task_always_eager = True  # sent to no broker: run where it is queued
    try:
        with override_settings(JOBS_ROOT=tempfile.mkdtemp(prefix="ballot-box-")):
            before = set(Job.objects.values_list("pk", flat=True))
            url = reverse(f"governance:ballot_box_{file_format}", kwargs={"pk": assembly.pk})
            response = client.post(url)
            assert response.status_code == 302
            job = Job.objects.exclude(pk__in=before).get()
            assert response["Location"] == reverse("jobs:detail", args=[job.pk])
            # Run by the worker (a transaction committed: already done; otherwise, now).
            assert job_run(job_id=str(job.pk)) == "done"
            download = client.get(reverse("jobs:download", args=[job.pk]))
            assert download.status_code == 200
            assert download["Content-Disposition"] == (
                f'attachment; filename="ballot-box-{assembly.pk}.{file_format}"'
            )
            return b"".join(download.streaming_content)
    finally:
        app.conf.task_always_eager = eager
