"""Browser fixtures: Playwright drives the system Chromium against pytest-django's live server."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.helpers import new_context

# Playwright's sync API runs an event loop in the test thread; Django's ORM, used by the
# factories in that same thread, must be told that this is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) asking for French, pointed at the live server."""
    context = new_context(browser, live_server.url)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def nojs_page(browser: Browser, live_server) -> Iterator[Page]:
    """A page in a browser that runs no JavaScript at all: no page script, no htmx."""
    context = new_context(browser, live_server.url, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser: Browser, live_server) -> Iterator[Page]:
    """A page on a narrow phone screen, 360 CSS pixels wide."""
    context = new_context(
        browser,
        live_server.url,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    yield context.new_page()
    context.close()
