"""Letters to members who receive their notices by post (RULES 11: those without an e-mail
address or without the consent to e-mail notices): the letter of admission, and the letter
that records an exit.

`member_letters_html` prints the letters of a notice's recipients ("member:<pk>"), each in
its member's language and, if they asked for it, in large type (`Member.large_type`); the
outbox's printing job (coop.outbox.printing) calls it for the notices below.
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.documents import document_context, statutes_for_document
from coop.models import Notice, NoticeDelivery
from coop.outbox.printing import letter_printer
from members.models import Member

# Notice kinds; the reference of each is the day of the decision, so that the letters of the
# members admitted (or leaving) on the same day are printed and posted together.
ADMISSION_NOTICE = "membership.admission"
EXIT_NOTICE = "membership.exit"

TEMPLATES = {
    ADMISSION_NOTICE: "members/pdf/admission_letter.html",
    EXIT_NOTICE: "members/pdf/exit_letter.html",
}


def _language(code: str) -> str:
    known = {language for language, _label in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


def member_postal_address(member: Member) -> list[str]:
    """The lines of the member's postal address, as printed on a letter."""
    town = f"{member.postal_code} {member.city}".strip()
    return [line for line in (member.address.strip(), town, member.country.strip()) if line]


def _greeting(member: Member) -> str:
    if member.person_kind == Member.PersonKind.LEGAL and member.representative_name:
        return member.representative_name
    return member.display_name


def member_letters_html(*, kind: str, members: Sequence[Member]) -> str:
    """The HTML of the letters of notice `kind` to `members` (with category and college)."""
    template = TEMPLATES[kind]
    letters: list[dict[str, Any]] = []
    for member in members:
        language = _language(member.language)
        day = member.admitted_on if kind == ADMISSION_NOTICE else member.exited_on
        statutes = statutes_for_document(day or timezone.localdate())
        letters.append(
            {
                "member": member,
                "language": language,
                "large_type": member.large_type,
                "greeting_name": _greeting(member),
                "address_lines": member_postal_address(member),
                "statutes": statutes,
                "cooperative": statutes.name,
                "designation": statutes.legal_designation,
            }
        )
    title = _("Your admission") if kind == ADMISSION_NOTICE else _("Your exit from the cooperative")
    context = document_context(on=timezone.localdate(), title=title)
    context["letters"] = letters
    return render_to_string(template, context)


def admission_letter_waiting(member: Member) -> Notice | None:
    """The notice whose letter of admission to `member` is still to post, if any."""
    delivery = (
        NoticeDelivery.objects.filter(
            notice__kind=ADMISSION_NOTICE,
            recipient_key=f"member:{member.pk}",
            channel=NoticeDelivery.Channel.LETTER,
            status=NoticeDelivery.Status.PENDING,
        )
        .select_related("notice")
        .first()
    )
    return delivery.notice if delivery is not None else None


def _members(recipient_keys: Sequence[str]) -> list[Member]:
    ids = [int(key.removeprefix("member:")) for key in recipient_keys]
    found = Member.objects.select_related("category", "college").in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


@letter_printer(ADMISSION_NOTICE)
def admission_letters(notice: Notice, recipient_keys: Sequence[str]) -> str:
    return member_letters_html(kind=ADMISSION_NOTICE, members=_members(recipient_keys))


@letter_printer(EXIT_NOTICE)
def exit_letters(notice: Notice, recipient_keys: Sequence[str]) -> str:
    return member_letters_html(kind=EXIT_NOTICE, members=_members(recipient_keys))
