"""Enqueueing notices: one row per recipient and notice, never two; sending starts on commit."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import kombu.exceptions
import redis.exceptions
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.models import Notice, NoticeDelivery

logger = logging.getLogger(__name__)

# What "the broker cannot be reached" looks like when a task is queued.
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.RedisError, OSError)

Channel = NoticeDelivery.Channel

# Longer values are refused at enqueue time, not truncated.
SUBJECT_MAX_LENGTH = NoticeDelivery._meta.get_field("subject").max_length
RECIPIENT_MAX_LENGTH = NoticeDelivery._meta.get_field("recipient_key").max_length
EMAIL_MAX_LENGTH = NoticeDelivery._meta.get_field("to_email").max_length
LANGUAGE_MAX_LENGTH = NoticeDelivery._meta.get_field("language").max_length
KIND_MAX_LENGTH = Notice._meta.get_field("kind").max_length
REFERENCE_MAX_LENGTH = Notice._meta.get_field("reference").max_length
# Sender tasks scheduled for a large notice, so that two worker processes share it.
PARALLEL_SENDERS = 2


@dataclass(frozen=True, slots=True)
class DeliveryDraft:
    """One recipient's copy of a notice, rendered in their language, ready to be queued."""

    recipient_key: str
    to_email: str
    subject: str
    body_text: str
    body_html: str = ""
    language: str = "fr"
    channel: str = Channel.EMAIL


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text template: rendered without HTML escaping (a name stays "Ada & Co")."""
    template = get_template(template_name)
    return template.template.render(Context(context, autoescape=False))


def notice_render_delivery(
    *,
    recipient_key: str,
    to_email: str,
    language: str,
    template_prefix: str,
    context: dict[str, Any],
    channel: str = Channel.EMAIL,
) -> DeliveryDraft:
    """Render a notice for one recipient, in their language, ready for `notice_enqueue`.

    Templates: `<prefix>_subject.txt`, `<prefix>_message.txt` (both plain text, not escaped)
    and, when it exists, `<prefix>_message.html`: the allauth convention. The subject is
    folded to one line.
    """
    with translation.override(language):
        subject = " ".join(_render_text(f"{template_prefix}_subject.txt", context).split())
        body_text = _render_text(f"{template_prefix}_message.txt", context)
        try:
            body_html = render_to_string(f"{template_prefix}_message.html", context)
        except TemplateDoesNotExist:
            body_html = ""
    return DeliveryDraft(
        recipient_key=recipient_key,
        to_email=to_email,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        language=language,
        channel=channel,
    )


def _validate(kind: str, reference: str, deliveries: Sequence[DeliveryDraft]) -> None:
    if not 0 < len(kind) <= KIND_MAX_LENGTH or not 0 < len(reference) <= REFERENCE_MAX_LENGTH:
        raise DomainError(
            _(
                "A notice needs a kind and a reference of at most %(kind)d and %(reference)d "
                "characters."
            )
            % {"kind": KIND_MAX_LENGTH, "reference": REFERENCE_MAX_LENGTH},
            code="bad_notice",
        )
    for draft in deliveries:
        if not 0 < len(draft.language) <= LANGUAGE_MAX_LENGTH:
            raise DomainError(
                _("Unknown language %(language)s for %(recipient)s.")
                % {"language": draft.language, "recipient": draft.recipient_key},
                code="bad_language",
            )
        if draft.channel not in Channel.values:
            raise DomainError(
                _("Unknown channel %(channel)s for %(recipient)s.")
                % {"channel": draft.channel, "recipient": draft.recipient_key},
                code="bad_channel",
            )
        if not draft.recipient_key or len(draft.recipient_key) > RECIPIENT_MAX_LENGTH:
            raise DomainError(_("Every copy of a notice needs a recipient."), code="no_recipient")
        if draft.channel == Channel.EMAIL:
            if not draft.to_email.strip():
                raise DomainError(
                    _("%(recipient)s has no e-mail address: send them a letter instead.")
                    % {"recipient": draft.recipient_key},
                    code="no_address",
                )
            try:
                validate_email(draft.to_email.strip())
                if len(draft.to_email.strip()) > EMAIL_MAX_LENGTH:
                    raise ValidationError("too long")
            except ValidationError as exc:
                raise DomainError(
                    _("The e-mail address of %(recipient)s is not valid: %(address)s")
                    % {"recipient": draft.recipient_key, "address": draft.to_email},
                    code="bad_address",
                ) from exc
        if not draft.subject.strip() or len(draft.subject) > SUBJECT_MAX_LENGTH:
            raise DomainError(
                _("The subject of a notice must have between 1 and %(max)d characters.")
                % {"max": SUBJECT_MAX_LENGTH},
                code="bad_subject",
            )


_INSERT_SQL = """
INSERT INTO coop_noticedelivery (
    notice_id, recipient_key, channel, to_email, language, subject, body_text, body_html,
    status, attempts, next_attempt_at, last_error, message_id, created_at
)
SELECT %(notice)s, d.recipient_key, d.channel, d.to_email, d.language, d.subject,
       d.body_text, d.body_html, 'pending', 0, %(now)s, '', '', %(now)s
FROM unnest(
    %(recipient_key)s::text[], %(channel)s::text[], %(to_email)s::text[],
    %(language)s::text[], %(subject)s::text[], %(body_text)s::text[], %(body_html)s::text[]
) WITH ORDINALITY AS d(
    recipient_key, channel, to_email, language, subject, body_text, body_html, position
)
ORDER BY d.position
ON CONFLICT (notice_id, recipient_key) DO NOTHING
RETURNING channel
"""


@transaction.atomic
def notice_enqueue(
    *,
    kind: str,
    reference: str,
    deliveries: Sequence[DeliveryDraft],
    actor: Actor = None,
) -> Notice:
    """Queue a notice for its recipients; sending starts after commit.

    Enqueueing the same notice again adds only the recipients it did not have yet: a recipient
    never gets two rows, so never two copies (the first copy queued is the one sent).
    """
    _validate(kind, reference, deliveries)
    created_by = actor_person(actor)
    notice, _created = Notice.objects.get_or_create(
        kind=kind, reference=reference, defaults={"created_by": created_by}
    )
    columns: dict[str, list[str]] = {
        "recipient_key": [],
        "channel": [],
        "to_email": [],
        "language": [],
        "subject": [],
        "body_text": [],
        "body_html": [],
    }
    for draft in deliveries:
        columns["recipient_key"].append(draft.recipient_key)
        columns["channel"].append(str(draft.channel))
        columns["to_email"].append(draft.to_email.strip())
        columns["language"].append(draft.language)
        columns["subject"].append(draft.subject)
        columns["body_text"].append(draft.body_text)
        columns["body_html"].append(draft.body_html)
    with connection.cursor() as cursor:
        cursor.execute(_INSERT_SQL, {"notice": notice.pk, "now": timezone.now(), **columns})
        created_channels = [row[0] for row in cursor.fetchall()]
    created_emails = created_channels.count(Channel.EMAIL)
    audit_record(
        actor=actor,
        action=AuditAction.NOTICE_ENQUEUED,
        target=notice,
        data={
            "kind": kind,
            "reference": reference,
            "requested": len(deliveries),
            "created": len(created_channels),
            "created_email": created_emails,
            "created_letter": len(created_channels) - created_emails,
            "already_queued": len(deliveries) - len(created_channels),
        },
    )
    if created_emails:
        batches = -(-created_emails // settings.OUTBOX_BATCH_SIZE)
        for _sender in range(min(batches, PARALLEL_SENDERS)):
            transaction.on_commit(schedule_sending, robust=True)
    return notice


def schedule_sending() -> None:
    """Ask a worker to send what is due (call it on commit; beat also does every minute).

    When the broker cannot be reached, nothing is lost: the rows are committed and stay
    queued, and the sweep (beat, every minute) sends them once Celery is back.
    """
    from coop.tasks import outbox_send_pending

    try:
        outbox_send_pending.delay()
    except BROKER_ERRORS as exc:
        logger.warning(
            "Could not ask a worker to send the outbox now (%s: %s): the notices stay queued "
            "and are sent by the next sweep once the broker is back.",
            exc.__class__.__name__,
            exc,
        )
