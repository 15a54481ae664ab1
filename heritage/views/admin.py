"""The administrators' pages: heritage communities and their organisers."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.roles import Role, role_required
from heritage.forms import CommunityForm
from heritage.models import HeritageCommunity
from heritage.selectors import communities_listed
from heritage.services import community_create, community_update


@require_GET
@role_required(Role.ADMINISTRATOR)
def communities(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "heritage/admin_communities.html",
        {"communities": communities_listed().prefetch_related("organisers")},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def community_new(request: HtmxHttpRequest) -> HttpResponse:
    form = CommunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            community = community_create(**form.cleaned_data, actor=request.user)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The community %(name)s is created.") % {"name": community.name}
            )
            return redirect("heritage:admin_communities")
    return render(
        request,
        "heritage/admin_community_form.html",
        {"form": form, "community": None},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.ADMINISTRATOR)
def community_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, pk=pk)
    if request.method == "POST":
        form = CommunityForm(request.POST)
        if form.is_valid():
            try:
                community_update(community=community, **form.cleaned_data, actor=request.user)
            except DomainError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The community is saved."))
                return redirect("heritage:admin_communities")
    else:
        form = CommunityForm(
            initial={
                "name": community.name,
                "territory": community.territory,
                "description": community.description,
                "organisers": "\n".join(u.email for u in community.organisers.order_by("email")),
            }
        )
    return render(
        request,
        "heritage/admin_community_form.html",
        {"form": form, "community": community},
        status=400 if form.errors else 200,
    )
