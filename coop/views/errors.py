"""Error pages (coop.urls' handlers, settings.CSRF_FAILURE_VIEW).

404 and 403 are Django's own handlers rendering templates/404.html and 403.html with the
request's context. 400 and 500 render without it: the context processors query the database,
which may be the very cause of the error (and a 400 may come from a request whose host is
refused). The CSRF failure page replaces Django's bare English one.
"""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseServerError,
)
from django.shortcuts import render
from django.template.loader import render_to_string


def _self_contained(template_name: str) -> str:
    return render_to_string(template_name, {"site_name": settings.COOP_SITE_NAME})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponseBadRequest(_self_contained("400.html"))


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponseServerError(_self_contained("500.html"))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """In the site's layout and the visitor's language: the form expired or cookies are
    blocked; go back, reload and try again. The technical reason is shown in development only."""
    context = {"reason": reason if settings.DEBUG else ""}
    return render(request, "403_csrf.html", context, status=403)
