"""The share capital's long work, run as jobs (coop.jobs): the register of share movements
between two dates, as CSV or PDF. A large cooperative's register holds hundreds of thousands
of movements: it is never built in a web request. The page starts the job; the worker writes
the file, which the job's page then offers."""

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from capital.register import register_csv, register_pdf
from capital.selectors import register_movements
from coop.documents import statutes_for_document
from coop.jobs.registry import JobOutcome, job_kind
from coop.jobs.services import job_start
from coop.jobs.work import JobWork
from coop.models import Job

REGISTER_CSV = "capital.register_csv"
REGISTER_PDF = "capital.register_pdf"
REGISTER_FORMATS = {"csv": REGISTER_CSV, "pdf": REGISTER_PDF}


def _period(parameters: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(parameters["start"]), dt.date.fromisoformat(parameters["end"])


def register_filename(*, start: dt.date, end: dt.date, extension: str) -> str:
    name = slugify(_("register of share movements"))  # outside the f-string: makemessages
    return f"{name}-{start.isoformat()}-{end.isoformat()}.{extension}"


def _describe(parameters: dict[str, Any]) -> str:
    start, end = _period(parameters)
    return _("The movements from %(start)s to %(end)s.") % {
        "start": date_format(start, "DATE_FORMAT"),
        "end": date_format(end, "DATE_FORMAT"),
    }


def register_export_start(*, start: dt.date, end: dt.date, file_format: str, actor: Any) -> Job:
    """Start writing the register of share movements from `start` to `end` as "csv" or
    "pdf" (a job; see its page)."""
    if file_format == "pdf":
        statutes_for_document(end)  # no statutes, no legal designation: refuse now, not later
    return job_start(
        kind=REGISTER_FORMATS[file_format],
        actor=actor,
        parameters={"start": start.isoformat(), "end": end.isoformat()},
    )


def _count_lines(movements: int) -> list[str]:
    return [
        ngettext(
            "The register holds %(count)s movement in the period.",
            "The register holds %(count)s movements in the period.",
            movements,
        )
        % {"count": movements}
    ]


@job_kind(
    REGISTER_CSV,
    label=gettext_lazy("Register of share movements (CSV)"),
    back_url="capital:register",
    describe=_describe,
)
def register_csv_job(job: Job, work: JobWork) -> JobOutcome:
    start, end = _period(job.parameters)
    work.progress(message=_("Writing the register, one line per movement…"))
    path = work.output("register.csv")
    movements = register_movements(start=start, end=end).count()
    work.progress(0, total=movements)
    path.write_text(register_csv(start=start, end=end), encoding="utf-8", newline="")
    work.progress(movements, total=movements)
    return JobOutcome(
        file=path,
        filename=register_filename(start=start, end=end, extension="csv"),
        lines=_count_lines(movements),
    )


@job_kind(
    REGISTER_PDF,
    label=gettext_lazy("Register of share movements (PDF)"),
    back_url="capital:register",
    describe=_describe,
)
def register_pdf_job(job: Job, work: JobWork) -> JobOutcome:
    start, end = _period(job.parameters)
    work.progress(message=_("Printing the register…"))
    movements = register_movements(start=start, end=end).count()
    work.progress(0, total=movements)
    path = work.output("register.pdf")
    path.write_bytes(register_pdf(start=start, end=end))
    work.progress(movements, total=movements)
    return JobOutcome(
        file=path,
        filename=register_filename(start=start, end=end, extension="pdf"),
        lines=_count_lines(movements),
    )
