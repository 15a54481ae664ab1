"""Signing in is rate limited (allauth, on Redis), and the Django admin cannot go around it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import (
    assert_accessible,
    expect_signed_in,
    expect_signed_out,
    fr,
    open_sign_in_from_home,
    path_is,
    submit_password_form,
)

pytestmark = pytest.mark.e2e

# coop.settings.base: ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per account in 5 min.
FAILURES_ALLOWED = 5


@pytest.mark.parametrize(
    "admin_url", [reverse("admin:login"), reverse("admin:index")], ids=["admin-login", "admin"]
)
def test_django_admin_sign_in_is_allauth_sign_in(page: Page, admin_url: str) -> None:
    page.goto(admin_url)

    # allauth's sign-in page, which brings the person back to the admin page afterwards.
    expect(page).to_have_url(path_is(reverse("account_login")))
    assert parse_qs(urlsplit(page.url).query)["next"] == [admin_url]
    assert_accessible(page)
    # allauth's form (e-mail and password), not the Django admin's own (username).
    expect(page.locator("input[name=login]")).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_count(0)


def test_too_many_failed_passwords_lock_the_account_out(page: Page) -> None:
    member = UserFactory(roles=["member"])
    neighbour = UserFactory(roles=["member"])
    mismatch = fr("The email address and/or password you specified are not correct.")
    too_many = fr("Too many failed login attempts. Try again later.")
    assert too_many != "Too many failed login attempts. Try again later."

    open_sign_in_from_home(page)
    for _attempt in range(FAILURES_ALLOWED):
        submit_password_form(page, member.email, "not the password")
        expect(page.get_by_role("alert")).to_contain_text(mismatch)

    # Even the right password is refused now, with allauth's message, in French.
    submit_password_form(page, member.email, TEST_PASSWORD)
    expect(page).to_have_url(path_is(reverse("account_login")))
    assert_accessible(page)
    expect(page.get_by_role("alert")).to_contain_text(too_many)
    expect_signed_out(page)
    member.refresh_from_db()
    assert member.last_login is None

    # The limit is on that account: another member signs in from the same browser.
    submit_password_form(page, neighbour.email, TEST_PASSWORD)
    expect(page).to_have_url(path_is(reverse("home")))
    expect_signed_in(page, neighbour.email)
