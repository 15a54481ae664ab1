"""The life of a general assembly: its states, the actions that move it, and the dates that
gate them (RULES 11, 12, 15, 31). docs/assembly-lifecycle.md describes the same machine in words.

Every service that changes an assembly, or records something in it, locks the assembly's row
and then calls `assembly_require(assembly, action, now=…)` before anything else: this module is
the one place that says whether that action is allowed in that state on that date. Views use
`assembly_allows` to decide which buttons to show; the service re-checks under the lock.

States (`Assembly.Status`)::

    draft ──convene──▶ convened ──open vote──▶ voting open ──close vote──▶ voting closed
      │                  │  │                                                  │ publish
      │                  │  └─open meeting without quorum──▶ quorum not reached │
      │                  │  └─close an online vote without quorum──▶ (same)    ▼
      │                  └─cancel──▶ cancelled                          results published

"Quorum not reached" and "cancelled" are final: no vote is taken, nothing is decided. From
"quorum not reached" (a first convocation) the second convocation is prepared with the same
agenda, as a new draft dated after the first's meeting and convened with its own notice.

Refusals are `AssemblyRefused` errors whose message names the rule and the day or the figure.
"""

import datetime as dt
import zoneinfo
from enum import StrEnum

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from coop.errors import DomainError
from governance import business_days
from governance.models import Assembly

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)
Status = Assembly.Status

# When the statutes frozen in the assembly do not say (assemblies convened before the setting
# existed): the meeting may open up to an hour before its convened time (RULES 31).
DEFAULT_EARLY_OPENING_MINUTES = 60


class Action(StrEnum):
    """What can be done to an assembly. The services name theirs when they check."""

    PREPARE = "prepare"  # change the draft: details, agenda, resolutions
    CONVENE = "convene"
    CANCEL = "cancel"
    GIVE_PROXY = "give_proxy"  # give or revoke a proxy
    CAST_DISTANCE = "cast_distance"  # a distance vote, online or by post
    CHECK_IN = "check_in"  # check a member in or out at the meeting
    BUREAU = "bureau"  # record or remove a seat of the bureau
    OPEN_MEETING = "open_meeting"
    OPEN_VOTE = "open_vote"
    CAST_ROOM = "cast_room"  # a vote in the meeting, online
    ROOM_COUNT = "room_count"  # the bureau enters or corrects what it counted in the room
    CLOSE_VOTE = "close_vote"
    TALLY = "tally"
    PUBLISH = "publish"
    PREPARE_SECOND = "prepare_second"
    ADD_DOCUMENT = "add_document"  # attach a document (accounts, reports), until the meeting
    REMOVE_DOCUMENT = "remove_document"  # only before convocation: after it, members have it
    ASK_QUESTION = "ask_question"  # a member's written question, until its deadline (RULES 35)
    ANSWER_QUESTION = "answer_question"  # the board's answer, until the minutes are published
    RECORD_POSTAL_FORM = "record_postal_form"  # the bureau records a paper form (RULES 33)


class AssemblyRefused(DomainError):
    """The assembly's state or the date does not allow this action now."""


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value, PARIS)


def _day(value: dt.datetime) -> str:
    return date_format(_local(value).date(), "DATE_FORMAT")


def _time(value: dt.datetime) -> str:
    return time_format(_local(value).time(), "TIME_FORMAT")


def is_online_only(assembly: Assembly) -> bool:
    """An assembly without a place: its vote is held online and closed by the chair."""
    return not assembly.place.strip()


def early_opening_minutes(assembly: Assembly) -> int:
    statutes = assembly.statutes if assembly.statutes_id else None
    minutes = getattr(statutes, "meeting_early_opening_minutes", None)
    return DEFAULT_EARLY_OPENING_MINUTES if minutes is None else minutes


def meeting_window_opens(assembly: Assembly) -> dt.datetime:
    """The earliest moment the meeting may open: its convened time, or up to the statutes'
    minutes earlier, never before midnight of its day."""
    start = _local(assembly.starts_at)
    midnight = dt.datetime.combine(start.date(), dt.time(0), tzinfo=PARIS)
    return max(start - dt.timedelta(minutes=early_opening_minutes(assembly)), midnight)


def written_questions_closing(assembly: Assembly) -> dt.datetime:
    """When written questions stop being accepted (RULES 35): the end of the statutes'
    `written_questions_business_days`th business day before the meeting."""
    statutes = assembly.statutes if assembly.statutes_id else None
    days = getattr(statutes, "written_questions_business_days", None)
    return business_days.written_questions_closing(
        starts_at=assembly.starts_at,
        business_days=business_days.DEFAULT_WRITTEN_QUESTIONS_BUSINESS_DAYS
        if days is None
        else days,
    )


def is_meeting_day(assembly: Assembly, now: dt.datetime) -> bool:
    return _local(now).date() == _local(assembly.starts_at).date()


def _status_refusal(assembly: Assembly, action: Action) -> AssemblyRefused:
    """Why `action` cannot be done in the assembly's state (the date is not the reason)."""
    status = assembly.status
    if status == Status.CANCELLED:
        return AssemblyRefused(
            _("This assembly was cancelled on %(date)s: nothing more can be done in it.")
            % {"date": _day(assembly.cancelled_at or assembly.starts_at)},
            code="cancelled",
        )
    if status == Status.QUORUM_NOT_REACHED:
        return AssemblyRefused(
            _(
                "This assembly did not reach its quorum: it takes no more votes and "
                "decides nothing. The second convocation is prepared from its page."
            ),
            code="quorum_not_reached",
        )
    if status == Status.DRAFT:
        return AssemblyRefused(_("This assembly has not been convened yet."), code="not_convened")
    messages = {
        Action.PREPARE: _(
            "This assembly was convened: its agenda and details can no longer change. "
            "Cancel it and convene a new one if they must."
        ),
        Action.CONVENE: _("This assembly was already convened: it cannot be convened again."),
        Action.CANCEL: _("The vote of this assembly has opened: it can no longer be cancelled."),
        Action.GIVE_PROXY: _("Voting has opened: proxies can no longer be given or revoked."),
        Action.CAST_DISTANCE: _("Distance voting is over for this assembly."),
        Action.CHECK_IN: _("Voting is closed: the attendance can no longer change."),
        Action.BUREAU: _("The bureau is recorded while the meeting is being opened."),
        Action.OPEN_MEETING: _("The meeting of this assembly is already open."),
        Action.OPEN_VOTE: _("The vote can only be opened while the meeting is held."),
        Action.CAST_ROOM: _("The vote is not open in the meeting."),
        Action.ROOM_COUNT: _(
            "Votes counted in the room are entered or corrected while the vote is open, before "
            "the tally."
        ),
        Action.CLOSE_VOTE: _("The vote is not open on this assembly."),
        Action.TALLY: _("Only a closed vote is tallied."),
        Action.PUBLISH: _("Only the results of a closed and tallied vote are published."),
        Action.PREPARE_SECOND: _(
            "A second convocation is prepared only when the first did not reach its quorum."
        ),
        Action.ADD_DOCUMENT: _("Documents are attached to an assembly until its meeting."),
        Action.REMOVE_DOCUMENT: _(
            "The members were sent this assembly's documents with their convocation: a "
            "document can be added, not removed."
        ),
        Action.ASK_QUESTION: _("Written questions are sent before the meeting."),
        Action.ANSWER_QUESTION: _("The board answers the written questions of a held assembly."),
        Action.RECORD_POSTAL_FORM: _(
            "Postal forms and paper proxies are recorded from the convocation until the vote "
            "closes."
        ),
    }
    return AssemblyRefused(
        _("%(reason)s (This assembly is %(status)s.)")
        % {"reason": messages[action], "status": assembly.get_status_display()},
        code="wrong_state",
    )


# The states in which each action may be done. The dates are checked after.
ALLOWED_STATES: dict[Action, tuple[str, ...]] = {
    Action.PREPARE: (Status.DRAFT,),
    Action.CONVENE: (Status.DRAFT,),
    Action.CANCEL: (Status.CONVENED,),
    Action.GIVE_PROXY: (Status.CONVENED,),
    Action.CAST_DISTANCE: (Status.CONVENED,),
    Action.CHECK_IN: (Status.CONVENED, Status.VOTING_OPEN),
    Action.BUREAU: (Status.CONVENED,),
    Action.OPEN_MEETING: (Status.CONVENED,),
    Action.OPEN_VOTE: (Status.CONVENED,),
    Action.CAST_ROOM: (Status.VOTING_OPEN,),
    Action.ROOM_COUNT: (Status.VOTING_OPEN,),
    Action.CLOSE_VOTE: (Status.VOTING_OPEN, Status.CONVENED),
    Action.TALLY: (Status.VOTING_CLOSED,),
    Action.PUBLISH: (Status.VOTING_CLOSED,),
    Action.PREPARE_SECOND: (Status.QUORUM_NOT_REACHED,),
    Action.ADD_DOCUMENT: (Status.DRAFT, Status.CONVENED),
    Action.REMOVE_DOCUMENT: (Status.DRAFT,),
    Action.ASK_QUESTION: (Status.CONVENED,),
    Action.ANSWER_QUESTION: (
        Status.CONVENED,
        Status.VOTING_OPEN,
        Status.VOTING_CLOSED,
        Status.PUBLISHED,
    ),
    # Until the vote closes; a form recorded once distance voting is over is kept as late.
    Action.RECORD_POSTAL_FORM: (Status.CONVENED, Status.VOTING_OPEN),
}


def _meeting_day_refusal(assembly: Assembly, what: str) -> AssemblyRefused:
    return AssemblyRefused(
        _("%(what)s only on the day of the meeting, %(date)s.")
        % {"what": what, "date": _day(assembly.starts_at)},
        code="not_meeting_day",
    )


def _check_dates(assembly: Assembly, action: Action, now: dt.datetime) -> None:
    opened = assembly.meeting_opened_at is not None
    if action == Action.GIVE_PROXY and assembly.voting_opened_at is not None:
        raise _status_refusal(assembly, action)
    # An online-only assembly votes online until the chair closes the vote (RULES 15).
    if (
        action == Action.CAST_DISTANCE
        and now > assembly.distance_vote_deadline
        and not is_online_only(assembly)
    ):
        raise AssemblyRefused(
            _(
                "Distance voting closed on %(date)s at %(time)s. You can still vote "
                "in the meeting once the chair opens the vote."
            )
            % {
                "date": _day(assembly.distance_vote_deadline),
                "time": _time(assembly.distance_vote_deadline),
            },
            code="distance_closed",
        )
    if action == Action.CHECK_IN and not opened and not is_meeting_day(assembly, now):
        raise _meeting_day_refusal(assembly, _("Members are checked in"))
    if action == Action.BUREAU:
        if opened:
            raise AssemblyRefused(
                _(
                    "The meeting opened at %(time)s: its bureau certified the attendance and "
                    "cannot change."
                )
                % {"time": _time(assembly.meeting_opened_at)},
                code="bureau_closed",
            )
        if not is_meeting_day(assembly, now):
            raise _meeting_day_refusal(assembly, _("The bureau is recorded"))
    if action == Action.OPEN_MEETING:
        if opened:
            raise AssemblyRefused(
                _("The meeting was already opened at %(time)s.")
                % {"time": _time(assembly.meeting_opened_at)},
                code="already_open",
            )
        if is_online_only(assembly):
            raise AssemblyRefused(
                _(
                    "This assembly is held online only: there is no meeting room to open. "
                    "The chair closes the vote at the time of the meeting."
                ),
                code="online_only",
            )
        window = meeting_window_opens(assembly)
        if not is_meeting_day(assembly, now) or now < window:
            raise AssemblyRefused(
                _(
                    "The meeting was convened for %(date)s at %(time)s: it can open that day "
                    "from %(from)s, not before and not on another day."
                )
                % {
                    "date": _day(assembly.starts_at),
                    "time": _time(assembly.starts_at),
                    "from": _time(window),
                },
                code="not_meeting_time",
            )
    if action == Action.OPEN_VOTE and not opened:
        raise AssemblyRefused(
            _("Open the meeting first: the bureau checks the quorum when the meeting opens."),
            code="meeting_not_opened",
        )
    if action == Action.CLOSE_VOTE and assembly.status == Status.CONVENED:
        if not is_online_only(assembly):
            raise _status_refusal(assembly, action)
        window = meeting_window_opens(assembly)
        if now < window:
            raise AssemblyRefused(
                _(
                    "The online vote of this assembly closes at its meeting, on %(date)s at "
                    "%(time)s: it cannot be closed before %(from)s that day."
                )
                % {
                    "date": _day(assembly.starts_at),
                    "time": _time(assembly.starts_at),
                    "from": _time(window),
                },
                code="not_meeting_time",
            )
    if action == Action.ADD_DOCUMENT and (opened or now >= assembly.starts_at):
        raise AssemblyRefused(
            _("The meeting of %(date)s at %(time)s has started: documents are attached before it.")
            % {"date": _day(assembly.starts_at), "time": _time(assembly.starts_at)},
            code="meeting_started",
        )
    if action == Action.ASK_QUESTION:
        closing = written_questions_closing(assembly)
        if now >= closing:
            last = closing - dt.timedelta(minutes=1)
            raise AssemblyRefused(
                _(
                    "Written questions were accepted until %(date)s at %(time)s (Paris time): "
                    "the deadline has passed. You can still ask your question at the meeting."
                )
                % {"date": _day(last), "time": _time(last)},
                code="questions_closed",
                deadline=closing.isoformat(),
            )
    if action == Action.CANCEL and opened:
        raise AssemblyRefused(
            _(
                "The meeting opened at %(time)s: the assembly is held and can no longer be "
                "cancelled."
            )
            % {"time": _time(assembly.meeting_opened_at)},
            code="meeting_opened",
        )


def assembly_require(assembly: Assembly, action: Action, *, now: dt.datetime) -> None:
    """Refuse `action` unless the assembly's state and `now` allow it.

    Call it on the row locked by the service, so that the state cannot change in between.
    """
    if assembly.status not in ALLOWED_STATES[action]:
        raise _status_refusal(assembly, action)
    _check_dates(assembly, action, now)


def assembly_allows(assembly: Assembly, action: Action, *, now: dt.datetime | None = None) -> bool:
    """Whether `action` would be accepted now (for showing a button; the service re-checks)."""
    try:
        assembly_require(assembly, action, now=now or timezone.now())
    except AssemblyRefused:
        return False
    return True


def second_convocation_date_check(*, first: Assembly, starts_at: dt.datetime) -> None:
    """RULES 31: the second convocation's meeting comes after the first's, on a later day."""
    if _local(starts_at).date() <= _local(first.starts_at).date():
        raise AssemblyRefused(
            _(
                "The second convocation's meeting must be after the first's, which was held "
                "on %(date)s: choose a later day."
            )
            % {"date": _day(first.starts_at)},
            code="second_before_first",
        )


def postal_form_counts(assembly: Assembly, *, now: dt.datetime) -> bool:
    """RULES 33: a paper form counts when it is recorded while distance votes are accepted
    (until the distance-vote deadline; until the chair closes an online-only vote). The bureau
    records forms as they arrive: one recorded later was received too late and is kept as
    late, counting for nothing."""
    return assembly_allows(assembly, Action.CAST_DISTANCE, now=now)


def postal_receipt_date_check(
    assembly: Assembly, *, received_on: dt.date, now: dt.datetime
) -> None:
    """The date of receipt the bureau gives: not in the future, not before the convocation
    (the form came with the convocation's letter)."""
    today = _local(now).date()
    # A form sent for the first convocation counts for the second of the same agenda.
    convened_at = (
        assembly.first_convocation.convened_at
        if assembly.first_convocation_id
        else assembly.convened_at
    )
    if received_on > today:
        raise AssemblyRefused(
            _("The date of receipt, %(date)s, is in the future.")
            % {"date": date_format(received_on, "DATE_FORMAT")},
            code="received_in_future",
        )
    if convened_at is not None and received_on < _local(convened_at).date():
        raise AssemblyRefused(
            _(
                "The date of receipt, %(date)s, is before the assembly was convened on "
                "%(convened)s: the form came with the convocation."
            )
            % {
                "date": date_format(received_on, "DATE_FORMAT"),
                "convened": _day(convened_at),
            },
            code="received_before_convocation",
        )
