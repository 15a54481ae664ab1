"""Administrators' pages of the statutes: versions, one version's parameters, a new version."""

from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.forms import STATUTES_SECTIONS, StatutesForm
from coop.http import HtmxHttpRequest
from coop.models import Statutes
from coop.roles import Role, role_required
from coop.statutes import (
    statutes_create_version,
    statutes_latest,
    statutes_parameters,
    statutes_timeline,
    statutes_versions,
)


def _percent(value: Fraction) -> Decimal:
    """A fraction as a percentage rounded to 2 places, for display only."""
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)


def _row(statutes: Statutes, name: str) -> dict[str, Any]:
    """One parameter as the detail page shows it: its label, its value and how to show it."""
    model_field = Statutes._meta.get_field(name)
    value = getattr(statutes, name)
    row: dict[str, Any] = {"name": name, "label": model_field.verbose_name, "value": value}
    if name in Statutes.FRACTION_FIELDS:
        row.update(kind="fraction", percent=_percent(statutes.ratio(name)))
    elif model_field.choices:
        row.update(kind="text", value=getattr(statutes, f"get_{name}_display")())
    elif isinstance(value, bool):
        row.update(kind="bool")
    elif name == "nominal_share_value":
        row.update(kind="money")
    elif name == "distance_vote_closing_time":
        row.update(kind="time")
    else:
        row.update(kind="text")
    return row


def _sections(statutes: Statutes) -> list[dict[str, Any]]:
    return [
        {
            "key": section.key,
            "title": section.title,
            "groups": [
                {"title": group.title, "rows": [_row(statutes, name) for name in group.fields]}
                for group in section.groups
            ],
        }
        for section in STATUTES_SECTIONS
    ]


def _status(statutes: Statutes, in_force: Statutes | None) -> str:
    if in_force is not None and statutes.pk == in_force.pk:
        return "in_force"
    return "future" if statutes.effective_from > timezone.localdate() else "past"


@require_GET
@role_required(Role.ADMINISTRATOR)
def statutes_index(request: HtmxHttpRequest) -> HttpResponse:
    timeline = statutes_timeline()
    history = [*reversed(timeline.future), *([timeline.in_force] if timeline.in_force else [])]
    history += timeline.past
    return render(
        request,
        "coop/statutes_index.html",
        {
            "timeline": timeline,
            "history": [(v, _status(v, timeline.in_force)) for v in history],
        },
    )


@require_GET
@role_required(Role.ADMINISTRATOR)
def statutes_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    statutes = get_object_or_404(statutes_versions(), pk=pk)
    in_force = statutes_timeline().in_force
    return render(
        request,
        "coop/statutes_detail.html",
        {
            "statutes": statutes,
            "status": _status(statutes, in_force),
            "sections": _sections(statutes),
        },
    )


def _initial(latest: Statutes | None) -> dict[str, Any]:
    """The latest version's parameters (a new decision, a new date), or the model defaults."""
    if latest is None:
        return {}
    initial = statutes_parameters(latest)
    initial.pop("decision_ref")
    return initial


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def statutes_create(request: HtmxHttpRequest) -> HttpResponse:
    latest = statutes_latest()
    if request.method == "POST":
        form = StatutesForm(request.POST)
        if form.is_valid():
            try:
                statutes = statutes_create_version(
                    actor=request.user,
                    effective_from=form.cleaned_data["effective_from"],
                    values=form.parameter_values(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except DomainError as exc:
                field = "effective_from" if exc.code == "effective_date_not_after_latest" else None
                form.add_error(field, str(exc))
            else:
                messages.success(
                    request,
                    _("The new version of the statutes, in force from %(date)s, is recorded.")
                    % {"date": date_format(statutes.effective_from, "DATE_FORMAT")},
                )
                return redirect("coop:statutes_detail", pk=statutes.pk)
    else:
        form = StatutesForm(initial=_initial(latest))
    return render(request, "coop/statutes_create.html", {"form": form, "latest": latest})
