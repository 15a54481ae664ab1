"""allauth's two-factor pages, taking the administrator back to the page they were opening.

An administrator without an authenticator app is sent to set one up with `?next=` (see
`coop.roles.mfa_setup_redirect`). allauth's activation page drops it: after activation it shows
the recovery codes and the administrator had to find their page again. These two views carry
`next` through the activation form to the recovery codes, which then offer to continue there.

Activating TOTP means typing a code of the new authenticator, in a session that has just
reauthenticated: the session is recorded as having passed the second factor (as allauth records
a TOTP sign-in), so that administrative pages (coop.roles.session_passed_mfa) let it in.
"""

from typing import Any
from urllib.parse import urlencode

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest) -> str:
    """The `next` of the request (form first, then query), if it is a page of this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


class ActivateTOTPThenContinue(ActivateTOTPView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next_url"] = next_url(self.request)
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = self.request.user
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is not None:
            record_authentication(
                self.request, user, "mfa", id=authenticator.pk, type=authenticator.type
            )
        return response

    def get_success_url(self) -> str:
        url = super().get_success_url()
        target = next_url(self.request)
        if not target:
            return url
        if url == reverse("mfa_view_recovery_codes"):
            return f"{url}?{urlencode({'next': target})}"  # the codes first, then onwards
        return target


class RecoveryCodesThenContinue(ViewRecoveryCodesView):
    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["next_url"] = next_url(self.request)
        return context


activate_totp = ActivateTOTPThenContinue.as_view()
view_recovery_codes = RecoveryCodesThenContinue.as_view()
