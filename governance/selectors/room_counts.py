"""Reads of the room counts (RULES 32): how many voices the room may still count, per
resolution and college, and each count with its corrections.

The bound. For a resolution and a college, the bureau may count in the room at most the voices
of that college that are in the room and did not vote through the software:

- the members of the college checked in as present;
- plus the members of the college represented by a member present: they gave an active proxy
  to a holder who is checked in (a proxy's voice counts in the principal's college, RULES 9,
  whatever the holder's college);
- less those of them who have a participation on that resolution (they voted in the software,
  at distance or on their phone in the room, under their own name or through their holder).

Without colleges (the frozen statutes have none, or none were frozen), the whole room is one
bucket, keyed `None`.

The history. Room counts are append-only: a correction is a new row naming the row it corrects.
The current count of a resolution and college is the row nobody corrected; the rows before it
are kept and shown, oldest first.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.db import connection

from governance.models import (
    Assembly,
    AssemblyCollege,
    Participation,
    Proxy,
    Resolution,
    RollEntry,
    RoomCount,
)


def colleges_counted(assembly: Assembly) -> list[AssemblyCollege]:
    """The colleges the assembly votes in, in their order; empty when there is one bucket."""
    if assembly.statutes is None or not assembly.statutes.colleges_enabled:
        return []
    return list(AssemblyCollege.objects.filter(assembly=assembly).order_by("position", "name"))


@dataclass(frozen=True)
class RoomBound:
    """The voices of one college in the room for one resolution, and how they are made up."""

    resolution_id: int
    college_id: int | None
    present: int = 0
    represented: int = 0  # principals of proxies held by members present
    voted: int = 0  # of the present and represented, those who voted in the software

    @property
    def voices(self) -> int:
        """The most the bureau can count in the room for this resolution and college."""
        return self.present + self.represented - self.voted


# One statement for every resolution and college: the voices in the room (present, or
# represented by a holder present and not present themselves), crossed with the resolutions,
# less those with a participation on the resolution.
_BOUNDS_SQL = f"""
WITH roll AS (
    SELECT id, college_id, present_at IS NOT NULL AS present
    FROM {RollEntry._meta.db_table}
    WHERE assembly_id = %(assembly)s
), voices AS (
    SELECT roll.id, roll.college_id, TRUE AS present
    FROM roll
    WHERE roll.present
    UNION ALL
    SELECT giver.id, giver.college_id, FALSE AS present
    FROM {Proxy._meta.db_table} AS proxy
    JOIN roll AS giver ON giver.id = proxy.giver_id
    JOIN roll AS holder ON holder.id = proxy.holder_id
    WHERE proxy.assembly_id = %(assembly)s AND proxy.revoked_at IS NULL
        AND holder.present AND NOT giver.present
), resolutions AS (
    SELECT id FROM {Resolution._meta.db_table}
    WHERE assembly_id = %(assembly)s AND (%(resolution)s::bigint IS NULL OR id = %(resolution)s)
)
SELECT
    resolutions.id,
    voices.college_id,
    count(*) FILTER (WHERE voices.present),
    count(*) FILTER (WHERE NOT voices.present),
    count(participation.id)
FROM resolutions
CROSS JOIN voices
LEFT JOIN {Participation._meta.db_table} AS participation
    ON participation.resolution_id = resolutions.id AND participation.roll_entry_id = voices.id
GROUP BY resolutions.id, voices.college_id
"""  # noqa: S608 - table names from the models, values as parameters


def room_count_bounds(
    *, assembly: Assembly, resolution_id: int | None = None
) -> dict[tuple[int, int | None], RoomBound]:
    """The bound of every resolution (or of `resolution_id` alone) and college, keyed by
    (resolution id, college id or None without colleges). One query for the figures; a key
    that is missing has no voice in the room (use `room_count_bound`)."""
    weighted = bool(colleges_counted(assembly))
    with connection.cursor() as cursor:
        cursor.execute(_BOUNDS_SQL, {"assembly": assembly.pk, "resolution": resolution_id})
        rows = cursor.fetchall()
    totals: dict[tuple[int, int | None], list[int]] = defaultdict(lambda: [0, 0, 0])
    for resolution, college, present, represented, voted in rows:
        figures = totals[(resolution, college if weighted else None)]
        figures[0] += present
        figures[1] += represented
        figures[2] += voted
    return {
        key: RoomBound(key[0], key[1], present=p, represented=r, voted=v)
        for key, (p, r, v) in totals.items()
    }


def room_count_bound(
    *, assembly: Assembly, resolution_id: int, college_id: int | None
) -> RoomBound:
    """The bound of one resolution and college (`college_id` None without colleges)."""
    bounds = room_count_bounds(assembly=assembly, resolution_id=resolution_id)
    return bounds.get((resolution_id, college_id), RoomBound(resolution_id, college_id))


@dataclass
class RoomCountChain:
    """A resolution and college's room count: the current row and the rows it replaced."""

    current: RoomCount
    earlier: list[RoomCount] = field(default_factory=list)  # oldest first

    @property
    def first(self) -> RoomCount:
        return self.earlier[0] if self.earlier else self.current

    @property
    def corrected(self) -> bool:
        return bool(self.earlier)

    @property
    def steps(self) -> list[tuple[RoomCount, RoomCount]]:
        """Each correction as (the row corrected, the correction), in the order they were made."""
        rows = [*self.earlier, self.current]
        return list(pairwise(rows))


def room_count_chains(*, assembly: Assembly) -> dict[tuple[int, int | None], RoomCountChain]:
    """Every room count of the assembly with its corrections, keyed by (resolution id, college
    id or None). One query."""
    rows = list(
        RoomCount.objects.filter(resolution__assembly=assembly)
        .select_related("college", "resolution", "recorded_by")
        .order_by("recorded_at", "pk")
    )
    corrected = {row.corrects_id for row in rows if row.corrects_id is not None}
    by_pk = {row.pk: row for row in rows}
    chains: dict[tuple[int, int | None], RoomCountChain] = {}
    for row in rows:
        if row.pk in corrected:
            continue
        earlier: list[RoomCount] = []
        previous = by_pk.get(row.corrects_id) if row.corrects_id else None
        while previous is not None:
            earlier.insert(0, previous)
            previous = by_pk.get(previous.corrects_id) if previous.corrects_id else None
        chains[(row.resolution_id, row.college_id)] = RoomCountChain(current=row, earlier=earlier)
    return chains


def room_counts_current(*, assembly: Assembly) -> list[RoomCount]:
    """The current room counts (those nobody corrected), by resolution and college order."""
    return sorted(
        (chain.current for chain in room_count_chains(assembly=assembly).values()),
        key=lambda row: (
            row.resolution.number,
            row.college.position if row.college else 0,
            row.college.name if row.college else "",
        ),
    )


@dataclass(frozen=True)
class RoomCountLine:
    """One line of the chair's sheet: a resolution and college, its bound and its count."""

    resolution: Resolution
    college: AssemblyCollege | None
    bound: RoomBound
    chain: RoomCountChain | None

    @property
    def over_bound(self) -> bool:
        """The count exceeds the voices in the room as they are now (someone left, or voted in
        the software, after it was recorded): the bureau should correct it."""
        return self.chain is not None and self.chain.current.total > self.bound.voices


def room_count_sheet(*, assembly: Assembly) -> list[RoomCountLine]:
    """For the chair: every resolution and college, with its bound and its count. Three
    queries whatever the number of resolutions, colleges and members."""
    colleges: list[AssemblyCollege | None] = [*colleges_counted(assembly)] or [None]
    bounds = room_count_bounds(assembly=assembly)
    chains = room_count_chains(assembly=assembly)
    lines = []
    for resolution in assembly.resolutions.order_by("number"):
        for college in colleges:
            key = (resolution.pk, college.pk if college else None)
            lines.append(
                RoomCountLine(
                    resolution=resolution,
                    college=college,
                    bound=bounds.get(key, RoomBound(*key)),
                    chain=chains.get(key),
                )
            )
    return lines


def room_count_corrections(*, assembly: Assembly) -> dict[int, list[RoomCountChain]]:
    """The corrected room counts of each resolution (by resolution id), for the results and
    the minutes."""
    result: dict[int, list[RoomCountChain]] = defaultdict(list)
    for (resolution_id, _college), chain in sorted(
        room_count_chains(assembly=assembly).items(),
        key=lambda item: (
            item[1].current.resolution.number,
            item[1].current.college.position if item[1].current.college else 0,
        ),
    ):
        if chain.corrected:
            result[resolution_id].append(chain)
    return dict(result)
