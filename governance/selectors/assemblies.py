"""Reads for preparing and convening assemblies: the lists, one assembly with its agenda, the
majority each resolution needs, the default distance-vote deadline, the proof of sending and
whether the quorum was reached when the meeting opened (for a second convocation)."""

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from fractions import Fraction

from django.conf import settings
from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from coop.models import NoticeDelivery, Statutes
from coop.statutes import StatutesNotInForce, majority_required, quorum_required, statutes_in_force
from coop.statutes.rules import fraction_text
from governance.models import AgendaItem, Assembly, Resolution, RollEntry
from governance.selectors.figures import assembly_figures, meeting_opening

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)
Status = Assembly.Status

# Statuses of an assembly that has taken place or will not: listed under "past".
DONE_STATUSES = (
    Status.VOTING_CLOSED,
    Status.PUBLISHED,
    Status.CANCELLED,
    Status.QUORUM_NOT_REACHED,
)


# --- Lists -----------------------------------------------------------------------------------


def assemblies_drafts() -> QuerySet[Assembly]:
    """Assemblies in preparation, the soonest meeting first."""
    return Assembly.objects.filter(status=Status.DRAFT).order_by("starts_at", "id")


def assemblies_upcoming(*, now: dt.datetime | None = None) -> QuerySet[Assembly]:
    """Convened assemblies (or in session) whose meeting has not passed, the soonest first."""
    now = now or timezone.now()
    day_start = dt.datetime.combine(now.astimezone(PARIS).date(), dt.time(0), tzinfo=PARIS)
    return (
        Assembly.objects.exclude(status__in=(Status.DRAFT, *DONE_STATUSES))
        .filter(starts_at__gte=day_start)
        .annotate(roll_size=Count("roll"))
        .order_by("starts_at", "id")
    )


def assemblies_past(*, now: dt.datetime | None = None) -> QuerySet[Assembly]:
    """Assemblies that were held, closed or cancelled, the most recent first."""
    now = now or timezone.now()
    day_start = dt.datetime.combine(now.astimezone(PARIS).date(), dt.time(0), tzinfo=PARIS)
    return (
        Assembly.objects.exclude(status=Status.DRAFT)
        .filter(Q(status__in=DONE_STATUSES) | Q(starts_at__lt=day_start))
        .annotate(roll_size=Count("roll"))
        .order_by("-starts_at", "-id")
    )


def assembly_for_management(*, pk: int) -> Assembly:
    """One assembly with its agenda items and their resolutions (three queries)."""
    return (
        Assembly.objects.select_related(
            "statutes", "convened_by", "created_by", "first_convocation", "convocation_notice"
        )
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.order_by("position").prefetch_related(
                    Prefetch("resolutions", queryset=Resolution.objects.order_by("number"))
                ),
            )
        )
        .get(pk=pk)
    )


# --- Rules applied to an assembly ------------------------------------------------------------


def assembly_statutes(*, assembly: Assembly) -> Statutes | None:
    """The frozen statutes of a convened assembly; for a draft, those in force today."""
    if assembly.statutes_id:
        return assembly.statutes
    try:
        return statutes_in_force()
    except StatutesNotInForce:
        return None


def majority_text(*, statutes: Statutes, kind: str) -> str:
    """The majority the statutes require, in words: "simple majority (more than 1/2 of the
    votes expressed)", "at least 2/3 of the votes expressed"."""
    rule = majority_required(statutes=statutes, kind=kind)
    share = fraction_text(rule.threshold)
    if rule.strict and rule.threshold == Fraction(1, 2):
        return _("simple majority (more than 1/2 of the votes expressed)")
    if rule.strict:
        return _("more than %(share)s of the votes expressed") % {"share": share}
    return _("at least %(share)s of the votes expressed") % {"share": share}


def quorum_text(*, statutes: Statutes, kind: str, convocation: str) -> str:
    """The quorum of RULES 12 in words."""
    required = quorum_required(statutes=statutes, kind=kind, convocation=convocation)
    if required == 0:
        return _("no quorum required")
    return _(
        "%(share)s of the members on the roll present, represented or having voted at distance"
    ) % {"share": fraction_text(required)}


def distance_vote_deadline_default(*, starts_at: dt.datetime, statutes: Statutes) -> dt.datetime:
    """RULES 15: `distance_vote_days_before` days before the meeting, at the closing time."""
    day = starts_at.astimezone(PARIS).date() - dt.timedelta(days=statutes.distance_vote_days_before)
    deadline = dt.datetime.combine(day, statutes.distance_vote_closing_time, tzinfo=PARIS)
    return min(deadline, starts_at)


def notice_days(*, statutes: Statutes, convocation: str) -> int:
    """RULES 11: the notice period for a first or a second convocation."""
    if convocation == Assembly.ConvocationNumber.SECOND:
        return statutes.notice_days_second
    return statutes.notice_days_first


def convocation_latest_day(*, starts_at: dt.datetime, days: int) -> dt.date:
    """The last day the convocation of a meeting at `starts_at` may be sent."""
    return starts_at.astimezone(PARIS).date() - dt.timedelta(days=days)


# --- Proof of sending ------------------------------------------------------------------------


def convocation_proof(*, assembly: Assembly, status: str = "") -> QuerySet[RollEntry]:
    """The roll with each member's convocation copy (without the copies' bodies)."""
    entries = (
        RollEntry.objects.filter(assembly=assembly)
        .select_related("convocation_delivery")
        .defer("convocation_delivery__body_text", "convocation_delivery__body_html")
        .order_by("member_number", "id")
    )
    if status:
        entries = entries.filter(convocation_delivery__status=status)
    return entries


def convocation_status_counts(*, assembly: Assembly) -> dict[str, int]:
    """{delivery status: number of members}, every status present (one query)."""
    found = dict(
        RollEntry.objects.filter(assembly=assembly, convocation_delivery__isnull=False)
        .values_list("convocation_delivery__status")
        .annotate(n=Count("id"))
        .values_list("convocation_delivery__status", "n")
    )
    return {status: found.get(status, 0) for status in NoticeDelivery.Status.values}


def convocation_channel_counts(*, assembly: Assembly) -> dict[str, int]:
    """{channel: number of members} of the convocation (one query)."""
    found = dict(
        RollEntry.objects.filter(assembly=assembly, convocation_delivery__isnull=False)
        .values_list("convocation_delivery__channel")
        .annotate(n=Count("id"))
        .values_list("convocation_delivery__channel", "n")
    )
    return {channel: found.get(channel, 0) for channel in NoticeDelivery.Channel.values}


def roll_letters(*, assembly: Assembly) -> QuerySet[RollEntry]:
    """Roll entries whose convocation goes by post, in member number order."""
    return RollEntry.objects.filter(
        assembly=assembly, convocation_delivery__channel=NoticeDelivery.Channel.LETTER
    ).order_by("member_number", "id")


# --- Quorum at the opening -------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningQuorum:
    """The quorum figures recorded when the meeting opened (RULES 12)."""

    roll_size: int
    taking_part: int
    required: int
    reached: bool


def opening_quorum(*, assembly: Assembly) -> OpeningQuorum | None:
    """Whether the quorum was reached when the meeting opened: the figures recorded then
    (governance.selectors.figures), or, if none were recorded, the figures now. None while
    the meeting has not opened."""
    opening = meeting_opening(assembly=assembly)
    if opening is None:
        return None
    recorded = opening.figures
    if {"roll_size", "total", "quorum_required", "reached"} <= set(recorded):
        return OpeningQuorum(
            roll_size=recorded["roll_size"],
            taking_part=recorded["total"],
            required=recorded["quorum_required"],
            reached=bool(recorded["reached"]),
        )
    figures = assembly_figures(assembly=assembly)
    return OpeningQuorum(
        roll_size=figures.roll_size,
        taking_part=figures.total,
        required=figures.quorum_required,
        reached=figures.reached,
    )


def roll_cancellation_letters(*, assembly: Assembly) -> QuerySet[RollEntry]:
    """Roll entries told of the cancellation by post, in member number order."""
    by_post = NoticeDelivery.objects.filter(
        notice__kind="assembly-cancellation",
        notice__reference=f"assembly:{assembly.pk}",
        channel=NoticeDelivery.Channel.LETTER,
        recipient_key=Concat(Value("member:"), Cast(OuterRef("member_id"), CharField())),
    )
    return (
        RollEntry.objects.filter(assembly=assembly)
        .filter(Exists(by_post))
        .order_by("member_number", "id")
    )
