"""The import service: check everything, then write everything in one transaction.

Written in bulk with PostgreSQL's COPY: the members, then their register events, then one
audit event per register event (as register_event_record writes them one by one), so that a
register of 100,000 members is imported in about a minute.
"""

import datetime as dt
import json
from collections.abc import Callable, Sequence
from operator import attrgetter
from types import SimpleNamespace
from typing import Any, TextIO

from django.db import connection, transaction
from django.db.models import JSONField, Model
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg.types.json import Jsonb

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.models import AuditEvent
from members.imports.checks import Codes, check_numbers, check_row
from members.imports.format import ImportReport
from members.imports.reading import check_header, read_rows
from members.models import Category, College, Member, MemberNumberCounter, RegisterEvent
from members.services import member_snapshot
from members.services.events import SNAPSHOT_FIELDS

# Members whose register events are written at a time.
EVENTS_BATCH = 5000
# The progress is reported every so many rows checked or written.
PROGRESS_EVERY = 5000
# progress(done, total, step): `done` rows of `total` in the current step (a sentence).
ImportProgress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, step: str) -> None:
    return None


@transaction.atomic
def register_import(
    *, file: TextIO, actor: Actor, progress: ImportProgress | None = None
) -> ImportReport:
    """Import the members of a CSV file (a text stream): all of them, or none.

    Every row is checked first; the report lists every problem with its line and column, and
    nothing is written while there is one. `progress`, if given, is told how far it is.
    """
    progress = progress or _no_progress
    report = ImportReport()
    progress(0, 0, _("Reading the file…"))
    header, rows = read_rows(file, report.problems)
    report.rows = len(rows)
    if not header:
        return report
    check_header(header, report.problems)
    if report.problems:
        return report

    codes = Codes(
        categories={category.code: category for category in Category.objects.all()},
        colleges={college.code: college for college in College.objects.all()},
        today=timezone.localdate(),
    )
    drafts = []
    checking = _("Checking every line…")
    for index, row in enumerate(rows, start=1):
        if draft := check_row(row, codes=codes):
            drafts.append(draft)
        if index % PROGRESS_EVERY == 0:
            progress(index, len(rows), checking)
    progress(len(rows), len(rows), checking)
    rows.clear()  # every line is checked: their cells are no longer needed
    check_numbers(drafts, report.problems)
    if report.problems or not drafts:
        report.problems.sort(key=lambda problem: problem.line or 0)
        return report

    # From here on admissions wait: the counter stays locked until the import commits. The
    # numbers are checked again under the lock, in case an admission took one meanwhile.
    counter, _created = MemberNumberCounter.objects.select_for_update().get_or_create(pk=1)
    check_numbers(drafts, report.problems)
    if report.problems:
        return report

    writing = _("Writing the members and their register entries…")
    progress(0, len(drafts), writing)
    members = [_member(draft.fields) for draft in drafts]
    for member, pk in zip(members, _allocate_ids(Member, len(members)), strict=True):
        member.pk = member.id = pk
    _copy(Member, members)
    progress(len(drafts) // 4, len(drafts), writing)
    # The register events and their audit events, a batch of members at a time: memory
    # holds one batch of events (each with its whole entry), not 200,000 of them.
    for start in range(0, len(members), EVENTS_BATCH):
        events: list[SimpleNamespace] = []
        for member in members[start : start + EVENTS_BATCH]:
            events.extend(_imported_events(member, actor=actor))
        for event, pk in zip(events, _allocate_ids(RegisterEvent, len(events)), strict=True):
            event.pk = event.id = pk
        _copy(RegisterEvent, events)
        _copy(AuditEvent, [_audit_event(event, actor=actor) for event in events])
        done = min(start + EVENTS_BATCH, len(members))
        progress(len(drafts) // 4 + done * 3 // 4, len(drafts), writing)
    progress(len(drafts), len(drafts), writing)
    numbers = [member.number for member in members]
    if max(numbers) > counter.last_number:
        counter.last_number = max(numbers)
        counter.save(update_fields=["last_number"])
    report.created = len(members)
    report.numbers = (min(numbers), max(numbers))
    report.next_number = counter.last_number + 1
    audit_record(
        actor=actor,
        action=AuditAction.MEMBERS_IMPORTED,
        data={"count": report.created, "numbers": list(report.numbers)},
    )
    return report


def _row(model: type[Model], **values: Any) -> SimpleNamespace:
    """A row of `model` for _copy: its fields' defaults, then `values` (by attname), without
    building a Django model instance (its __init__ was a quarter of an import's time)."""
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {
            field.attname: field.get_default() for field in model._meta.concrete_fields
        }
    row = SimpleNamespace(**defaults)
    row.__dict__.update(values)
    row.pk = values.get(model._meta.pk.attname)
    return row


_DEFAULTS: dict[type[Model], dict[str, Any]] = {}


def _member(fields: dict[str, Any]) -> SimpleNamespace:
    """A row of Member from a checked draft's fields: its category and college by id for
    _copy, and as objects for member_snapshot."""
    values = dict(fields)
    category, college = values.pop("category"), values.pop("college")
    row = _row(
        Member,
        **values,
        category_id=category.pk,
        college_id=college.pk if college is not None else None,
    )
    row.category, row.college = category, college
    return row


class JsonText(str):
    """A JSON value already written as text: _copy passes it as it is (written once, though
    the register event and its audit event both hold the changes)."""

    __slots__ = ()


def _allocate_ids(model: type[Model], count: int) -> list[int]:
    """`count` new primary keys of `model`, taken from its sequence."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _copy(model: type[Model], objects: Sequence[Model | SimpleNamespace]) -> None:
    """Insert `objects` with PostgreSQL's COPY, many times faster than INSERT statements for
    100,000 rows. The values are those Django would insert: the attributes as they are (these
    models hold plain values: text, numbers, dates, ids), the time for auto_now(_add) fields,
    JSON for JSON fields."""
    if not objects:
        return
    now = timezone.now()
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and objects[0].pk is None)
    ]
    getters: list[Callable[[Any], Any]] = []
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            getters.append(lambda obj: now)
        elif isinstance(field, JSONField):
            getters.append(lambda obj, name=field.attname: _json(getattr(obj, name)))
        else:
            getters.append(attrgetter(field.attname))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row([get(obj) for get in getters])


def _json(value: Any) -> Any:
    return value if isinstance(value, JsonText) else Jsonb(value)


_LIFECYCLE_FIELDS = ("status", "ratified_on", "ratification_ref", "exited_on", "exit_ref")


def _imported_events(member: SimpleNamespace, *, actor: Actor) -> list[SimpleNamespace]:
    """One "imported" event per dated step of the entry (admission, ratification, exit), so
    the register at any earlier date shows the member as they stood then (unsaved)."""
    final = {name: getattr(member, name) for name in _LIFECYCLE_FIELDS}
    not_yet = {"ratified_on": None, "ratification_ref": "", "exited_on": None, "exit_ref": ""}
    stages = [(member.admitted_on, member.admission_ref, {**not_yet, "status": "admitted"})]
    if final["ratified_on"] is not None:
        ratified = {
            **not_yet,
            "status": "ratified",
            "ratified_on": final["ratified_on"],
            "ratification_ref": final["ratification_ref"],
        }
        stages.append((final["ratified_on"], final["ratification_ref"], ratified))
    if final["exited_on"] is not None:
        stages.append((final["exited_on"], final["exit_ref"], final))
    person = actor_person(actor)
    recorded_by = person.pk if person is not None else None
    # The entry but its lifecycle, as JSON once (without its closing brace): each step's
    # snapshot is it with the step's lifecycle, and its changes only what the step changed.
    entry = {
        key: value
        for key, value in member_snapshot(member).items()  # type: ignore[arg-type]
        if key not in _LIFECYCLE_FIELDS
    }
    entry_json = json.dumps(entry)[:-1]
    events = []
    previous: dict[str, Any] = {}
    for effective_on, decision_ref, state in stages:
        lifecycle = {
            name: value.isoformat() if isinstance(value, dt.date) else value
            for name, value in state.items()
            if name in SNAPSHOT_FIELDS
        }
        snapshot_json = JsonText(entry_json + ", " + json.dumps(lifecycle)[1:])
        if previous:
            changes = {key: value for key, value in lifecycle.items() if previous[key] != value}
            changes_json = JsonText(json.dumps(changes))
        else:
            changes_json = snapshot_json  # the first event: the whole entry
        events.append(
            _row(
                RegisterEvent,
                member_id=member.pk,
                kind=RegisterEvent.Kind.IMPORTED.value,
                effective_on=effective_on,
                actor_id=recorded_by,
                decision_ref=decision_ref,
                changes=changes_json,
                snapshot=snapshot_json,
            )
        )
        previous = lifecycle
    return events


def _audit_event(event: SimpleNamespace, *, actor: Actor) -> SimpleNamespace:
    """The audit event register_event_record writes with each event, for one written in bulk."""
    person = actor_person(actor)
    return _row(
        AuditEvent,
        actor_id=person.pk if person is not None else None,
        actor_label=person.email if person is not None else "system",
        action=f"member.{event.kind}",
        target_type=Member._meta.label_lower,
        target_id=str(event.member_id),
        # {"event": ..., "effective_on": ..., "changes": ...}, the changes as already written.
        data=JsonText(
            f'{{"event": {int(event.pk)}, "effective_on": "{event.effective_on.isoformat()}", '
            f'"changes": {event.changes}}}'
        ),
    )
