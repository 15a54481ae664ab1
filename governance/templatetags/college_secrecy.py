"""Colleges of a single voter (issue 15): the results per college, and the ballots published
with their college, show how that voter voted. The convene page warns the administrator, and
the ballot page tells that voter, before a vote is cast. Tags, so that the governance views
and services stay as they are."""

from django import template
from django.db.models import Count
from django.utils import timezone

from coop.statutes import StatutesNotInForce, statutes_in_force
from governance.models import Assembly, RollEntry
from members.selectors import members_on_roll

register = template.Library()


@register.simple_tag
def colleges_of_one_today() -> list[str]:
    """The names of the colleges that would have a single member on a roll frozen today,
    when the statutes in force have colleges."""
    try:
        if not statutes_in_force().colleges_enabled:
            return []
    except StatutesNotInForce:
        return []
    rows = (
        members_on_roll(on=timezone.localdate())
        .order_by()
        .values("college__name")
        .annotate(voters=Count("id"))
        .filter(voters=1, college__isnull=False)
    )
    return sorted(row["college__name"] for row in rows)


@register.simple_tag
def colleges_of_one_on_roll(assembly: Assembly) -> set[int]:
    """The ids of the assembly's colleges (as frozen) with a single member on its roll."""
    rows = (
        RollEntry.objects.filter(assembly=assembly, college__isnull=False)
        .values("college_id")
        .annotate(voters=Count("id"))
        .filter(voters=1)
    )
    return {row["college_id"] for row in rows}
