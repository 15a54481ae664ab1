"""Roles (member, organiser, administrator) as groups with permissions, and the view guard."""

import time
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import wraps
from typing import Any

from allauth.account.authentication import get_authentication_records
from django.conf import settings
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


def session_passed_mfa(request: HttpRequest) -> bool:
    """True when THIS session passed the second factor less than COOP_ADMIN_MFA_MAX_AGE ago.

    allauth records each authentication step of a session (password, code, mfa, and their
    reauthentications) with its time; an account with TOTP enrolled says nothing about how the
    current session was signed in.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    max_age = settings.COOP_ADMIN_MFA_MAX_AGE.total_seconds()
    now = time.time()
    for record in get_authentication_records(request, user):
        if record.get("method") != "mfa":
            continue
        try:
            at = float(record.get("at", 0))
        except (TypeError, ValueError):
            continue
        if 0 <= now - at < max_age:
            return True
    return False


def mfa_step_redirect(request: HttpRequest) -> HttpResponse:
    """Send a signed-in administrator to enter a code of their authenticator app."""
    messages.warning(
        request,
        _(
            "Enter a code from your authenticator app to reach administrative pages. It is "
            "asked once per sign-in, and again after 12 hours."
        ),
    )
    target = reverse("mfa_reauthenticate")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def administrator_mfa_redirect(request: HttpRequest) -> HttpResponse | None:
    """None when the administrator may go on; else where they must go first (set-up or code)."""
    if not has_totp(request.user):
        return mfa_setup_redirect(request)
    if not session_passed_mfa(request):
        return mfa_step_redirect(request)
    return None


def is_verified_administrator(request: HttpRequest) -> bool:
    """An administrator whose account has TOTP and whose session passed it (see above)."""
    return is_administrator(request.user) and has_totp(request.user) and session_passed_mfa(request)


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
    """Protect a view: signed in, holding one of `roles`.

    A view for administrators only also needs TOTP: set up on the account, and passed by this
    session within COOP_ADMIN_MFA_MAX_AGE (12 hours).
    """

    allowed: Iterable[Role] = roles or (Role.MEMBER,)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *allowed):
                raise PermissionDenied
            if set(allowed) == {Role.ADMINISTRATOR}:
                detour = administrator_mfa_redirect(request)
                if detour is not None:
                    return detour
            return view(request, *args, **kwargs)

        wrapper.required_roles = tuple(allowed)  # type: ignore[attr-defined]
        return wrapper

    return decorator
