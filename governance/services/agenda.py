"""The agenda of a draft assembly (administrators): its items and its resolutions, in order.

Everything here changes a draft only: after convocation the agenda is frozen (RULES 11). The
services refuse, and the database refuses too (triggers of migration 0002).
"""

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from governance.models import AgendaItem, Assembly, Resolution
from governance.services.assembly import assembly_locked_for_preparation

# Positions and numbers are shifted by this much while they are renumbered, so that the unique
# constraints (assembly, position) and (assembly, number) hold at every row.
_SHIFT = 1000


# --- Agenda items ----------------------------------------------------------------------------


@transaction.atomic
def agenda_item_add(
    *, assembly: Assembly, title: str, description: str = "", actor: Actor
) -> AgendaItem:
    """A new item at the end of the agenda."""
    assembly = assembly_locked_for_preparation(assembly)
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
    *, item: AgendaItem, title: str, description: str = "", actor: Actor
) -> AgendaItem:
    assembly = assembly_locked_for_preparation(item.assembly)
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
def agenda_item_remove(*, item: AgendaItem, actor: Actor) -> None:
    """Remove an item and its resolutions; the others close up."""
    assembly = assembly_locked_for_preparation(item.assembly)
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
def agenda_item_move(*, item: AgendaItem, up: bool, actor: Actor) -> None:
    """Swap an item with the one before (`up`) or after it; resolutions follow their item."""
    assembly = assembly_locked_for_preparation(item.assembly)
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


def _check_position(board_approves: object) -> None:
    """RULES 34: every resolution says whether the board approves it."""
    if not isinstance(board_approves, bool):
        raise DomainError(
            _("Say whether the board recommends this resolution."), code="no_board_position"
        )


@transaction.atomic
def resolution_add(
    *,
    assembly: Assembly,
    agenda_item: AgendaItem,
    title: str,
    text: str,
    board_approves: bool,
    majority_kind: str | None = None,
    actor: Actor,
) -> Resolution:
    """A resolution under an agenda item, numbered in the agenda's order. Its majority is by
    default the statutes' majority for the assembly's kind."""
    assembly = assembly_locked_for_preparation(assembly)
    majority_kind = majority_kind or assembly.kind
    _check_resolution(assembly, agenda_item, majority_kind)
    if not text.strip():
        raise DomainError(_("A resolution needs its full text."), code="no_text")
    _check_position(board_approves)
    last = Resolution.objects.filter(assembly=assembly).aggregate(m=Max("number"))["m"] or 0
    resolution = Resolution.objects.create(
        assembly=assembly,
        agenda_item=agenda_item,
        number=last + 1,
        title=title.strip(),
        text=text.strip(),
        majority_kind=majority_kind,
        board_approves=board_approves,
    )
    _renumber(assembly)
    resolution.refresh_from_db(fields=["number"])
    audit_record(
        actor=actor,
        action=AuditAction.RESOLUTION_ADDED,
        target=assembly,
        data={
            "resolution": resolution.pk,
            "number": resolution.number,
            "title": resolution.title,
            "board_approves": board_approves,
        },
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
    board_approves: bool,
    actor: Actor,
) -> Resolution:
    assembly = assembly_locked_for_preparation(resolution.assembly)
    resolution = Resolution.objects.get(pk=resolution.pk, assembly=assembly)
    _check_resolution(assembly, agenda_item, majority_kind)
    if not text.strip():
        raise DomainError(_("A resolution needs its full text."), code="no_text")
    before = {
        "title": resolution.title,
        "text": resolution.text,
        "majority": resolution.majority_kind,
        "board_approves": resolution.board_approves,
    }
    _check_position(board_approves)
    moved = resolution.agenda_item_id != agenda_item.pk
    resolution.agenda_item = agenda_item
    resolution.title, resolution.text = title.strip(), text.strip()
    resolution.majority_kind = majority_kind
    resolution.board_approves = board_approves
    resolution.save(
        update_fields=["agenda_item", "title", "text", "majority_kind", "board_approves"]
    )
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
def resolution_remove(*, resolution: Resolution, actor: Actor) -> None:
    assembly = assembly_locked_for_preparation(resolution.assembly)
    resolution = Resolution.objects.get(pk=resolution.pk, assembly=assembly)
    data = {"number": resolution.number, "title": resolution.title}
    resolution.delete()
    _renumber(assembly)
    audit_record(actor=actor, action=AuditAction.RESOLUTION_REMOVED, target=assembly, data=data)


@transaction.atomic
def resolution_move(*, resolution: Resolution, up: bool, actor: Actor) -> None:
    """Swap a resolution with the one before or after it under the same agenda item."""
    assembly = assembly_locked_for_preparation(resolution.assembly)
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
