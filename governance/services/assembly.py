"""Preparing an assembly (administrators): the draft, its agenda items and resolutions, and
the draft of a second convocation when the first did not reach its quorum (RULES 12).

Everything here changes a draft only: after convocation the agenda is frozen (RULES 11). The
services refuse, and the database refuses too (triggers of migration 0002).
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.statutes import statutes_in_force
from governance.lifecycle import Action, assembly_require, second_convocation_date_check
from governance.models import AgendaItem, Assembly, Resolution
from governance.selectors.assemblies import distance_vote_deadline_default

# Positions and numbers are shifted by this much while they are renumbered, so that the unique
# constraints (assembly, position) and (assembly, number) hold at every row.
_SHIFT = 1000


def _locked(assembly: Assembly) -> Assembly:
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
    actor: Any,
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
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
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
    actor: Any,
) -> Assembly:
    """Change a draft's details. Resolutions that followed the assembly's kind follow it."""
    assembly = _locked(assembly)
    if assembly.first_convocation_id is not None:
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


# --- Agenda items ----------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *, assembly: Assembly, title: str, description: str = "", actor: Any
) -> AgendaItem:
    """A new item at the end of the agenda."""
    assembly = _locked(assembly)
    last = AgendaItem.objects.filter(assembly=assembly).aggregate(m=Max("position"))["m"] or 0
    item = AgendaItem.objects.create(
        assembly=assembly, position=last + 1, title=title.strip(), description=description.strip()
    )
    audit_record(
        actor=actor,
        action=AuditAction.AGENDA_ITEM_ADDED,
        target=assembly,
        data={"item": item.pk, "position": item.position, "title": item.title},
    )
    return item


@transaction.atomic
def agenda_item_update(
    *, item: AgendaItem, title: str, description: str = "", actor: Any
) -> AgendaItem:
    assembly = _locked(item.assembly)
    item = AgendaItem.objects.get(pk=item.pk, assembly=assembly)
    before = {"title": item.title, "description": item.description}
    item.title, item.description = title.strip(), description.strip()
    item.save(update_fields=["title", "description"])
    audit_record(
        actor=actor,
        action=AuditAction.AGENDA_ITEM_UPDATED,
        target=assembly,
        data={"item": item.pk, "before": before, "title": item.title},
    )
    return item


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem, actor: Any) -> None:
    """Remove an item and its resolutions; the others close up."""
    assembly = _locked(item.assembly)
    item = AgendaItem.objects.get(pk=item.pk, assembly=assembly)
    removed = list(item.resolutions.values_list("number", flat=True))
    Resolution.objects.filter(agenda_item=item).delete()
    item.delete()
    _renumber(assembly)
    audit_record(
        actor=actor,
        action=AuditAction.AGENDA_ITEM_REMOVED,
        target=assembly,
        data={"item": item.title, "resolutions_removed": removed},
    )


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool, actor: Any) -> None:
    """Swap an item with the one before (`up`) or after it; resolutions follow their item."""
    assembly = _locked(item.assembly)
    items = list(AgendaItem.objects.filter(assembly=assembly).order_by("position"))
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    _renumber(assembly, items=items)
    audit_record(
        actor=actor,
        action=AuditAction.AGENDA_ITEM_MOVED,
        target=assembly,
        data={"item": item.pk, "order": [i.pk for i in items]},
    )


def _renumber(assembly: Assembly, *, items: list[AgendaItem] | None = None) -> None:
    """Positions 1..n in the order of `items` (default: the current order), and the
    resolutions numbered 1..m in the agenda's order."""
    if items is None:
        items = list(AgendaItem.objects.filter(assembly=assembly).order_by("position"))
    agenda = AgendaItem.objects.filter(assembly=assembly)
    resolutions = Resolution.objects.filter(assembly=assembly)
    order = {item.pk: position for position, item in enumerate(items, start=1)}
    current = list(resolutions.order_by("number").values_list("pk", "agenda_item_id"))
    current.sort(key=lambda row: order[row[1]])  # stable: keeps the order within an item
    wanted_items = dict(order)
    wanted_resolutions = {pk: number for number, (pk, _item) in enumerate(current, start=1)}
    agenda.update(position=F("position") + _SHIFT)
    resolutions.update(number=F("number") + _SHIFT)
    for pk, position in wanted_items.items():
        AgendaItem.objects.filter(pk=pk).update(position=position)
    for pk, number in wanted_resolutions.items():
        Resolution.objects.filter(pk=pk).update(number=number)


# --- Resolutions -----------------------------------------------------------------------------


def _check_resolution(assembly: Assembly, item: AgendaItem, majority_kind: str) -> None:
    if item.assembly_id != assembly.pk:
        raise DomainError(
            _("This agenda item belongs to another assembly."), code="item_of_another_assembly"
        )
    if majority_kind not in Assembly.Kind.values:
        raise DomainError(_("Unknown majority."), code="bad_majority")


@transaction.atomic
def resolution_add(
    *,
    assembly: Assembly,
    agenda_item: AgendaItem,
    title: str,
    text: str,
    majority_kind: str | None = None,
    actor: Any,
) -> Resolution:
    """A resolution under an agenda item, numbered in the agenda's order. Its majority is by
    default the statutes' majority for the assembly's kind."""
    assembly = _locked(assembly)
    majority_kind = majority_kind or assembly.kind
    _check_resolution(assembly, agenda_item, majority_kind)
    if not text.strip():
        raise DomainError(_("A resolution needs its full text."), code="no_text")
    last = Resolution.objects.filter(assembly=assembly).aggregate(m=Max("number"))["m"] or 0
    resolution = Resolution.objects.create(
        assembly=assembly,
        agenda_item=agenda_item,
        number=last + 1,
        title=title.strip(),
        text=text.strip(),
        majority_kind=majority_kind,
    )
    _renumber(assembly)
    resolution.refresh_from_db(fields=["number"])
    audit_record(
        actor=actor,
        action=AuditAction.RESOLUTION_ADDED,
        target=assembly,
        data={"resolution": resolution.pk, "number": resolution.number, "title": resolution.title},
    )
    return resolution


@transaction.atomic
def resolution_update(
    *,
    resolution: Resolution,
    agenda_item: AgendaItem,
    title: str,
    text: str,
    majority_kind: str,
    actor: Any,
) -> Resolution:
    assembly = _locked(resolution.assembly)
    resolution = Resolution.objects.get(pk=resolution.pk, assembly=assembly)
    _check_resolution(assembly, agenda_item, majority_kind)
    if not text.strip():
        raise DomainError(_("A resolution needs its full text."), code="no_text")
    before = {
        "title": resolution.title,
        "text": resolution.text,
        "majority": resolution.majority_kind,
    }
    moved = resolution.agenda_item_id != agenda_item.pk
    resolution.agenda_item = agenda_item
    resolution.title, resolution.text = title.strip(), text.strip()
    resolution.majority_kind = majority_kind
    resolution.save(update_fields=["agenda_item", "title", "text", "majority_kind"])
    if moved:
        _renumber(assembly)
    audit_record(
        actor=actor,
        action=AuditAction.RESOLUTION_UPDATED,
        target=assembly,
        data={"resolution": resolution.pk, "before": before, "title": resolution.title},
    )
    return resolution


@transaction.atomic
def resolution_remove(*, resolution: Resolution, actor: Any) -> None:
    assembly = _locked(resolution.assembly)
    resolution = Resolution.objects.get(pk=resolution.pk, assembly=assembly)
    data = {"number": resolution.number, "title": resolution.title}
    resolution.delete()
    _renumber(assembly)
    audit_record(actor=actor, action=AuditAction.RESOLUTION_REMOVED, target=assembly, data=data)


@transaction.atomic
def resolution_move(*, resolution: Resolution, up: bool, actor: Any) -> None:
    """Swap a resolution with the one before or after it under the same agenda item."""
    assembly = _locked(resolution.assembly)
    siblings = list(
        Resolution.objects.filter(assembly=assembly, agenda_item_id=resolution.agenda_item_id)
        .order_by("number")
        .values_list("pk", "number")
    )
    index = next(i for i, (pk, _n) in enumerate(siblings) if pk == resolution.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    (pk_a, number_a), (pk_b, number_b) = siblings[index], siblings[other]
    Resolution.objects.filter(pk=pk_a).update(number=number_a + _SHIFT)
    Resolution.objects.filter(pk=pk_b).update(number=number_a)
    Resolution.objects.filter(pk=pk_a).update(number=number_b)
    audit_record(
        actor=actor,
        action=AuditAction.RESOLUTION_MOVED,
        target=assembly,
        data={"resolution": pk_a, "number": number_b},
    )


# --- Second convocation ----------------------------------------------------------------------


@transaction.atomic
def assembly_prepare_second_convocation(
    *, first: Assembly, starts_at: dt.datetime, actor: Any
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
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
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
