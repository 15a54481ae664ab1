"""Reads of the vote: who may vote for whom, results, the published ballot box, receipts."""

import functools
import json
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db import connection
from django.db.models import QuerySet, Subquery

from coop import formatting
from coop.fractions import format_fraction
from coop.models import Statutes
from coop.prepared import compact_sql, prepared_cursor
from governance.models import (
    Assembly,
    AssemblyCollege,
    Ballot,
    Resolution,
    ResolutionResult,
    RollEntry,
    RoomCount,
)
from governance.receipts import receipt_digest
from governance.voices import voices_json_sql
from members.models import Member


def voter_for_user(*, assembly_pk: int, user: Any) -> RollEntry | None:
    """The user's roll entry in the assembly, with the assembly, its statutes and the entry's
    college, in one query; None when the user is not on that roll (or there is no such
    assembly)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return _voter_query(assembly_pk=assembly_pk, user=user).first()


def _voter_query(*, assembly_pk: int, user: Any) -> QuerySet[RollEntry]:
    # The member's id by a scalar subquery: the lookup is then one probe of the roll's unique
    # (assembly, member) index, whatever the planner knows of the roll's size.
    member = Member.objects.filter(user=user).values("pk")[:1]
    return RollEntry.objects.select_related("assembly__statutes", "college").filter(
        assembly_id=assembly_pk, member_id=Subquery(member)
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
    resolutions: list[Resolution] = field(default_factory=list)

    @property
    def assembly(self) -> Assembly:
        return self.voter.assembly

    @property
    def open_voices(self) -> list[Voice]:
        return [v for v in self.voices if not v.voted]


def _situation(
    voter: RollEntry, rows: list[dict[str, Any]], resolutions: list[Any]
) -> BallotSituation:
    """The situation from the rows of governance.voices (the rule is there, not here)."""
    voices = []
    given_to = ""
    for row in rows:
        if row["is_self"]:
            given_to = row["proxy_given_to"] or ""
            entry = voter
        else:
            entry = RollEntry(
                id=row["id"],
                assembly_id=voter.assembly_id,
                name=row["name"],
                member_number=row["member_number"],
                college_id=row["college_id"],
            )
            if row["college_id"] is not None:
                entry.college = AssemblyCollege(id=row["college_id"], name=row["college_name"])
        if row["listed"]:
            voices.append(Voice(entry, row["is_self"], row["voted"]))
    return BallotSituation(
        voter=voter,
        voices=voices,
        proxy_given_to=given_to,
        resolutions=[
            Resolution(
                id=r["id"],
                assembly_id=voter.assembly_id,
                number=r["number"],
                title=r["title"],
                text=r["text"],
            )
            for r in resolutions
        ],
    )


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str | bytes) else value


_RESOLUTIONS_JSON = """(
    SELECT coalesce(json_agg(json_build_object(
               'id', r.id, 'number', r.number, 'title', r.title, 'text', r.text)
           ORDER BY r.number), '[]'::json)
      FROM governance_resolution AS r
     WHERE r.assembly_id = e.assembly_id)"""

# The ballot page and the cast read the voter's situation on every request: one statement,
# written once from the models' columns (the ORM would compile the same SQL each time), read
# into model instances as the ORM would (Model.from_db, with the fields' converters).
_SITUATION_MODELS = (
    (RollEntry, "e"),
    (Assembly, "a"),
    (Statutes, "s"),
    (AssemblyCollege, "vc"),
)


@functools.cache
def _situation_sql() -> str:
    columns = ", ".join(
        f'{alias}."{field.column}"'
        for model, alias in _SITUATION_MODELS
        for field in model._meta.concrete_fields
    )
    voices = voices_json_sql(voter="e.id", assembly="e.assembly_id")
    tables = {
        "entries": RollEntry._meta.db_table,
        "assemblies": Assembly._meta.db_table,
        "statutes": Statutes._meta.db_table,
        "colleges": AssemblyCollege._meta.db_table,
        "members": Member._meta.db_table,
    }
    return compact_sql(
        _SITUATION_SQL.format(  # SQL text from the models' meta only: values are parameters
            columns=columns, voices=voices, resolutions=_RESOLUTIONS_JSON, **tables
        )
    )


_SITUATION_SQL = """
    SELECT {columns}, {voices}, {resolutions}
      FROM {entries} AS e
      JOIN {assemblies} AS a ON a.id = e.assembly_id
      LEFT JOIN {statutes} AS s ON s.id = a.statutes_id
      LEFT JOIN {colleges} AS vc ON vc.id = e.college_id
     WHERE e.assembly_id = %(assembly)s
       AND e.member_id = (SELECT m.id FROM {members} AS m WHERE m.user_id = %(user)s LIMIT 1)
"""


@functools.cache
def _loader(model: Any) -> tuple[list[str], list[tuple[int, list[Any], Any]]]:
    """The model's attribute names and, per column that has some, the converters the ORM
    would apply to it (computed once: they depend on the field and the database only)."""
    fields = model._meta.concrete_fields
    converters = []
    for index, model_field in enumerate(fields):
        expression = model_field.get_col(model._meta.db_table)
        found = connection.ops.get_db_converters(expression)
        found += model_field.get_db_converters(connection)
        if found:
            converters.append((index, found, expression))
    return [model_field.attname for model_field in fields], converters


def _instances(row: tuple[Any, ...]) -> list[Any]:
    """The row's model instances, in the order of _SITUATION_MODELS (None for a missing one)."""
    instances: list[Any] = []
    start = 0
    for model, _alias in _SITUATION_MODELS:
        names, converters = _loader(model)
        values = list(row[start : start + len(names)])
        start += len(names)
        if values[0] is None:  # no such row (the LEFT JOINs)
            instances.append(None)
            continue
        for index, found, expression in converters:
            for converter in found:
                values[index] = converter(values[index], expression, connection)
        instances.append(model.from_db(connection.alias, names, values))
    return instances


def ballot_situation_for_user(*, assembly_pk: int, user: Any) -> BallotSituation | None:
    """The user's ballot in one query: their roll entry with the assembly, its statutes and
    their college, the voices they may cast (governance.voices) and the resolutions; None when
    they are not on the roll."""
    if not getattr(user, "is_authenticated", False):
        return None
    with prepared_cursor() as cursor:
        cursor.execute(_situation_sql(), {"assembly": assembly_pk, "user": user.pk})
        row = cursor.fetchone()
    if row is None:
        return None
    voter, assembly, statutes, college = _instances(row[:-2])
    if statutes is not None:
        assembly.statutes = statutes
    voter.assembly = assembly
    if college is not None:
        voter.college = college
    return _situation(voter, _json(row[-2]), _json(row[-1]))


def ballot_situation(*, assembly: Assembly, voter: RollEntry) -> BallotSituation:
    """The voter and the principals whose proxies they hold, and who has already voted."""
    with connection.cursor() as cursor:
        cursor.execute(
            voices_json_sql(voter="%(voter)s", assembly="%(assembly)s"),
            {"voter": voter.pk, "assembly": assembly.pk},
        )
        rows = _json(cursor.fetchone()[0])
    return _situation(voter, rows, [])


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
    lines = result.lines
    expressed_weight = sum((Fraction(line.weight) for line in lines if line.expressed), Fraction(0))
    colleges = [
        CollegeStep(
            name=line.name,
            weight=line.weight,
            votes_for=line.votes_for,
            expressed=line.expressed,
            abstentions=line.abstentions,
            share=line.share_for,
            counted_weight=line.counted_weight,
            contribution=line.contribution,
            rescaled=bool(line.expressed) and line.counted_weight != line.weight,
        )
        for line in lines
    ]
    threshold = Fraction(result.majority_threshold)
    total = Fraction(result.weighted_for) if result.weighted_for else None
    return ResultSteps(
        colleges=colleges,
        expressed_weight=format_fraction(expressed_weight),
        terms=" + ".join(line.contribution for line in lines if line.expressed),
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
