"""The assemblies' long work, run as jobs (coop.jobs): convening, which freezes the roll and
queues one convocation per member (tens of thousands of rows for a large cooperative), never
runs in a web request. The page checks at once what would refuse it, then a worker convenes.
The published ballot box (CSV or JSON) and the attendance sheet (a PDF of everyone present,
represented or voting at distance) are written by jobs too."""

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
from governance.ballot_box import ballot_box_csv_write, ballot_box_json_write
from governance.models import Assembly
from governance.pdfs.attendance import attendance_sheet_pdf
from governance.proof import convocation_proof_csv_write, proof_filename
from governance.services.convocation import assembly_convene, assembly_convene_check

ASSEMBLY_CONVENE = "governance.assembly_convene"
BALLOT_BOX_CSV = "governance.ballot_box_csv"
BALLOT_BOX_JSON = "governance.ballot_box_json"
BALLOT_BOX_FORMATS = {"csv": BALLOT_BOX_CSV, "json": BALLOT_BOX_JSON}
ATTENDANCE_SHEET = "governance.attendance_sheet"
CONVOCATION_PROOF = "governance.convocation_proof"


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


def ballot_box_export_start(*, assembly: Assembly, file_format: str, actor: Any) -> Job:
    """Start writing the published ballot box of `assembly` as "csv" or "json" (a job)."""
    return job_start(
        kind=BALLOT_BOX_FORMATS[file_format], actor=actor, parameters={"assembly": assembly.pk}
    )


def _results_page(parameters: dict[str, Any]) -> str:
    return reverse("governance:results", args=[parameters["assembly"]])


def _describe_box(parameters: dict[str, Any]) -> str:
    title = (
        Assembly.objects.filter(pk=parameters["assembly"]).values_list("title", flat=True).first()
    )
    return _("The ballot box of the assembly “%(title)s”.") % {"title": title or "—"}


def _ballot_box_job(job: Job, work: JobWork, *, extension: str) -> JobOutcome:
    assembly = Assembly.objects.get(pk=job.parameters["assembly"])
    work.progress(message=_("Writing the ballot box…"))
    path = work.output(f"ballot-box.{extension}")
    write = ballot_box_csv_write if extension == "csv" else ballot_box_json_write
    ballots = write(assembly=assembly, path=path)
    work.progress(ballots, total=ballots)
    return JobOutcome(
        file=path,
        filename=f"ballot-box-{assembly.pk}.{extension}",
        lines=[
            ngettext(
                "The ballot box holds %(count)s ballot.",
                "The ballot box holds %(count)s ballots.",
                ballots,
            )
            % {"count": ballots}
        ],
    )


@job_kind(
    BALLOT_BOX_CSV,
    label=gettext_lazy("Ballot box (CSV)"),
    back_url=_results_page,
    back_label=gettext_lazy("Back to the results"),
    describe=_describe_box,
)
def ballot_box_csv_job(job: Job, work: JobWork) -> JobOutcome:
    return _ballot_box_job(job, work, extension="csv")


@job_kind(
    BALLOT_BOX_JSON,
    label=gettext_lazy("Ballot box and tally (JSON)"),
    back_url=_results_page,
    back_label=gettext_lazy("Back to the results"),
    describe=_describe_box,
)
def ballot_box_json_job(job: Job, work: JobWork) -> JobOutcome:
    return _ballot_box_job(job, work, extension="json")


def attendance_sheet_start(*, assembly: Assembly, actor: Any, back: str) -> Job:
    """Start printing the attendance sheet of `assembly` (a job). `back`: the page the job's
    page leads back to ("meeting" for the desk, "archive" for the members' archive)."""
    return job_start(
        kind=ATTENDANCE_SHEET, actor=actor, parameters={"assembly": assembly.pk, "back": back}
    )


def _attendance_back(parameters: dict[str, Any]) -> str:
    if parameters.get("back") == "archive":
        return reverse("governance:minutes_archive")
    return reverse("governance:meeting", args=[parameters["assembly"]])


def _describe_attendance(parameters: dict[str, Any]) -> str:
    title = (
        Assembly.objects.filter(pk=parameters["assembly"]).values_list("title", flat=True).first()
    )
    return _("The attendance sheet of the assembly “%(title)s”.") % {"title": title or "—"}


@job_kind(
    ATTENDANCE_SHEET,
    label=gettext_lazy("Attendance sheet (PDF)"),
    back_url=_attendance_back,
    describe=_describe_attendance,
)
def attendance_sheet_job(job: Job, work: JobWork) -> JobOutcome:
    assembly = Assembly.objects.get(pk=job.parameters["assembly"])
    work.progress(message=_("Printing the attendance sheet…"))
    path = work.output("attendance.pdf")
    path.write_bytes(attendance_sheet_pdf(assembly=assembly))
    return JobOutcome(
        file=path,
        filename=f"attendance-{assembly.pk}-{assembly.starts_at:%Y-%m-%d}.pdf",
        lines=[_("The attendance sheet is ready.")],
    )


def convocation_proof_start(*, assembly: Assembly, status: str, actor: Any) -> Job:
    """Start writing the proof of sending of `assembly`'s convocation as CSV (a job), every
    line or only those of `status`."""
    return job_start(
        kind=CONVOCATION_PROOF,
        actor=actor,
        parameters={"assembly": assembly.pk, "status": status},
    )


def _proof_page(parameters: dict[str, Any]) -> str:
    return reverse("governance:manage_proof", args=[parameters["assembly"]])


def _describe_proof(parameters: dict[str, Any]) -> str:
    title = (
        Assembly.objects.filter(pk=parameters["assembly"]).values_list("title", flat=True).first()
    )
    return _("The proof of sending of the convocation to the assembly “%(title)s”.") % {
        "title": title or "—"
    }


@job_kind(
    CONVOCATION_PROOF,
    label=gettext_lazy("Proof of sending (CSV)"),
    back_url=_proof_page,
    describe=_describe_proof,
)
def convocation_proof_job(job: Job, work: JobWork) -> JobOutcome:
    assembly = Assembly.objects.get(pk=job.parameters["assembly"])
    status = job.parameters.get("status") or ""
    work.progress(message=_("Writing the proof of sending, one line per member…"))
    path = work.output("proof.csv")
    lines = convocation_proof_csv_write(assembly=assembly, status=status, path=path)
    work.progress(lines, total=lines)
    return JobOutcome(
        file=path,
        filename=proof_filename(assembly=assembly, status=status),
        lines=[
            ngettext(
                "The proof of sending has %(count)s line.",
                "The proof of sending has %(count)s lines.",
                lines,
            )
            % {"count": lines}
        ],
    )
