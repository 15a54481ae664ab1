"""Celery tasks of the general assemblies: the reminders, and the vote's (the tally at close
and its sweep, the urn's vacuum, the receipt). Thin: the rules live in governance.services.

The reminders are idempotent (one outbox row per notice and recipient), so the task is
acknowledged late and may run twice or concurrently.

The tally is idempotent (it refuses to run twice), so it is acknowledged late and may be
retried; a sweep every minute tallies any closed vote that is not tallied yet (the broker may
have been down at the close), and vacuums the urn after a seal. The receipt e-mail is sent
directly, not through the notices outbox: an outbox row keeps its body with the member it was
sent to, and a receipt next to a member's name would link that member to their ballot. Its
payload travels encrypted (governance.services.receipt_mail) and it is retried with backoff
for RECEIPT_MAIL_RETRY_HOURS (36 by default) while the SMTP server cannot be reached.
"""

import logging
import smtplib
import time

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from coop.errors import DomainError
from governance.models import Assembly
from governance.services.receipt_mail import InvalidToken, receipt_payload_open
from governance.services.reminders import reminders_send_due

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def assembly_send_reminders() -> dict[str, int]:
    """Remind members who have neither voted nor given a proxy, before the deadline (beat)."""
    return {str(sent.assembly.pk): sent.queued for sent in reminders_send_due()}


@shared_task(acks_late=True)
def assembly_tally_task(assembly_id: int) -> str:
    from governance.services.voting import assembly_tally

    assembly = Assembly.objects.get(pk=assembly_id)
    try:
        results = assembly_tally(assembly=assembly)
    except DomainError as refused:
        return refused.code
    return f"{len(results)} resolutions tallied"


@shared_task(acks_late=True)
def urn_vacuum_task() -> bool:
    from governance.services.urn import urn_vacuum

    return urn_vacuum()


@shared_task(acks_late=True)
def assembly_tally_sweep() -> str:
    """Every minute (beat): tally each closed vote not tallied yet; vacuum a sealed urn."""
    from governance.models import ResolutionResult
    from governance.services.urn import urn_needs_vacuum, urn_vacuum
    from governance.services.voting import assembly_tally

    waiting = Assembly.objects.filter(status=Assembly.Status.VOTING_CLOSED).exclude(
        pk__in=ResolutionResult.objects.values("resolution__assembly_id")
    )
    tallied = 0
    for assembly in waiting:
        try:
            assembly_tally(assembly=assembly)
        except DomainError as refused:  # tallied meanwhile by the task of the close
            logger.info("Tally sweep, assembly %s: %s", assembly.pk, refused.code)
        else:
            tallied += 1
    vacuumed = urn_needs_vacuum() and urn_vacuum()
    return f"{tallied} tallied, urn vacuumed: {bool(vacuumed)}"


class ReceiptMailDeferred(Exception):
    """The receipt could not be sent now; retried. Names the cause's type only: an SMTP
    error's text can hold the recipient's address, which the logs must not keep."""


def receipt_retry_countdown(retries: int) -> int:
    """base * 2^retries seconds, capped below the broker's visibility timeout (one hour on
    Redis): a task waiting longer than that would be delivered twice."""
    base = settings.RECEIPT_MAIL_RETRY_BASE_SECONDS
    return int(min(base * 2**retries, settings.RECEIPT_MAIL_RETRY_MAX_SECONDS))


@shared_task(bind=True, acks_late=True, ignore_result=True, max_retries=None)
def ballot_receipt_send(self, token: str) -> str:
    """Send one receipt e-mail; the payload is a Fernet token (address, names, code)."""
    try:
        payload = receipt_payload_open(token)
    except InvalidToken:
        logger.error("A ballot receipt e-mail could not be decrypted (key changed?): dropped")
        return "undecryptable"
    with translation.override(payload["language"]):
        subject = render_to_string(
            "governance/voting/receipt_subject.txt", payload["context"]
        ).strip()
        body = render_to_string("governance/voting/receipt_email.txt", payload["context"])
    try:
        send_mail(subject, body, None, [payload["to_email"]])
    except (smtplib.SMTPException, OSError) as failed:
        waited = time.time() - payload["queued_at"]
        if waited > settings.RECEIPT_MAIL_RETRY_HOURS * 3600:
            logger.error(
                "A ballot receipt e-mail was given up after %.0f hours (%s)",
                waited / 3600,
                type(failed).__name__,
            )
            return "given up"
        raise self.retry(
            exc=ReceiptMailDeferred(type(failed).__name__),
            countdown=receipt_retry_countdown(self.request.retries),
        ) from None
    return "sent"
