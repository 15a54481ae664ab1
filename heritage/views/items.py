"""Heritage items and walks: their public pages, and the organisers' forms to document them."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import administrator_mfa_redirect, is_administrator
from heritage.forms import ImageForm, ItemCreateForm, ItemForm, WalkForm
from heritage.models import HeritageCommunity, HeritageItem, ItemImage, Walk
from heritage.selectors import is_organiser, walk_stops
from heritage.services.items import (
    image_add,
    image_remove,
    item_create,
    item_remove,
    item_update,
    may_remove,
    walk_create,
    walk_update,
    walks_through,
)


def _organised(request: HtmxHttpRequest, community: HeritageCommunity) -> None:
    if not is_organiser(user=request.user, community=community):
        raise PermissionDenied


@require_GET
def item_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(HeritageItem.objects.select_related("community"), pk=pk)
    return render(
        request,
        "heritage/item_detail.html",
        {
            "item": item,
            "images": item.images.all(),
            "walks": item.walks.order_by("title"),
            "is_organiser": is_organiser(user=request.user, community=item.community),
            "may_remove": may_remove(user=request.user, community=item.community),
            "image_form": ImageForm(),
        },
    )


@require_GET
def walk_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    walk = get_object_or_404(Walk.objects.select_related("community"), pk=pk)
    return render(
        request,
        "heritage/walk_detail.html",
        {
            "walk": walk,
            "stops": walk_stops(walk=walk),
            "is_organiser": is_organiser(user=request.user, community=walk.community),
        },
    )


def _item_form_page(
    request: HtmxHttpRequest, form: Any, community: HeritageCommunity, item: Any
) -> HttpResponse:
    return render(
        request,
        "heritage/item_form.html",
        {"form": form, "community": community, "item": item},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def item_new(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    _organised(request, community)
    form = ItemCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = item_create(
                community=community,
                data=form.data_object(),
                consent=form.cleaned_data["consent"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The item is saved. You can add images to it."))
            return redirect("heritage:item", pk=item.pk)
    return _item_form_page(request, form, community, None)


@require_http_methods(["GET", "POST"])
@login_required
def item_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(HeritageItem.objects.select_related("community"), pk=pk)
    _organised(request, item.community)
    if request.method == "POST":
        form = ItemForm(request.POST)
        if form.is_valid():
            try:
                item_update(item=item, data=form.data_object(), actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The item is saved."))
                return redirect("heritage:item", pk=item.pk)
    else:
        form = ItemForm(initial=ItemForm.initial_from(item))
    return _item_form_page(request, form, item.community, item)


@require_POST
@login_required
def image_new(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(HeritageItem.objects.select_related("community"), pk=pk)
    _organised(request, item.community)
    form = ImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            image_add(
                item=item,
                upload=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
                author=form.cleaned_data["author"],
                licence=form.cleaned_data["licence"],
                consent=form.cleaned_data["consent"],
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The image is added."))
            return redirect("heritage:item", pk=item.pk)
    return render(
        request,
        "heritage/item_detail.html",
        {
            "item": item,
            "images": item.images.all(),
            "walks": item.walks.order_by("title"),
            "is_organiser": True,
            "may_remove": True,
            "image_form": form,
            "form": form,
        },
        status=400,
    )


def _walk_page(
    request: HtmxHttpRequest, form: WalkForm, community: HeritageCommunity, walk: Walk | None
) -> HttpResponse:
    return render(
        request,
        "heritage/walk_form.html",
        {"form": form, "community": community, "walk": walk},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def walk_new(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    _organised(request, community)
    items = list(community.items.order_by("title", "id"))
    form = WalkForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            walk = walk_create(
                community=community,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                items=form.ordered_items(),
                actor=request.user,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The walk is saved."))
            return redirect("heritage:walk", pk=walk.pk)
    return _walk_page(request, form, community, None)


@require_http_methods(["GET", "POST"])
@login_required
def walk_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    walk = get_object_or_404(Walk.objects.select_related("community"), pk=pk)
    _organised(request, walk.community)
    items = list(walk.community.items.order_by("title", "id"))
    positions = {stop.item_id: stop.position for stop in walk.stops.all()}
    if request.method == "POST":
        form = WalkForm(request.POST, items=items)
        if form.is_valid():
            try:
                walk_update(
                    walk=walk,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    items=form.ordered_items(),
                    actor=request.user,
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The walk is saved."))
                return redirect("heritage:walk", pk=walk.pk)
    else:
        form = WalkForm(
            initial={"title": walk.title, "description": walk.description},
            items=items,
            positions=positions,
        )
    return _walk_page(request, form, walk.community, walk)


def _removal_guard(request: HtmxHttpRequest, community: HeritageCommunity) -> HttpResponse | None:
    """Organisers of the community may remove; administrators too, once they use TOTP."""
    if is_organiser(user=request.user, community=community):
        return None
    if is_administrator(request.user):
        return administrator_mfa_redirect(request)  # TOTP passed by this session
    raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def image_remove_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove an image of an item (its contributor may withdraw their consent)."""
    image = get_object_or_404(ItemImage.objects.select_related("item__community"), pk=pk)
    item = image.item
    if (refused := _removal_guard(request, item.community)) is not None:
        return refused
    if request.method == "POST":
        try:
            image_remove(image=image, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The image is removed."))
        return redirect("heritage:item", pk=item.pk)
    return render(request, "heritage/image_remove.html", {"image": image, "item": item})


@require_http_methods(["GET", "POST"])
@login_required
def item_remove_view(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Confirm, then remove an item with its images; an item on a walk stays until the walk is
    changed (the page says which walks)."""
    item = get_object_or_404(HeritageItem.objects.select_related("community"), pk=pk)
    if (refused := _removal_guard(request, item.community)) is not None:
        return refused
    if request.method == "POST":
        try:
            community = item_remove(item=item, actor=request.user)
        except DomainError as exc:
            messages.error(request, str(exc))
            if exc.code == "no_item":  # removed meanwhile, by someone else
                return redirect("heritage:community", slug=item.community.slug)
            return redirect("heritage:item_remove", pk=item.pk)
        messages.success(
            request, _("“%(title)s” is removed, with its images.") % {"title": item.title}
        )
        return redirect("heritage:community", slug=community.slug)
    return render(
        request,
        "heritage/item_remove.html",
        {"item": item, "images": item.images.all(), "walks": walks_through(item)},
    )
