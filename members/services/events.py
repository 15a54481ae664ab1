"""Writing the legal register: every change of a member's entry is one RegisterEvent."""

import datetime as dt
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from coop.actors import Actor, actor_person
from coop.audit import audit_record
from coop.errors import DomainError
from members.models import Member, RegisterEvent

# The fields of a register entry, in the order of the register and of its CSV export.
SNAPSHOT_FIELDS: tuple[str, ...] = (
    "number",
    "status",
    "person_kind",
    "first_name",
    "last_name",
    "legal_name",
    "legal_registration",
    "representative_name",
    "representative_role",
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "country",
    "category",
    "college",
    "requested_shares",
    "e_notices",
    "e_notices_changed_at",
    "applied_on",
    "admitted_on",
    "admission_ref",
    "ratified_on",
    "ratification_ref",
    "rejected_on",
    "rejection_reason",
    "exited_on",
    "exit_ref",
)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def member_snapshot(member: Member) -> dict[str, Any]:
    """The register entry of `member` as stored in an event (JSON-ready)."""
    snapshot: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        if name == "category":
            snapshot["category"] = member.category.code
            snapshot["category_name"] = member.category.name
        elif name == "college":
            college = member.college if member.college_id else None
            snapshot["college"] = college.code if college is not None else ""
            snapshot["college_name"] = college.name if college is not None else ""
        else:
            snapshot[name] = _json_value(getattr(member, name))
    return snapshot


def member_locked(member: Member) -> Member:
    """Reload the member under a row lock: two administrators never act on a stale entry."""
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("category", "college")
        .get(pk=member.pk)
    )


def register_event_record(
    *,
    member: Member,
    kind: str,
    effective_on: dt.date,
    actor: Actor,
    decision_ref: str = "",
    changes: dict[str, Any] | None = None,
    previous: dict[str, Any] | None = None,
) -> RegisterEvent:
    """Append an event for `member` (already saved, and locked by the caller) and audit it.

    The register is kept in date order, like a paper register: an event cannot be dated before
    the member's latest event. `previous` is the snapshot before the change: the event stores
    what changed between it and the entry now.
    """
    latest = (
        RegisterEvent.objects.filter(member=member)
        .order_by("-effective_on", "-id")
        .values_list("effective_on", flat=True)
        .first()
    )
    if latest is not None and effective_on < latest:
        raise DomainError(
            _(
                "The register of %(member)s already has an entry dated %(latest)s: an entry "
                "dated %(date)s cannot be written after it."
            )
            % {
                "member": member.display_name,
                "latest": date_format(latest, "DATE_FORMAT"),
                "date": date_format(effective_on, "DATE_FORMAT"),
            },
            code="register_date_order",
        )
    snapshot = member_snapshot(member)
    if changes is None:
        before = previous or {}
        changes = {
            key: value
            for key, value in snapshot.items()
            if key not in before or before[key] != value
        }
    event = RegisterEvent.objects.create(
        member=member,
        kind=kind,
        effective_on=effective_on,
        actor=actor_person(actor),
        decision_ref=decision_ref,
        changes=changes,
        snapshot=snapshot,
    )
    audit_record(
        actor=actor,
        action=f"member.{kind}",
        target=member,
        data={"event": event.pk, "effective_on": effective_on.isoformat(), "changes": changes},
    )
    return event
