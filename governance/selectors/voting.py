"""Reads of the vote: who may vote for whom, results, the published ballot box, receipts."""

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import Q, QuerySet, Subquery

from coop import formatting
from coop.fractions import format_fraction
from governance.models import (
    Assembly,
    Ballot,
    Participation,
    Proxy,
    Resolution,
    ResolutionResult,
    RollEntry,
    RoomCount,
)
from governance.services.ballots import receipt_digest
from members.models import Member


def voter_for_user(*, assembly_pk: int, user: Any) -> RollEntry | None:
    """The user's roll entry in the assembly, with the assembly, its statutes and the entry's
    college, in one query; None when the user is not on that roll (or there is no such
    assembly)."""
    if not getattr(user, "is_authenticated", False):
        return None
    # The member's id by a scalar subquery: the lookup is then one probe of the roll's unique
    # (assembly, member) index, whatever the planner knows of the roll's size.
    member = Member.objects.filter(user=user).values("pk")[:1]
    return (
        RollEntry.objects.select_related("assembly__statutes", "college")
        .filter(assembly_id=assembly_pk, member_id=Subquery(member))
        .first()
    )


@dataclass(frozen=True)
class Voice:
    """Someone the voter may cast a vote for: themselves or a principal."""

    entry: RollEntry
    is_self: bool
    voted: bool


@dataclass(frozen=True)
class BallotSituation:
    voter: RollEntry
    voices: list[Voice] = field(default_factory=list)
    proxy_given_to: str = ""

    @property
    def open_voices(self) -> list[Voice]:
        return [v for v in self.voices if not v.voted]


def ballot_situation(*, assembly: Assembly, voter: RollEntry) -> BallotSituation:
    """The voter and the principals whose proxies they hold, and who has already voted."""
    proxies = list(
        Proxy.objects.select_related("giver__college", "holder").filter(
            Q(holder=voter) | Q(giver=voter), revoked_at__isnull=True
        )
    )
    principals = sorted(
        (p.giver for p in proxies if p.holder_id == voter.pk), key=lambda e: e.member_number
    )
    given = next((p for p in proxies if p.giver_id == voter.pk), None)
    entries = [voter, *principals]
    voted = set(
        Participation.objects.filter(roll_entry__in=entries)
        .values_list("roll_entry_id", flat=True)
        .distinct()
    )
    voices = []
    if given is None or voter.pk in voted:
        voices.append(Voice(voter, True, voter.pk in voted))
    voices += [Voice(p, False, p.pk in voted) for p in principals]
    return BallotSituation(
        voter=voter, voices=voices, proxy_given_to=given.holder.name if given else ""
    )


def resolutions_of(*, assembly: Assembly) -> QuerySet[Resolution]:
    return assembly.resolutions.select_related("agenda_item").order_by("number")


def results_of(*, assembly: Assembly) -> list[tuple[Resolution, ResolutionResult | None]]:
    resolutions = list(resolutions_of(assembly=assembly))
    results = {
        r.resolution_id: r for r in ResolutionResult.objects.filter(resolution__assembly=assembly)
    }
    return [(resolution, results.get(resolution.pk)) for resolution in resolutions]


@dataclass(frozen=True)
class CollegeStep:
    """One college's line of the hand check, from the stored arithmetic."""

    name: str
    weight: str
    votes_for: int
    expressed: int
    abstentions: int
    share: str | None  # for / expressed, reduced; None when nothing was expressed
    counted_weight: str
    contribution: str
    rescaled: bool  # its counted weight is its weight over the weights that expressed


@dataclass(frozen=True)
class ResultSteps:
    """A resolution's result as sentences a member can check with pen and paper."""

    colleges: list[CollegeStep]
    expressed_weight: str  # the sum of the weights of the colleges that expressed
    terms: str  # "6/25 + 9/50 + 1/5"
    total: str | None  # None when nobody expressed a vote
    total_percent: str
    threshold: str
    threshold_percent: str
    strict: bool
    adopted: bool


def percent_text(value: Fraction) -> str:
    """A percentage for reading (two decimals, localised); decisions use the exact fraction."""
    return formatting.percent(value)


def result_steps(result: ResolutionResult) -> ResultSteps:
    """The stored tally of a resolution, step by step (RULES 8)."""
    lines = result.colleges
    expressed_weight = sum(
        (Fraction(line["weight"]) for line in lines if line["expressed"]), Fraction(0)
    )
    colleges = [
        CollegeStep(
            name=line["name"],
            weight=line["weight"],
            votes_for=line["for"],
            expressed=line["expressed"],
            abstentions=line["abstain"],
            share=line["share_for"],
            counted_weight=line["counted_weight"],
            contribution=line["contribution"],
            rescaled=bool(line["expressed"]) and line["counted_weight"] != line["weight"],
        )
        for line in lines
    ]
    threshold = Fraction(result.majority_threshold)
    total = Fraction(result.weighted_for) if result.weighted_for else None
    return ResultSteps(
        colleges=colleges,
        expressed_weight=format_fraction(expressed_weight),
        terms=" + ".join(line["contribution"] for line in lines if line["expressed"]),
        total=result.weighted_for or None,
        total_percent=percent_text(total) if total is not None else "",
        threshold=result.majority_threshold,
        threshold_percent=percent_text(threshold),
        strict=result.majority_strict,
        adopted=result.adopted,
    )


def room_counts_of(*, assembly: Assembly) -> QuerySet[RoomCount]:
    """The current room counts (a corrected row is kept but no longer counts)."""
    return (
        RoomCount.objects.filter(resolution__assembly=assembly, corrections__isnull=True)
        .select_related("college", "resolution")
        .order_by("resolution__number", "college__position", "college__name")
    )


def ballot_box(*, assembly: Assembly) -> QuerySet[Ballot]:
    """Every ballot of the assembly, ordered by receipt: the order says nothing about time."""
    return (
        Ballot.objects.filter(resolution__assembly=assembly)
        .select_related("resolution", "college")
        .order_by("resolution__number", "receipt")
    )


@dataclass(frozen=True)
class ReceiptLine:
    resolution: Resolution
    ballot: Ballot | None


def receipt_lookup(*, assembly: Assembly, code: str) -> list[ReceiptLine]:
    """Where the ballots of a receipt are in the box, resolution by resolution."""
    resolutions = list(resolutions_of(assembly=assembly))
    digests = {receipt_digest(code=code, resolution_id=r.pk): r for r in resolutions}
    found = {
        b.resolution_id: b
        for b in Ballot.objects.filter(receipt__in=list(digests)).select_related("college")
    }
    return [ReceiptLine(r, found.get(r.pk)) for r in resolutions]
