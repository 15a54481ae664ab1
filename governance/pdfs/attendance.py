"""The attendance sheet of a meeting (RULES 16), printed with WeasyPrint.

For each member present, represented or voting at distance: name, address, college; for each
proxy holder the same for their principals; the bureau with spaces for signatures; the figures.
`attendance_sheet_html` returns the HTML the PDF is printed from, so tests can read it.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.documents import document_context, pdf_from_html
from governance.models import Assembly
from governance.selectors.figures import assembly_attendance, meeting_opening


def attendance_sheet_html(*, assembly: Assembly) -> str:
    title = _("Attendance sheet — %(title)s") % {"title": assembly.title}
    context = document_context(on=timezone.localdate(assembly.starts_at), title=title)
    attendance = assembly_attendance(assembly=assembly)
    context.update(
        {
            "assembly": assembly,
            "attendance": attendance,
            "figures": attendance.figures,
            "opening": meeting_opening(assembly=assembly),
        }
    )
    return render_to_string("governance/meeting/pdf/attendance.html", context)


def attendance_sheet_pdf(*, assembly: Assembly) -> bytes:
    return pdf_from_html(attendance_sheet_html(assembly=assembly))
