"""The header's language switch: French to English and back, with JavaScript off."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    assert_accessible,
    click_and_load,
    current_language,
    language_button,
    path_is,
)

pytestmark = pytest.mark.e2e


def switch_to(page: Page, code: str, label: str) -> None:
    """Press the switch button for `code`, which names its language in that language."""
    button = language_button(page)
    expect(button).to_have_count(1)
    expect(button).to_have_attribute("value", code)
    expect(button).to_have_attribute("lang", code)
    expect(button).to_have_accessible_name(label)
    click_and_load(page, button)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        pytest.param(reverse("home"), "", id="home"),
        pytest.param(reverse("account_login"), "?next=%2Faccounts%2Femail%2F", id="sign-in"),
    ],
)
def test_switch_language_back_and_forth_without_javascript(
    nojs_page: Page, path: str, query: str
) -> None:
    page = nojs_page
    page.goto(path + query)
    assert current_language(page) == "fr"
    assert_accessible(page)
    heading = page.get_by_role("heading", level=1)
    french_heading = heading.inner_text()

    switch_to(page, "en", "English")
    # The same page, query string included, now in English.
    expect(page).to_have_url(path_is(path))
    assert page.url.endswith(path + query)
    assert current_language(page) == "en"
    assert_accessible(page)
    expect(language_button(page)).to_have_accessible_name("Français")
    if path == reverse("account_login"):
        # allauth is translated already: the visible texts change with the language.
        expect(heading).to_have_text("Sign In")
        assert french_heading != "Sign In"

    switch_to(page, "fr", "Français")
    expect(page).to_have_url(path_is(path))
    assert page.url.endswith(path + query)
    assert current_language(page) == "fr"
    assert_accessible(page)
    expect(language_button(page)).to_have_accessible_name("English")
    expect(heading).to_have_text(french_heading)
