"""Celery tasks of the core: sending the notices outbox, recovering it, the heartbeat.

Thin on purpose: the rules live in coop.outbox. Sending is idempotent (rows are claimed in the
database, at most once), so the tasks are acknowledged late and may run twice or concurrently.
"""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from coop import outbox
from coop.outbox.enqueue import schedule_sending

HEARTBEAT_CACHE_KEY = "celery:heartbeat"

# Backoff of the sending task: (first wait, longest wait) in seconds. A mail server that cannot
# be reached is given time; a database error (a connection killed, a failover) is retried
# within seconds, its rows being back in the queue already. Beat also sweeps every minute.
SMTP_BACKOFF = (30, 600)
DATABASE_BACKOFF = (5, 60)


def backoff(retries: int, *, first: int, longest: int) -> int:
    """Seconds before retry number `retries + 1`: first, 2 x first, 4 x first... capped."""
    return min(first * 2**retries, longest)


@shared_task(bind=True, acks_late=True, max_retries=8)
def outbox_send_pending(self) -> dict[str, int]:
    """Send every due notice, batch after batch; retried with backoff if the mail server or
    the database fails (the sweep of beat sends what is due every minute anyway)."""
    try:
        return outbox.outbox_send_due().as_dict()
    except outbox.OutboxConnectionError as exc:
        first, longest = SMTP_BACKOFF
        raise self.retry(
            exc=exc, countdown=backoff(self.request.retries, first=first, longest=longest)
        ) from exc
    except outbox.OutboxDatabaseError as exc:
        first, longest = DATABASE_BACKOFF
        raise self.retry(
            exc=exc, countdown=backoff(self.request.retries, first=first, longest=longest)
        ) from exc


@shared_task(acks_late=True)
def outbox_recover_interrupted() -> dict[str, int]:
    """Settle the batches of dead senders (beat, every minute), then send what they left."""
    report = outbox.outbox_recover_interrupted()
    if report.requeued or report.resending:
        schedule_sending()
    return report.as_dict()


@shared_task(ignore_result=True)
def heartbeat() -> str:
    """Write the time into the cache: /health tells from it that beat and a worker run."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now


# The jobs' tasks (coop.jobs), registered with the worker with the core's.
from coop.jobs.tasks import job_run_task, jobs_sweep_task  # noqa: E402, F401
