"""The agenda of a draft assembly (administrators): its items and its resolutions, added,
changed, moved and removed before the assembly is convened."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from governance.forms.admin import (
    AgendaItemForm,
    ResolutionForm,
)
from governance.models import AgendaItem, Assembly, Resolution
from governance.services.agenda import (
    agenda_item_add,
    agenda_item_move,
    agenda_item_remove,
    agenda_item_update,
    resolution_add,
    resolution_move,
    resolution_remove,
    resolution_update,
)
from governance.views.desk import administrator, assembly_majorities, managed_assembly

# --- Agenda items ----------------------------------------------------------------------------


def _item(assembly: Assembly, item_pk: int) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.select_related("assembly"), pk=item_pk, assembly=assembly
    )


@require_http_methods(["GET", "POST"])
@administrator
def manage_item_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    form = AgendaItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agenda_item_add(assembly=assembly, **form.cleaned_data, actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The item is added to the agenda."))
            return redirect("governance:manage_detail", pk=assembly.pk)
    return render(request, "governance/admin/item_form.html", {"form": form, "assembly": assembly})


@require_http_methods(["GET", "POST"])
@administrator
def manage_item_edit(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    item = _item(assembly, item_pk)
    if request.method == "POST":
        form = AgendaItemForm(request.POST)
        if form.is_valid():
            try:
                agenda_item_update(item=item, **form.cleaned_data, actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The agenda item is saved."))
                return redirect("governance:manage_detail", pk=assembly.pk)
    else:
        form = AgendaItemForm(initial={"title": item.title, "description": item.description})
    return render(
        request,
        "governance/admin/item_form.html",
        {"form": form, "assembly": assembly, "item": item},
    )


def _post_action(
    request: HtmxHttpRequest, assembly: Assembly, action: Callable[[], None], done: str
) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("governance:manage_detail", pk=assembly.pk)


@require_POST
@administrator
def manage_item_move(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    item = _item(assembly, item_pk)
    up = request.POST.get("direction") == "up"
    return _post_action(
        request,
        assembly,
        lambda: agenda_item_move(item=item, up=up, actor=request.user),
        _("The agenda is reordered."),
    )


@require_POST
@administrator
def manage_item_remove(request: HtmxHttpRequest, pk: int, item_pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    item = _item(assembly, item_pk)
    return _post_action(
        request,
        assembly,
        lambda: agenda_item_remove(item=item, actor=request.user),
        _("The item “%(title)s” and its resolutions are removed from the agenda.")
        % {"title": item.title},
    )


# --- Resolutions -----------------------------------------------------------------------------


def _resolution(assembly: Assembly, resolution_pk: int) -> Resolution:
    return get_object_or_404(
        Resolution.objects.select_related("assembly"), pk=resolution_pk, assembly=assembly
    )


@require_http_methods(["GET", "POST"])
@administrator
def manage_resolution_add(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    majorities = assembly_majorities(assembly)
    initial = {"agenda_item": request.GET.get("item")} if request.GET.get("item") else None
    form = ResolutionForm(
        request.POST or None, initial=initial, assembly=assembly, majorities=majorities
    )
    if request.method == "POST" and form.is_valid():
        try:
            resolution = resolution_add(assembly=assembly, **form.cleaned_data, actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Resolution %(number)s is added.") % {"number": resolution.number},
            )
            return redirect("governance:manage_detail", pk=assembly.pk)
    return render(
        request,
        "governance/admin/resolution_form.html",
        {"form": form, "assembly": assembly, "has_items": assembly.agenda_items.exists()},
    )


@require_http_methods(["GET", "POST"])
@administrator
def manage_resolution_edit(request: HtmxHttpRequest, pk: int, resolution_pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    resolution = _resolution(assembly, resolution_pk)
    majorities = assembly_majorities(assembly)
    if request.method == "POST":
        form = ResolutionForm(request.POST, assembly=assembly, majorities=majorities)
        if form.is_valid():
            try:
                resolution_update(resolution=resolution, **form.cleaned_data, actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Resolution %(number)s is saved.") % {"number": resolution.number}
                )
                return redirect("governance:manage_detail", pk=assembly.pk)
    else:
        form = ResolutionForm(
            initial={
                "agenda_item": resolution.agenda_item_id,
                "title": resolution.title,
                "text": resolution.text,
                "majority_kind": resolution.majority_kind,
                "board_approves": ResolutionForm.position_initial(resolution.board_approves),
            },
            assembly=assembly,
            majorities=majorities,
        )
    return render(
        request,
        "governance/admin/resolution_form.html",
        {"form": form, "assembly": assembly, "resolution": resolution, "has_items": True},
    )


@require_POST
@administrator
def manage_resolution_move(request: HtmxHttpRequest, pk: int, resolution_pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    resolution = _resolution(assembly, resolution_pk)
    up = request.POST.get("direction") == "up"
    return _post_action(
        request,
        assembly,
        lambda: resolution_move(resolution=resolution, up=up, actor=request.user),
        _("The resolutions are reordered."),
    )


@require_POST
@administrator
def manage_resolution_remove(request: HtmxHttpRequest, pk: int, resolution_pk: int) -> HttpResponse:
    assembly = managed_assembly(pk)
    resolution = _resolution(assembly, resolution_pk)
    return _post_action(
        request,
        assembly,
        lambda: resolution_remove(resolution=resolution, actor=request.user),
        _("Resolution “%(title)s” is removed.") % {"title": resolution.title},
    )
