"""The notices of the heritage app, all through the outbox (coop.outbox).

Kinds and references: a notice about one registration has the reference `registration:<pk>`
and that registration as its only recipient; a notice about a gathering has the reference
`gathering:<pk>` (a change of time or place: `gathering:<pk>:<sequence>`) and one recipient
per person. The outbox never queues a (notice, recipient) twice, so nobody gets a copy twice.
"""

import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from coop.actors import Actor
from coop.outbox import DeliveryDraft, notice_enqueue, notice_render_delivery
from coop.statutes import StatutesNotInForce, statutes_in_force
from heritage.models import Gathering, HeritageCommunity, Registration
from heritage.tokens import cancel_token, offer_token, participate_token, verify_token

GUEST_VERIFY = "heritage.guest_verify"
REGISTRATION_CONFIRMED = "heritage.registration_confirmed"
REGISTRATION_WAITING = "heritage.registration_waiting"
SEAT_OFFERED = "heritage.seat_offered"
OFFER_LAPSED = "heritage.offer_lapsed"
GATHERING_PUBLISHED = "heritage.gathering_published"
GATHERING_CHANGED = "heritage.gathering_changed"
GATHERING_CANCELLED = "heritage.gathering_cancelled"
GATHERING_REMINDER = "heritage.gathering_reminder"
PARTICIPANT_VERIFY = "heritage.participant_verify"


def absolute(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _cooperative() -> str:
    try:
        return statutes_in_force().name
    except StatutesNotInForce:
        return str(settings.COOP_SITE_NAME)


def registration_key(registration: Registration) -> str:
    return f"registration:{registration.pk}"


def gathering_reference(gathering: Gathering) -> str:
    return f"gathering:{gathering.pk}"


def _gathering_context(gathering: Gathering) -> dict[str, Any]:
    return {
        "gathering": gathering,
        "community": gathering.community,
        "cooperative": _cooperative(),
        "gathering_url": absolute(reverse("heritage:gathering", args=[gathering.pk])),
        "ics_url": absolute(reverse("heritage:gathering_ics", args=[gathering.pk])),
    }


def _registration_draft(registration: Registration, template: str, **extra: Any) -> DeliveryDraft:
    gathering = registration.gathering
    context = {
        **_gathering_context(gathering),
        "registration": registration,
        # A guest's name was typed by whoever filled in the form, maybe not the owner of the
        # address: mails to a guest greet them without it (issue 15). Members' names come
        # from the register.
        "name": "" if registration.user_id is None else registration.display_name,
        "cancel_url": absolute(
            reverse("heritage:registration_cancel", args=[cancel_token(registration.pk)])
        ),
        **extra,
    }
    return notice_render_delivery(
        recipient_key=registration_key(registration),
        to_email=registration.email,
        language=registration.language or settings.LANGUAGE_CODE,
        template_prefix=f"heritage/email/{template}",
        context=context,
    )


def notify_registration(
    *, registration: Registration, kind: str, template: str, actor: Actor = None
) -> None:
    """One notice to the person of a registration, in the language they registered in."""
    extra: dict[str, Any] = {}
    if kind == GUEST_VERIFY:
        extra["verify_url"] = absolute(
            reverse("heritage:registration_verify", args=[verify_token(registration.pk)])
        )
    if kind == SEAT_OFFERED:
        extra["offer_url"] = absolute(
            reverse("heritage:registration_offer", args=[offer_token(registration.pk)])
        )
    draft = _registration_draft(registration, template, **extra)
    notice_enqueue(
        kind=kind, reference=registration_key(registration), deliveries=[draft], actor=actor
    )


def notify_offer_lapsed(
    *, registration: Registration, registrations_open: bool, seats_free: bool
) -> None:
    """Tell the person whose offer of a seat lapsed: they left the waiting list, and whether
    registering again would give them a seat, a place at the end of the line, or nothing
    (registrations closed). One copy per lapsed offer: the notice is (kind, registration)."""
    draft = _registration_draft(
        registration,
        "seat_offer_lapsed",
        registrations_open=registrations_open,
        seats_free=seats_free,
    )
    notice_enqueue(kind=OFFER_LAPSED, reference=registration_key(registration), deliveries=[draft])


def notify_registrations(
    *,
    gathering: Gathering,
    registrations: Iterable[Registration],
    kind: str,
    template: str,
    reference: str,
    actor: Actor = None,
    **extra: Any,
) -> int:
    """The same notice to several registered people, each in their language."""
    drafts = [_registration_draft(r, template, **extra) for r in registrations]
    if drafts:
        notice_enqueue(kind=kind, reference=reference, deliveries=drafts, actor=actor)
    return len(drafts)


def notify_publication(*, gathering: Gathering, users: Iterable[Any], actor: Actor) -> int:
    context = _gathering_context(gathering)
    drafts = []
    for user in users:
        language = user.preferred_language or settings.LANGUAGE_CODE
        drafts.append(
            notice_render_delivery(
                recipient_key=f"user:{user.pk}",
                to_email=user.email,
                language=language,
                template_prefix="heritage/email/gathering_published",
                context={**context, "name": user.get_full_name() or user.email},
            )
        )
    if drafts:
        notice_enqueue(
            kind=GATHERING_PUBLISHED,
            reference=gathering_reference(gathering),
            deliveries=drafts,
            actor=actor,
        )
    return len(drafts)


def _email_digest(email: str) -> str:
    return hashlib.sha256(email.lower().encode()).hexdigest()[:40]


def notify_participation_check(
    *, community: HeritageCommunity, name: str, email: str, notify: bool
) -> None:
    """The link that confirms a person's e-mail address before they join a community."""
    token = participate_token(community_pk=community.pk, email=email, name=name, notify=notify)
    language = translation.get_language() or settings.LANGUAGE_CODE
    draft = notice_render_delivery(
        recipient_key=f"email:{_email_digest(email)}",
        to_email=email,
        language=language,
        template_prefix="heritage/email/participant_verify",
        context={
            "community": community,
            # Not the name typed: this mail goes to an address nobody has checked yet.
            "cooperative": _cooperative(),
            "verify_url": absolute(reverse("heritage:participant_verify", args=[token])),
        },
    )
    notice_enqueue(
        kind=PARTICIPANT_VERIFY,
        reference=f"community:{community.pk}:{_email_digest(email)}",
        deliveries=[draft],
    )
