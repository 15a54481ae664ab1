"""The share certificate sent after each subscription (RULES 25), through the notices outbox.

A member who agreed to e-notices and has an address gets an e-mail with the link to download
their certificate; the others get a letter row, which the administrators print with the
certificate. The notice is "share-certificate" / "movement:<pk>", one per subscription, so
queuing it again never sends a second copy.
"""

from django.conf import settings
from django.urls import reverse

from capital.models import ShareMovement
from capital.selectors import CERTIFICATE_NOTICE, certificate_reference
from coop.actors import Actor
from coop.models import NoticeDelivery
from coop.outbox import notice_enqueue, notice_render_delivery
from coop.statutes import statutes_in_force
from members.models import Member


def _greeting(member: Member) -> str:
    if member.person_kind == Member.PersonKind.LEGAL and member.representative_name:
        return member.representative_name
    return member.display_name


def certificate_notify(*, movement: ShareMovement, actor: Actor) -> NoticeDelivery.Channel:
    """Queue the certificate notice of a subscription to its member; returns the channel.

    Called by `share_subscribe` in its transaction: the notice is sent after commit."""
    member = movement.member
    by_email = member.e_notices and bool(member.email.strip())
    channel = NoticeDelivery.Channel.EMAIL if by_email else NoticeDelivery.Channel.LETTER
    statutes = statutes_in_force(on=movement.effective_on)
    path = reverse("capital:certificate", kwargs={"movement_pk": movement.pk})
    draft = notice_render_delivery(
        recipient_key=f"member:{member.pk}",
        to_email=member.email if by_email else "",
        language=member.language,
        template_prefix=(
            "capital/email/certificate" if by_email else "capital/email/certificate_letter"
        ),
        context={
            "member": member,
            "movement": movement,
            "greeting_name": _greeting(member),
            "cooperative": statutes.name,
            "designation": statutes.legal_designation,
            "certificate_url": settings.SITE_URL.rstrip("/") + path,
            "shares_url": settings.SITE_URL.rstrip("/") + reverse("capital:me"),
        },
        channel=channel,
    )
    notice_enqueue(
        kind=CERTIFICATE_NOTICE,
        reference=certificate_reference(movement),
        deliveries=[draft],
        actor=actor,
    )
    return channel
