"""Recovery after a sender died, and requeueing by an administrator."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError, PermissionRefused
from coop.models import NoticeDelivery
from coop.outbox.enqueue import schedule_sending
from coop.outbox.outcomes import row_in_doubt
from coop.roles import is_administrator

logger = logging.getLogger(__name__)

Status = NoticeDelivery.Status


@dataclass
class RecoveryReport:
    claims: int = 0
    interrupted: int = 0  # in doubt and out of tries: left for an administrator
    resending: int = 0  # in doubt: to be sent again with the same Message-ID
    requeued: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def outbox_recover_interrupted() -> RecoveryReport:
    """Settle the rows of senders that died in the middle of a batch.

    A claim whose advisory lock can be taken has no live sender. Of its rows still "sending",
    the lowest may have been handed to the server before the sender died: it is in doubt, and
    is sent again with the same Message-ID while it has tries left, else left "interrupted"
    for an administrator (`row_in_doubt`). The others were never handed over: they go back in
    the queue. Claims of live senders are left alone.
    """
    report = RecoveryReport()
    tokens = list(
        NoticeDelivery.objects.filter(status=Status.SENDING)
        .values_list("claim_token", flat=True)
        .distinct()
    )
    for token in tokens:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [token])
                if not cursor.fetchone()[0]:
                    continue  # its sender is alive
            rows = list(
                NoticeDelivery.objects.select_for_update()
                .filter(claim_token=token, status=Status.SENDING)
                .order_by("id")
                .only("id", "notice_id", "recipient_key", "attempts", "resends")
            )
            if not rows:
                continue
            report.claims += 1
            first, rest = rows[0], rows[1:]
            outcome = row_in_doubt(
                attempts=first.attempts,
                cause=gettext(
                    "The sender stopped while this message may have been in transmission."
                ),
            )
            first.status = outcome.status
            first.next_attempt_at = outcome.next_attempt_at
            first.last_error = outcome.error
            first.resends += int(outcome.resend)
            first.save(update_fields=["status", "next_attempt_at", "last_error", "resends"])
            if outcome.resend:
                report.resending += 1
            else:
                report.interrupted += 1
            now = timezone.now()
            requeued = NoticeDelivery.objects.filter(
                pk__in=[row.pk for row in rest], claim_token=token, status=Status.SENDING
            ).update(
                status=Status.PENDING,
                attempts=Greatest(F("attempts") - 1, 0),
                next_attempt_at=now,
            )
            report.requeued += requeued
            audit_record(
                actor=None,
                action=AuditAction.NOTICE_DELIVERY_INTERRUPTED,
                target=first,
                data={
                    "notice": first.notice_id,
                    "recipient": first.recipient_key,
                    "claim": f"{token:x}",
                    "requeued": requeued,
                    "resent": outcome.resend,
                    "resends": first.resends,
                },
            )
    if report.claims:
        logger.warning("Outbox recovery: %s", report.as_dict())
    return report


@transaction.atomic
def delivery_requeue(*, delivery: NoticeDelivery, actor: Actor) -> NoticeDelivery:
    """Send an interrupted or failed delivery again, by an administrator's explicit decision."""
    if not is_administrator(actor):
        raise PermissionRefused(_("Only an administrator can send a notice again."))
    locked = NoticeDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status not in (Status.INTERRUPTED, Status.FAILED):
        raise DomainError(
            _("Only an interrupted or failed notice can be sent again; this one is “%(status)s”.")
            % {"status": locked.get_status_display()},
            code="not_requeueable",
        )
    previous = {"status": locked.status, "attempts": locked.attempts, "error": locked.last_error}
    # An interrupted copy may have been delivered: sending it again is a resend, with the same
    # Message-ID (kept on the row). A failed copy was refused: it was not delivered.
    if locked.status == Status.INTERRUPTED:
        locked.resends += 1
    locked.status = Status.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.claim_token = None
    locked.claimed_at = None
    locked.save(
        update_fields=[
            "status",
            "attempts",
            "next_attempt_at",
            "claim_token",
            "claimed_at",
            "resends",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.NOTICE_DELIVERY_REQUEUED,
        target=locked,
        data={
            "notice": locked.notice_id,
            "recipient": locked.recipient_key,
            "previous_status": previous["status"],
            "previous_attempts": previous["attempts"],
            "resends": locked.resends,
            "last_error": previous["error"],
        },
    )
    transaction.on_commit(schedule_sending, robust=True)
    return locked
