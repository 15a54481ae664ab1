"""The votes the bureau counts in the room (RULES 32): recorded, bounded, corrected before the
tally.

For each resolution and college, what the bureau enters (for + against + abstentions) never
exceeds the college's voices in the room that did not vote through the software (see
`governance.selectors.room_counts` for how they are counted). The bound is read under the
assembly's row lock, which check-ins and proxies take too, and which casts hold in SHARE mode:
nobody checks in, gives a proxy or votes between the reading of the bound and the write.

Room counts are append-only (a trigger refuses UPDATE and DELETE). While the vote is open the
bureau may correct a count, with a reason: the correction is a new row naming the row it
corrects; the old value stays. A row is corrected at most once (a unique constraint, and the
assembly's lock makes the second of two simultaneous corrections find the first one).
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coop.actors import Actor, actor_user
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from governance.lifecycle import Action, assembly_allows
from governance.models import Assembly, AssemblyCollege, Resolution, RoomCount
from governance.selectors.room_counts import RoomBound, colleges_counted, room_count_bound

REASON_MAX_LENGTH = 2000


class RoomCountRefused(DomainError):
    """A count of the room is refused; the message says why, with the figures."""


def _lock(assembly: Assembly) -> Assembly:
    return (
        Assembly.objects.select_for_update(of=("self",))
        .select_related("statutes")
        .get(pk=assembly.pk)
    )


def _require_open(assembly: Assembly, *, correcting: bool) -> None:
    """The state is the lifecycle's (governance.lifecycle); the message says what is refused."""
    if assembly_allows(assembly, Action.ROOM_COUNT):
        return
    status = assembly.get_status_display()
    if correcting:
        message = _(
            "A count of the room can only be corrected while the vote is open, before the "
            "tally (status of the assembly: %(status)s)."
        )
    else:
        message = _(
            "Votes counted in the room are entered while the vote is open (status of the "
            "assembly: %(status)s)."
        )
    raise RoomCountRefused(message % {"status": status}, code="not_open", status=assembly.status)


def _require_counts(votes_for: int, votes_against: int, abstentions: int) -> None:
    if min(votes_for, votes_against, abstentions) < 0:
        raise RoomCountRefused(_("Counts cannot be negative."), code="negative")


def _require_within_bound(
    *, resolution: Resolution, college: AssemblyCollege | None, bound: RoomBound, entered: int
) -> None:
    if entered <= bound.voices:
        return
    figures = {
        "voices": bound.voices,
        "college": college.name if college else "",
        "number": resolution.number,
        "present": bound.present,
        "represented": bound.represented,
        "voted": bound.voted,
        "entered": entered,
    }
    if college is not None:
        message = ngettext(
            "At most %(voices)s voice can be counted in the room for college %(college)s on "
            "resolution %(number)s (%(present)s present, %(represented)s represented by "
            "members present, %(voted)s already voted online); %(entered)s entered.",
            "At most %(voices)s voices can be counted in the room for college %(college)s on "
            "resolution %(number)s (%(present)s present, %(represented)s represented by "
            "members present, %(voted)s already voted online); %(entered)s entered.",
            bound.voices,
        )
    else:
        message = ngettext(
            "At most %(voices)s voice can be counted in the room on resolution %(number)s "
            "(%(present)s present, %(represented)s represented by members present, "
            "%(voted)s already voted online); %(entered)s entered.",
            "At most %(voices)s voices can be counted in the room on resolution %(number)s "
            "(%(present)s present, %(represented)s represented by members present, "
            "%(voted)s already voted online); %(entered)s entered.",
            bound.voices,
        )
    raise RoomCountRefused(message % figures, code="over_bound", **figures)


def _college_of(assembly: Assembly, college: AssemblyCollege | None) -> AssemblyCollege | None:
    colleges = colleges_counted(assembly)
    if not colleges:
        if college is not None:
            raise RoomCountRefused(
                _("This assembly votes without colleges: count the room as a whole."),
                code="no_colleges",
            )
        return None
    if college is None:
        raise RoomCountRefused(_("Choose the college of this count."), code="college_required")
    found = next((c for c in colleges if c.pk == college.pk), None)
    if found is None:
        raise RoomCountRefused(_("This college is not one of this assembly's."), code="unknown")
    return found


def _audit_data(row: RoomCount, resolution: Resolution) -> dict[str, Any]:
    return {
        "room_count": row.pk,
        "resolution": resolution.number,
        "college": row.college.name if row.college else "",
        "for": row.votes_for,
        "against": row.votes_against,
        "abstain": row.abstentions,
    }


@transaction.atomic
def room_count_record(
    *,
    assembly: Assembly,
    resolution_id: int,
    college: AssemblyCollege | None,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    actor: Actor,
) -> RoomCount:
    """The bureau enters the votes it counted in the room (hands or paper) for one resolution
    and college (`college` None when the assembly votes without colleges)."""
    assembly = _lock(assembly)
    _require_open(assembly, correcting=False)
    resolution = Resolution.objects.filter(assembly=assembly, pk=resolution_id).first()
    if resolution is None:
        raise RoomCountRefused(
            _("This resolution is not on this assembly's agenda."), code="unknown"
        )
    college = _college_of(assembly, college)
    _require_counts(votes_for, votes_against, abstentions)
    if RoomCount.objects.filter(resolution=resolution, college=college).exists():
        raise RoomCountRefused(
            _(
                "The room's count for this resolution and college is already recorded: "
                "correct it instead."
            ),
            code="already_counted",
        )
    bound = room_count_bound(
        assembly=assembly, resolution_id=resolution.pk, college_id=college.pk if college else None
    )
    _require_within_bound(
        resolution=resolution,
        college=college,
        bound=bound,
        entered=votes_for + votes_against + abstentions,
    )
    try:
        with transaction.atomic():
            row = RoomCount.objects.create(
                resolution=resolution,
                college=college,
                votes_for=votes_for,
                votes_against=votes_against,
                abstentions=abstentions,
                recorded_by=actor_user(actor),
            )
    except IntegrityError as exc:  # the unique first count; the lock makes it unlikely
        raise RoomCountRefused(
            _(
                "The room's count for this resolution and college is already recorded: "
                "correct it instead."
            ),
            code="already_counted",
        ) from exc
    audit_record(
        actor=actor,
        action=AuditAction.ROOM_COUNT,
        target=assembly,
        data={**_audit_data(row, resolution), "voices": bound.voices},
    )
    return row


@transaction.atomic
def room_count_correct(
    *,
    assembly: Assembly,
    room_count: RoomCount,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    reason: str,
    actor: Actor,
) -> RoomCount:
    """The bureau corrects a count of the room before the tally: a new row, with the reason,
    names the row it corrects; the old one is kept."""
    assembly = _lock(assembly)
    _require_open(assembly, correcting=True)
    row = (
        RoomCount.objects.select_related("resolution", "college")
        .filter(pk=room_count.pk, resolution__assembly=assembly)
        .first()
    )
    if row is None:
        raise RoomCountRefused(_("This count is not one of this assembly's."), code="unknown")
    reason = reason.strip()
    if not reason:
        raise RoomCountRefused(
            _("Give the reason for the correction: it is kept with the count."),
            code="reason_required",
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise RoomCountRefused(
            _("The reason is too long (at most %(max)s characters).") % {"max": REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    _require_counts(votes_for, votes_against, abstentions)
    later = RoomCount.objects.filter(corrects=row).select_related("recorded_by").first()
    if later is not None:
        raise _already_corrected(later)
    old = (row.votes_for, row.votes_against, row.abstentions)
    if (votes_for, votes_against, abstentions) == old:
        raise RoomCountRefused(
            _("The correction gives the same figures as the count it corrects."),
            code="unchanged",
        )
    bound = room_count_bound(
        assembly=assembly, resolution_id=row.resolution_id, college_id=row.college_id
    )
    _require_within_bound(
        resolution=row.resolution,
        college=row.college,
        bound=bound,
        entered=votes_for + votes_against + abstentions,
    )
    try:
        with transaction.atomic():
            correction = RoomCount.objects.create(
                resolution=row.resolution,
                college=row.college,
                votes_for=votes_for,
                votes_against=votes_against,
                abstentions=abstentions,
                recorded_by=actor_user(actor),
                corrects=row,
                reason=reason,
            )
    except IntegrityError as exc:  # corrected at most once; the lock makes it unlikely
        later = RoomCount.objects.filter(corrects=row).select_related("recorded_by").first()
        raise _already_corrected(later) from exc
    audit_record(
        actor=actor,
        action=AuditAction.ROOM_COUNT_CORRECTED,
        target=assembly,
        data={
            **_audit_data(correction, row.resolution),
            "corrects": row.pk,
            "was": {
                "for": row.votes_for,
                "against": row.votes_against,
                "abstain": row.abstentions,
            },
            "reason": reason,
            "voices": bound.voices,
        },
    )
    return correction


def _already_corrected(later: RoomCount | None) -> RoomCountRefused:
    if later is None:
        return RoomCountRefused(
            _("This count was already corrected: correct the current count."),
            code="already_corrected",
        )
    return RoomCountRefused(
        _(
            "This count was already corrected at %(time)s (for: %(for)s, against: %(against)s, "
            "abstentions: %(abstain)s): correct the current count."
        )
        % {
            "time": date_format(timezone.localtime(later.recorded_at), "DATETIME_FORMAT"),
            "for": later.votes_for,
            "against": later.votes_against,
            "abstain": later.abstentions,
        },
        code="already_corrected",
    )
