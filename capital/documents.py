"""The member's capital documents, printed with WeasyPrint: the statement of their shares at a
date and the share certificate of a subscription (RULES 18, 25).

Each builder has an `_html` twin returning the HTML the PDF is printed from, so tests can read
what the document says.
"""

import datetime as dt

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from capital.models import ShareMovement
from capital.selectors import member_balance, member_movements
from coop.documents import document_context, pdf_from_html
from members.models import Member


def statement_pdf_html(*, member: Member, on: dt.date) -> str:
    """The HTML of the statement of `member`'s shares at the end of `on`."""
    title = _("Statement of shares on %(date)s") % {"date": date_format(on, "DATE_FORMAT")}
    context = document_context(on=on, title=title)
    context.update(
        {
            "member": member,
            "on": on,
            "balance": member_balance(member=member, on=on),
            "movements": list(member_movements(member=member, on=on)),
        }
    )
    return render_to_string("capital/pdf/statement.html", context)


def statement_pdf(*, member: Member, on: dt.date) -> bytes:
    return pdf_from_html(statement_pdf_html(member=member, on=on))


def certificate_pdf_html(*, movement: ShareMovement) -> str:
    """The HTML of the share certificate of a subscription."""
    title = _("Share certificate no. %(seq)s") % {"seq": movement.seq}
    context = document_context(on=movement.effective_on, title=title)
    context.update({"movement": movement, "member": movement.member})
    return render_to_string("capital/pdf/certificate.html", context)


def certificate_pdf(*, movement: ShareMovement) -> bytes:
    return pdf_from_html(certificate_pdf_html(movement=movement))
