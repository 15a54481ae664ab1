"""The minutes members may consult: those of the assemblies of the last three years
(RULES 17)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from governance.models import Minutes

ARCHIVE_YEARS = 3


def minutes_archive(*, now: dt.datetime | None = None) -> QuerySet[Minutes]:
    """Published minutes of the assemblies held in the last three years, newest first."""
    now = now or timezone.now()
    since = (
        now.replace(year=now.year - ARCHIVE_YEARS)
        if not (now.month == 2 and now.day == 29)
        else now.replace(year=now.year - ARCHIVE_YEARS, day=28)
    )
    return (
        Minutes.objects.filter(published_at__isnull=False, assembly__starts_at__gte=since)
        .select_related("assembly")
        .order_by("-assembly__starts_at")
    )
