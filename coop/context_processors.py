import functools

from django.conf import settings
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coop.roles import Role, is_administrator, user_roles

Links = tuple[tuple[str, str], ...]


def navigation(request: HttpRequest) -> dict[str, object]:
    """The navigation a person sees depends on their roles."""
    user = request.user
    roles = user_roles(user)
    authenticated = bool(user.is_authenticated)
    items, admin_items = _menus(
        roles,
        authenticated=authenticated,
        administrator=authenticated and (Role.ADMINISTRATOR in roles or is_administrator(user)),
        superuser=bool(getattr(user, "is_superuser", False)),
        language=get_language(),
        prefix=get_script_prefix(),
    )
    return {
        "nav_items": items,
        "nav_admin_items": admin_items,
        "user_roles": sorted(r.value for r in roles),
        "site_name": settings.COOP_SITE_NAME,
    }


@functools.lru_cache(maxsize=256)
def _menus(
    roles: frozenset[Role],
    *,
    authenticated: bool,
    administrator: bool,
    superuser: bool,
    language: str,
    prefix: str,
) -> tuple[Links, Links]:
    """The two menus for a set of roles in a language: the same for everyone who has them, so
    built once per process (their labels translated, their URLs reversed) rather than on every
    page. `language` and `prefix` are part of the key: the labels and URLs depend on them."""
    items: list[tuple[str, str]] = [(str(_("Home")), reverse("home"))]
    if Role.MEMBER in roles:
        items.append((str(_("My membership")), reverse("members:me")))
        items.append((str(_("My shares")), reverse("capital:me")))
        items.append((str(_("My assemblies")), reverse("governance:my_assemblies")))
        items.append((str(_("Minutes")), reverse("governance:minutes_archive")))
    items.append((str(_("Gatherings")), reverse("heritage:gatherings")))
    if authenticated:
        items.append((str(_("My communities")), reverse("heritage:my")))
    if Role.ORGANISER in roles:
        items.append((str(_("Organise")), reverse("heritage:organise")))
    if not authenticated:
        items.append((str(_("Become a member")), reverse("members:apply")))
    admin_items: list[tuple[str, str]] = []
    if administrator:
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
        if superuser:  # the Django admin is for the technical staff (coop/admin.py)
            admin_items.append((str(_("Technical administration")), reverse("admin:index")))
    return tuple(items), tuple(admin_items)
