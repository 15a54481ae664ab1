"""The notices of an admission and of an exit, for the members the outbox reaches by post.

An admitted member with an e-mail address is invited to sign in (members.services.invitation);
the others, and those who did not agree to e-mail notices (RULES 11), get the letter of
admission. Every member who leaves (but for a death) is told: by e-mail when they agreed to it
and have an address, by letter otherwise. A letter is a row of the outbox on the channel
"letter": the administrators print it (coop.outbox.printing), post it and record the day.

The notices' reference is the day of the decision, so that the letters of a day are printed
and posted together; the recipient is "member:<pk>", so queuing again sends nothing twice.
"""

from typing import Any

from django.utils import timezone

from coop.documents import statutes_for_document
from coop.models import NoticeDelivery
from coop.outbox import notice_enqueue, notice_render_delivery
from members.letters import ADMISSION_NOTICE, EXIT_NOTICE, member_postal_address
from members.models import Member

Channel = NoticeDelivery.Channel


def _by_email(member: Member) -> bool:
    return member.e_notices and bool(member.email.strip())


def _greeting(member: Member) -> str:
    if member.person_kind == Member.PersonKind.LEGAL and member.representative_name:
        return member.representative_name
    return member.display_name


def _queue(*, kind: str, day: Any, member: Member, template: str, channel: str, actor: Any) -> None:
    statutes = statutes_for_document(day or timezone.localdate())
    draft = notice_render_delivery(
        recipient_key=f"member:{member.pk}",
        to_email=member.email.strip() if channel == Channel.EMAIL else "",
        language=member.language,
        template_prefix=template,
        context={
            "member": member,
            "greeting_name": _greeting(member),
            "cooperative": statutes.name,
            "repayment_delay_years": statutes.repayment_delay_years,
            "address_lines": member_postal_address(member),
        },
        channel=channel,
    )
    notice_enqueue(
        kind=kind, reference=f"{kind}:{day.isoformat()}", deliveries=[draft], actor=actor
    )


def admission_letter_queue(*, member: Member, actor: Any) -> bool:
    """Queue the letter of admission of a member the cooperative reaches by post; returns
    whether a letter was queued (a member reached by e-mail gets their invitation instead)."""
    if _by_email(member):
        return False
    _queue(
        kind=ADMISSION_NOTICE,
        day=member.admitted_on,
        member=member,
        template="members/email/admission_letter",
        channel=Channel.LETTER,
        actor=actor,
    )
    return True


def exit_notify(*, member: Member, actor: Any) -> str | None:
    """Tell a member that their exit is recorded: by e-mail or by letter (the channel is
    returned); nobody is written to after a death."""
    if member.status == Member.Status.DECEASED:
        return None
    channel = Channel.EMAIL if _by_email(member) else Channel.LETTER
    _queue(
        kind=EXIT_NOTICE,
        day=member.exited_on,
        member=member,
        template="members/email/exit",
        channel=channel,
        actor=actor,
    )
    return channel
