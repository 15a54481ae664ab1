"""Steps shared by the register's browser tests: signing in as an administrator with TOTP or as
a member by e-mailed code, the administration menu, the facts of an entry, French texts."""

import re
from typing import Any

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import Locator, Page, expect

from tests.coop.factories import TEST_PASSWORD
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    code_from_mail,
    current_totp_code,
    expect_signed_in,
    fr,
    open_sign_in_from_home,
    path_is,
    submit_password_form,
)


def fr_text(text: Any) -> str:
    """A lazy translation (a model's or a form's label) as the French page shows it."""
    with translation.override("fr"):
        return str(text)


def fr_plural(singular: str, plural: str, count: int, **values: Any) -> str:
    """A `{% blocktranslate count %}` text in French (`counter` is the count's name)."""
    with translation.override("fr"):
        return ngettext(singular, plural, count) % {"counter": count, **values}


def sign_in_as_administrator(page: Page, email: str, totp_secret: str) -> None:
    """Password, then the authenticator app's code: the administrator lands home, signed in."""
    open_sign_in_from_home(page)
    submit_password_form(page, email, TEST_PASSWORD)
    expect(page).to_have_url(path_is(reverse("mfa_authenticate")))
    assert_accessible(page)
    page.get_by_label(fr("Code")).fill(current_totp_code(totp_secret))
    click_and_load(page, page.get_by_role("button", name=fr("Sign In"), exact=True))
    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    expect_signed_in(page, email)


def sign_in_with_emailed_code(page: Page, email: str, mailoutbox: list[EmailMessage]) -> None:
    """On the page asking for a sign-in code: the address, then the code from the mail."""
    expect(page).to_have_url(path_is(reverse("account_request_login_code")))
    assert_accessible(page)
    sent_before = len(mailoutbox)
    page.get_by_label(fr("Email")).fill(email)
    click_and_load(page, page.get_by_role("button", name=fr("Request Code")))
    expect(page).to_have_url(path_is(reverse("account_confirm_login_code")))
    assert_accessible(page)
    assert len(mailoutbox) == sent_before + 1
    message = mailoutbox[-1]
    assert message.to == [email]
    page.get_by_label(fr("Code")).fill(code_from_mail(message))
    click_and_load(page, page.get_by_role("button", name=fr("Confirm")))
    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    expect_signed_in(page, email)


def open_from_menu(page: Page, menu: str, label: str) -> None:
    """Follow a link of a header menu (`menu` is the navigation's accessible name)."""
    navigation = page.get_by_role("banner").get_by_role("navigation", name=menu, exact=True)
    click_and_load(page, navigation.get_by_role("link", name=label, exact=True))
    assert_accessible(page)


def open_admin_page(page: Page, label: str) -> None:
    open_from_menu(page, fr("Administration"), label)


def fact(scope: Page | Locator, term: str) -> Locator:
    """The value (`<dd>`) of a fact of an entry (`<dl class="facts">`), found by its term."""
    return (
        scope.locator("dl.facts > dt")
        .filter(has_text=re.compile(rf"^\s*{re.escape(term)}\s*$"))
        .locator("xpath=following-sibling::dd[1]")
    )
