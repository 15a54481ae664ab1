"""The register's long work, run as jobs (coop.jobs): the register at a date as PDF or CSV,
and the import of a register from CSV. The pages start them; the worker runs them."""

import datetime as dt
import io
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coop.actors import Actor
from coop.csv_export import SpreadsheetWriter
from coop.documents import statutes_for_document
from coop.jobs.registry import JobOutcome, job_kind
from coop.jobs.services import job_start
from coop.jobs.work import JobWork
from coop.models import Job
from members.exports import register_csv_write, register_pdf_write
from members.imports import register_import
from members.selectors import register_at_counts

REGISTER_CSV = "members.register_csv"
REGISTER_PDF = "members.register_pdf"
REGISTER_IMPORT = "members.register_import"
EXPORT_FORMATS = {"csv": REGISTER_CSV, "pdf": REGISTER_PDF}


def _on(parameters: dict[str, Any]) -> dt.date:
    return dt.date.fromisoformat(parameters["on"])


def _export_filename(on: dt.date, extension: str) -> str:
    name = slugify(_("register of members"))  # outside the f-string: makemessages finds it
    return f"{name}-{on.isoformat()}.{extension}"


def _describe_export(parameters: dict[str, Any]) -> str:
    return _("The register as it stood at the end of %(date)s.") % {
        "date": date_format(_on(parameters), "DATE_FORMAT")
    }


def register_export_start(*, on: dt.date, file_format: str, actor: Actor) -> Job:
    """Start printing the register on `on` as "pdf" or "csv" (a job; see its page)."""
    if file_format == "pdf":
        statutes_for_document(on)  # no statutes, no legal designation: refuse now, not later
    return job_start(
        kind=EXPORT_FORMATS[file_format], actor=actor, parameters={"on": on.isoformat()}
    )


@job_kind(
    REGISTER_CSV,
    label=gettext_lazy("Register of members (CSV)"),
    back_url="members:register_export",
    describe=_describe_export,
)
def register_csv_job(job: Job, work: JobWork) -> JobOutcome:
    on = _on(job.parameters)
    work.progress(message=_("Writing the register, one line per entry…"))
    entries, _members = register_at_counts(on=on)
    work.progress(0, total=entries)
    path = work.output("register.csv")
    rows = register_csv_write(on=on, path=path, progress=lambda done: work.progress(done))
    return JobOutcome(
        file=path,
        filename=_export_filename(on, "csv"),
        lines=[
            ngettext(
                "The register has %(count)s entry on that date.",
                "The register has %(count)s entries on that date.",
                rows,
            )
            % {"count": rows}
        ],
    )


@job_kind(
    REGISTER_PDF,
    label=gettext_lazy("Register of members (PDF)"),
    back_url="members:register_export",
    describe=_describe_export,
)
def register_pdf_job(job: Job, work: JobWork) -> JobOutcome:
    on = _on(job.parameters)
    work.progress(message=_("Counting the entries…"))
    chunk = settings.REGISTER_PDF_CHUNK_ROWS

    def printed(done: int, total: int) -> None:
        if done < total:
            message = _("Printing the entries (%(done)s of %(total)s printed)…")
        else:
            message = _("Joining the pages into one document…")
        work.progress(done, total=total, message=message % {"done": done, "total": total})

    path = work.output("register.pdf")
    pages = register_pdf_write(
        on=on,
        path=path,
        chunk_rows=chunk,
        processes=settings.REGISTER_PDF_PROCESSES,
        progress=printed,
    )
    return JobOutcome(
        file=path,
        filename=_export_filename(on, "pdf"),
        lines=[
            ngettext(
                "The register is ready: %(pages)s page.",
                "The register is ready: %(pages)s pages.",
                pages,
            )
            % {"pages": pages}
        ],
        data={"pages": pages},
    )


def register_import_start(*, upload: File, actor: Actor) -> Job:
    """Start importing the register in `upload` (a CSV file): the job checks every line and
    imports them all, or nothing with the report of every problem (see its page)."""
    return job_start(
        kind=REGISTER_IMPORT,
        actor=actor,
        parameters={"filename": str(upload.name or "")[:200]},
        input_file=upload,
        input_name="register.csv",
    )


def _describe_import(parameters: dict[str, Any]) -> str:
    return _("The file %(name)s.") % {"name": parameters.get("filename") or "—"}


def _problems_csv(path: Path, problems: list[dict[str, Any]]) -> None:
    """The report of an import that wrote nothing: one line per problem (UTF-8, `;`)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = SpreadsheetWriter(file)
        writer.row([_("Line"), _("Column"), _("Problem")])
        for problem in problems:
            # The column and the message may quote the file: the writer keeps them as text.
            writer.row([problem["line"] or _("whole file"), problem["column"], problem["message"]])


@job_kind(
    REGISTER_IMPORT,
    label=gettext_lazy("Import of a register"),
    back_url="members:register_import",
    describe=_describe_import,
)
def register_import_job(job: Job, work: JobWork) -> JobOutcome:
    def progress(done: int, total: int, step: str) -> None:
        work.progress(done, total=total, message=step)

    with job.input_file.open("rb") as raw:
        stream = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            report = register_import(file=stream, actor=job.created_by, progress=progress)
        finally:
            stream.detach()
    lines = report.lines()
    if report.ok:
        return JobOutcome(lines=lines, data={"created": report.created})
    problems = [
        {"line": problem.line, "column": problem.column, "message": problem.message}
        for problem in report.problems
    ]
    path = work.output("report.csv")
    _problems_csv(path, problems)
    return JobOutcome(
        file=path,
        filename=slugify(_("import report")) + ".csv",
        lines=lines[:1],
        problems=problems,
        data={"created": 0},
    )
