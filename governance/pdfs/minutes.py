"""The minutes as a document (RULES 17), printed with WeasyPrint."""

from typing import Any

from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.documents import document_context, pdf_from_html
from coop.models import NoticeDelivery
from governance.models import Assembly, BureauSeat, Minutes
from governance.selectors.documents import assembly_documents, assembly_questions
from governance.selectors.figures import meeting_opening
from governance.selectors.postal import paper_summary
from governance.selectors.room_counts import room_count_corrections
from governance.selectors.voting import results_of


def minutes_context(*, assembly: Assembly) -> dict[str, Any]:
    minutes = Minutes.objects.filter(assembly=assembly).first()
    deliveries: dict[str, int] = {}
    if assembly.convocation_notice_id:
        deliveries = dict(
            NoticeDelivery.objects.filter(notice_id=assembly.convocation_notice_id)
            .values_list("channel")
            .annotate(n=Count("pk"))
            .values_list("channel", "n")
        )
    title = _("Minutes of the %(kind)s of %(date)s") % {
        "kind": assembly.get_kind_display(),
        "date": timezone.localtime(assembly.starts_at).strftime("%d/%m/%Y"),
    }
    context = document_context(on=timezone.localdate(assembly.starts_at), title=title)
    corrections = room_count_corrections(assembly=assembly)
    statutes = assembly.statutes or context["statutes"]
    context.update(
        statutes=statutes,
        assembly=assembly,
        minutes=minutes,
        emails_sent=deliveries.get(NoticeDelivery.Channel.EMAIL, 0),
        letters=deliveries.get(NoticeDelivery.Channel.LETTER, 0),
        agenda=assembly.agenda_items.order_by("position"),
        bureau=BureauSeat.objects.filter(assembly=assembly).order_by("role", "recorded_at"),
        opening=meeting_opening(assembly=assembly),
        # Postal votes and blank proxies, shown as such (RULES 17, 33, 34).
        paper=paper_summary(assembly=assembly),
        # The documents put before the assembly and the written questions with the board's
        # answers (RULES 17, 35).
        documents=list(assembly_documents(assembly=assembly)),
        questions=list(assembly_questions(assembly=assembly)),
        # Each resolution with its result and its counts of the room corrected before the
        # tally (RULES 32): the value first entered, each correction, its time and reason.
        results=[
            (resolution, result, corrections.get(resolution.pk, []))
            for resolution, result in results_of(assembly=assembly)
        ],
    )
    return context


def minutes_pdf(*, assembly: Assembly) -> bytes:
    html = render_to_string("governance/minutes/pdf.html", minutes_context(assembly=assembly))
    return pdf_from_html(html)
