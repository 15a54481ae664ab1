"""Views that fail on purpose, for tests of the error pages (tests/coop/test_error_pages.py)."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from coop.roles import Role, role_required
from coop.urls import handler400, handler500  # noqa: F401  (this URLconf's handlers)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a request the site refuses")


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


@role_required(Role.ADMINISTRATOR)
def admin_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("admin area")


urlpatterns = [
    path("", include("coop.urls")),
    path("t/suspicious/", suspicious),
    path("t/broken/", broken),
    path("t/admin-only/", admin_only),
]
