"""Colleges (RULES 7) and categories (RULES 1) of the register."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.statutes import college_weights_validate, statutes_in_force
from members.models import Category, College, Member


@dataclass(frozen=True)
class CollegeDraft:
    code: str
    name: str
    weight: Decimal
    position: int = 0


def colleges_validate(drafts: Sequence[CollegeDraft]) -> None:
    """RULES 7 with colleges on; a single college of 100 % when the statutes turn them off."""
    statutes = statutes_in_force()
    codes = [d.code for d in drafts]
    if len(set(codes)) != len(codes):
        raise ValidationError(_("Two colleges have the same code."), code="duplicate_code")
    if statutes.colleges_enabled:
        college_weights_validate([d.weight for d in drafts], names=[d.name for d in drafts])
    elif len(drafts) != 1 or drafts[0].weight != Decimal(100):
        raise ValidationError(
            _("Without colleges (statutes), the register has a single college holding 100 %."),
            code="single_college",
        )


@transaction.atomic
def colleges_configure(*, drafts: Sequence[CollegeDraft], actor: Actor) -> list[College]:
    """Replace the configuration of colleges as a whole: refused unless it satisfies RULES 7.

    Colleges are matched by code; a college that still has members cannot be removed.
    """
    existing = {c.code: c for c in College.objects.select_for_update()}
    try:
        colleges_validate(drafts)
    except ValidationError as exc:
        raise DomainError(" ".join(exc.messages), code="colleges_invalid") from exc
    wanted = {d.code for d in drafts}
    for code, college in existing.items():
        if code not in wanted:
            if Member.objects.filter(college=college).exists():
                raise DomainError(
                    _("The college “%(college)s” has members: move them before removing it.")
                    % {"college": college.name},
                    code="college_in_use",
                )
            college.delete()
    result = []
    for draft in drafts:
        college = existing.get(draft.code) or College(code=draft.code)
        college.name = draft.name
        college.weight = draft.weight
        college.position = draft.position
        college.save()
        result.append(college)
    audit_record(
        actor=actor,
        action=AuditAction.COLLEGES_CONFIGURED,
        data={"colleges": [[d.code, d.name, str(d.weight)] for d in drafts]},
    )
    return result


def categories_missing_compulsory() -> list[Category]:
    """Compulsory categories with no current member (RULES 1: the register warns)."""
    return list(
        Category.objects.filter(compulsory=True)
        .exclude(members__status__in=Member.ADMITTED_STATUSES)
        .order_by("position", "name")
    )
