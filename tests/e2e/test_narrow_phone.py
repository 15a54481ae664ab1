"""On a narrow phone (360 CSS pixels) nothing scrolls sideways and the header stays usable."""

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import (
    assert_accessible,
    path_is,
    sign_in_link,
    submit_password_form,
)

pytestmark = pytest.mark.e2e

WIDTH = 360
MIN_TARGET = 24  # WCAG 2.2, 2.5.8 Target Size (Minimum), in CSS pixels


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width}px wide on a {WIDTH}px screen"


def assert_header_usable(page: Page) -> None:
    """Every link and button of the header is on screen, whole, and big enough to tap."""
    controls: Locator = page.get_by_role("banner").locator("a, button")
    count = controls.count()
    assert count >= 3
    for index in range(count):
        control = controls.nth(index)
        expect(control).to_be_visible()
        box = control.bounding_box()
        assert box is not None
        name = control.inner_text()
        assert box["x"] >= 0, f"{name!r} starts off screen"
        assert box["x"] + box["width"] <= WIDTH, f"{name!r} ends off screen"
        assert box["height"] >= MIN_TARGET, f"{name!r} is {box['height']}px high"


def test_home_and_sign_in_fit_a_narrow_phone(phone_page: Page) -> None:
    page = phone_page
    administrator = UserFactory(roles=["administrator", "member"], is_staff=True)

    page.goto(reverse("home"))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert_header_usable(page)

    with page.expect_navigation(wait_until="load"):
        sign_in_link(page).tap()
    expect(page).to_have_url(path_is(reverse("account_login")))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert_header_usable(page)

    # The longest header there is: an administrator's, with the administration links.
    submit_password_form(page, administrator.email, TEST_PASSWORD)
    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
    assert_header_usable(page)
