"""The proof of sending of one notice as CSV (the house format: UTF-8 with a BOM, `;`, CRLF,
formula-escaped), one line per recipient: where the copy went, its status, when it was sent
or why not. A notice to every member has as many lines as the register: the file is written
by a job (coop.jobs), never in a web request; the notice's page starts it and the job's page
offers the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from coop import formatting
from coop.csv_export import SpreadsheetWriter
from coop.errors import DomainError, PermissionRefused
from coop.jobs.registry import JobOutcome, job_kind
from coop.jobs.services import job_start
from coop.jobs.work import JobWork
from coop.models import Job, Notice, NoticeDelivery
from coop.outbox.labels import describe_key, kind_label
from coop.outbox.printing import notice_job_page
from coop.outbox.selectors import notice_deliveries
from coop.roles import is_administrator

NOTICE_PROOF = "coop.notice_proof"
# Rows read from the database at a time, and between two progress reports.
PROOF_CHUNK = 2000


def notice_proof_filename(*, notice: Notice, status: str) -> str:
    name = slugify(f"notice-{notice.kind}-{notice.reference}") or f"notice-{notice.pk}"
    return name + (f"-{status}" if status else "") + ".csv"


def notice_proof_csv_write(
    *, notice: Notice, status: str, path: Path, work: JobWork | None = None
) -> int:
    """Write the proof of sending of `notice` (only the copies of `status`, if given) into
    `path`, reading PROOF_CHUNK copies at a time. Returns the number of lines."""
    deliveries = notice_deliveries(notice=notice, status=status)
    if work is not None:
        work.progress(0, total=deliveries.count())
    count = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = SpreadsheetWriter(file)
        writer.row(
            [
                _("recipient"),
                _("address"),
                _("channel"),
                _("status"),
                _("sent at"),
                _("message id"),
                _("attempts"),
                _("resends"),
                _("last error"),
            ]
        )
        for delivery in deliveries.iterator(chunk_size=PROOF_CHUNK):
            writer.row(
                [
                    delivery.recipient_key,
                    delivery.to_email,
                    delivery.channel,
                    delivery.status,
                    timezone.localtime(delivery.sent_at).isoformat() if delivery.sent_at else "",
                    delivery.message_id,
                    delivery.attempts,
                    delivery.resends,
                    delivery.last_error,
                ]
            )
            count += 1
            if work is not None and count % PROOF_CHUNK == 0:
                work.progress(count)
    if work is not None:
        work.progress(count, total=count)
    return count


def notice_proof_start(*, notice: Notice, status: str, actor: Any) -> Job:
    """Start writing the proof of sending of `notice` as CSV (a job), every copy or only
    those of `status`."""
    if not is_administrator(actor):
        raise PermissionRefused(_("Only an administrator can download the proof of sending."))
    if status and status not in NoticeDelivery.Status.values:
        raise DomainError(
            _("“%(status)s” is not a status of a copy.") % {"status": status},
            code="status_unknown",
        )
    return job_start(
        kind=NOTICE_PROOF, actor=actor, parameters={"notice": notice.pk, "status": status}
    )


def _describe(parameters: dict[str, Any]) -> str:
    notice = Notice.objects.filter(pk=parameters["notice"]).first()
    if notice is None:
        return "—"
    return _("The proof of sending of the notice %(kind)s · %(reference)s.") % {
        "kind": kind_label(notice.kind),
        "reference": describe_key(notice.reference),
    }


@job_kind(
    NOTICE_PROOF,
    label=gettext_lazy("Proof of sending of a notice (CSV)"),
    back_url=notice_job_page,
    back_label=gettext_lazy("Back to the notice"),
    describe=_describe,
)
def notice_proof_job(job: Job, work: JobWork) -> JobOutcome:
    notice = Notice.objects.get(pk=job.parameters["notice"])
    status = job.parameters.get("status") or ""
    work.progress(message=_("Writing the proof of sending, one line per recipient…"))
    path = work.output("proof.csv")
    lines = notice_proof_csv_write(notice=notice, status=status, path=path, work=work)
    return JobOutcome(
        file=path,
        filename=notice_proof_filename(notice=notice, status=status),
        lines=[
            ngettext(
                "The proof of sending has %(count)s line.",
                "The proof of sending has %(count)s lines.",
                lines,
            )
            % {"count": formatting.number(lines)}
        ],
    )
