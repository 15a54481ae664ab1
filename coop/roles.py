"""Roles (member, organiser, administrator) as groups with permissions, and the view guard."""

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    MEMBER = "member"
    ORGANISER = "organiser"
    ADMINISTRATOR = "administrator"


ROLE_LABELS = {
    Role.MEMBER: _("member"),
    Role.ORGANISER: _("organiser"),
    Role.ADMINISTRATOR: _("administrator"),
}

# Permissions each role's group carries ("app_label.codename"). Apps add theirs here as they
# grow; the groups are brought in line after every migrate (coop.apps).
ROLE_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.MEMBER: (),
    Role.ORGANISER: (),
    Role.ADMINISTRATOR: (
        "coop.view_statutes",
        "coop.add_statutes",
        "coop.view_auditevent",
        "coop.view_notice",
        "coop.view_noticedelivery",
        "coop.view_user",
        "coop.change_user",
        "members.manage_register",
        "members.view_register",
        "members.view_member",
        "members.view_registerevent",
        "members.add_category",
        "members.change_category",
        "members.view_category",
        "members.view_college",
        "capital.manage_capital",
        "capital.view_capital",
        "capital.view_sharemovement",
        "capital.view_repaymentrequest",
        "capital.view_accountsapproval",
        "capital.view_interestratedecision",
        "governance.manage_assemblies",
        "governance.view_assembly",
        "governance.view_agendaitem",
        "governance.view_resolution",
        "governance.view_rollentry",
        "governance.view_assemblycollege",
        "governance.view_proxy",
        "governance.view_bureauseat",
        "governance.view_participation",
        "heritage.view_heritagecommunity",
        "heritage.view_communitymembership",
        "heritage.view_gathering",
        "heritage.view_registration",
        "heritage.view_heritageitem",
        "heritage.view_itemimage",
        "heritage.view_walk",
    ),
}


def sync_role_groups(**_kwargs: Any) -> None:
    """Create the role groups and give each exactly the permissions of ROLE_PERMISSIONS."""
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = []
        for name in names:
            app_label, codename = name.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def user_roles(user: Any) -> frozenset[Role]:
    """The roles of a user (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_coop_roles", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        roles = frozenset(Role)
    else:
        names = set(user.groups.values_list("name", flat=True))
        roles = frozenset(role for role in Role if role.value in names)
    user._coop_roles = roles
    return roles


def has_role(user: Any, *roles: Role) -> bool:
    """True when the user has at least one of the roles."""
    return bool(user_roles(user) & set(roles))


def is_administrator(user: Any) -> bool:
    return has_role(user, Role.ADMINISTRATOR) or bool(getattr(user, "is_staff", False))


def has_totp(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_setup_redirect(request: HttpRequest) -> HttpResponse:
    messages.warning(
        request,
        _(
            "Administrators must protect their account with an authenticator app "
            "(two-factor authentication) before they reach administrative pages."
        ),
    )
    target = reverse("mfa_activate_totp")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Protect a view: signed in, holding one of `roles`; administrators must have MFA on."""

    allowed: Iterable[Role] = roles or (Role.MEMBER,)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *allowed):
                raise PermissionDenied
            if set(allowed) == {Role.ADMINISTRATOR} and not has_totp(request.user):
                return mfa_setup_redirect(request)
            return view(request, *args, **kwargs)

        wrapper.required_roles = tuple(allowed)  # type: ignore[attr-defined]
        return wrapper

    return decorator
