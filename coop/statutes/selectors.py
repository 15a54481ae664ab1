"""Reading the statutes: the versions, the one in force on a date."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from coop.errors import DomainError
from coop.models import Statutes
from coop.statutes.rules import PARAMETER_FIELDS


class StatutesNotInForce(DomainError):
    """No version of the statutes is in force on the date asked for."""


@dataclass(frozen=True)
class StatutesTimeline:
    """The versions around a date: the one in force, the future ones, the earlier ones."""

    on: dt.date
    in_force: Statutes | None
    future: list[Statutes] = field(default_factory=list)  # soonest first
    past: list[Statutes] = field(default_factory=list)  # most recent first


# --- Selectors -------------------------------------------------------------------------------


def statutes_versions() -> QuerySet[Statutes]:
    """Every version, the latest effective date first."""
    return Statutes.objects.select_related("created_by").order_by("-effective_from")


def statutes_latest() -> Statutes | None:
    """The version with the latest effective date (in force or not yet), if any."""
    return Statutes.objects.order_by("-effective_from").first()


def statutes_in_force(*, on: dt.date | None = None) -> Statutes:
    """The version in force on `on` (today in the cooperative's time zone by default)."""
    day = on or timezone.localdate()
    statutes = Statutes.objects.filter(effective_from__lte=day).order_by("-effective_from").first()
    if statutes is None:
        raise StatutesNotInForce(
            gettext(
                "No statutes are in force on %(date)s: an administrator must first record "
                "the statutes of the cooperative, with the date they took effect."
            )
            % {"date": date_format(day, "DATE_FORMAT")},
            code="no_statutes_in_force",
        )
    return statutes


def statutes_timeline(*, on: dt.date | None = None) -> StatutesTimeline:
    """The version in force on `on`, the versions still to come and the earlier ones."""
    day = on or timezone.localdate()
    versions = list(statutes_versions())
    future = [v for v in versions if v.effective_from > day]
    current = [v for v in versions if v.effective_from <= day]
    return StatutesTimeline(
        on=day,
        in_force=current[0] if current else None,
        future=list(reversed(future)),
        past=current[1:],
    )


def statutes_parameters(statutes: Statutes) -> dict[str, Any]:
    """The parameters of a version as a dict (the form's initial values, the audit's diff)."""
    return {name: getattr(statutes, name) for name in PARAMETER_FIELDS}
