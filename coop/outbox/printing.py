"""Printing a notice's letters: every app that sends a notice by post says how its letters are
printed, and one job prints all the letters of a notice still to post in one PDF.

An app declares, in its `letters` module, the printer of each of its notice kinds:

    @letter_printer("assembly-convocation")
    def convocation_letters(notice: Notice, recipient_keys: Sequence[str]) -> str: ...

which returns the HTML of the letters of those recipients (keys of the notice's deliveries,
in the order given). The job `coop.letters_print` prints them LETTERS_PRINT_CHUNK letters at
a time (a large roll never sits in memory as one document), reports its progress, and joins
the parts.
Printing records nothing: the administrator posts the letters, then records the day on the
notice's page (`letters_mark_posted`), which is the proof of sending.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from pypdf import PdfReader, PdfWriter

from coop.documents import document_context, pdf_from_html
from coop.errors import DomainError, PermissionRefused
from coop.jobs.registry import JobOutcome, job_kind
from coop.jobs.services import job_start
from coop.jobs.work import JobWork
from coop.models import Job, Notice, NoticeDelivery
from coop.roles import is_administrator

LETTERS_PRINT = "coop.letters_print"

Printer = Callable[[Notice, Sequence[str]], str]
_PRINTERS: dict[str, Printer] = {}
_discovered = False


def letter_printer(kind: str) -> Callable[[Printer], Printer]:
    """Declare how the letters of notices of `kind` are printed (in an app's `letters`)."""

    def register(printer: Printer) -> Printer:
        _PRINTERS[kind] = printer
        return printer

    return register


def stored_text_letters(notice: Notice, recipient_keys: Sequence[str]) -> str:
    """The letters of a notice whose app declares no printer of its own (a proxy given or
    revoked, a vote cast by a holder...): a page per letter, its text as the outbox stored it
    (the letter's text starts with the member's name and postal address)."""
    letters = {
        delivery.recipient_key: delivery
        for delivery in letters_to_post(notice=notice)
        .filter(recipient_key__in=recipient_keys)
        .only("recipient_key", "subject", "body_text")
    }
    context = document_context(on=timezone.localdate(), title=_("Letters to post"))
    context["letters"] = [
        {"subject": letter.subject, "paragraphs": letter.body_text.strip().split("\n\n")}
        for letter in (letters[key] for key in recipient_keys if key in letters)
    ]
    return render_to_string("coop/pdf/notice_letters.html", context)


def printer_for(kind: str) -> Printer:
    """The printer of the notices of `kind`, once every app's `letters` module is loaded: the
    app's own, or the letters' stored text."""
    global _discovered
    if not _discovered:
        autodiscover_modules("letters")
        _discovered = True
    return _PRINTERS.get(kind, stored_text_letters)


def letters_to_post(*, notice: Notice) -> QuerySet[NoticeDelivery]:
    """The letters of `notice` not recorded as posted yet, in the order they were queued."""
    return NoticeDelivery.objects.filter(
        notice=notice,
        channel=NoticeDelivery.Channel.LETTER,
        status=NoticeDelivery.Status.PENDING,
    ).order_by("id")


def letters_print_start(*, notice: Notice, actor: Any) -> Job:
    """Start the job that prints every letter of `notice` still to post, in one PDF."""
    if not is_administrator(actor):
        raise PermissionRefused(_("Only an administrator can print the letters of a notice."))
    if not letters_to_post(notice=notice).exists():
        raise DomainError(_("No letter of this notice is waiting to be posted."), code="none")
    return job_start(kind=LETTERS_PRINT, actor=actor, parameters={"notice": notice.pk})


def notice_job_page(parameters: dict[str, Any]) -> str:
    """The page of the notice a job of the outbox works on (its "back" link)."""
    return reverse("coop:outbox_notice", args=[parameters["notice"]])


def _describe(parameters: dict[str, Any]) -> str:
    notice = Notice.objects.filter(pk=parameters["notice"]).first()
    if notice is None:
        return "—"
    return _("The letters still to post of the notice %(kind)s · %(reference)s.") % {
        "kind": notice.kind,
        "reference": notice.reference,
    }


def _join(parts: Sequence[Any], output: Any) -> int:
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(part), import_outline=False)
    with output.open("wb") as file:
        writer.write(file)
    return len(writer.pages)


@job_kind(
    LETTERS_PRINT,
    label=gettext_lazy("Printing letters to post"),
    back_url=notice_job_page,
    back_label=gettext_lazy("Back to the notice"),
    describe=_describe,
)
def letters_print_job(job: Job, work: JobWork) -> JobOutcome:
    notice = Notice.objects.get(pk=job.parameters["notice"])
    printer = printer_for(notice.kind)
    keys = list(letters_to_post(notice=notice).values_list("recipient_key", flat=True))
    if not keys:
        raise DomainError(_("No letter of this notice is waiting to be posted."), code="none")
    work.progress(0, total=len(keys), message=_("Printing the letters…"))
    parts: list[Any] = []
    size = max(1, settings.LETTERS_PRINT_CHUNK)
    for start in range(0, len(keys), size):
        chunk = keys[start : start + size]
        part = work.output(f"part-{len(parts):05d}.pdf")
        part.write_bytes(pdf_from_html(printer(notice, chunk)) or b"")
        parts.append(part)
        work.progress(start + len(chunk))
    work.progress(message=_("Putting the letters together…"))
    output = work.output("letters.pdf")
    pages = _join(parts, output)
    return JobOutcome(
        file=output,
        filename=f"letters-{notice.kind}-{notice.pk}.pdf",
        lines=[
            ngettext(
                "%(count)s letter to print and post (%(pages)s pages). Once posted, record "
                "the day on the notice's page.",
                "%(count)s letters to print and post (%(pages)s pages). Once posted, record "
                "the day on the notice's page.",
                len(keys),
            )
            % {"count": len(keys), "pages": pages}
        ],
        data={"letters": len(keys), "pages": pages},
    )
