"""The Content-Security-Policy in Chromium, which enforces it: htmx swaps a part of the page,
the stylesheet applies, the TOTP QR code (a data: image) shows, and the browser refuses
nothing (no "Refused to …" in the console, no securitypolicyviolation event)."""

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.e2e.helpers import assert_accessible, click_and_load, fr, path_is, sign_in_with_password
from tests.heritage.factories import community, gathering

pytestmark = pytest.mark.e2e

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


class Refusals:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)
        page.add_init_script(RECORD_VIOLATIONS)

    def _on_console(self, message: ConsoleMessage) -> None:
        if "Refused to" in message.text or "Content Security Policy" in message.text:
            self.console.append(message.text)

    def assert_none(self) -> None:
        assert self.console == []
        assert self.page.evaluate("window.__cspViolations") == []


@pytest.fixture
def refusals(page: Page) -> Iterator[Refusals]:
    watcher = Refusals(page)
    yield watcher
    watcher.assert_none()


def test_htmx_filters_the_gatherings_under_the_policy(page: Page, refusals: Refusals) -> None:
    gathering(of=community(name="Canuts de la Croix-Rousse"), title="Balade des traboules")
    gathering(of=community(name="Mariniers de Saône"), title="Descente des quais")

    response = page.goto(reverse("heritage:gatherings"))
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert_accessible(page)
    expect(page.get_by_role("link", name="Descente des quais")).to_be_visible()
    # The stylesheet applies (style-src 'self'): the header has the layout's background.
    background = page.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")

    # htmx runs (script-src 'self'): choosing a community swaps the results in place.
    with page.expect_response(
        lambda r: r.request.headers.get("hx-request") == "true" and r.status == 200
    ):
        page.get_by_label(fr("Community")).select_option(label="Canuts de la Croix-Rousse")
    expect(page.get_by_role("link", name="Descente des quais")).to_have_count(0)
    expect(page.get_by_role("link", name="Balade des traboules")).to_be_visible()
    # htmx injected no <style> element of its own (includeIndicatorStyles is false).
    assert page.locator("style").count() == 0
    refusals.assert_none()


def test_the_totp_qr_code_shows_under_the_policy(page: Page, refusals: Refusals) -> None:
    admin = UserFactory(roles=["administrator", "member"], is_staff=True)
    sign_in_with_password(page, admin.email, TEST_PASSWORD)
    page.goto(reverse("members:register"))
    expect(page).to_have_url(path_is(reverse("account_reauthenticate")))
    page.get_by_label(fr("Password")).fill(TEST_PASSWORD)
    click_and_load(page, page.get_by_role("button", name=fr("Confirm")))
    expect(page).to_have_url(path_is(reverse("mfa_activate_totp")))

    qr = page.get_by_role("img", name=fr("QR code to scan with your authenticator app"))
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    refusals.assert_none()
