"""The vote in the meeting: opened and closed by the chair, tallied once, results published.

Closing takes the assembly row FOR UPDATE, so it waits until every cast in flight (they hold
the row in SHARE mode) has committed; from then on no cast is accepted. In the same transaction
the urn is sealed (`governance.services.urn`): its ballots move into the append-only ballot
box in the order of their random keys. The tally runs after commit in a Celery task (and a
sweep every minute catches a close whose task was never queued), reads the sealed box only,
and refuses to run twice (one result per resolution, a unique key).
"""

import datetime as dt
from collections import defaultdict
from fractions import Fraction

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.actors import Actor
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.fractions import format_fraction
from coop.models import NoticeDelivery
from coop.outbox import notice_enqueue, notice_render_delivery
from coop.statutes.rules import majority_required
from governance.lifecycle import Action, assembly_require
from governance.models import (
    Assembly,
    AssemblyCollege,
    Ballot,
    Resolution,
    ResolutionResult,
    RoomCount,
)
from governance.selectors.figures import assembly_figures, meeting_opening
from governance.selectors.room_counts import room_count_sheet
from governance.services.meeting import assembly_end_without_quorum
from governance.services.urn import urn_seal
from governance.tally import (
    CollegeCount,
    Tally,
    TallyLine,
    tally_compute,
    tally_lines_dump,
    weight_share,
)
from governance.tasks import assembly_tally_task

SINGLE_COLLEGE = "all"


def _locked(assembly: Assembly) -> Assembly:
    return Assembly.objects.select_for_update().get(pk=assembly.pk)


@transaction.atomic
def voting_open(*, assembly: Assembly, actor: Actor, now: dt.datetime | None = None) -> Assembly:
    """The chair opens the vote in the meeting: members vote on their phones or by hand.

    The meeting opened with its quorum (an assembly without it ended as "quorum not reached"
    when the meeting opened, governance.services.meeting.meeting_open)."""
    now = now or timezone.now()
    assembly = _locked(assembly)
    assembly_require(assembly, Action.OPEN_VOTE, now=now)
    opening = meeting_opening(assembly=assembly)
    figures = opening.figures if opening and opening.figures else None
    if figures is None:  # opened before figures were recorded: count now
        figures = assembly_figures(assembly=assembly).as_dict()
    if not figures["reached"]:
        raise DomainError(
            _(
                "The quorum was not reached when the meeting opened (%(total)s members counted, "
                "%(required)s required): the assembly cannot decide. Prepare the second "
                "convocation instead."
            )
            % {"total": figures["total"], "required": figures["quorum_required"]},
            code="no_quorum",
        )
    assembly.status = Assembly.Status.VOTING_OPEN
    assembly.voting_opened_at = now
    assembly.save(update_fields=["status", "voting_opened_at"])
    audit_record(actor=actor, action=AuditAction.VOTING_OPENED, target=assembly)
    return assembly


@transaction.atomic
def voting_close(*, assembly: Assembly, actor: Actor, now: dt.datetime | None = None) -> Assembly:
    """The chair closes the vote; the tally starts once this is committed.

    An online-only assembly has no meeting that opens: its vote runs from the convocation and
    the chair closes it at the meeting's time (RULES 15). Its quorum is counted then (RULES
    31): without it, the assembly ends as "quorum not reached" and nothing is tallied.
    """
    now = now or timezone.now()
    assembly = _locked(assembly)  # waits for the casts in flight
    assembly_require(assembly, Action.CLOSE_VOTE, now=now)
    _refuse_counts_above_the_room(assembly)
    fields = ["status", "voting_closed_at"]
    assembly.voting_closed_at = now
    if assembly.status == Assembly.Status.CONVENED:  # an online-only vote
        figures = assembly_figures(assembly=assembly)
        assembly.meeting_opening_figures = figures.as_dict()
        fields.append("meeting_opening_figures")
        if not figures.reached:
            assembly_end_without_quorum(assembly=assembly, now=now)
            assembly.save(update_fields=fields)
            audit_record(
                actor=actor,
                action=AuditAction.QUORUM_NOT_REACHED,
                target=assembly,
                data={"at": now.isoformat(), **figures.as_dict()},
            )
            return assembly
    assembly.status = Assembly.Status.VOTING_CLOSED
    assembly.save(update_fields=fields)
    urn_seal(assembly=assembly)
    audit_record(actor=actor, action=AuditAction.VOTING_CLOSED, target=assembly)

    pk = assembly.pk
    transaction.on_commit(lambda: assembly_tally_task.delay(pk), robust=True)
    return assembly


def _refuse_counts_above_the_room(assembly: Assembly) -> None:
    """RULES 32 at the close: no count of the room may exceed the voices in the room as they
    are now (a member checked out, or voted on their phone, after the count was entered).
    The bureau corrects it first, with a reason."""
    over = [line for line in room_count_sheet(assembly=assembly) if line.over_bound]
    if not over:
        return
    line = over[0]
    raise DomainError(
        _(
            "The room's count for resolution %(number)s%(college)s is %(counted)s, more than "
            "the voices now in the room that did not vote in the software (%(voices)s): "
            "correct it before closing the vote."
        )
        % {
            "number": line.resolution.number,
            "college": f" ({line.college.name})" if line.college else "",
            "counted": line.chain.current.total if line.chain else 0,
            "voices": line.bound.voices,
        },
        code="count_above_room",
    )


def _college_counts(assembly: Assembly) -> dict[int, list[CollegeCount]]:
    """Per resolution, the votes of each frozen college: ballot box plus room counts."""
    colleges = list(AssemblyCollege.objects.filter(assembly=assembly).order_by("position", "name"))
    weighted = bool(colleges) and assembly.frozen_statutes.colleges_enabled
    totals: dict[tuple[int, int | None], dict[str, int]] = defaultdict(
        lambda: {"for": 0, "against": 0, "abstain": 0}
    )
    resolutions = list(assembly.resolutions.all())
    rows = (
        # By resolution ids (no join, whose estimate misleads the planner) and count(*), which
        # the (resolution, college, choice) index answers alone.
        Ballot.objects.filter(resolution_id__in=[r.pk for r in resolutions])
        .values("resolution_id", "college_id", "choice")
        .annotate(n=Count("*"))
        .order_by()
    )
    for row in rows:
        college = row["college_id"] if weighted else None
        totals[(row["resolution_id"], college)][row["choice"]] += row["n"]
    # Only the current room counts: a corrected row is kept but no longer counts (RULES 32).
    for room in RoomCount.objects.filter(resolution__assembly=assembly, corrections__isnull=True):
        college = room.college_id if weighted else None
        bucket = totals[(room.resolution_id, college)]
        bucket["for"] += room.votes_for
        bucket["against"] += room.votes_against
        bucket["abstain"] += room.abstentions

    result: dict[int, list[CollegeCount]] = {}
    for resolution in resolutions:
        if weighted:
            result[resolution.pk] = [
                CollegeCount(
                    key=str(college.pk),
                    name=college.name,
                    weight=weight_share(college.weight),
                    votes_for=totals[(resolution.pk, college.pk)]["for"],
                    votes_against=totals[(resolution.pk, college.pk)]["against"],
                    abstentions=totals[(resolution.pk, college.pk)]["abstain"],
                )
                for college in colleges
            ]
        else:
            bucket = totals[(resolution.pk, None)]
            result[resolution.pk] = [
                CollegeCount(
                    key=SINGLE_COLLEGE,
                    name=str(_("all members")),
                    weight=Fraction(1),
                    votes_for=bucket["for"],
                    votes_against=bucket["against"],
                    abstentions=bucket["abstain"],
                )
            ]
    return result


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else format_fraction(value)


def tally_arithmetic(tally: Tally) -> list[TallyLine]:
    """The steps of the tally, per college, as stored with the result and published."""
    return [
        TallyLine(
            key=line.count.key,
            name=line.count.name,
            weight=format_fraction(line.count.weight),
            votes_for=line.count.votes_for,
            votes_against=line.count.votes_against,
            abstentions=line.count.abstentions,
            expressed=line.count.expressed,
            share_for=_fraction_text(line.share_for),
            counted_weight=format_fraction(line.counted_weight),
            contribution=format_fraction(line.contribution),
        )
        for line in tally.colleges
    ]


def tally_recompute(*, assembly: Assembly) -> list[tuple[Resolution, Tally]]:
    """Count every resolution from the sealed box and the room counts; write nothing.

    What the tally stores, and what `manage.py recount` compares with what was stored.
    """
    statutes = assembly.frozen_statutes
    counts = _college_counts(assembly)
    return [
        (
            resolution,
            tally_compute(
                counts=counts[resolution.pk],
                policy=statutes.empty_college_policy,
                majority=majority_required(statutes=statutes, kind=resolution.majority_kind),
            ),
        )
        for resolution in assembly.resolutions.order_by("number")
    ]


@transaction.atomic
def assembly_tally(*, assembly: Assembly, now: dt.datetime | None = None) -> list[ResolutionResult]:
    """Count every resolution of a closed vote, once."""
    now = now or timezone.now()
    assembly = _locked(assembly)
    assembly_require(assembly, Action.TALLY, now=now)
    if ResolutionResult.objects.filter(resolution__assembly=assembly).exists():
        raise DomainError(_("This vote has already been tallied."), code="already_tallied")

    urn_seal(assembly=assembly)  # sealed at close already: nothing moves, unless left behind
    results = []
    for resolution, tally in tally_recompute(assembly=assembly):
        results.append(
            ResolutionResult(
                resolution=resolution,
                tallied_at=now,
                empty_college_policy=str(tally.policy),
                majority_threshold=format_fraction(tally.majority.threshold),
                majority_strict=tally.majority.strict,
                votes_for=tally.votes_for,
                votes_against=tally.votes_against,
                abstentions=tally.abstentions,
                weighted_for=_fraction_text(tally.weighted_for) or "",
                adopted=tally.adopted,
                colleges=tally_lines_dump(tally_arithmetic(tally)),
            )
        )
    ResolutionResult.objects.bulk_create(results)
    audit_record(
        actor=None,
        action=AuditAction.TALLIED,
        target=assembly,
        data={
            "resolutions": [
                {
                    "number": r.resolution.number,
                    "adopted": r.adopted,
                    "weighted_for": r.weighted_for,
                }
                for r in results
            ]
        },
    )
    return results


RESULTS_NOTICE = "assembly-results"


@transaction.atomic
def results_publish(
    *, assembly: Assembly, actor: Actor, now: dt.datetime | None = None
) -> Assembly:
    """Publish the results to the members: they are told by e-mail when they agreed to it,
    by a letter to post otherwise (governance.letters prints it)."""
    assembly = _locked(assembly)
    assembly_require(assembly, Action.PUBLISH, now=now or timezone.now())
    resolutions = assembly.resolutions.count()
    if ResolutionResult.objects.filter(resolution__assembly=assembly).count() != resolutions:
        raise DomainError(
            _("The tally has not finished yet: publish once every resolution is counted."),
            code="not_tallied",
        )
    assembly.status = Assembly.Status.PUBLISHED
    assembly.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.RESULTS_PUBLISHED, target=assembly)

    results_url = settings.SITE_URL.rstrip("/") + reverse(
        "governance:results", kwargs={"pk": assembly.pk}
    )
    context = {
        "assembly_title": assembly.title,
        "starts_at": assembly.starts_at,
        "results": list(
            ResolutionResult.objects.filter(resolution__assembly=assembly)
            .select_related("resolution")
            .order_by("resolution__number")
        ),
        "results_url": results_url,
    }
    entries = assembly.roll.select_related("member").order_by("member_number")
    # By e-mail to those who agreed to it; a letter to post for the others (RULES 11).
    drafts = [
        notice_render_delivery(
            recipient_key=f"member:{entry.member_id}",
            to_email=entry.member.email if by_email else "",
            language=entry.member.language,
            template_prefix="governance/voting/results",
            context={**context, "name": entry.name},
            channel=NoticeDelivery.Channel.EMAIL if by_email else NoticeDelivery.Channel.LETTER,
        )
        for entry in entries
        for by_email in [entry.member.e_notices and bool(entry.member.email.strip())]
    ]
    if drafts:
        notice_enqueue(
            kind=RESULTS_NOTICE,
            reference=f"assembly:{assembly.pk}",
            deliveries=drafts,
            actor=actor,
        )
    return assembly
