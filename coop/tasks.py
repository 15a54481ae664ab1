"""Celery tasks of the core: sending the notices outbox, recovering it, the heartbeat.

Thin on purpose: the rules live in coop.outbox. Sending is idempotent (rows are claimed in the
database, at most once), so the tasks are acknowledged late and may run twice or concurrently.
"""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from coop import outbox

HEARTBEAT_CACHE_KEY = "celery:heartbeat"


@shared_task(
    acks_late=True,
    autoretry_for=(outbox.OutboxConnectionError,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=False,
    max_retries=8,
)
def outbox_send_pending() -> dict[str, int]:
    """Send every due notice, batch after batch; retried with backoff if the server is down."""
    return outbox.outbox_send_due().as_dict()


@shared_task(acks_late=True)
def outbox_recover_interrupted() -> dict[str, int]:
    """Settle the batches of dead senders, then send what they left in the queue."""
    report = outbox.outbox_recover_interrupted()
    if report.requeued:
        outbox_send_pending.delay()
    return report.as_dict()


@shared_task(ignore_result=True)
def heartbeat() -> str:
    """Write the time into the cache: /health tells from it that beat and a worker run."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now


# The jobs' tasks (coop.jobs), registered with the worker with the core's.
from coop.jobs.tasks import job_run_task, jobs_sweep_task  # noqa: E402, F401
