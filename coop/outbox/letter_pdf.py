"""The letters of a notice that no other page prints (a proxy given or revoked, a vote cast
by a proxy holder...), as one PDF: a page per letter, its text as the outbox stored it."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.documents import document_context, pdf_from_html
from coop.errors import DomainError
from coop.models import Notice, NoticeDelivery

# Beyond this, a notice's letters are printed by the page that sent it (a convocation's, in
# parts, by a job): one request must stay short.
LETTERS_PDF_MAX = 200


def notice_letters_pdf(*, notice: Notice) -> bytes:
    """The PDF of the notice's letters still waiting to be posted."""
    letters = list(
        NoticeDelivery.objects.filter(
            notice=notice,
            channel=NoticeDelivery.Channel.LETTER,
            status=NoticeDelivery.Status.PENDING,
        )
        .only("pk", "subject", "body_text")
        .order_by("id")[: LETTERS_PDF_MAX + 1]
    )
    if not letters:
        raise DomainError(_("No letter of this notice is waiting to be posted."), code="none")
    if len(letters) > LETTERS_PDF_MAX:
        raise DomainError(
            _(
                "This notice has more than %(max)d letters: print them from the page that "
                "sent the notice."
            )
            % {"max": LETTERS_PDF_MAX},
            code="too_many_letters",
        )
    context = document_context(on=timezone.localdate(), title=_("Letters to post"))
    context["letters"] = [
        {"subject": letter.subject, "paragraphs": letter.body_text.strip().split("\n\n")}
        for letter in letters
    ]
    return pdf_from_html(render_to_string("coop/pdf/notice_letters.html", context)) or b""
