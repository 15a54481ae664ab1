"""Reads of the member register. Other apps call these, never the models directly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.query import RawQuerySet

from members.models import Category, College, Member, RegisterEvent


def register_search(
    *,
    query: str = "",
    status: str = "",
    college: College | None = None,
    category: Category | None = None,
) -> QuerySet[Member]:
    """The register list: search by name, number or e-mail, filter by status/college/category."""
    members = Member.objects.select_related("category", "college").order_by(
        "number", "last_name", "legal_name", "id"
    )
    if status:
        members = members.filter(status=status)
    if college is not None:
        members = members.filter(college=college)
    if category is not None:
        members = members.filter(category=category)
    query = query.strip()
    if query:
        condition = (
            Q(last_name__icontains=query)
            | Q(first_name__icontains=query)
            | Q(legal_name__icontains=query)
            | Q(email__icontains=query)
        )
        digits = query.lstrip("#")
        if digits.isdigit():
            condition |= Q(number=int(digits))
        members = members.filter(condition)
    return members


def member_history(*, member: Member) -> QuerySet[RegisterEvent]:
    return member.events.select_related("actor").order_by("effective_on", "id")


def member_for_user(*, user: Any) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.select_related("category", "college").filter(user=user).first()


def _register_at_sql(columns: str) -> str:
    """The register at the end of the date %(on)s, selecting `columns` of `latest`: for each
    member, their latest event up to that date (effective date, then id), numbered entries only,
    by member number.

    A lateral join rather than DISTINCT ON over every event: each member's latest event is one
    backward step in the replay index (member, effective_on, id), with no sort of all events.
    """
    # Only `columns` varies, and callers build it from constants and placeholders.
    return f"""
        SELECT {columns}
        FROM {Member._meta.db_table} AS member
        CROSS JOIN LATERAL (
            SELECT * FROM {RegisterEvent._meta.db_table} AS event
            WHERE event.member_id = member.id AND event.effective_on <= %(on)s
            ORDER BY event.effective_on DESC, event.id DESC
            LIMIT 1
        ) AS latest
        WHERE latest.snapshot -> 'number' <> 'null'::jsonb
        ORDER BY latest.snapshot -> 'number'
    """  # noqa: S608


def register_at(*, on: dt.date) -> RawQuerySet[RegisterEvent]:
    """The register as it stood at the end of `on`: each numbered entry's latest event (its
    snapshot is the entry), as RegisterEvent rows ordered by member number.

    One query, whatever the number of members.
    """
    return RegisterEvent.objects.raw(_register_at_sql("latest.*"), {"on": on})


def register_at_counts(*, on: dt.date) -> tuple[int, int]:
    """How many entries the register had at the end of `on`, and how many of them were
    members then (admitted or ratified). One query."""
    sql = _register_at_sql("latest.snapshot ->> 'status' AS status")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE status = ANY(%(members)s)) FROM ({sql}) AS e",  # noqa: S608
            {"on": on, "members": list(Member.ADMITTED_STATUSES)},
        )
        entries, members = cursor.fetchone()
    return entries, members


def register_at_values(
    *, on: dt.date, keys: Sequence[str], chunk_size: int = 2000
) -> Iterator[tuple[str | None, ...]]:
    """The entries of register_at(on=on), each as the text of `keys` in its snapshot (None
    where the value is null or missing), extracted by the database: no JSON to decode.

    One query, read `chunk_size` rows at a time through a server-side cursor, so memory stays
    flat whatever the size of the register.
    """
    params: dict[str, Any] = {"on": on}
    columns = []
    for index, key in enumerate(keys):
        params[f"key{index}"] = key
        columns.append(f"latest.snapshot ->> %(key{index})s")
    sql = _register_at_sql(", ".join(columns))
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    with connection.chunked_cursor() if server_side else connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            yield from rows


def applicants_pending() -> QuerySet[Member]:
    return (
        Member.objects.filter(status=Member.Status.APPLICANT)
        .select_related("category")
        .order_by("applied_on", "id")
    )


def members_awaiting_ratification() -> QuerySet[Member]:
    return (
        Member.objects.filter(status=Member.Status.ADMITTED)
        .select_related("category", "college")
        .order_by("number")
    )


def members_on_roll(*, on: dt.date) -> QuerySet[Member]:
    """Members eligible on a date (admitted or ratified, not exited), for assemblies."""
    return (
        Member.objects.filter(admitted_on__lte=on, status__in=Member.ADMITTED_STATUSES)
        .select_related("college")
        .order_by("number")
    )


_Counted = TypeVar("_Counted", College, Category)


def _counted(queryset: QuerySet[_Counted]) -> QuerySet[_Counted]:
    """Annotate each row with its current members (admitted or ratified) and its entries
    (every entry of the register: applicants and former members included)."""
    return queryset.annotate(
        current_members=Count(
            "members", filter=Q(members__status__in=Member.ADMITTED_STATUSES), distinct=True
        ),
        entries=Count("members", distinct=True),
    )


def colleges_with_counts() -> QuerySet[College]:
    """The colleges in their order, with `current_members` and `entries` (one query)."""
    return _counted(College.objects.order_by("position", "name"))


def categories_with_counts() -> QuerySet[Category]:
    """The categories in their order, with their usual college, `current_members` and
    `entries` (one query)."""
    return _counted(Category.objects.select_related("default_college").order_by("position", "name"))


def register_waiting_counts() -> dict[str, int]:
    """What waits for the board in the register: applications to decide and admissions to
    have ratified by the next assembly (one query)."""
    from django.db.models import Count, Q

    return Member.objects.aggregate(
        applications=Count("pk", filter=Q(status=Member.Status.APPLICANT)),
        to_ratify=Count("pk", filter=Q(status=Member.Status.ADMITTED)),
    )
