"""The minutes of an assembly (RULES 17): completed by an administrator, then published once.

Everything the minutes state about the meeting comes from what Volière recorded (convocation,
bureau, figures at the opening, resolutions and their results); the administrator adds only the
summary of the debates and the documents presented. Published minutes never change (the
database refuses it too).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from governance.models import Assembly, Minutes, WrittenQuestion

MINUTES_READY = (Assembly.Status.PUBLISHED,)


def _locked_minutes(assembly: Assembly) -> Minutes:
    Assembly.objects.select_for_update().get(pk=assembly.pk)
    minutes, _created = Minutes.objects.get_or_create(assembly=assembly)
    return Minutes.objects.select_for_update().get(pk=minutes.pk)


def _require_results(assembly: Assembly) -> None:
    if assembly.status not in MINUTES_READY:
        raise DomainError(
            _("The minutes are drawn up once the results of the vote are published."),
            code="results_not_published",
        )


@transaction.atomic
def minutes_save(
    *, assembly: Assembly, debate_summary: str, documents_presented: str, actor: Actor
) -> Minutes:
    _require_results(assembly)
    minutes = _locked_minutes(assembly)
    if minutes.published_at is not None:
        raise DomainError(
            _("These minutes are published: they can no longer be changed."), code="published"
        )
    minutes.debate_summary = debate_summary.strip()
    minutes.documents_presented = documents_presented.strip()
    minutes.save(update_fields=["debate_summary", "documents_presented", "updated_at"])
    audit_record(actor=actor, action=AuditAction.MINUTES_SAVED, target=assembly)
    return minutes


@transaction.atomic
def minutes_publish(*, assembly: Assembly, actor: Actor) -> Minutes:
    _require_results(assembly)
    minutes = _locked_minutes(assembly)
    if minutes.published_at is not None:
        raise DomainError(_("These minutes are already published."), code="published")
    if not minutes.debate_summary:
        raise DomainError(
            _("Write the summary of the debates before publishing the minutes."),
            code="no_summary",
        )
    # RULES 35: the board's answers to the written questions are kept in the minutes.
    unanswered = WrittenQuestion.objects.filter(assembly=assembly, answered_at__isnull=True)
    if unanswered.exists():
        raise DomainError(
            _(
                "Some written questions have no answer yet: the minutes keep the board's "
                "answers. Answer them from the assembly's page first."
            ),
            code="questions_unanswered",
        )
    minutes.published_at = timezone.now()
    minutes.published_by = actor_person(actor)
    minutes.save(update_fields=["published_at", "published_by", "updated_at"])
    audit_record(actor=actor, action=AuditAction.MINUTES_PUBLISHED, target=assembly)
    return minutes
