"""Content-Security-Policy (django-csp, settings.CONTENT_SECURITY_POLICY): the header on every
page, and pages that it does not break: no inline script, inline style or event handler, which
the policy would block (no 'unsafe-inline'). Checked on the templates themselves and on the
pages each kind of visitor reaches from the home page of the demo cooperative."""

import re
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from coop.models import User
from tests.coop.mfa import activate_totp

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Markup the policy blocks: a style attribute or element, an inline event handler, and a
# <script> element with no src that the browser would run (JSON data blocks are not run).
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*["']""", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
SCRIPT_ELEMENT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)


def inline_code(html: str) -> list[str]:
    """What in `html` the policy would block."""
    found = [m.group(0) for m in STYLE_ATTRIBUTE.finditer(html)]
    found += [m.group(0) for m in STYLE_ELEMENT.finditer(html)]
    found += [m.group(0) for m in EVENT_HANDLER.finditer(html)]
    for match in SCRIPT_ELEMENT.finditer(html):
        attributes = match.group(1)
        if "src=" not in attributes and not DATA_BLOCK.search(attributes):
            found.append(match.group(0))
    return found


def test_the_checker_finds_what_the_policy_blocks():
    assert inline_code('<p style="color: red">') == [' style="']
    assert inline_code("<style>p {}</style>") == ["<style>"]
    assert inline_code('<button onclick="go()">') == [' onclick="']
    assert inline_code("<script>alert(1)</script>") == ["<script>"]
    assert inline_code('<script src="/static/js/htmx.min.js" defer></script>') == []
    assert inline_code('<script type="application/ld+json">{}</script>') == []
    assert inline_code('<a href="/" class="button" data-hx-get="/x">') == []


def _served_templates() -> list[Path]:
    """Templates of pages served to browsers: not PDFs (WeasyPrint) nor e-mails."""
    return [
        path
        for path in sorted(TEMPLATES.rglob("*.html"))
        if not {"pdf", "email"} & {*path.relative_to(TEMPLATES).parts[:-1], path.stem}
    ]


def test_templates_have_no_inline_script_style_or_handler():
    templates = _served_templates()
    assert len(templates) > 50
    offending = {
        str(path.relative_to(TEMPLATES)): found
        for path in templates
        if (found := inline_code(path.read_text()))
    }
    assert offending == {}


@pytest.mark.django_db
def test_the_policy_header(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "form-action": "'self'",
        "base-uri": "'self'",
    }
    assert "unsafe" not in policy
    # Error pages too (their own templates).
    assert "Content-Security-Policy" in client.get("/no-such-page/")


SKIPPED = re.compile(r"^/(static|media|admin)/|logout|pdf|csv|export|download|letters", re.I)
LINK = re.compile(r"""\shref="(/[^"]*)\"""")


def _crawl(client: Client, *, limit: int) -> dict[str, list[str]]:
    """GET the site's pages reachable by links from the home page (breadth first, `limit`
    pages); what each would have blocked."""
    seen: set[str] = {"/"}
    queue: deque[str] = deque(["/"])
    blocked: dict[str, list[str]] = {}
    fetched = 0
    while queue and fetched < limit:
        url = queue.popleft()
        response = client.get(url)
        fetched += 1
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        assert "Content-Security-Policy" in response, url
        html = response.content.decode()
        if found := inline_code(html):
            blocked[url] = found
        for link in LINK.findall(html):
            target = urldefrag(link.replace("&amp;", "&"))[0]
            path = urlsplit(target).path
            if target not in seen and not SKIPPED.search(path):
                seen.add(target)
                queue.append(target)
    assert fetched > 10
    return blocked


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    [None, "membre@voliere.test", "organisatrice@voliere.test", "admin@voliere.test"],
    ids=["anonymous", "member", "organiser", "administrator"],
)
def test_the_pages_of_each_role_have_no_inline_code(client, capsys, email):
    call_command("seed_demo")
    capsys.readouterr()
    if email is not None:
        user = User.objects.get(email=email)
        if user.is_staff:
            activate_totp(user)
        client.force_login(user)
    assert _crawl(client, limit=60) == {}
