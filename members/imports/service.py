"""The import service: check everything, then write everything in one transaction."""

from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from coop.audit import audit_record
from members.imports.checks import Codes, check_numbers, check_row
from members.imports.format import ImportReport
from members.imports.reading import check_header, read_rows
from members.models import Category, College, Member, MemberNumberCounter, RegisterEvent
from members.services import register_event_record


@transaction.atomic
def register_import(*, file: TextIO, actor: Any | None) -> ImportReport:
    """Import the members of a CSV file (a text stream): all of them, or none.

    Every row is checked first; the report lists every problem with its line and column, and
    nothing is written while there is one.
    """
    report = ImportReport()
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
    drafts = [draft for row in rows if (draft := check_row(row, codes=codes))]
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

    members = Member.objects.bulk_create(
        [Member(**draft.fields) for draft in drafts], batch_size=1000
    )
    for member in members:
        _record_imported_history(member, actor=actor)
    numbers = [member.number for member in members]
    if max(numbers) > counter.last_number:
        counter.last_number = max(numbers)
        counter.save(update_fields=["last_number"])
    report.created = len(members)
    report.numbers = (min(numbers), max(numbers))
    report.next_number = counter.last_number + 1
    audit_record(
        actor=actor,
        action="members.imported",
        data={"count": report.created, "numbers": list(report.numbers)},
    )
    return report


_LIFECYCLE_FIELDS = ("status", "ratified_on", "ratification_ref", "exited_on", "exit_ref")


def _record_imported_history(member: Member, *, actor: Any) -> None:
    """One "imported" event per dated step of the entry (admission, ratification, exit), so
    the register at any earlier date shows the member as they stood then."""
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
    previous = None
    for effective_on, decision_ref, state in stages:
        for name, value in state.items():
            setattr(member, name, value)
        event = register_event_record(
            member=member,
            kind=RegisterEvent.Kind.IMPORTED,
            effective_on=effective_on,
            actor=actor,
            decision_ref=decision_ref,
            previous=previous,
        )
        previous = event.snapshot
