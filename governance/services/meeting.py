"""The meeting itself (RULES 12, 16): checking members in as present, the bureau, and opening
the meeting with the quorum figures of that moment.

Check-ins take the assembly's row lock, like proxies (governance.services.proxies), so that a
member is never both checked in and represented: a member who gave a proxy is checked in only
after the proxy is revoked, and a member checked in cannot give one.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from coop.actors import Actor, actor_person
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from governance.lifecycle import Action, assembly_require
from governance.models import Assembly, BureauSeat, PaperForm, Proxy, RollEntry
from governance.selectors.figures import AssemblyFigures, assembly_figures, figures_changed
from governance.services.postal import paper_form_refusal
from governance.services.proxies import assembly_lock
from governance.services.urn import urn_seal


class MeetingRefused(DomainError):
    """An action of the meeting desk is refused."""


def _figures_changed(assembly_pk: int) -> None:
    """The cached live figures are stale: now (a reader then recomputes, never keeps an older
    count) and again on commit (a reader before the commit may have cached the old count)."""
    figures_changed(assembly_pk)
    transaction.on_commit(lambda: figures_changed(assembly_pk), robust=True)


def _entry(assembly: Assembly, roll_entry: RollEntry) -> RollEntry:
    return RollEntry.objects.select_for_update().get(pk=roll_entry.pk, assembly=assembly)


@transaction.atomic
def roll_entry_check_in(
    *, roll_entry: RollEntry, actor: Actor, now: dt.datetime | None = None
) -> RollEntry:
    """Mark a member of the roll present at the meeting (from the meeting's day, RULES 31)."""
    now = now or timezone.now()
    assembly = assembly_lock(roll_entry.assembly)
    assembly_require(assembly, Action.CHECK_IN, now=now)
    entry = _entry(assembly, roll_entry)
    if entry.present_at is not None:
        raise MeetingRefused(
            _("%(name)s was already checked in at %(time)s.")
            % {
                "name": entry.name,
                "time": time_format(timezone.localtime(entry.present_at), "TIME_FORMAT"),
            },
            code="already_present",
        )
    proxy = (
        Proxy.objects.filter(giver=entry, revoked_at__isnull=True).select_related("holder").first()
    )
    if proxy is not None:
        raise MeetingRefused(
            _(
                "%(name)s gave a proxy to %(holder)s: the proxy must be revoked before "
                "%(name)s is checked in."
            )
            % {"name": entry.name, "holder": proxy.holder.name},
            code="gave_proxy",
        )
    # The paper path (RULES 33): a counted postal vote or blank proxy was the member's voice.
    paper = PaperForm.objects.filter(roll_entry=entry, counted=True, proxy__isnull=True).first()
    if paper is not None:
        raise paper_form_refusal(paper, entry)
    entry.present_at = now
    entry.checked_in_by = actor_person(actor)
    entry.save(update_fields=["present_at", "checked_in_by"])
    audit_record(
        actor=actor,
        action=AuditAction.CHECKED_IN,
        target=entry,
        data={"assembly": assembly.pk, "member_number": entry.member_number},
    )
    _figures_changed(assembly.pk)
    return entry


@transaction.atomic
def roll_entry_check_in_undo(
    *, roll_entry: RollEntry, actor: Actor, now: dt.datetime | None = None
) -> RollEntry:
    """Undo a check-in (a mistake, or a member who left before the vote)."""
    assembly = assembly_lock(roll_entry.assembly)
    assembly_require(assembly, Action.CHECK_IN, now=now or timezone.now())
    entry = _entry(assembly, roll_entry)
    if entry.present_at is None:
        raise MeetingRefused(
            _("%(name)s is not checked in.") % {"name": entry.name}, code="not_present"
        )
    checked_in_at = entry.present_at
    entry.present_at = None
    entry.checked_in_by = None
    entry.save(update_fields=["present_at", "checked_in_by"])
    audit_record(
        actor=actor,
        action=AuditAction.CHECK_IN_UNDONE,
        target=entry,
        data={
            "assembly": assembly.pk,
            "member_number": entry.member_number,
            "checked_in_at": checked_in_at.isoformat(),
        },
    )
    _figures_changed(assembly.pk)
    return entry


@transaction.atomic
def bureau_seat_add(
    *,
    assembly: Assembly,
    role: str,
    name: str,
    roll_entry: RollEntry | None = None,
    actor: Actor,
    now: dt.datetime | None = None,
) -> BureauSeat:
    """Record a member of the bureau: the chair, a scrutineer or the secretary (RULES 16), on
    the meeting's day and before it opens."""
    assembly = assembly_lock(assembly)
    assembly_require(assembly, Action.BUREAU, now=now or timezone.now())
    if role not in BureauSeat.Role.values:
        raise MeetingRefused(_("Unknown role in the bureau."), code="bureau_role")
    if roll_entry is not None:
        roll_entry = RollEntry.objects.get(pk=roll_entry.pk, assembly=assembly)
        name = name.strip() or roll_entry.name
    name = name.strip()
    if not name:
        raise MeetingRefused(_("Give the name of the member of the bureau."), code="bureau_no_name")
    label = BureauSeat.Role(role).label
    if (
        role != BureauSeat.Role.SCRUTINEER
        and BureauSeat.objects.filter(assembly=assembly, role=role).exists()
    ):
        raise MeetingRefused(
            _("The bureau already has a %(role)s: remove them first to record another.")
            % {"role": label},
            code="bureau_seat_taken",
        )
    try:
        with transaction.atomic():
            seat = BureauSeat.objects.create(
                assembly=assembly, role=role, name=name, roll_entry=roll_entry
            )
    except IntegrityError as exc:
        raise MeetingRefused(
            _("The bureau already has a %(role)s: remove them first to record another.")
            % {"role": label},
            code="bureau_seat_taken",
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.BUREAU_SEAT_ADDED,
        target=seat,
        data={
            "assembly": assembly.pk,
            "role": role,
            "name": name,
            "member_number": roll_entry.member_number if roll_entry else None,
        },
    )
    return seat


@transaction.atomic
def bureau_seat_remove(*, seat: BureauSeat, actor: Actor, now: dt.datetime | None = None) -> None:
    assembly = assembly_lock(seat.assembly)
    assembly_require(assembly, Action.BUREAU, now=now or timezone.now())
    seat = BureauSeat.objects.get(pk=seat.pk, assembly=assembly)
    audit_record(
        actor=actor,
        action=AuditAction.BUREAU_SEAT_REMOVED,
        target=seat,
        data={"assembly": assembly.pk, "role": seat.role, "name": seat.name},
    )
    seat.delete()


def bureau_missing(assembly: Assembly) -> list[str]:
    """The roles still empty in the bureau: a chair, at least one scrutineer, a secretary."""
    roles = set(BureauSeat.objects.filter(assembly=assembly).values_list("role", flat=True))
    return [str(role.label) for role in BureauSeat.Role if role.value not in roles]


@transaction.atomic
def meeting_open(
    *, assembly: Assembly, actor: Actor, now: dt.datetime | None = None
) -> AssemblyFigures:
    """Open the meeting, on its day and from its time (RULES 31), once the bureau is complete.

    The time and the quorum figures of that moment are recorded on the assembly (and in the
    audit event "assembly.meeting_opened"). Without the quorum (RULES 12) the assembly ends
    as "quorum not reached": it takes no more votes and decides nothing; a first convocation
    is followed by a second one, prepared from its page.
    """
    now = now or timezone.now()
    assembly = assembly_lock(assembly)
    assembly_require(assembly, Action.OPEN_MEETING, now=now)
    missing = bureau_missing(assembly)
    if missing:
        raise MeetingRefused(
            _("Record the bureau before opening the meeting; missing: %(roles)s.")
            % {"roles": ", ".join(missing)},
            code="bureau_incomplete",
        )
    figures = assembly_figures(assembly=assembly)
    assembly.meeting_opened_at = now
    assembly.meeting_opening_figures = figures.as_dict()
    fields = ["meeting_opened_at", "meeting_opening_figures"]
    if not figures.reached:
        assembly_end_without_quorum(assembly=assembly, now=now)
        fields.append("status")
    assembly.save(update_fields=fields)
    _figures_changed(assembly.pk)
    audit_record(
        actor=actor,
        action=AuditAction.MEETING_OPENED,
        target=assembly,
        data={"opened_at": assembly.meeting_opened_at.isoformat(), **figures.as_dict()},
    )
    if not figures.reached:
        audit_record(
            actor=actor,
            action=AuditAction.QUORUM_NOT_REACHED,
            target=assembly,
            data={"at": now.isoformat(), **figures.as_dict()},
        )
    return figures


def assembly_end_without_quorum(*, assembly: Assembly, now: dt.datetime) -> None:
    """The assembly (locked by the caller) ends as "quorum not reached" (RULES 12, 31): no vote
    is taken any more and nothing is decided; the ballots cast at distance are sealed into the
    box (never tallied), so that none can be linked to its voter (RULES 36). The caller saves
    the status."""
    assembly.status = Assembly.Status.QUORUM_NOT_REACHED
    urn_seal(assembly=assembly)
