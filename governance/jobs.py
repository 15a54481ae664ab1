"""The assemblies' long work, run as jobs (coop.jobs): convening, which freezes the roll and
queues one convocation per member (tens of thousands of rows for a large cooperative), never
runs in a web request. The page checks at once what would refuse it, then a worker convenes."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coop.actors import Actor
from coop.jobs.registry import JobOutcome, job_kind
from coop.jobs.services import job_start
from coop.jobs.work import JobWork
from coop.models import Job
from governance.models import Assembly
from governance.services.convocation import assembly_convene, assembly_convene_check

ASSEMBLY_CONVENE = "governance.assembly_convene"


def assembly_convene_start(
    *, assembly: Assembly, actor: Actor, now: dt.datetime | None = None
) -> Job:
    """Check now what would refuse the convocation (state, dates, notice period), then start
    the job that convenes the assembly (see its page)."""
    assembly_convene_check(assembly=assembly, now=now)
    return job_start(kind=ASSEMBLY_CONVENE, actor=actor, parameters={"assembly": assembly.pk})


def _assembly_page(parameters: dict[str, Any]) -> str:
    return reverse("governance:manage_detail", args=[parameters["assembly"]])


def _describe(parameters: dict[str, Any]) -> str:
    title = (
        Assembly.objects.filter(pk=parameters["assembly"]).values_list("title", flat=True).first()
    )
    return _("The assembly “%(title)s”: its roll frozen and a convocation for each member.") % {
        "title": title or "—"
    }


@job_kind(
    ASSEMBLY_CONVENE,
    label=gettext_lazy("Convening an assembly"),
    back_url=_assembly_page,
    back_label=gettext_lazy("Back to the assembly"),
    describe=_describe,
)
def assembly_convene_job(job: Job, work: JobWork) -> JobOutcome:
    assembly = Assembly.objects.get(pk=job.parameters["assembly"])
    work.progress(message=_("Freezing the roll and queueing the convocations…"))
    convened = assembly_convene(assembly=assembly, actor=job.created_by)
    roll = convened.roll.count()
    return JobOutcome(
        lines=[
            ngettext(
                "The assembly is convened: %(count)s member is on the roll, and the "
                "convocation is being sent. Print the letters for those who receive it by post.",
                "The assembly is convened: %(count)s members are on the roll, and the "
                "convocations are being sent. Print the letters for those who receive them by "
                "post.",
                roll,
            )
            % {"count": roll}
        ],
        data={"roll": roll},
    )
