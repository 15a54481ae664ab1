"""What sending a copy can come to: the errors a batch ends with, its report, the backoff of a
copy refused for now, and the at-least-once policy for a copy that may have been delivered."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from coop.models import NoticeDelivery

Status = NoticeDelivery.Status


class OutboxConnectionError(Exception):
    """The mail server could not be reached or kept dropping the connection.

    The rows of the batch that were not handed over are back in the queue; the Celery task
    retries with backoff.
    """


class OutboxDatabaseError(Exception):
    """The database failed in the middle of a batch (connection lost, failover).

    The sender settled its claim if the database answered again (sent, or back in the queue);
    otherwise the recovery sweep does within a minute. The Celery task retries within seconds.
    """


class OutboxClaimLost(Exception):
    """Recovery took over our claim (it found our lock gone): the sender stopped at once."""


@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0
    resending: int = 0
    released: int = 0
    batches: int = 0

    def __iadd__(self, other: SendReport) -> SendReport:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def retry_delay(attempts: int) -> timedelta:
    """Wait before retrying a row refused `attempts` times: base, 2 x base, 4 x base... capped."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class InDoubt:
    """What becomes of a copy that may have been delivered (see `row_in_doubt`)."""

    status: str
    next_attempt_at: Any
    resend: bool
    error: str


def row_in_doubt(*, attempts: int, cause: str) -> InDoubt:
    """The at-least-once policy for a copy that may have reached the server.

    It is sent again, with the same Message-ID (mail programs show a message once per
    Message-ID), after the usual backoff, and its resend counted: better a copy twice than a
    convocation never received. Once it has used OUTBOX_MAX_ATTEMPTS tries it is left
    "interrupted" for an administrator, who checks with the recipient.
    """
    if attempts < settings.OUTBOX_MAX_ATTEMPTS:
        return InDoubt(
            status=Status.PENDING,
            next_attempt_at=timezone.now() + retry_delay(attempts),
            resend=True,
            error=gettext(
                "%(cause)s It may have been delivered: it will be sent again with the same "
                "Message-ID, so that mail programs show it once."
            )
            % {"cause": cause},
        )
    return InDoubt(
        status=Status.INTERRUPTED,
        next_attempt_at=timezone.now(),
        resend=False,
        error=ngettext(
            "%(cause)s It may have been delivered, and it was not sent again after "
            "%(attempts)d try: check with the recipient before sending it again.",
            "%(cause)s It may have been delivered, and it was not sent again after "
            "%(attempts)d tries: check with the recipient before sending it again.",
            attempts,
        )
        % {"cause": cause, "attempts": attempts},
    )
