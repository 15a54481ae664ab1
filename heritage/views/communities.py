"""Communities: their pages, joining and leaving them (members from their portal, anyone else
as a participant with a checked e-mail address), and "My communities"."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest
from coop.throttle import anonymous_mail_allowed, anonymous_mail_refused_message
from heritage.forms import JoinForm, ParticipantForm
from heritage.gdpr import has_member_export
from heritage.models import HeritageCommunity
from heritage.selectors import (
    communities_listed,
    community_membership,
    gatherings_listed,
    is_organiser,
    registrations_of_user,
)
from heritage.services import community_join, community_leave, participant_confirm
from heritage.services import participant_request as participant_request_service
from heritage.tokens import cancel_token

UPCOMING_SHOWN = 20


@require_GET
def community_list(request: HtmxHttpRequest) -> HttpResponse:
    return render(
        request,
        "heritage/community_list.html",
        {"communities": communities_listed(user=request.user)},
    )


def _community_context(
    request: HtmxHttpRequest, community: HeritageCommunity, **extra: Any
) -> dict[str, Any]:
    membership = community_membership(community=community, user=request.user)
    return {
        "community": community,
        "membership": membership,
        "organisers": community.organisers.order_by("first_name", "last_name", "email"),
        "gatherings": list(
            gatherings_listed(user=request.user, community=community)[:UPCOMING_SHOWN]
        ),
        # Hearing of new gatherings is asked for, never assumed: unchecked until chosen.
        "join_form": JoinForm(initial={"notify": membership.notify if membership else False}),
        "participant_form": ParticipantForm(),
        "is_organiser": is_organiser(user=request.user, community=community),
        "items": community.items.order_by("title", "id"),
        "walks": community.walks.order_by("title", "id"),
        **extra,
    }


@require_GET
def community_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    return render(request, "heritage/community_detail.html", _community_context(request, community))


def _back(request: HtmxHttpRequest, community: HeritageCommunity) -> HttpResponse:
    """Back to "My communities" or to the community's page, wherever the form was."""
    if request.POST.get("next") == "my":
        return redirect("heritage:my")
    return redirect("heritage:community", slug=community.slug)


@require_POST
@login_required
def join(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    form = JoinForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    already = community_membership(community=community, user=request.user) is not None
    community_join(
        community=community, user=request.user, notify=form.cleaned_data.get("notify", False)
    )
    if already:
        messages.success(request, _("Your choice is saved."))
    else:
        messages.success(request, _("You joined %(community)s.") % {"community": community.name})
    return _back(request, community)


@require_POST
@login_required
def leave(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    community_leave(community=community, user=request.user)
    messages.success(request, _("You left %(community)s.") % {"community": community.name})
    return _back(request, community)


#: allauth's rate limit (settings.ACCOUNT_RATE_LIMITS) of requests to take part.
PARTICIPATION_RATE_ACTION = "heritage_participation"


@require_POST
def participate(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    form = ParticipantForm(request.POST)
    status = 400
    if form.is_valid() and not anonymous_mail_allowed(
        request, action=PARTICIPATION_RATE_ACTION, email=form.cleaned_data["email"]
    ):
        form.add_error(None, anonymous_mail_refused_message())
        status = 429
    elif form.is_valid():
        try:
            participant_request_service(
                community=community,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                notify=form.cleaned_data["notify"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request,
                "heritage/participant_check_email.html",
                {"community": community, "email": form.cleaned_data["email"]},
            )
    context = _community_context(request, community, participant_form=form, form=form)
    return render(request, "heritage/community_detail.html", context, status=status)


@require_GET
def participant_verify(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        membership = participant_confirm(token=token)
    except DomainError as exc:
        return render(request, "heritage/link_error.html", {"error": str(exc)}, status=400)
    return render(
        request,
        "heritage/participant_welcome.html",
        {"membership": membership, "community": membership.community},
    )


@require_GET
@login_required
def my_communities(request: HtmxHttpRequest) -> HttpResponse:
    registrations = [
        (registration, cancel_token(registration.pk))
        for registration in registrations_of_user(user=request.user)
    ]
    return render(
        request,
        "heritage/my.html",
        {
            "communities": communities_listed(user=request.user),
            "registrations": registrations,
            # Members download their personal data from their membership page.
            "member_export": has_member_export(user=request.user),
        },
    )
