"""Reads of the member register. Other apps call these, never the models directly."""

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

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


def register_at(*, on: dt.date) -> QuerySet[RegisterEvent]:
    """The register as it stood at the end of `on`: each numbered entry's latest snapshot.

    One query (DISTINCT ON), whatever the number of members; rows ordered by member number.
    """
    latest = (
        RegisterEvent.objects.filter(effective_on__lte=on)
        .order_by("member_id", "-effective_on", "-id")
        .distinct("member_id")
    )
    return (
        RegisterEvent.objects.filter(pk__in=latest.values("pk"))
        .exclude(snapshot__number=None)
        .order_by("snapshot__number")
    )


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
