"""Preparing an assembly (administrators): the draft and its details, and the draft of a
second convocation when the first did not reach its quorum (RULES 12). Its agenda items and
resolutions are in agenda.py.

Everything here changes a draft only: after convocation the agenda is frozen (RULES 11). The
services refuse, and the database refuses too (triggers of migration 0002).
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.statutes import statutes_in_force
from governance.lifecycle import Action, assembly_require, second_convocation_date_check
from governance.models import AgendaItem, Assembly, Resolution
from governance.selectors.assemblies import distance_vote_deadline_default


def assembly_locked_for_preparation(assembly: Assembly) -> Assembly:
    """The assembly locked for the rest of the transaction, once checked still a draft."""
    locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
    assembly_require(locked, Action.PREPARE, now=timezone.now())
    return locked


def _check_details(
    *, starts_at: dt.datetime, place: str, online_access: str, deadline: dt.datetime
) -> None:
    if not place.strip() and not online_access.strip():
        raise DomainError(
            _("Give the place of the meeting, how to join it online, or both."),
            code="no_place",
        )
    if deadline > starts_at:
        raise DomainError(
            _("The deadline for distance votes must be before the meeting starts."),
            code="deadline_after_meeting",
        )


def _deadline(starts_at: dt.datetime, deadline: dt.datetime | None) -> dt.datetime:
    if deadline is not None:
        return deadline
    statutes = statutes_in_force(on=timezone.localdate())
    return distance_vote_deadline_default(starts_at=starts_at, statutes=statutes)


def _details(assembly: Assembly) -> dict[str, Any]:
    return {
        "title": assembly.title,
        "kind": assembly.kind,
        "convocation": assembly.convocation,
        "starts_at": assembly.starts_at.isoformat(),
        "place": assembly.place,
        "online_access": assembly.online_access,
        "distance_vote_deadline": assembly.distance_vote_deadline.isoformat(),
    }


@transaction.atomic
def assembly_create(
    *,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    place: str = "",
    online_access: str = "",
    distance_vote_deadline: dt.datetime | None = None,
    actor: Actor,
) -> Assembly:
    """A draft assembly (first convocation). Without a deadline for distance votes, the
    statutes' default: `distance_vote_days_before` days before, at the closing time."""
    deadline = _deadline(starts_at, distance_vote_deadline)
    _check_details(starts_at=starts_at, place=place, online_access=online_access, deadline=deadline)
    assembly = Assembly.objects.create(
        title=title.strip(),
        kind=kind,
        starts_at=starts_at,
        place=place.strip(),
        online_access=online_access.strip(),
        distance_vote_deadline=deadline,
        created_by=actor_person(actor),
    )
    audit_record(
        actor=actor, action=AuditAction.ASSEMBLY_CREATED, target=assembly, data=_details(assembly)
    )
    return assembly


@transaction.atomic
def assembly_update(
    *,
    assembly: Assembly,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    place: str = "",
    online_access: str = "",
    distance_vote_deadline: dt.datetime | None = None,
    actor: Actor,
) -> Assembly:
    """Change a draft's details. Resolutions that followed the assembly's kind follow it."""
    assembly = assembly_locked_for_preparation(assembly)
    if assembly.first_convocation is not None:
        second_convocation_date_check(first=assembly.first_convocation, starts_at=starts_at)
    deadline = _deadline(starts_at, distance_vote_deadline)
    _check_details(starts_at=starts_at, place=place, online_access=online_access, deadline=deadline)
    before = _details(assembly)
    if kind != assembly.kind:
        Resolution.objects.filter(assembly=assembly, majority_kind=assembly.kind).update(
            majority_kind=kind
        )
    assembly.title = title.strip()
    assembly.kind = kind
    assembly.starts_at = starts_at
    assembly.place = place.strip()
    assembly.online_access = online_access.strip()
    assembly.distance_vote_deadline = deadline
    assembly.save(
        update_fields=[
            "title",
            "kind",
            "starts_at",
            "place",
            "online_access",
            "distance_vote_deadline",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.ASSEMBLY_UPDATED,
        target=assembly,
        data={"before": before, "after": _details(assembly)},
    )
    return assembly


# --- Second convocation ----------------------------------------------------------------------


@transaction.atomic
def assembly_prepare_second_convocation(
    *, first: Assembly, starts_at: dt.datetime, actor: Actor
) -> Assembly:
    """RULES 12, 31: the first convocation ended as "quorum not reached" (at its meeting, or at
    the close of its online vote); a draft second convocation with the same agenda and
    resolutions, dated after the first's meeting, to be convened with its own notice period."""
    first = Assembly.objects.select_for_update().get(pk=first.pk)
    if first.convocation != Assembly.ConvocationNumber.FIRST:
        raise DomainError(
            _(
                "This assembly is already a second convocation: without its quorum it ends "
                "there, there is no third convocation."
            ),
            code="already_second",
        )
    if Assembly.objects.filter(first_convocation=first).exists():
        raise DomainError(
            _("The second convocation of this assembly was already prepared."),
            code="second_exists",
        )
    assembly_require(first, Action.PREPARE_SECOND, now=timezone.now())
    second_convocation_date_check(first=first, starts_at=starts_at)
    quorum = first.meeting_opening_figures or {}
    statutes = statutes_in_force(on=timezone.localdate())
    deadline = distance_vote_deadline_default(starts_at=starts_at, statutes=statutes)
    second = Assembly.objects.create(
        title=first.title,
        kind=first.kind,
        convocation=Assembly.ConvocationNumber.SECOND,
        first_convocation=first,
        starts_at=starts_at,
        place=first.place,
        online_access=first.online_access,
        distance_vote_deadline=deadline,
        created_by=actor_person(actor),
    )
    items = {}
    for item in AgendaItem.objects.filter(assembly=first).order_by("position"):
        items[item.pk] = AgendaItem.objects.create(
            assembly=second, position=item.position, title=item.title, description=item.description
        )
    Resolution.objects.bulk_create(
        Resolution(
            assembly=second,
            agenda_item=items[resolution.agenda_item_id],
            number=resolution.number,
            title=resolution.title,
            text=resolution.text,
            majority_kind=resolution.majority_kind,
        )
        for resolution in Resolution.objects.filter(assembly=first).order_by("number")
    )
    audit_record(
        actor=actor,
        action=AuditAction.SECOND_CONVOCATION_PREPARED,
        target=second,
        data={
            "first": first.pk,
            "quorum_at_opening": [quorum.get("total"), quorum.get("roll_size")],
            **_details(second),
        },
    )
    return second
