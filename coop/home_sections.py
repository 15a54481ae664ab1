"""The cooperative core's own sections of the administrators' home page: letters to post,
copies of notices that failed, work running in the background."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext

from coop.home import HomeItem, home_section
from coop.jobs.registry import kind_named
from coop.models import Job, NoticeDelivery
from coop.outbox.selectors import deliveries_needing_action
from coop.roles import Role

JOBS_SHOWN = 5


def _notice_url(per_notice: dict[int, int], status: str = "") -> str:
    """The notice's page when only one notice is concerned, else the list of notices."""
    if len(per_notice) == 1:
        (notice_pk,) = per_notice
        url = reverse("coop:outbox_notice", args=[notice_pk])
        return f"{url}?{urlencode({'status': status})}" if status else url
    return reverse("coop:outbox")


@home_section(role=Role.ADMINISTRATOR, order=40, name="coop.outbox")
def outbox_section(request: HttpRequest) -> dict[str, Any]:
    found = deliveries_needing_action()
    waiting = []
    letters = sum(found["letters"].values())
    if letters:
        waiting.append(
            HomeItem(
                label=ngettext("letter to print and post", "letters to print and post", letters),
                url=_notice_url(found["letters"]),
                count=letters,
            )
        )
    failed = sum(found["failed"].values())
    if failed:
        waiting.append(
            HomeItem(
                label=ngettext(
                    "notice that could not be delivered",
                    "notices that could not be delivered",
                    failed,
                ),
                url=_notice_url(found["failed"], NoticeDelivery.Status.FAILED),
                count=failed,
                urgent=True,
            )
        )
    return {"waiting": waiting}


@home_section(
    role=Role.ADMINISTRATOR, order=50, name="coop.jobs", template="coop/home/admin_jobs.html"
)
def jobs_section(request: HttpRequest) -> dict[str, Any] | None:
    jobs = list(
        Job.objects.filter(status__in=Job.ACTIVE_STATUSES)
        .only("pk", "kind", "status", "progress_done", "progress_total", "queued_at")
        .order_by("queued_at", "pk")[: JOBS_SHOWN + 1]
    )
    if not jobs:
        return None
    rows = []
    for job in jobs[:JOBS_SHOWN]:
        kind = kind_named(job.kind)
        rows.append({"job": job, "label": kind.label if kind else job.kind})
    return {"jobs": rows, "more_jobs": len(jobs) > JOBS_SHOWN}
