"""The organisers' pages: their communities' gatherings, preparing, publishing, changing and
cancelling them, the list of registrations (CSV, sign-in sheet) and the attendance."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from heritage.exports import registrations_csv, sign_in_sheet_pdf
from heritage.forms import GatheringForm
from heritage.models import Gathering, HeritageCommunity, Registration
from heritage.selectors import (
    communities_organised_by,
    gathering_counts,
    gathering_registrations,
    gatherings_organised,
    is_organiser,
)
from heritage.services import (
    attendance_record,
    gathering_cancel,
    gathering_create,
    gathering_publish,
    gathering_update,
)


def _organised_community(request: HtmxHttpRequest, slug: str) -> HeritageCommunity:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    if not is_organiser(user=request.user, community=community):
        raise PermissionDenied
    return community


def _organised_gathering(request: HtmxHttpRequest, pk: int) -> Gathering:
    gathering = get_object_or_404(Gathering.objects.select_related("community"), pk=pk)
    if not is_organiser(user=request.user, community=gathering.community):
        raise PermissionDenied
    return gathering


@require_GET
@login_required
def organise_index(request: HtmxHttpRequest) -> HttpResponse:
    communities = list(communities_organised_by(user=request.user))
    return render(
        request,
        "heritage/organise.html",
        {"communities": communities, "gatherings": gatherings_organised(user=request.user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def gathering_new(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = _organised_community(request, slug)
    if request.method == "POST":
        form = GatheringForm(request.POST, community=community)
        if form.is_valid():
            try:
                gathering = gathering_create(
                    community=community, data=form.data_object(), actor=request.user
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("The draft is saved. Check it, then publish it when it is ready.")
                )
                return redirect("heritage:gathering_manage", pk=gathering.pk)
    else:
        form = GatheringForm(
            initial={"visibility": Gathering.Visibility.PUBLIC}, community=community
        )
    return render(
        request,
        "heritage/gathering_form.html",
        {"form": form, "community": community, "gathering": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def gathering_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _organised_gathering(request, pk)
    if request.method == "POST":
        form = GatheringForm(request.POST, community=gathering.community)
        if form.is_valid():
            try:
                gathering = gathering_update(
                    gathering=gathering, data=form.data_object(), actor=request.user
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The gathering is saved."))
                return redirect("heritage:gathering_manage", pk=gathering.pk)
    else:
        form = GatheringForm(
            initial=GatheringForm.initial_from(gathering), community=gathering.community
        )
    return render(
        request,
        "heritage/gathering_form.html",
        {"form": form, "community": gathering.community, "gathering": gathering},
        status=400 if form.errors else 200,
    )


def _manage_context(gathering: Gathering) -> dict[str, Any]:
    registrations = list(gathering_registrations(gathering=gathering))
    return {
        "gathering": gathering,
        "counts": gathering_counts(gathering=gathering),
        "registrations": registrations,
        "confirmed": [r for r in registrations if r.status == Registration.Status.CONFIRMED],
        "started": timezone.now() >= gathering.starts_at,
    }


@require_GET
@login_required
def gathering_manage(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _organised_gathering(request, pk)
    return render(request, "heritage/gathering_manage.html", _manage_context(gathering))


@require_POST
@login_required
def publish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _organised_gathering(request, pk)
    gathering_publish(gathering=gathering, actor=request.user)
    messages.success(request, _("The gathering is published."))
    return redirect("heritage:gathering_manage", pk=gathering.pk)


@require_POST
@login_required
def cancel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _organised_gathering(request, pk)
    gathering_cancel(gathering=gathering, actor=request.user)
    messages.success(
        request, _("The gathering is cancelled. The people registered are told by e-mail.")
    )
    return redirect("heritage:gathering_manage", pk=gathering.pk)


@require_POST
@login_required
def attendance(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _organised_gathering(request, pk)
    try:
        present = {int(value) for value in request.POST.getlist("present")}
    except ValueError:
        present = {-1}
    attendance_record(gathering=gathering, present=present, actor=request.user)
    messages.success(request, _("The attendance is saved."))
    return redirect("heritage:gathering_manage", pk=gathering.pk)


@require_GET
@login_required
def export_csv(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _organised_gathering(request, pk)
    response = HttpResponse(
        registrations_csv(gathering=gathering), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="registrations-{gathering.pk}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def sign_in_sheet(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _organised_gathering(request, pk)
    response = HttpResponse(sign_in_sheet_pdf(gathering=gathering), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sign-in-sheet-{gathering.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
