"""After setting up two-factor authentication, the administrator is offered the page they were
opening, and only ever a page of this site."""

import pytest
from django.test import RequestFactory

from coop.views.mfa import next_url


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("/admin/", "/admin/"),
        ("/capital/?on=2026-01-01", "/capital/?on=2026-01-01"),
        ("https://evil.example/admin/", ""),
        ("//evil.example/", ""),
        ("javascript:alert(1)", ""),
        ("", ""),
    ],
)
def test_only_a_page_of_this_site_is_kept(given, kept):
    factory = RequestFactory()
    assert next_url(factory.get("/accounts/2fa/totp/activate/", {"next": given})) == kept
    assert next_url(factory.post("/accounts/2fa/totp/activate/", {"next": given})) == kept


def test_the_form_field_wins_over_the_query():
    request = RequestFactory().post(
        "/accounts/2fa/totp/activate/?next=/members/", {"next": "/admin/"}
    )
    assert next_url(request) == "/admin/"
