"""Request guards shared by every app."""

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext

from coop.errors import DomainError
from coop.roles import administrator_mfa_redirect, is_administrator

IDLE_SESSION_KEY = "coop_admin_last_activity"


def start_idle_clock(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Signing in is an activity: the idle time of an administrator counts from there."""
    timed = is_administrator(user) or user.is_superuser
    if timed and request is not None and hasattr(request, "session"):
        request.session[IDLE_SESSION_KEY] = time.time()


class AdministratorIdleTimeoutMiddleware:
    """Administrators are signed out after COOP_ADMIN_IDLE_TIMEOUT (30 minutes) without a request.

    Members keep the normal session length: only a session holding administrative powers (the
    administrator role, staff or superuser) is timed. The last activity is kept in the session
    (as a Unix time, like allauth's authentication records) and written at most once a minute,
    so that a page full of requests does not save the session each time.
    """

    SESSION_KEY = IDLE_SESSION_KEY
    WRITE_EVERY_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and (is_administrator(user) or user.is_superuser)):
            return self.get_response(request)
        now = time.time()
        idle_limit = settings.COOP_ADMIN_IDLE_TIMEOUT.total_seconds()
        last = request.session.get(self.SESSION_KEY)
        if isinstance(last, int | float) and now - last >= idle_limit:
            logout(request)
            minutes = int(idle_limit // 60)
            messages.info(
                request,
                ngettext(
                    "You were signed out after %(minutes)d minute without activity "
                    "(administrators' sessions are kept short). Sign in again to go on.",
                    "You were signed out after %(minutes)d minutes without activity "
                    "(administrators' sessions are kept short). Sign in again to go on.",
                    minutes,
                )
                % {"minutes": minutes},
            )
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("account_login")
                return response
            login = reverse("account_login")
            if request.method == "GET":
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            return redirect(login)
        if not isinstance(last, int | float) or now - last >= self.WRITE_EVERY_SECONDS:
            request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class AdministratorMFAMiddleware:
    """The Django admin is for superusers (technical staff), whose session passed TOTP.

    Cooperative administrators work on the cooperative's own pages (services, audit log); the
    Django admin is refused to them. Our own administrative views are guarded by
    coop.roles.role_required, which applies the same TOTP rule; this middleware covers the
    Django admin, which has no decorator of ours. Its sign-in page stays open to visitors, who
    are sent on to the site's sign-in (coop/urls.py).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin_prefix = reverse("admin:index")
        user = request.user
        if request.path.startswith(admin_prefix) and user.is_authenticated:
            if not (user.is_active and user.is_superuser):
                raise PermissionDenied
            detour = administrator_mfa_redirect(request)
            if detour is not None:
                return detour
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
