"""Request guards shared by every app."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from coop.errors import DomainError
from coop.roles import has_totp, is_administrator, mfa_setup_redirect


class AdministratorMFAMiddleware:
    """No administrator reaches the Django admin without TOTP MFA set up.

    Our own administrative views are guarded by coop.roles.role_required, which applies the
    same rule; this middleware covers the Django admin, which has no decorator of ours.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin_prefix = reverse("admin:index")
        user = request.user
        if (
            request.path.startswith(admin_prefix)
            and user.is_authenticated
            and is_administrator(user)
            and not has_totp(user)
        ):
            return mfa_setup_redirect(request)
        return self.get_response(request)


class DomainErrorMiddleware:
    """A DomainError that escapes a view becomes a message for the user, and changes nothing.

    Services are atomic, so the transaction that raised has already been rolled back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        messages.error(request, str(exception))
        if getattr(request, "htmx", False):
            response = render(request, "coop/messages.html#messages", status=200)
            response["HX-Retarget"] = "#messages"
            response["HX-Reswap"] = "outerHTML"
            return response
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("home")
        return redirect(back)
