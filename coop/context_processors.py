from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coop.roles import Role, is_administrator, user_roles


def navigation(request: HttpRequest) -> dict[str, object]:
    """The navigation a person sees depends on their roles."""
    user = request.user
    roles = user_roles(user)
    items: list[tuple[str, str]] = [(str(_("Home")), reverse("home"))]
    if Role.MEMBER in roles:
        items.append((str(_("My membership")), reverse("members:me")))
        items.append((str(_("My shares")), reverse("capital:me")))
        items.append((str(_("My assemblies")), reverse("governance:my_assemblies")))
        items.append((str(_("Minutes")), reverse("governance:minutes_archive")))
    items.append((str(_("Gatherings")), reverse("heritage:gatherings")))
    if user.is_authenticated:
        items.append((str(_("My communities")), reverse("heritage:my")))
    if Role.ORGANISER in roles:
        items.append((str(_("Organise")), reverse("heritage:organise")))
    if not user.is_authenticated:
        items.append((str(_("Become a member")), reverse("members:apply")))
    admin_items: list[tuple[str, str]] = []
    if user.is_authenticated and (Role.ADMINISTRATOR in roles or is_administrator(user)):
        admin_items = [
            (str(_("Member register")), reverse("members:register")),
            (str(_("Applications")), reverse("members:applications")),
            (str(_("Ratification")), reverse("members:ratify")),
            (str(_("Share capital")), reverse("capital:overview")),
            (str(_("General assemblies")), reverse("governance:manage")),
            (str(_("Heritage communities")), reverse("heritage:admin_communities")),
            (str(_("Statutes")), reverse("coop:statutes")),
            (str(_("Notices sent")), reverse("coop:outbox")),
            (str(_("Audit log")), reverse("coop:audit")),
        ]
        if user.is_superuser:  # the Django admin is for the technical staff (coop/admin.py)
            admin_items.append((str(_("Technical administration")), reverse("admin:index")))
    return {
        "nav_items": items,
        "nav_admin_items": admin_items,
        "user_roles": sorted(r.value for r in roles),
        "site_name": settings.COOP_SITE_NAME,
    }
