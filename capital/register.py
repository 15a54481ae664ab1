"""The register of share movements between two dates (RULES 24), as CSV and PDF.

Each entry: sequence number, date, kind, the member(s) concerned (number and name; a transfer
names both sides on each of its two entries), number of shares, nominal value, amount,
decision reference; then the totals and the capital at the start and at the end.

CSV through coop.csv_export, like every export: UTF-8 with a byte order mark, `;` as separator,
CRLF line ends, cells a spreadsheet could run as a formula start with `'`.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capital.models import ShareMovement
from capital.selectors import capital_at, register_movements
from coop.csv_export import csv_text
from coop.documents import document_context, pdf_from_html
from coop.formatting import csv_decimal
from members.models import Member

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RegisterReport:
    start: dt.date
    end: dt.date
    movements: list[ShareMovement]
    capital_before: Decimal
    capital_after: Decimal
    total_shares: int
    total_amount: Decimal
    total_paid: Decimal


def register_report(*, start: dt.date, end: dt.date) -> RegisterReport:
    """The movements from `start` to `end` and their totals (three queries)."""
    movements = list(register_movements(start=start, end=end))
    return RegisterReport(
        start=start,
        end=end,
        movements=movements,
        capital_before=capital_at(on=start - dt.timedelta(days=1)),
        capital_after=capital_at(on=end),
        total_shares=sum(m.shares for m in movements),
        total_amount=sum((m.amount for m in movements), ZERO),
        total_paid=sum((m.paid_amount for m in movements), ZERO),
    )


def _member_number(member: Member | None) -> str:
    if member is None:
        return ""
    return str(member.number) if member.number is not None else ""


def register_csv_header() -> list[str]:
    return [
        _("Sequence number"),
        _("Date"),
        _("Kind"),
        _("Member number"),
        _("Member"),
        _("Other member's number"),
        _("Other member"),
        _("Shares"),
        _("Nominal value (€)"),
        _("Amount (€)"),
        _("Paid-up change (€)"),
        _("Decision reference"),
        _("Approved by"),
        _("Corrects no."),
    ]


def register_csv(*, start: dt.date, end: dt.date) -> str:
    """The register between the two dates as CSV text (BOM first), with totals at the end."""
    report = register_report(start=start, end=end)
    rows: list[list[object]] = [
        [
            m.seq,
            m.effective_on.isoformat(),
            m.get_kind_display(),
            _member_number(m.member),
            m.member.display_name,
            _member_number(m.counterparty),
            m.counterparty.display_name if m.counterparty else "",
            m.shares,
            csv_decimal(m.nominal_value),
            csv_decimal(m.amount),
            csv_decimal(m.paid_amount),
            m.decision_ref,
            m.get_approved_by_display() if m.approved_by else "",
            m.corrects.seq if m.corrects else "",
        ]
        for m in report.movements
    ]
    rows.append([])
    rows.append(
        [
            _("Capital on %(date)s") % {"date": _day_before(start)},
            csv_decimal(report.capital_before),
        ]
    )
    rows.append(
        [
            _("Total of the period"),
            "",
            len(report.movements),
            "",
            "",
            "",
            "",
            report.total_shares,
            "",
            csv_decimal(report.total_amount),
            csv_decimal(report.total_paid),
        ]
    )
    rows.append(
        [_("Capital on %(date)s") % {"date": end.isoformat()}, csv_decimal(report.capital_after)]
    )
    return csv_text(register_csv_header(), rows)


def _day_before(day: dt.date) -> str:
    return (day - dt.timedelta(days=1)).isoformat()


def register_title(*, start: dt.date, end: dt.date) -> str:
    return _("Register of share movements from %(start)s to %(end)s") % {
        "start": date_format(start, "DATE_FORMAT"),
        "end": date_format(end, "DATE_FORMAT"),
    }


def register_pdf_context(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    report = register_report(start=start, end=end)
    return {
        **document_context(on=end, title=register_title(start=start, end=end)),
        "report": report,
        "day_before": start - dt.timedelta(days=1),
    }


def register_pdf_html(*, start: dt.date, end: dt.date) -> str:
    """The HTML the register's PDF is printed from."""
    return render_to_string("capital/pdf/register.html", register_pdf_context(start=start, end=end))


def register_pdf(*, start: dt.date, end: dt.date) -> bytes:
    return pdf_from_html(register_pdf_html(start=start, end=end))
