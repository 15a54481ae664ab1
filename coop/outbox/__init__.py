"""The notices outbox: enqueue notices, send them at most once, recover after a crash.

Every notice goes through here (docs/architecture.md): one NoticeDelivery row per recipient
and notice, unique, whose status and sending time are the proof that the notice was sent.

- enqueue: `notice_render_delivery` builds each recipient's copy in their language,
  `notice_enqueue` queues them (twice is harmless) and schedules sending after commit;
- sending: `outbox_send_batch` / `outbox_send_due` (the Celery task `outbox_send_pending`)
  send due rows at most once, in batches over one SMTP connection, retrying with backoff;
- recovery: `outbox_recover_interrupted` settles the batch of a sender that died (its copy
  in doubt is sent again); `delivery_requeue` lets an administrator send an interrupted or
  failed copy again;
- letters: `letters_mark_posted` records the day an administrator posted a notice's letters;
- selectors: reads for the administrators' pages.

A sender takes a PostgreSQL session-level advisory lock on a fresh random claim token, claims
due rows, and hands them over in id order, committing each outcome before the next message is
complete (its final dot). Of a claim's rows still "sending", only the lowest may have reached
the server. When a sender dies its session, and so its lock, goes: recovery takes the lock,
treats that lowest row as in doubt and puts the others back. A live sender still holds its
lock, so recovery never touches its rows: there is no lease to expire. The lock being
session-level, the database must be reached directly or through a pooler in session mode,
never in transaction mode.

At least once, never twice unknowingly: a copy in doubt (it may have been delivered) is sent
again automatically with the same Message-ID and its resend counted (`row_in_doubt`); every
other copy is sent once.
"""

from coop.outbox.enqueue import DeliveryDraft, notice_enqueue, notice_render_delivery
from coop.outbox.letters import letters_mark_posted
from coop.outbox.outcomes import (
    OutboxClaimLost,
    OutboxConnectionError,
    OutboxDatabaseError,
    SendReport,
    retry_delay,
    row_in_doubt,
)
from coop.outbox.recovery import RecoveryReport, delivery_requeue, outbox_recover_interrupted
from coop.outbox.selectors import (
    notice_deliveries,
    notice_letters_waiting,
    notice_list_with_counts,
    notice_resent_count,
    notice_status_counts,
)
from coop.outbox.sending import outbox_send_batch, outbox_send_due

__all__ = [
    "DeliveryDraft",
    "OutboxClaimLost",
    "OutboxConnectionError",
    "OutboxDatabaseError",
    "RecoveryReport",
    "SendReport",
    "delivery_requeue",
    "letters_mark_posted",
    "notice_deliveries",
    "notice_enqueue",
    "notice_letters_waiting",
    "notice_list_with_counts",
    "notice_render_delivery",
    "notice_resent_count",
    "notice_status_counts",
    "outbox_recover_interrupted",
    "outbox_send_batch",
    "outbox_send_due",
    "retry_delay",
    "row_in_doubt",
]
