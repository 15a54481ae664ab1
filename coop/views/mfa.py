"""allauth's two-factor pages, taking the administrator back to the page they were opening.

An administrator without an authenticator app is sent to set one up with `?next=` (see
`coop.roles.mfa_setup_redirect`). allauth's activation page drops it: after activation it shows
the recovery codes and the administrator had to find their page again. These two views carry
`next` through the activation form to the recovery codes, which then offer to continue there.
"""

from typing import Any
from urllib.parse import urlencode

from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from django.http import HttpRequest
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
