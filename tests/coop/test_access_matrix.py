"""The access matrix of every administrators' page of the site, by kind of visitor: anonymous,
member, organiser, administrator whose session has not passed TOTP, verified administrator.
Pages are found from the URL configuration (views guarded by role_required(ADMINISTRATOR)),
so a new page is in the matrix without being listed here."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, UUIDConverter

from coop.roles import Role
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp, force_login_first_factor, record_sign_in

pytestmark = pytest.mark.django_db


def _administrators_pages() -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []

    def walk(patterns, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                roles = getattr(entry.callback, "required_roles", None)
                if roles != (Role.ADMINISTRATOR,):
                    continue
                kwargs = {}
                for name, converter in entry.pattern.converters.items():
                    if isinstance(converter, IntConverter):
                        kwargs[name] = 1
                    elif isinstance(converter, UUIDConverter):
                        kwargs[name] = uuid.uuid4()
                    else:
                        kwargs[name] = "x"
                found.append((f"{namespace}{entry.name}", kwargs))

    walk(get_resolver().url_patterns, "")
    return found


PAGES = _administrators_pages()


def _status(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url)
    return response.status_code, response.get("Location", "")


def test_the_matrix_covers_the_administrators_pages():
    names = {name for name, _kwargs in PAGES}
    assert {"members:register", "capital:overview", "coop:audit", "governance:manage"} <= names
    assert len(PAGES) > 40


@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[name for name, _ in PAGES])
def test_every_administrators_page_by_every_kind_of_visitor(client, name, kwargs):
    url = reverse(name, kwargs=kwargs)

    status, location = _status(client, url)
    assert status == 302 and location.startswith(reverse("account_login")), "anonymous"

    for roles in (["member"], ["organiser", "member"]):
        client.force_login(UserFactory(roles=roles))
        assert _status(client, url)[0] == 403, roles

    administrator = UserFactory(roles=["administrator", "member"], is_staff=True)
    client.force_login(administrator)
    status, location = _status(client, url)
    assert status == 302 and location.startswith(reverse("mfa_activate_totp")), "no TOTP"

    activate_totp(administrator)
    force_login_first_factor(client, administrator)
    record_sign_in(client, administrator, mfa=False)
    status, location = _status(client, url)
    assert status == 302 and location.startswith(reverse("mfa_reauthenticate")), "password only"

    record_sign_in(client, administrator)
    status, location = _status(client, url)
    assert status != 403 and not location.startswith(
        (reverse("account_login"), reverse("mfa_reauthenticate"), reverse("mfa_activate_totp"))
    ), "verified administrator"
