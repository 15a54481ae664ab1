"""Helpers for the browser tests: accessibility checks, signing in and out, TOTP codes.

Texts are looked up in Django's French catalogues (`fr`), so a test asserts exactly what a
French-speaking member reads, and keeps passing once our own French translations land.
"""

import base64
import hashlib
import hmac
import re
import struct
import time
import weakref

from axe_playwright_python.sync_playwright import Axe
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, BrowserContext, Locator, Page, expect

# A member of the cooperative: their browser asks for French, the site's default language.
BROWSER_LOCALE = "fr-FR"
TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# Every rule axe-core runs by default, plus WCAG 2.2's target size (2.5.8, level AA), which
# axe-core leaves off by default.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}

_axe = Axe()
expect.set_options(timeout=TIMEOUT_MS)
_contexts_without_js: "weakref.WeakSet[BrowserContext]" = weakref.WeakSet()


def new_context(browser: Browser, base_url: str, **options: object) -> BrowserContext:
    """A fresh browser profile (no cookies) pointed at the live server."""
    options.setdefault("locale", BROWSER_LOCALE)
    context = browser.new_context(base_url=base_url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    if options.get("java_script_enabled") is False:
        _contexts_without_js.add(context)
    return context


def fr(message: str) -> str:
    """The French text of a translatable message, as the site shows it by default."""
    with translation.override("fr"):
        return translation.gettext(message)


# -- accessibility ---------------------------------------------------------------------------


def axe_report(violations: list[dict]) -> str:
    """Violations as text one can act on: impact, rule, help, and each element at fault."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"[{violation['impact']}] {violation['id']}: {violation['help']} "
            f"({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            lines.append("    at " + " ".join(str(part) for part in node["target"]))
            lines.append("      " + node["html"][:300])
            summary = (node.get("failureSummary") or "").strip()
            if summary:
                lines.append("      " + summary.replace("\n", "\n      "))
    return "\n".join(lines)


def _axe_violations(page: Page) -> list[dict]:
    if page.context not in _contexts_without_js:
        return _axe.run(page, options=AXE_OPTIONS).response["violations"]
    # axe-core cannot run where JavaScript is off (its promises and timers never fire). The
    # page as the server sent it is loaded again, byte for byte, in a throwaway tab that runs
    # JavaScript but fetches no script of ours, so the DOM axe checks is the no-JS one.
    url, html = page.url, page.content()
    checker = page.context.browser.new_context(viewport=page.viewport_size, locale=BROWSER_LOCALE)
    try:
        twin = checker.new_page()
        twin.route("**/*.js", lambda route: route.abort())
        twin.route(
            lambda address: address == url,
            lambda route: route.fulfill(
                status=200, content_type="text/html; charset=utf-8", body=html
            ),
        )
        twin.goto(url)
        return _axe.run(twin, options=AXE_OPTIONS).response["violations"]
    finally:
        checker.close()


def assert_accessible(page: Page) -> None:
    """Fail when axe-core finds any serious or critical violation on the current page."""
    page.wait_for_load_state("load")
    blocking = [v for v in _axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"Accessibility violations on {page.url}:\n" + axe_report(blocking)


# -- the header ------------------------------------------------------------------------------


def current_language(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""


def language_button(page: Page) -> Locator:
    """The header's language switch: one submit button per other language."""
    return page.get_by_role("banner").locator(
        f"form[action='{reverse('set_language')}'] button[name=language]"
    )


def sign_in_link(page: Page) -> Locator:
    return page.get_by_role("banner").get_by_role("link", name=fr("Sign in"), exact=True)


def sign_out_button(page: Page) -> Locator:
    return page.get_by_role("banner").get_by_role("button", name=fr("Sign out"), exact=True)


def expect_signed_in(page: Page, email: str) -> None:
    expect(sign_out_button(page)).to_be_visible()
    expect(sign_in_link(page)).to_have_count(0)
    expect(page.get_by_role("main")).to_contain_text(email)


def expect_signed_out(page: Page) -> None:
    expect(sign_in_link(page)).to_be_visible()
    expect(sign_out_button(page)).to_have_count(0)


def click_and_load(page: Page, target: Locator) -> None:
    """Click a link or submit button and wait for the next page to load.

    Waiting for the navigation itself matters when the next page has the same address (a form
    shown again with its errors): checking the address or the load state could pass on the
    page being left.
    """
    with page.expect_navigation(wait_until="load"):
        target.click()


def path_is(path: str) -> re.Pattern[str]:
    """Matches a page address whose path is exactly `path`, whatever its query string."""
    return re.compile(r"^https?://[^/]+" + re.escape(path) + r"(\?.*)?$")


# -- signing in and out ----------------------------------------------------------------------


def open_sign_in_from_home(page: Page) -> None:
    """Home page, then the header's sign-in link; both pages are checked with axe-core."""
    page.goto(reverse("home"))
    assert_accessible(page)
    click_and_load(page, sign_in_link(page))
    expect(page).to_have_url(path_is(reverse("account_login")))
    assert_accessible(page)


def password_form(page: Page) -> Locator:
    return page.get_by_role("main").locator("form").filter(has=page.locator("[name=password]"))


def submit_password_form(page: Page, email: str, password: str) -> None:
    """Fill in the sign-in form on the page and send it (by its labelled fields)."""
    form = password_form(page)
    form.get_by_label(fr("Email")).fill(email)
    form.get_by_label(fr("Password"), exact=False).first.fill(password)
    click_and_load(page, form.get_by_role("button", name=fr("Sign In"), exact=True))


def sign_in_with_password(page: Page, email: str, password: str) -> None:
    open_sign_in_from_home(page)
    submit_password_form(page, email, password)
    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    expect_signed_in(page, email)


def sign_out(page: Page) -> None:
    """The header's sign-out button: one POST, no confirmation page, back home signed out."""
    click_and_load(page, sign_out_button(page))
    expect(page).to_have_url(path_is(reverse("home")))
    assert_accessible(page)
    expect_signed_out(page)
    expect(page.locator("#messages")).to_contain_text(fr("You have signed out."))


# -- one-time codes --------------------------------------------------------------------------


def code_from_mail(message: EmailMessage) -> str:
    """The sign-in code of allauth's mail: the line made of the code alone."""
    match = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", message.body, re.MULTILINE)
    assert match, f"No sign-in code in this mail:\n{message.body}"
    return match.group(1)


def totp_code(secret: str, at: float, period: int = 30, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1), written here apart from allauth so the test checks it."""
    key = base64.b32decode(secret.replace(" ", "").upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int(at) // period)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def current_totp_code(secret: str, period: int = 30) -> str:
    """The code an authenticator app shows now, never one about to expire in transit.

    The server accepts only the current 30-second window (MFA_TOTP_TOLERANCE is 0): when
    fewer than 3 seconds are left, wait for the next window. That is a wait on the clock,
    which no page condition can replace.
    """
    left = period - time.time() % period
    if left < 3:
        time.sleep(left + 0.05)
    return totp_code(secret, time.time(), period)
