"""Views that exist only for tests of the shared machinery (roles, domain errors)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from coop.errors import DomainError
from coop.roles import Role, role_required


@role_required(Role.ADMINISTRATOR)
def admin_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("admin area")


@role_required(Role.ORGANISER, Role.ADMINISTRATOR)
def organisers(request: HttpRequest) -> HttpResponse:
    return HttpResponse("organisers area")


@role_required(Role.MEMBER)
def members_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("members area")


@require_POST
def refuse(request: HttpRequest) -> HttpResponse:
    raise DomainError("The quorum is not reached: 3 present, 5 required.")


urlpatterns = [
    path("", include("coop.urls")),
    path("t/admin-only/", admin_only, name="t_admin_only"),
    path("t/organisers/", organisers, name="t_organisers"),
    path("t/members/", members_only, name="t_members"),
    path("t/refuse/", refuse, name="t_refuse"),
]
