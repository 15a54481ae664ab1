"""Bad input is answered with a form error, never a 500 (issue 15).

Every form of the project, as each role sees it (visitor, member, organiser, administrator, on
the demo cooperative), is found by following the links of the pages from the home page; then
each receives Hypothesis-generated junk in every field: text with NUL and control
characters, integers beyond the database's range, dates at the edges of the calendar, choices
that do not exist. Every answer must be below 500. The forms are checked to come from every
app (namespaces of their URL patterns), so that a crawl gone wrong cannot pass silently.
BAD_INPUT_EXAMPLES sets the examples per form (6 by default).
"""

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop.models import User
from tests.coop.mfa import activate_totp

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "6"))
PAGES_PER_ROLE = 400
ROLES = {
    "visitor": None,
    "member": "membre@voliere.test",
    "organiser": "organisatrice@voliere.test",
    "administrator": "admin@voliere.test",
}
# Not crawled: the Django admin (superusers' technical tool), signing out, and documents
# (PDF, CSV, iCal: no forms in them, slow to print).
SKIPPED = re.compile(
    r"^/(admin|static|media|i18n)/|/logout/|\.(pdf|csv|ics|json)$|/(pdf|csv|ics|export|download)"
    r"(/|$)|/template\.csv$|/letters/|/certificate|/statement|/proof|/sign-in-sheet|/ical"
)


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, tuple[str, list[str]]] = field(default_factory=dict)

    def signature(self) -> tuple:
        return (self.method, re.sub(r"/[\w-]*\d[\w-]*/", "/N/", self.action), *sorted(self.fields))


class _Page(HTMLParser):
    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def _add(self, name: str, kind: str, value: str | None = None) -> None:
        if self._form is None or not name or name == "csrfmiddlewaretoken":
            return
        known = self._form.fields.setdefault(name, (kind, []))
        if value is not None:
            known[1].append(value)

    def handle_starttag(self, tag, attrs):
        attr = {k: (v or "") for k, v in attrs}
        if tag == "a" and attr.get("href"):
            self.links.append(urljoin(self.url, attr["href"]))
        elif tag == "form":
            action = urljoin(self.url, attr.get("action") or self.url)
            self._form = Form(attr.get("method", "get").lower(), action)
            self.forms.append(self._form)
        elif tag == "input":
            kind = attr.get("type", "text").lower()
            if kind not in ("submit", "button", "image", "reset"):
                self._add(attr.get("name", ""), kind, attr.get("value"))
        elif tag == "button" and attr.get("name"):
            self._add(attr["name"], "hidden", attr.get("value", ""))
        elif tag == "textarea":
            self._add(attr.get("name", ""), "textarea")
        elif tag == "select":
            self._select = attr.get("name", "")
            self._add(self._select, "select")
        elif tag == "option" and self._select:
            self._add(self._select, "select", attr.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _local(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if SKIPPED.search(parts.path) else path


def crawl(client: Client) -> list[Form]:
    seen, queue, forms = set(), ["/"], []
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        key = re.sub(r"\?.*", "", path)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _Page("http://testserver" + path)
        page.feed(response.content.decode("utf-8", "replace"))
        forms += [f for f in page.forms if _local(f.action)]
        queue += [p for p in (_local(link) for link in page.links) if p]
    return forms


# --- Junk -------------------------------------------------------------------------------------

CONTROL = st.characters(codec="utf-8", categories=["Cc", "Cs", "Co", "Zl", "Zp"]).filter(
    lambda c: c != "\ud800"
) | st.sampled_from(["\x00", "\r", "\n", "\x1b", "\u202e", "\ufeff"])
TEXT = st.one_of(
    st.text(st.characters(codec="utf-8") | CONTROL, max_size=400),
    st.text(CONTROL, min_size=1, max_size=10),
    st.sampled_from(["\x00", "a\x00b", "", " ", "=1+1", "<script>", "é" * 5000, "x" * 100_000]),
)
NUMBER = st.one_of(
    st.sampled_from(
        [
            "2147483647",
            "2147483648",
            "-2147483649",
            "9" * 40,
            "-" + "9" * 40,
            "1e400",
            "NaN",
            "inf",
            "-0",
            "0",
            "1.5",
            "0x10",
            "\uff11\uff12",  # full-width digits
            "9223372036854775808",
            "",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
DATE = st.one_of(
    st.sampled_from(
        [
            "9999-12-31",
            "0001-01-01",
            "10000-01-01",
            "0000-00-00",
            "2023-02-29",
            "31/12/9999",
            "01/01/0001",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "-2024-01-01",
            "",
        ]
    ),
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")),
)


def _value(kind: str, values: list[str]) -> st.SearchStrategy:
    given_values = [v for v in values if v is not None]
    if kind in ("number", "range"):
        return NUMBER | TEXT
    if kind in ("date", "datetime-local", "time", "month"):
        return DATE | TEXT
    if kind in ("select", "radio", "checkbox", "hidden") and given_values:
        return st.sampled_from(given_values) | NUMBER | TEXT | DATE
    return TEXT | NUMBER | DATE


def _data(form: Form) -> st.SearchStrategy:
    strategies = {}
    for name, (kind, values) in form.fields.items():
        if kind == "file":
            strategies[name] = st.binary(max_size=200).map(
                lambda b: SimpleUploadedFile("junk.png", b or b"\x00")
            )
        elif kind in ("checkbox", "select") and len(values) > 1:
            strategies[name] = st.lists(_value(kind, values), max_size=3)
        else:
            strategies[name] = _value(kind, values)
    return st.fixed_dictionaries(strategies)


def _clean(value):
    """What a browser could send: the test client refuses lone surrogates (not UTF-8)."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# --- The tests --------------------------------------------------------------------------------


@pytest.fixture
def demo(django_db_blocker):
    call_command("seed_demo", verbosity=0)
    activate_totp(User.objects.get(email=ROLES["administrator"]))


def _client(email: str | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9")
    if email:
        client.force_login(User.objects.get(email=email))
    return client


def _forms_by_role() -> dict[str, list[Form]]:
    found: dict[str, list[Form]] = {}
    signatures: set[tuple] = set()
    for role, email in ROLES.items():
        found[role] = []
        for form in crawl(_client(email)):
            if (role, *form.signature()) not in signatures:
                signatures.add((role, *form.signature()))
                found[role].append(form)
    return found


def _send(client: Client, form: Form, data: dict) -> int:
    path = _local(form.action) or "/"
    data = {name: _clean(value) for name, value in data.items()}
    if form.method == "post":
        return client.post(path, data).status_code
    data = {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)}
    return client.get(path, data).status_code


def test_junk_in_every_form_gets_an_answer_not_a_500(demo, capsys):
    forms = _forms_by_role()
    namespaces = set()
    for role_forms in forms.values():
        for form in role_forms:
            try:
                namespaces.add(resolve(urlsplit(form.action).path).namespace or "-")
            except Resolver404:
                namespaces.add("?")
    assert {"members", "capital", "governance", "heritage", "coop"} <= namespaces, namespaces
    assert sum(len(each) for each in forms.values()) > 60
    for role, role_forms in forms.items():
        client = _client(ROLES[role])
        for form in role_forms:
            _fuzz(client, form)


def _fuzz(client: Client, form: Form) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(_data(form))
    def junk_is_answered(data):
        status = _send(client, form, data)
        assert status < 500, (form.method, form.action, data)

    junk_is_answered()
