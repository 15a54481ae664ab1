"""What tests of long work share: after a page started a job, run it as a worker would and
download what it produced."""

import time

from django.test import Client
from django.urls import reverse

from coop.jobs.services import job_run
from coop.models import Job


def job_file(client: Client, response) -> tuple[Job, object]:
    """`response` redirected to a job's page: run the job (if no worker took it yet), check
    its page offers the file, and download it. Needs the `jobs_root` fixture (or JOBS_ROOT)."""
    assert response.status_code == 302, response.status_code
    job = Job.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    status = job_run(job_id=str(job.pk))  # or a worker of the test took it: wait for it
    deadline = time.monotonic() + 120
    while status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.2)
        status = Job.objects.values_list("status", flat=True).get(pk=job.pk)
    assert status == "done", Job.objects.get(pk=job.pk).error
    page = client.get(response["Location"]).content.decode()
    download = reverse("jobs:download", args=[job.pk])
    assert f'href="{download}"' in page
    file = client.get(download)
    assert file.status_code == 200
    return job, file
