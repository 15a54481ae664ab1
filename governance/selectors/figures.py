"""The live figures of a meeting (RULES 12) and its attendance (RULES 16).

Who counts towards the quorum — each member of the roll at most once, in the first of these
that applies:

1. present: checked in at the meeting;
2. represented: gave a proxy (active, not revoked) to a holder who is present, or who voted at
   distance (a holder's distance vote may carry the principal's, `Participation.cast_by`);
   a proxy whose holder neither came nor voted represents nobody;
3. voted at distance: took part in at least one vote with the distance channel.

A blank proxy recorded on paper (RULES 34) makes its giver represented (by the chair); a
postal vote is a vote at distance. Both are also counted apart (`blank_proxies`, `postal`), so
the attendance sheet and the minutes show them as such.

The total counted is the sum of the three. The quorum is a share of the roll (the frozen
statutes' fraction for the assembly's kind and convocation), exact, rounded up to whole
members: 1/5 of 101 members is 20.2, so 21 members are needed.
"""

import uuid
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from coop.statutes.rules import fraction_text, quorum_required
from governance.models import (
    Assembly,
    BureauSeat,
    PaperForm,
    Participation,
    Proxy,
    Resolution,
    RollEntry,
)


def quorum_members(*, fraction: Fraction, roll_size: int) -> int:
    """The fewest whole members that make `fraction` of the roll, rounded up."""
    if roll_size < 0 or fraction < 0:
        raise ValueError("a quorum is a non-negative share of a non-negative roll")
    product = fraction * roll_size
    return -(-product.numerator // product.denominator)


@dataclass(frozen=True)
class AssemblyFigures:
    roll_size: int
    present: int
    represented: int
    distance: int
    quorum_fraction: Fraction
    quorum_required: int
    proxies_active: int
    postal: int = 0  # of `distance`: votes recorded from postal forms
    blank_proxies: int = 0  # of `represented`: blank paper proxies, voted by the chair

    @property
    def total(self) -> int:
        return self.present + self.represented + self.distance

    @property
    def reached(self) -> bool:
        return self.total >= self.quorum_required

    @property
    def missing(self) -> int:
        return max(0, self.quorum_required - self.total)

    @property
    def quorum_text(self) -> str:
        return fraction_text(self.quorum_fraction)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["quorum_fraction"] = self.quorum_text
        data.update(total=self.total, reached=self.reached, missing=self.missing)
        return data


def _distance(entry_ref: Any) -> Exists:
    return Exists(
        Participation.objects.filter(roll_entry=entry_ref, channel=Participation.Channel.DISTANCE)
    )


def _counted_roll(assembly: Assembly) -> QuerySet[RollEntry]:
    """The roll, each entry annotated with `is_present`, `is_represented`, `is_distance`."""
    holder_took_part = Q(holder__present_at__isnull=False) | Exists(
        Participation.objects.filter(
            roll_entry=OuterRef("holder"), channel=Participation.Channel.DISTANCE
        )
    )
    blank_proxy = PaperForm.objects.filter(
        roll_entry=OuterRef("pk"), counted=True, option=PaperForm.Option.CHAIR
    )
    return RollEntry.objects.filter(assembly=assembly).annotate(
        is_represented=Exists(
            Proxy.objects.filter(giver=OuterRef("pk"), revoked_at__isnull=True).filter(
                holder_took_part
            )
        )
        | Exists(blank_proxy),
        is_distance=_distance(OuterRef("pk")),
        has_given_proxy=Exists(Proxy.objects.filter(giver=OuterRef("pk"), revoked_at__isnull=True)),
        paper_option=Subquery(
            PaperForm.objects.filter(roll_entry=OuterRef("pk"), counted=True).values("option")[:1]
        ),
    )


# One statement, set-based (hash joins, no per-entry subquery): the roll with, for each
# entry, whether it is present, represented (its active proxy's holder is present or voted at
# distance) or voted at distance; each entry counted once, in that order of precedence.
_FIGURES_SQL = f"""
WITH roll AS (
    SELECT id, present_at IS NOT NULL AS present
    FROM {RollEntry._meta.db_table}
    WHERE assembly_id = %(assembly)s
), distance AS (
    SELECT DISTINCT participation.roll_entry_id AS id
    FROM {Participation._meta.db_table} AS participation
    JOIN {Resolution._meta.db_table} AS resolution ON resolution.id = participation.resolution_id
    WHERE resolution.assembly_id = %(assembly)s AND participation.channel = %(distance)s
), paper AS (
    SELECT roll_entry_id AS id, option
    FROM {PaperForm._meta.db_table}
    WHERE assembly_id = %(assembly)s AND counted
), proxies AS (
    SELECT giver_id, holder_id
    FROM {Proxy._meta.db_table}
    WHERE assembly_id = %(assembly)s AND revoked_at IS NULL
), represented AS (
    SELECT proxies.giver_id AS id
    FROM proxies
    JOIN roll AS holder ON holder.id = proxies.holder_id
    LEFT JOIN distance AS holder_distance ON holder_distance.id = proxies.holder_id
    WHERE holder.present OR holder_distance.id IS NOT NULL
    UNION
    SELECT id FROM paper WHERE option = %(chair)s
)
SELECT
    count(*),
    count(*) FILTER (WHERE roll.present),
    count(*) FILTER (WHERE NOT roll.present AND represented.id IS NOT NULL),
    count(*) FILTER (
        WHERE NOT roll.present AND represented.id IS NULL AND distance.id IS NOT NULL
    ),
    (SELECT count(*) FROM proxies),
    count(*) FILTER (
        WHERE NOT roll.present AND represented.id IS NULL AND distance.id IS NOT NULL
          AND paper.option = %(vote)s
    ),
    count(*) FILTER (WHERE NOT roll.present AND paper.option = %(chair)s)
FROM roll
LEFT JOIN represented ON represented.id = roll.id
LEFT JOIN distance ON distance.id = roll.id
LEFT JOIN paper ON paper.id = roll.id
"""  # noqa: S608 - table names from the models, values as parameters


def assembly_figures(*, assembly: Assembly) -> AssemblyFigures:
    """The figures of the meeting now: one query for the counts, whatever the roll's size.

    `assembly.statutes` is read for the quorum: select it with the assembly.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            _FIGURES_SQL,
            {
                "assembly": assembly.pk,
                "distance": Participation.Channel.DISTANCE.value,
                "chair": PaperForm.Option.CHAIR.value,
                "vote": PaperForm.Option.VOTE.value,
            },
        )
        (roll_size, present, represented, distance, proxies_active, postal, blank_proxies) = (
            cursor.fetchone()
        )
    counts = {
        "postal": postal,
        "blank_proxies": blank_proxies,
        "roll_size": roll_size,
        "present": present,
        "represented": represented,
        "distance": distance,
        "proxies_active": proxies_active,
    }
    fraction = (
        quorum_required(
            statutes=assembly.frozen_statutes, kind=assembly.kind, convocation=assembly.convocation
        )
        if assembly.statutes_id
        else Fraction(0)
    )
    return AssemblyFigures(
        quorum_fraction=fraction,
        quorum_required=quorum_members(fraction=fraction, roll_size=counts["roll_size"]),
        **counts,
    )


@dataclass(frozen=True)
class MeetingOpening:
    """When the meeting opened and the figures recorded at that moment."""

    opened_at: Any
    figures: dict[str, Any]


def meeting_opening(*, assembly: Assembly) -> MeetingOpening | None:
    """The quorum figures recorded when the meeting opened, or when the vote of an
    online-only assembly closed (None before either)."""
    if assembly.meeting_opened_at is None and assembly.meeting_opening_figures is None:
        return None
    return MeetingOpening(
        opened_at=assembly.meeting_opened_at or assembly.voting_closed_at,
        figures=assembly.meeting_opening_figures or {},
    )


# The live figures are polled every few seconds by every screen of the meeting: they are kept
# in the cache (Redis, shared by every web process) for a few seconds, and dropped at once when
# a check-in, a proxy or the opening changes them (`figures_changed`, called by the services).
# Changes made elsewhere (distance votes) show within FIGURES_CACHE_SECONDS.
FIGURES_CACHE_SECONDS = 3


@dataclass(frozen=True)
class LiveFigures:
    assembly_pk: int
    figures: AssemblyFigures
    opening: MeetingOpening | None


def _figures_keys(assembly_pk: int) -> tuple[str, str]:
    return (f"governance:figures:{assembly_pk}:version", f"governance:figures:{assembly_pk}")


def figures_changed(assembly_pk: int) -> None:
    """Forget the cached live figures of an assembly."""
    version_key, _value_key = _figures_keys(assembly_pk)
    cache.set(version_key, uuid.uuid4().hex, timeout=24 * 3600)


def live_figures(*, assembly_pk: int) -> LiveFigures | None:
    """The figures of a convened (or later) assembly and its opening, through the cache: one
    cache read when they are fresh. None when there is no such assembly."""
    version_key, value_key = _figures_keys(assembly_pk)
    found = cache.get_many([version_key, value_key])
    version = found.get(version_key, "")
    cached = found.get(value_key)
    if cached is not None and cached[0] == version:
        fresh: LiveFigures = cached[1]
        return fresh
    assembly = (
        Assembly.objects.select_related("statutes")
        .exclude(status=Assembly.Status.DRAFT)
        .filter(pk=assembly_pk)
        .first()
    )
    if assembly is None:
        return None
    live = LiveFigures(
        assembly_pk=assembly.pk,
        figures=assembly_figures(assembly=assembly),
        opening=meeting_opening(assembly=assembly),
    )
    cache.set(value_key, (version, live), timeout=FIGURES_CACHE_SECONDS)
    return live


# --- The attendance sheet --------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceLine:
    entry: RollEntry
    how: str  # "present", "represented", "chair" (blank proxy), "distance" or "postal"
    holder: RollEntry | None = None  # for "represented"
    principals: tuple[RollEntry, ...] = ()  # for a holder: the members they represent


@dataclass(frozen=True)
class Attendance:
    lines: list[AttendanceLine]
    holders: list[AttendanceLine]  # holders who represent someone, with their principals
    bureau: list[BureauSeat]
    figures: AssemblyFigures


def assembly_attendance(*, assembly: Assembly) -> Attendance:
    """Who took part (RULES 16), in the order of the roll: the present, the represented (with
    their holder), those who voted at distance; and each holder with their principals.
    A fixed number of queries whatever the size of the roll."""
    entries: list[Any] = list(  # annotated with is_represented, is_distance, paper_option
        _counted_roll(assembly)
        .filter(Q(present_at__isnull=False) | Q(is_represented=True) | Q(is_distance=True))
        .select_related("college")
        .order_by("member_number")
    )
    by_pk = {entry.pk: entry for entry in entries}
    represented_ids = [e.pk for e in entries if e.present_at is None and e.is_represented]
    holder_of: dict[int, RollEntry] = {}
    for proxy in Proxy.objects.filter(
        giver_id__in=represented_ids, revoked_at__isnull=True
    ).select_related("holder__college"):
        holder_of[proxy.giver_id] = proxy.holder
    lines: list[AttendanceLine] = []
    principals: dict[int, tuple[RollEntry, list[RollEntry]]] = {}
    for entry in entries:
        if entry.present_at is not None:
            lines.append(AttendanceLine(entry=entry, how="present"))
        elif entry.is_represented and entry.pk not in holder_of:
            lines.append(AttendanceLine(entry=entry, how="chair"))
        elif entry.is_represented:
            holder = by_pk.get(holder_of[entry.pk].pk, holder_of[entry.pk])
            lines.append(AttendanceLine(entry=entry, how="represented", holder=holder))
            principals.setdefault(holder.pk, (holder, []))[1].append(entry)
        elif entry.paper_option == PaperForm.Option.VOTE:
            lines.append(AttendanceLine(entry=entry, how="postal"))
        else:
            lines.append(AttendanceLine(entry=entry, how="distance"))
    holders = [
        AttendanceLine(entry=holder, how="holder", principals=tuple(held))
        for holder, held in principals.values()
    ]
    holders.sort(key=lambda line: line.entry.member_number)
    bureau = list(
        BureauSeat.objects.filter(assembly=assembly).order_by("role", "recorded_at", "pk")
    )
    role_order = {role.value: index for index, role in enumerate(BureauSeat.Role)}
    bureau.sort(key=lambda seat: (role_order[seat.role], seat.recorded_at, seat.pk))
    return Attendance(
        lines=lines, holders=holders, bureau=bureau, figures=assembly_figures(assembly=assembly)
    )


# --- The check-in desk -----------------------------------------------------------------------

CHECK_IN_SEARCH_LIMIT = 30


def meeting_roll_search(*, assembly: Assembly, query: str) -> QuerySet[RollEntry]:
    """Members of the roll by name or number for the check-in desk (at most
    CHECK_IN_SEARCH_LIMIT), each with `proxy_pk` and `proxy_holder` of the proxy they gave (if
    active) and `held_count`. One query."""
    query = query.strip()
    if not query:
        return RollEntry.objects.none()
    condition = Q(name__icontains=query)
    digits = query.lstrip("#")
    if digits.isdigit():
        condition |= Q(member_number=int(digits))
    given = Proxy.objects.filter(giver=OuterRef("pk"), revoked_at__isnull=True)
    return (
        RollEntry.objects.filter(assembly=assembly)
        .filter(condition)
        .annotate(
            proxy_pk=Subquery(given.values("pk")[:1]),
            proxy_holder=Subquery(given.values("holder__name")[:1]),
            held_count=Count(
                "proxies_held", filter=Q(proxies_held__revoked_at__isnull=True), distinct=True
            ),
        )
        .select_related("college")
        .order_by("member_number")[:CHECK_IN_SEARCH_LIMIT]
    )
