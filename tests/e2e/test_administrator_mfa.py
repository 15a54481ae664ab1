"""An administrator sets up an authenticator app before reaching any administrative page; the
Django admin is not theirs (superusers only, tests/coop/test_admin.py)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.mfa import activate_totp
from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    current_totp_code,
    expect_signed_out,
    fr,
    path_is,
    sign_in_with_password,
    sign_out,
    submit_password_form,
)

pytestmark = pytest.mark.e2e

MFA_REQUIRED = (
    "Administrators must protect their account with an authenticator app "
    "(two-factor authentication) before they reach administrative pages."
)


def expect_register(page: Page) -> None:
    expect(page).to_have_url(path_is(reverse("members:register")))
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Member register"))


def test_administrator_sets_up_totp_then_signs_in_with_it(page: Page) -> None:
    admin = UserFactory(roles=["administrator", "member"], is_staff=True)
    sign_in_with_password(page, admin.email, TEST_PASSWORD)

    # The register turns them away, to set up two-factor authentication first. allauth asks
    # for the password once more before any change to two-factor authentication.
    page.goto(reverse("members:register"))
    expect(page).to_have_url(path_is(reverse("account_reauthenticate")))
    assert_accessible(page)
    expect(page.locator("#messages .message-warning")).to_have_text(fr(MFA_REQUIRED))
    page.get_by_label(fr("Password")).fill(TEST_PASSWORD)
    click_and_load(page, page.get_by_role("button", name=fr("Confirm")))

    expect(page).to_have_url(path_is(reverse("mfa_activate_totp")))
    assert_accessible(page)
    expect(
        page.get_by_role("img", name=fr("QR code to scan with your authenticator app"))
    ).to_be_visible()
    secret_field = page.get_by_label(fr("Authenticator secret"))
    expect(secret_field).to_be_editable(editable=False)
    secret = secret_field.input_value()
    assert len(secret) >= 16

    # A wrong code: the error is tied to the field, which keeps the secret shown.
    code_field = page.get_by_label(fr("Authenticator code"))
    code_field.fill("00000")
    click_and_load(page, page.get_by_role("button", name=fr("Activate")))
    expect(page).to_have_url(path_is(reverse("mfa_activate_totp")))
    assert_accessible(page)
    expect(code_field).to_have_attribute("aria-invalid", "true")
    expect(code_field).to_have_accessible_description(re.compile(re.escape(fr("Incorrect code."))))
    expect(secret_field).to_have_value(secret)

    code_field.fill(current_totp_code(secret))
    click_and_load(page, page.get_by_role("button", name=fr("Activate")))

    # allauth shows the recovery codes it generated with the authenticator.
    expect(page).to_have_url(path_is(reverse("mfa_view_recovery_codes")))
    assert_accessible(page)
    expect(page.locator("#messages")).to_contain_text(fr("Authenticator app activated."))
    codes = page.get_by_label(fr("Unused codes")).input_value().split()
    assert len(codes) == 10
    assert all(code.isalnum() for code in codes)

    # Then on to the page they were opening when they were asked to set it up.
    click_and_load(
        page,
        page.get_by_role(
            "link", name=fr("I have saved my codes: continue to the page I was opening")
        ),
    )
    expect_register(page)

    # The Django admin is for the technical staff (superusers), not for administrators.
    response = page.goto(reverse("admin:index"))
    assert response is not None and response.status == 403

    # Next time: password, then the authenticator's code, then the page they asked for.
    page.goto(reverse("home"))
    sign_out(page)
    page.goto(reverse("members:register"))
    expect(page).to_have_url(path_is(reverse("account_login")))
    assert_accessible(page)
    expect_signed_out(page)
    submit_password_form(page, admin.email, TEST_PASSWORD)

    expect(page).to_have_url(path_is(reverse("mfa_authenticate")))
    assert_accessible(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(fr("Two-Factor Authentication"))
    page.get_by_label(fr("Code")).fill(current_totp_code(secret))
    click_and_load(page, page.get_by_role("button", name=fr("Sign In"), exact=True))

    expect_register(page)


TOTP_STEP = (
    "Enter a code from your authenticator app to reach administrative pages. It is asked once "
    "per sign-in, and again after 12 hours."
)


def test_a_password_session_is_asked_for_the_code_once_totp_is_set_up_elsewhere(
    page: Page,
) -> None:
    admin = UserFactory(roles=["administrator", "member"], is_staff=True)
    sign_in_with_password(page, admin.email, TEST_PASSWORD)  # no authenticator yet
    secret = activate_totp(admin)  # set up from another device, meanwhile

    page.goto(reverse("members:register"))
    expect(page).to_have_url(path_is(reverse("mfa_reauthenticate")))
    assert_accessible(page)
    expect(page.locator("#messages .message-warning")).to_have_text(fr(TOTP_STEP))
    page.get_by_label(fr("Code")).fill(current_totp_code(secret))
    click_and_load(page, page.get_by_role("button", name=fr("Confirm")))

    expect_register(page)
