"""The lifecycle of a member (RULES 3-4): application, admission, rejection, ratification, exit."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.errors import DomainError
from members.models import Category, College, Member, MemberNumberCounter, RegisterEvent
from members.services.events import member_locked, member_snapshot, register_event_record
from members.services.notices import exit_notify

Status = Member.Status


@dataclass(frozen=True)
class ApplicationData:
    """What an applicant tells the cooperative (public application form or import)."""

    person_kind: str
    category: Category
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    legal_name: str = ""
    legal_registration: str = ""
    representative_name: str = ""
    representative_role: str = ""
    phone: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "France"
    language: str = "fr"
    requested_shares: int = 1
    e_notices: bool = False


def _refuse_transition(member: Member, action: str) -> DomainError:
    return DomainError(
        _("%(member)s cannot be %(action)s: their status is “%(status)s”.")
        % {"member": member.display_name, "action": action, "status": member.get_status_display()},
        code="bad_transition",
    )


def _locked(member: Member) -> Member:
    """Reload the member under a row lock: two administrators never act on a stale entry."""
    return member_locked(member)


def _next_number() -> int:
    counter, _created = MemberNumberCounter.objects.select_for_update().get_or_create(pk=1)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _validate_application(data: ApplicationData) -> None:
    if data.person_kind == Member.PersonKind.NATURAL and not data.last_name.strip():
        raise DomainError(_("A natural person needs a last name."), code="no_name")
    if data.person_kind == Member.PersonKind.LEGAL:
        if not data.legal_name.strip():
            raise DomainError(_("A legal person needs its name."), code="no_name")
        if not data.representative_name.strip():
            raise DomainError(
                _("A legal person applies through its representative: give their name."),
                code="no_representative",
            )
    if data.e_notices and not data.email.strip():
        raise DomainError(
            _("Notices can be sent by e-mail only to someone with an e-mail address."),
            code="e_notices_without_email",
        )
    if not data.category.active:
        raise DomainError(
            _("The category “%(category)s” is closed to applications.")
            % {"category": data.category.name},
            code="category_closed",
        )
    if data.requested_shares < data.category.minimum_shares:
        raise DomainError(
            _("Members of the category “%(category)s” subscribe at least %(minimum)d shares.")
            % {"category": data.category.name, "minimum": data.category.minimum_shares},
            code="too_few_shares",
        )


@transaction.atomic
def member_apply(
    *, data: ApplicationData, actor: Actor = None, applied_on: dt.date | None = None
) -> Member:
    """Record an application for membership (status applicant, no number yet)."""
    _validate_application(data)
    now = timezone.now()
    member = Member.objects.create(
        person_kind=data.person_kind,
        first_name=data.first_name.strip(),
        last_name=data.last_name.strip(),
        legal_name=data.legal_name.strip(),
        legal_registration=data.legal_registration.strip(),
        representative_name=data.representative_name.strip(),
        representative_role=data.representative_role.strip(),
        email=data.email.strip().lower(),
        phone=data.phone.strip(),
        address=data.address.strip(),
        postal_code=data.postal_code.strip(),
        city=data.city.strip(),
        country=data.country.strip(),
        language=data.language,
        category=data.category,
        requested_shares=data.requested_shares,
        e_notices=data.e_notices,
        e_notices_changed_at=now if data.e_notices else None,
        status=Status.APPLICANT,
        applied_on=applied_on or timezone.localdate(now),
    )
    register_event_record(
        member=member,
        kind=RegisterEvent.Kind.APPLIED,
        effective_on=member.applied_on,
        actor=actor,
    )
    return member


@transaction.atomic
def member_admit(
    *,
    member: Member,
    decided_on: dt.date,
    decision_ref: str,
    college: College,
    actor: Actor,
) -> Member:
    """Admit an applicant (board decision): the next member number, their college."""
    member = _locked(member)
    if member.status != Status.APPLICANT:
        raise _refuse_transition(member, _("admitted"))
    if not decision_ref.strip():
        raise DomainError(_("Give the reference of the admission decision."), code="no_ref")
    if decided_on < member.applied_on:
        raise DomainError(
            _("An admission cannot be decided before the application (%(date)s).")
            % {"date": member.applied_on.isoformat()},
            code="admitted_before_applied",
        )
    before = member_snapshot(member)
    member.number = _next_number()
    member.status = Status.ADMITTED
    member.admitted_on = decided_on
    member.admission_ref = decision_ref.strip()
    member.college = college
    member.save(
        update_fields=["number", "status", "admitted_on", "admission_ref", "college", "updated_at"]
    )
    register_event_record(
        member=member,
        kind=RegisterEvent.Kind.ADMITTED,
        effective_on=decided_on,
        actor=actor,
        decision_ref=member.admission_ref,
        previous=before,
    )
    return member


@transaction.atomic
def member_reject(*, member: Member, decided_on: dt.date, reason: str, actor: Actor) -> Member:
    """Reject an application, with the reason given to the applicant."""
    member = _locked(member)
    if member.status != Status.APPLICANT:
        raise _refuse_transition(member, _("rejected"))
    if not reason.strip():
        raise DomainError(_("Give the reason for the rejection."), code="no_reason")
    before = member_snapshot(member)
    member.status = Status.REJECTED
    member.rejected_on = decided_on
    member.rejection_reason = reason.strip()
    member.save(update_fields=["status", "rejected_on", "rejection_reason", "updated_at"])
    register_event_record(
        member=member,
        kind=RegisterEvent.Kind.REJECTED,
        effective_on=decided_on,
        actor=actor,
        previous=before,
    )
    return member


@transaction.atomic
def members_ratify(
    *, members: Sequence[Member], ratified_on: dt.date, assembly_ref: str, actor: Actor
) -> list[Member]:
    """Mark admitted members as ratified by an assembly. All of them, or none."""
    if not members:
        raise DomainError(_("Choose at least one member to ratify."), code="none_chosen")
    if not assembly_ref.strip():
        raise DomainError(_("Give the reference of the assembly that ratified."), code="no_ref")
    ids = sorted({m.pk for m in members})
    locked = list(
        Member.objects.select_for_update(of=("self",))
        .select_related("category", "college")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    for member in locked:
        if member.status != Status.ADMITTED:
            raise _refuse_transition(member, _("ratified"))
        admitted_on = member.admitted_on  # set for every admitted member (a constraint)
        if admitted_on is not None and ratified_on < admitted_on:
            raise DomainError(
                _("%(member)s was admitted on %(date)s: a ratification cannot come before.")
                % {"member": member.display_name, "date": admitted_on.isoformat()},
                code="ratified_before_admitted",
            )
    for member in locked:
        before = member_snapshot(member)
        member.status = Status.RATIFIED
        member.ratified_on = ratified_on
        member.ratification_ref = assembly_ref.strip()
        member.save(update_fields=["status", "ratified_on", "ratification_ref", "updated_at"])
        register_event_record(
            member=member,
            kind=RegisterEvent.Kind.RATIFIED,
            effective_on=ratified_on,
            actor=actor,
            decision_ref=member.ratification_ref,
            previous=before,
        )
    return locked


# Called inside member_exit's transaction once the exit is recorded: apps built on the
# register (capital: the repayment queue) react to an exit without members importing them.
exit_hooks: list[Callable[..., Any]] = []


@transaction.atomic
def member_exit(
    *, member: Member, status: str, exited_on: dt.date, decision_ref: str, actor: Actor
) -> Member:
    """Record an exit: resignation, exclusion, death or loss of quality (RULES 3), and tell
    the member (members.services.notices.exit_notify)."""
    if status not in Member.EXITED_STATUSES:
        raise DomainError(_("Choose how the member left."), code="bad_exit_kind")
    member = _locked(member)
    if member.status not in Member.ADMITTED_STATUSES:
        raise _refuse_transition(member, _("recorded as leaving"))
    if not decision_ref.strip():
        raise DomainError(
            _("Give the reference of the exit (letter, decision, certificate)."), code="no_ref"
        )
    admitted_on = member.admitted_on  # set for every admitted member (a constraint)
    if admitted_on is not None and exited_on < admitted_on:
        raise DomainError(
            _("%(member)s was admitted on %(date)s: they cannot leave before.")
            % {"member": member.display_name, "date": admitted_on.isoformat()},
            code="exit_before_admission",
        )
    before = member_snapshot(member)
    member.status = status
    member.exited_on = exited_on
    member.exit_ref = decision_ref.strip()
    member.save(update_fields=["status", "exited_on", "exit_ref", "updated_at"])
    register_event_record(
        member=member,
        kind=RegisterEvent.Kind.EXITED,
        effective_on=exited_on,
        actor=actor,
        decision_ref=member.exit_ref,
        previous=before,
    )
    for hook in exit_hooks:
        hook(member=member, actor=actor)
    exit_notify(member=member, actor=actor)
    return member


@transaction.atomic
def member_move_college(
    *, member: Member, college: College, effective_on: dt.date, decision_ref: str, actor: Actor
) -> Member:
    """Move a current member to another college from a date."""
    member = _locked(member)
    if member.status not in Member.ADMITTED_STATUSES:
        raise _refuse_transition(member, _("moved to another college"))
    if member.college_id == college.pk:
        raise DomainError(
            _("%(member)s is already in the college “%(college)s”.")
            % {"member": member.display_name, "college": college.name},
            code="same_college",
        )
    before = member_snapshot(member)
    member.college = college
    member.save(update_fields=["college", "updated_at"])
    register_event_record(
        member=member,
        kind=RegisterEvent.Kind.COLLEGE_CHANGED,
        effective_on=effective_on,
        actor=actor,
        decision_ref=decision_ref.strip(),
        previous=before,
    )
    return member
