"""Celery tasks of the vote: the tally at close, and the ballot receipt e-mail.

The tally is idempotent (it refuses to run twice), so it is acknowledged late and may be
retried. The receipt e-mail is sent directly, not through the notices outbox: an outbox row
keeps its body with the member it was sent to, and a receipt next to a member's name would link
that member to their ballot. The code only travels in the task's message and the e-mail.
"""

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from coop.errors import DomainError
from governance.models import Assembly


@shared_task(acks_late=True)
def assembly_tally_task(assembly_id: int) -> str:
    from governance.services.voting import ballots_reorder, vote_count

    assembly = Assembly.objects.get(pk=assembly_id)
    try:
        results = vote_count(assembly=assembly)
    except DomainError as refused:
        if refused.code == "already_tallied":
            ballots_reorder(assembly=assembly)  # redelivered after a crash between the two
        return refused.code
    return f"{len(results)} resolutions tallied"


@shared_task(ignore_result=True)
def ballot_receipt_send(*, to_email: str, language: str, context: dict) -> None:
    with translation.override(language):
        subject = render_to_string("governance/voting/receipt_subject.txt", context).strip()
        body = render_to_string("governance/voting/receipt_email.txt", context)
    send_mail(subject, body, None, [to_email])
