"""A guest asks for their registrations by e-mail (heritage.services.guest_lookup)."""

from allauth.account.adapter import get_adapter
from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from coop.fields import GuardedForm
from coop.http import HtmxHttpRequest
from heritage.models import Registration
from heritage.services.guest_lookup import (
    LOOKUP_MAX_AGE,
    client_allowed,
    guest_lookup_request,
    guest_registrations_for,
    lookup_token_read,
)
from heritage.tokens import BadToken, cancel_token


class GuestLookupForm(GuardedForm):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        help_text=_("The address you gave when you registered."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


@require_http_methods(["GET", "POST"])
def guest_lookup(request: HtmxHttpRequest) -> HttpResponse:
    form = GuestLookupForm(request.POST or None)
    context = {"form": form, "sent": False, "hours": int(LOOKUP_MAX_AGE.total_seconds() // 3600)}
    if request.method != "POST":
        return render(request, "heritage/guest_lookup.html", context)
    if not client_allowed(client=get_adapter(request).get_client_ip(request)):
        context["too_many"] = True
        return render(request, "heritage/guest_lookup.html", context, status=429)
    if not form.is_valid():
        return render(request, "heritage/guest_lookup.html", context, status=400)
    guest_lookup_request(email=form.cleaned_data["email"])
    context["sent"] = True
    return render(request, "heritage/guest_lookup.html", context)


@require_GET
def guest_lookup_list(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        email = lookup_token_read(token)
    except BadToken:
        return render(
            request,
            "heritage/link_error.html",
            {
                "error": _(
                    "This link is not valid or is too old. Ask for a new one from the page "
                    "“My registrations as a guest”."
                )
            },
            status=400,
        )
    registrations = [
        {
            "registration": registration,
            "gathering": registration.gathering,
            "cancel_token": cancel_token(registration.pk)
            if registration.status in Registration.ACTIVE
            else None,
        }
        for registration in guest_registrations_for(email=email)
    ]
    response = render(
        request,
        "heritage/guest_lookup_list.html",
        {"email": email, "registrations": registrations},
    )
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "private, no-store"
    return response
