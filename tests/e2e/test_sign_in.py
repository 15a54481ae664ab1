"""Signing in (by e-mailed code, by password, without JavaScript) and signing out."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from coop.models import User
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    code_from_mail,
    expect_signed_in,
    expect_signed_out,
    fr,
    open_sign_in_from_home,
    password_form,
    path_is,
    sign_in_with_password,
    sign_out,
    submit_password_form,
)

pytestmark = pytest.mark.e2e


def test_member_signs_in_with_a_code_sent_by_email(page: Page, mailoutbox) -> None:
    member = UserFactory(roles=["member"])

    open_sign_in_from_home(page)
    click_and_load(page, page.get_by_role("link", name=fr("Send me a sign-in code")))
    expect(page).to_have_url(path_is(reverse("account_request_login_code")))
    assert_accessible(page)

    page.get_by_label(fr("Email")).fill(member.email)
    click_and_load(page, page.get_by_role("button", name=fr("Request Code")))
    expect(page).to_have_url(path_is(reverse("account_confirm_login_code")))
    assert_accessible(page)
    expect(page.get_by_role("main")).to_contain_text(member.email)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [member.email]
    code = code_from_mail(mailoutbox[0])

    page.get_by_label(fr("Code")).fill(code)
    click_and_load(page, page.get_by_role("button", name=fr("Confirm")))
    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    expect_signed_in(page, member.email)

    sign_out(page)


def test_member_signs_in_with_password_after_a_wrong_one(page: Page, mailoutbox) -> None:
    member = UserFactory(roles=["member"])
    mismatch = fr("The email address and/or password you specified are not correct.")
    assert mismatch != "The email address and/or password you specified are not correct."

    open_sign_in_from_home(page)
    submit_password_form(page, member.email, "not the password")

    # The same page again, with a French error above the form, the e-mail kept, nothing else.
    expect(page).to_have_url(path_is(reverse("account_login")))
    assert_accessible(page)
    errors = page.get_by_role("alert")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text(mismatch)
    expect(page).to_have_title(re.compile("^" + re.escape(f"{fr('Error:')} {fr('Sign In')} ·")))
    form = password_form(page)
    expect(form.locator("[name=login]")).to_have_value(member.email)
    expect(form.locator("[name=password]")).to_have_value("")
    expect_signed_out(page)
    member.refresh_from_db()
    assert member.last_login is None
    assert mailoutbox == []

    submit_password_form(page, member.email, TEST_PASSWORD)
    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    expect_signed_in(page, member.email)
    assert User.objects.get(pk=member.pk).last_login is not None

    sign_out(page)


def test_member_signs_in_with_password_without_javascript(nojs_page: Page) -> None:
    page = nojs_page
    member = UserFactory(roles=["member"])

    page.goto(reverse("home"))
    # The page links htmx, and no script ran.
    assert page.locator("script[src$='htmx.min.js']").count() == 1
    assert page.evaluate("typeof window.htmx") == "undefined"

    sign_in_with_password(page, member.email, TEST_PASSWORD)

    sign_out(page)


def focused_outline(page: Page) -> tuple[str, float]:
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()"
    )
    return style[0], style[1]


def test_member_signs_in_with_the_keyboard_alone(page: Page) -> None:
    member = UserFactory(roles=["member"])
    page.goto(reverse("account_login"))
    assert_accessible(page)

    # First Tab: the skip link, shown on screen, with a visible focus ring.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=fr("Skip to main content"))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    outline_style, outline_width = focused_outline(page)
    assert outline_style != "none" and outline_width >= 2
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    # From the main content, the e-mail field comes first, then the password.
    page.keyboard.press("Tab")
    expect(page.get_by_label(fr("Email"))).to_be_focused()
    outline_style, outline_width = focused_outline(page)
    assert outline_style != "none" and outline_width >= 2
    page.keyboard.type(member.email)
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(TEST_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press("Enter")

    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    expect_signed_in(page, member.email)


def test_sign_out_button_in_the_header_signs_out_at_once(page: Page) -> None:
    member = UserFactory(roles=["member"])
    sign_in_with_password(page, member.email, TEST_PASSWORD)
    logout_requests: list[str] = []
    page.on(
        "request",
        lambda request: (
            logout_requests.append(request.method)
            if path_is(reverse("account_logout")).match(request.url)
            else None
        ),
    )

    # From a page of the account area (allauth's layout), not only from the home page.
    page.goto(reverse("account_email"))
    assert_accessible(page)
    sign_out(page)

    # One POST, and no confirmation page on the way.
    assert logout_requests == ["POST"]
    # The session is gone on the server too: the account area asks to sign in again.
    page.goto(reverse("account_email"))
    expect(page).to_have_url(path_is(reverse("account_login")))
    assert_accessible(page)
    expect_signed_out(page)
