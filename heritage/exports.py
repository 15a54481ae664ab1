"""The registrations of a gathering for its organisers: CSV for spreadsheets (UTF-8 with a
byte order mark, `;`, CRLF, formulas neutralised: coop.csv_export) and a printable
sign-in sheet (PDF, coop.documents)."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coop.csv_export import csv_text
from coop.documents import document_context, pdf_from_html
from heritage.models import Gathering, Registration
from heritage.selectors import gathering_registrations


def _when(moment: object) -> str:
    if moment is None:
        return ""
    return timezone.localtime(moment).isoformat(sep=" ", timespec="minutes")[:16]  # type: ignore[arg-type]


def registrations_csv(*, gathering: Gathering) -> bytes:
    header = [
        _("Name"),
        _("E-mail address"),
        _("Status"),
        _("Place in the waiting line"),
        _("Guest"),
        _("Registered at"),
        _("Attended"),
    ]
    rows = []
    for registration in gathering_registrations(gathering=gathering):
        attended = {True: _("yes"), False: _("no"), None: ""}[registration.attended]
        rows.append(
            [
                registration.display_name,
                registration.email,
                registration.get_status_display(),
                registration.position if registration.status == Registration.Status.WAITING else "",
                _("yes") if registration.is_guest else _("no"),
                _when(registration.created_at),
                attended,
            ]
        )
    return csv_text(header, rows).encode("utf-8")


def sign_in_sheet_html(*, gathering: Gathering) -> str:
    start = timezone.localtime(gathering.starts_at)
    title = _("Sign-in sheet: %(title)s, %(date)s") % {
        "title": gathering.title,
        "date": date_format(start, "DATE_FORMAT"),
    }
    context = document_context(on=start.date(), title=title)
    context.update(
        {
            "gathering": gathering,
            "registrations": [
                r
                for r in gathering_registrations(gathering=gathering)
                if r.status == Registration.Status.CONFIRMED
            ],
            "blank_lines": range(5),
        }
    )
    return render_to_string("heritage/pdf/sign_in_sheet.html", context)


def sign_in_sheet_pdf(*, gathering: Gathering) -> bytes:
    return pdf_from_html(sign_in_sheet_html(gathering=gathering))
