"""Celery tasks of the general assemblies. Thin: the rules live in governance.services.

The reminders are idempotent (one outbox row per notice and recipient), so the task is
acknowledged late and may run twice or concurrently.
"""

from celery import shared_task

from governance.services.reminders import reminders_send_due


@shared_task(acks_late=True)
def assembly_send_reminders() -> dict[str, int]:
    """Remind members who have neither voted nor given a proxy, before the deadline (beat)."""
    return {str(sent.assembly.pk): sent.queued for sent in reminders_send_due()}
