"""Every page of the demo cooperative, for each role, in French and in English.

The crawl signs in as a member, an administrator and an organiser of `manage.py seed_demo`,
follows every link of the site from the home page, and fails on a server error, an English
text left on a French page, an internal code shown to the reader, or an accessibility
violation (axe-core, serious or critical). Downloads (PDF, CSV, iCal) are fetched and must
answer without error; only HTML pages are checked further.
"""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Browser

from coop.models import User
from tests.coop.mfa import activate_totp
from tests.e2e.crawl import english_on_french_page, internal_codes, links
from tests.e2e.helpers import assert_accessible, new_context

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1500)]

ROLES = {
    "member": "membre@voliere.test",
    "administrator": "admin@voliere.test",
    "organiser": "organisatrice@voliere.test",
}
BROWSER_LOCALES = {"fr": "fr-FR", "en": "en-GB"}
# The same page for each row of a list is visited for its first few rows only.
MAX_PAGES = 400


def _shape(path: str) -> str:
    """/governance/assemblies/12/ and /governance/assemblies/13/ have the same shape."""
    parsed = urlparse(path)
    parts = ["N" if part.isdigit() else part for part in parsed.path.split("/")]
    return "/".join(parts) + (
        "?" + "&".join(sorted(parsed.query.split("&"))) if parsed.query else ""
    )


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_reads_well(
    browser: Browser, live_server, transactional_db, role: str, language: str
) -> None:
    call_command("seed_demo", verbosity=0)
    user = User.objects.get(email=ROLES[role])
    if user.is_staff:
        activate_totp(user)
    client = Client()
    client.force_login(user)  # a complete sign-in, second factor included (tests/conftest.py)
    context = new_context(browser, live_server.url, locale=BROWSER_LOCALES[language])
    context.add_cookies(
        [
            {"name": name, "value": value, "url": live_server.url}
            for name, value in {
                settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
                settings.LANGUAGE_COOKIE_NAME: language,
            }.items()
        ]
    )
    page = context.new_page()
    to_visit, seen_shapes, visited, problems = ["/"], {}, [], []
    try:
        while to_visit and len(visited) < MAX_PAGES:
            path = to_visit.pop(0)
            shape = _shape(path)
            if seen_shapes.get(shape, 0) >= 2:
                continue
            seen_shapes[shape] = seen_shapes.get(shape, 0) + 1
            visited.append(path)
            answer = context.request.get(path, max_redirects=5, timeout=120_000)  # PDFs take time
            if answer.status >= 500:
                problems.append(f"{path}: error {answer.status}")
                continue
            if "text/html" not in answer.headers.get("content-type", ""):
                continue
            page.goto(path)
            if page.locator("html").get_attribute("lang") != language:
                problems.append(f"{path}: the page is not in {language}")
            if language == "fr":
                problems += [
                    f"{path}: English left: {text!r}" for text in english_on_french_page(page)
                ]
            problems += [f"{path}: internal code: {code!r}" for code in internal_codes(page)]
            try:
                assert_accessible(page)
            except AssertionError as exc:
                problems.append(str(exc))
            to_visit += [link for link in links(page, live_server.url) if link not in visited]
    finally:
        context.close()
    assert len(visited) > 5, f"The crawl saw too few pages: {visited}"
    assert not problems, f"{len(problems)} problems on {len(visited)} pages:\n" + "\n".join(
        problems
    )
