"""Celery tasks of the heritage app (beat): expired offers of freed seats, and the reminders
of the day before. Thin: the rules live in heritage.services; both are idempotent (rows are
re-read under lock, and the outbox never queues a copy twice), so they are acknowledged late."""

from celery import shared_task

from heritage import services


@shared_task(acks_late=True)
def heritage_expire_offers() -> int:
    """Offers not taken in time: the seat goes to the next person of the waiting line, and the
    person whose offer lapsed is told (once: the outbox keeps one copy per registration)."""
    return services.offers_expire()


@shared_task(acks_late=True)
def heritage_send_reminders() -> int:
    """Remind the people with a seat of the gatherings starting within a day."""
    return services.reminders_send()
