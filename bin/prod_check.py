"""`make prod-check`: the production path, end to end, without Docker.

1. bin/build-production (translations, static files with the manifest, .gz and .br);
2. `check --deploy` with the production settings and a production-like environment;
3. a database of its own (dropped and created again), migrated, with the demo cooperative;
4. gunicorn with the production settings on 127.0.0.1, a Celery worker on a queue of its own,
   and Caddy in front with deploy/Caddyfile (the file docker-compose.yml uses);
5. the requests a cooperative's first visitors make: home, sign-in, the public gatherings
   and their iCal feed, a member's page and an administrator's page signed in through the real
   forms (the administrator sets up TOTP, then signs in again with a code), an image uploaded
   by the organiser and served under /media/, a static file (far-future cache, .br and .gz),
   /ready and /health; and the worker sends the notices that the demo queued.

Any other answer fails with a message saying what was expected. Everything started is stopped
at the end, failure or not. The one allowance: plain HTTP on loopback
(VOLIERE_PROD_CHECK_LOOPBACK_HTTP, which coop.settings.production refuses for any other host).

Run with the project's virtual environment: `.venv/bin/python bin/prod_check.py`.
Reads DATABASE_URL (the check's database is its name + "_prod_check"), REDIS_URL and
CELERY_BROKER_URL like the rest of the project; the Caddy binary from $CADDY or the PATH.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import hmac
import http.cookiejar
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import brotli
import psycopg
import redis
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
CADDYFILE = ROOT / "deploy" / "Caddyfile"  # the file docker-compose.yml mounts
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
DEMO_PASSWORD = "demo-voliere-2026"  # noqa: S105 - the demo's, printed by seed_demo
MEMBER = "membre@voliere.test"
ADMIN = "admin@voliere.test"
ORGANISER = "organisatrice@voliere.test"
ONE_YEAR = 365 * 24 * 3600


class CheckFailed(Exception):
    pass


def say(message: str) -> None:
    print(f"prod-check: {message}", flush=True)


def expect(condition: object, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --- processes ---------------------------------------------------------------------------


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@dataclass
class Stack:
    work: Path
    services: list[Service] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> Service:
        log = self.work / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own commands
                args,
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )
        service = Service(name, process, log)
        self.services.append(service)
        return service

    def stop_all(self) -> None:
        for service in reversed(self.services):
            if service.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for service in reversed(self.services):
            try:
                service.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(service.process.pid, signal.SIGKILL)
                service.process.wait(timeout=10)
        self.services.clear()

    def show_logs(self) -> None:
        for service in self.services:
            lines = service.log.read_text(errors="replace").splitlines()[-25:]
            print(f"--- last lines of {service.name} ({service.log}) ---", file=sys.stderr)
            print("\n".join(lines), file=sys.stderr)

    def assert_running(self) -> None:
        for service in self.services:
            code = service.process.poll()
            expect(code is None, f"{service.name} stopped (exit status {code}): see its log")


def run(args: list[str], env: dict[str, str], what: str, timeout: int = 600) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands
        args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if result.returncode != 0:
        raise CheckFailed(
            f"{what} failed (exit status {result.returncode}):\n{result.stdout}{result.stderr}"
        )
    return result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- HTTP ----------------------------------------------------------------------------------


class _Answer(urllib.request.HTTPErrorProcessor):
    """Every answer comes back as it is: redirects and errors are what the check looks at."""

    def http_response(self, request, response):  # type: ignore[no-untyped-def]
        return response

    https_response = http_response


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@dataclass
class Answer:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class Browser:
    """A visitor: cookies, no automatic redirect, the headers a browser sends."""

    def __init__(self, base: str, language: str = "fr") -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect(), _Answer()
        )
        self.language = language

    def request(
        self,
        path: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
    ) -> Answer:
        url = urllib.parse.urljoin(self.base, path)
        request = urllib.request.Request(url, data=data)  # noqa: S310 - http on loopback
        request.add_header("Accept-Language", self.language)
        request.add_header("User-Agent", "voliere-prod-check")
        if data is not None:
            request.add_header("Origin", self.base.rstrip("/"))
            request.add_header("Referer", url)
            request.add_header("Content-Type", content_type or "application/x-www-form-urlencoded")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self.opener.open(request, timeout=60) as response:
                return Answer(
                    url,
                    response.status,
                    {k.lower(): v for k, v in response.headers.items()},
                    response.read(),
                )
        except (urllib.error.URLError, OSError) as exc:
            raise CheckFailed(f"GET/POST {url}: no answer ({exc})") from exc

    def get(self, path: str, *, expect_status: int = 200, **kwargs: object) -> Answer:
        answer = self.request(path, **kwargs)  # type: ignore[arg-type]
        expect(
            answer.status == expect_status,
            f"{answer.url}: expected HTTP {expect_status}, got {answer.status} "
            f"{answer.header('location')}\n{answer.text[:600]}",
        )
        return answer

    def post_form(self, path: str, fields: dict[str, str], *, expect_status: int = 302) -> Answer:
        answer = self.request(path, data=urllib.parse.urlencode(fields).encode())
        expect(
            answer.status == expect_status,
            f"POST {answer.url}: expected HTTP {expect_status}, got {answer.status} "
            f"{answer.header('location')}\n{_visible_errors(answer.text)}",
        )
        return answer

    def post_multipart(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]
    ) -> Answer:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, mime, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {mime}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            path,
            data=b"".join(parts),
            content_type=f"multipart/form-data; boundary={boundary}",
        )


def _visible_errors(html: str) -> str:
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>(.*?)<', html, flags=re.S)
    return "; ".join(e.strip() for e in errors if e.strip())[:600] or html[:600]


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str]
    selects: dict[str, list[str]]


class _Page(HTMLParser):
    """The forms, links and images of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.stylesheets: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower(), {}, {}))
        elif tag == "input" and self.forms and a.get("name"):
            kind = a.get("type", "text")
            if kind not in {"checkbox", "radio", "submit", "file"} or "checked" in a:
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "select" and self.forms:
            self._select = a.get("name")
            self.forms[-1].selects[self._select or ""] = []
        elif tag == "option" and self.forms and self._select is not None:
            self.forms[-1].selects[self._select].append(a.get("value", ""))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src"):
            self.images.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def parse(answer: Answer) -> _Page:
    page = _Page()
    page.feed(answer.text)
    return page


def form_with(answer: Answer, field_name: str) -> Form:
    for form in parse(answer).forms:
        if field_name in form.fields or field_name in form.selects:
            return form
    raise CheckFailed(f"{answer.url}: no form with a field {field_name!r}")


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as allauth and authenticator apps compute it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(secret: str, *, not_in_step: int | None = None) -> tuple[str, int]:
    """A code with a few seconds of its 30 left, from another step than the one given (a code
    is accepted once): waits up to 30 s for it. Returns the code and its step."""
    while True:
        now = time.time()
        step = int(now // 30)
        if step != not_in_step and now % 30 < 27:
            return totp(secret, now), step
        time.sleep(0.5)


def _pixels(data: bytes) -> tuple[tuple[int, int], bytes] | None:
    """The size and RGB pixels of an image, or None when it is not one."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.size, picture.convert("RGB").tobytes()
    except (UnidentifiedImageError, OSError):
        return None


def tiny_png() -> bytes:
    """A real 16x16 PNG, written with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + bytes((200, 80, 40)) * 16 for _ in range(16))
    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# --- the check -----------------------------------------------------------------------------


def sign_in(browser: Browser, email: str) -> Answer:
    page = browser.get("/accounts/login/")
    form = form_with(page, "password")
    expect("csrfmiddlewaretoken" in form.fields, "the sign-in form has no CSRF token")
    fields = {**form.fields, "login": email, "password": DEMO_PASSWORD}
    return browser.post_form(form.action or "/accounts/login/", fields)


def check_public_pages(site: Browser) -> str:
    home = site.get("/")
    expect("<html" in home.text and 'lang="fr"' in home.text, "home: not a French HTML page")
    sheets = [s for s in parse(home).stylesheets if s.startswith("/static/")]
    expect(sheets, "home: no stylesheet under /static/")
    expect(
        all(re.search(r"\.[0-9a-f]{12}\.css$", s) for s in sheets),
        f"home: stylesheets are not the manifest's hashed names: {sheets}",
    )
    say(f"home page ok (stylesheet {sheets[0]})")

    login = site.get("/accounts/login/")
    expect("csrfmiddlewaretoken" in login.text, "login page: no CSRF token")
    expect("csrftoken" in {c.name for c in site.cookies}, "login page: no CSRF cookie set")
    say("login page ok")

    gatherings = site.get("/heritage/")
    expect("Balade des traboules" in gatherings.text, "gatherings: the demo walk is not listed")
    say("public gatherings ok")

    feed = site.get("/heritage/gatherings.ics")
    expect(feed.header("content-type").startswith("text/calendar"), "feed: not text/calendar")
    expect(feed.text.startswith("BEGIN:VCALENDAR"), "feed: not an iCalendar file")
    expect("SUMMARY:Balade des traboules" in feed.text, "feed: the demo walk is missing")
    say("iCal feed ok")

    missing = site.get("/no-such-page/", expect_status=404)
    expect("<html" in missing.text, "404: not the site's page")
    return sheets[0]


def check_static(site: Browser, path: str) -> None:
    plain = site.get(path, headers={"Accept-Encoding": "identity"})
    cache = plain.header("cache-control")
    ages = [int(m) for m in re.findall(r"max-age=(\d+)", cache)]
    expect(ages and ages[0] >= ONE_YEAR, f"{path}: Cache-Control {cache!r}, expected a year+")
    expect(not plain.header("content-encoding"), f"{path}: compressed without being asked")
    for encoding, decode in (("br", brotli.decompress), ("gzip", gzip.decompress)):
        answer = site.get(path, headers={"Accept-Encoding": encoding})
        got = answer.header("content-encoding")
        expect(got == encoding, f"{path}: asked for {encoding}, got Content-Encoding {got!r}")
        expect(decode(answer.body) == plain.body, f"{path}: the {encoding} variant differs")
        expect("accept-encoding" in answer.header("vary").lower(), f"{path}: no Vary header")
    say(f"static file ok ({cache}; br and gzip variants)")


def check_member(base: str) -> None:
    member = Browser(base)
    answer = sign_in(member, MEMBER)
    expect(answer.header("location") == "/", f"member sign-in went to {answer.header('location')}")
    page = member.get("/members/me/")
    expect("Marcel" in page.text, "member page: the member's name is missing")
    say("member signed in: /members/me/ ok")


def check_administrator(base: str) -> tuple[Browser, str, int]:
    admin = Browser(base)
    sign_in(admin, ADMIN)
    target = "/members/register/"
    redirect = admin.get(target, expect_status=302).header("location")
    expect("/accounts/2fa/totp/activate/" in redirect, f"admin page sent to {redirect}, not TOTP")
    setup = admin.request(redirect)
    if setup.status == 302 and "/accounts/reauthenticate/" in setup.header("location"):
        # allauth asks for the password again before a security setting changes.
        again = admin.get(setup.header("location"))
        form = form_with(again, "password")
        back = admin.post_form(
            form.action or again.url, {**form.fields, "password": DEMO_PASSWORD}
        ).header("location")
        expect("/accounts/2fa/totp/activate/" in back, f"reauthentication went to {back}")
        setup = admin.request(back)
    expect(setup.status == 200, f"TOTP page: HTTP {setup.status} {setup.header('location')}")
    form = form_with(setup, "code")
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', setup.text)
    if not secret:
        secret = re.search(r'value="([A-Z2-7]{16,})"[^>]*id="authenticator_secret"', setup.text)
    expect(secret, "TOTP page: the secret is not shown as text")
    key = secret.group(1)  # type: ignore[union-attr]
    code, step = fresh_totp(key)
    done = admin.post_form(form.action or redirect, {**form.fields, "code": code})
    codes = admin.get(done.header("location"))
    expect(f'href="{target}"' in codes.text, "recovery codes: no way on to the page opened")
    register = admin.get(target)
    expect("Marcel" in register.text, "register: the demo members are not listed")
    say("administrator signed in, set up TOTP: /members/register/ ok")
    return admin, key, step


def check_administrator_second_sign_in(base: str, key: str, used_step: int) -> None:
    """Every later sign-in asks for a code; a code is good once, so wait for the next one."""
    admin = Browser(base)
    step = sign_in(admin, ADMIN).header("location")
    expect("/accounts/2fa/authenticate/" in step, f"second sign-in went to {step}, not TOTP")
    form = form_with(admin.get(step), "code")
    code, _step = fresh_totp(key, not_in_step=used_step)
    admin.post_form(form.action or step, {**form.fields, "code": code})
    admin.get("/members/register/")
    say("administrator signed in again with a TOTP code: ok")


def check_upload(base: str) -> None:
    organiser = Browser(base)
    sign_in(organiser, ORGANISER)
    community = organiser.get("/heritage/communities/")
    slugs = sorted(set(re.findall(r'href="/heritage/communities/([\w-]+)/"', community.text)))
    expect(slugs, "communities: none listed")
    items: list[str] = []
    for slug in slugs:
        page = organiser.get(f"/heritage/communities/{slug}/")
        items += [link for link in parse(page).links if re.fullmatch(r"/heritage/items/\d+/", link)]
    expect(items, "no heritage item in the demo communities")
    item = organiser.get(items[0])
    form = form_with(item, "alt_text")
    licences = [v for v in form.selects.get("licence", []) if v]
    expect(licences, "image form: no licence offered")
    content = tiny_png()
    answer = organiser.post_multipart(
        form.action,
        {
            **form.fields,
            "alt_text": "Carré rouge du contrôle de production",
            "author": "prod-check",
            "licence": licences[0],
            "consent": "on",
        },
        {"image": ("prod-check.png", "image/png", content)},
    )
    expect(
        answer.status == 302,
        f"image upload: expected HTTP 302, got {answer.status}\n{_visible_errors(answer.text)}",
    )
    page = organiser.get(answer.header("location"))
    sources = [s for s in parse(page).images if s.startswith("/media/heritage/")]
    expect(sources, "item page: the uploaded image is not shown from /media/heritage/")
    visitor = Browser(base)
    image = visitor.get(sources[-1])
    expect(image.header("content-type") == "image/png", "image: not served as image/png")
    # Uploads are stored re-encoded without metadata (docs/security.md): the same pixels.
    same = _pixels(image.body) == _pixels(content)
    expect(same, "image: the pixels served differ from those uploaded")
    expect(image.header("x-content-type-options") == "nosniff", "image: no nosniff header")
    visitor.get("/media/other/secret.pdf", expect_status=404)
    say(f"uploaded image served by the proxy: {sources[-1]}")


def check_probes(base: str, gunicorn: str) -> None:
    for where in (gunicorn, base):
        ready = Browser(where).get("/ready")
        body = json.loads(ready.body)
        expect(body == {"database": "ok", "redis": "ok", "broker": "ok", "status": "ok"}, body)
    deadline = time.monotonic() + 60
    while True:
        health = Browser(base).request("/health")
        body = json.loads(health.body or b"{}")
        if health.status == 200 and body.get("status") == "ok":
            break
        expect(time.monotonic() < deadline, f"/health: {health.status} {body}")
        time.sleep(2)
    say(f"/ready and /health ok ({body})")


def check_worker_sent_mail(mail: Path) -> None:
    """The demo queues notices (a community's members told of its gatherings): the worker,
    with the production settings, sends them through EMAIL_URL (files, here)."""
    deadline = time.monotonic() + 60
    while not (mail.is_dir() and any(mail.iterdir())):
        expect(time.monotonic() < deadline, f"the worker sent no notice within 60 s ({mail})")
        time.sleep(1)
    sent = sorted(mail.iterdir())
    expect(any(b"Subject:" in path.read_bytes() for path in sent), "the mail files hold no message")
    say(f"the worker sent the demo's notices ({len(sent)} mail file(s))")


def wait_ready(url: str, stack: Stack, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        stack.assert_running()
        with contextlib.suppress(CheckFailed):
            if Browser(url).request("/ready").status == 200:
                return
        expect(time.monotonic() < deadline, f"{what} did not answer /ready in {timeout:.0f} s")
        time.sleep(1)


def database_url() -> tuple[str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voliere")
    parts = urllib.parse.urlsplit(base)
    name = parts.path.lstrip("/") + "_prod_check"
    return urllib.parse.urlunsplit(parts._replace(path="/" + name)), name


def drop_database(url: str, name: str, *, create: bool = False) -> None:
    if not name.endswith("_prod_check"):  # never drop anything else
        raise CheckFailed(f"refusing to drop database {name}")
    parts = urllib.parse.urlsplit(url)
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    ident = sql.Identifier(name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(ident))


def forget_redis_keys(broker_url: str, redis_url: str, run_id: str) -> None:
    """The worker's queue and the cache entries (sessions, rate limits) of this run only."""
    with contextlib.suppress(redis.RedisError):
        broker = redis.Redis.from_url(broker_url)
        broker.delete(run_id)
        broker.close()
        cache = redis.Redis.from_url(redis_url)
        for key in cache.scan_iter(match=f"{run_id}:*", count=500):
            cache.delete(key)
        cache.close()


def main() -> int:
    caddy = os.environ.get("CADDY") or shutil.which("caddy")
    if not caddy:
        print("prod-check: Caddy is not installed (apt-get install caddy).", file=sys.stderr)
        return 1
    work = Path(tempfile.mkdtemp(prefix="voliere-prod-check-"))
    stack = Stack(work)
    db_url, db_name = database_url()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    broker_url = os.environ.get("CELERY_BROKER_URL", redis_url)
    run_id = f"prod-check-{os.getpid()}"
    web_port, site_port = free_port(), free_port()
    site = f"http://127.0.0.1:{site_port}"
    gunicorn_url = f"http://127.0.0.1:{web_port}"
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "SECURE_", "VOLIERE_", "CELERY_", "EMAIL_"))
    }
    production = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "coop.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "TOTP_ENCRYPTION_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "coop.example.org",
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
        "SITE_URL": "https://coop.example.org",
        "DEFAULT_FROM_EMAIL": "Volière <ne-pas-repondre@coop.example.org>",
    }
    loopback = {
        **production,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": site,
        "VOLIERE_PROD_CHECK_LOOPBACK_HTTP": "1",
        # Four slashes: django-environ drops the first one of the path.
        "EMAIL_URL": f"filemail:///{work / 'mail'}",
        "MEDIA_ROOT": str(work / "media"),
        "CACHE_KEY_PREFIX": run_id,
        "CELERY_TASK_DEFAULT_QUEUE": run_id,
    }
    ok = False
    try:
        say("building the production artefacts (bin/build-production)")
        print(run([str(ROOT / "bin" / "build-production")], {**clean}, "bin/build-production"))
        say("check --deploy with the production settings")
        run(
            [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            production,
            "manage.py check --deploy",
        )
        say(f"database {db_name}: created again, migrated, demo seeded")
        drop_database(db_url, db_name, create=True)
        run([PYTHON, "manage.py", "migrate", "--noinput"], loopback, "manage.py migrate")
        run([PYTHON, "manage.py", "seed_demo"], loopback, "manage.py seed_demo")

        say(f"gunicorn on 127.0.0.1:{web_port}, a Celery worker, Caddy on 127.0.0.1:{site_port}")
        stack.start(
            "gunicorn",
            [
                str(VENV_BIN / "gunicorn"),
                "coop.wsgi:application",
                "--bind",
                f"127.0.0.1:{web_port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--access-logfile",
                "-",
                "--no-control-socket",
            ],
            loopback,
        )
        stack.start(
            "worker",
            [
                str(VENV_BIN / "celery"),
                "-A",
                "coop",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "1",
                "--hostname",
                f"{run_id}@%h",
                "--queues",
                run_id,
            ],
            loopback,
        )
        stack.start(
            "caddy",
            [
                caddy,
                "run",
                "--config",
                str(CADDYFILE),
                "--adapter",
                "caddyfile",
            ],
            {
                **clean,
                "HOME": str(work),
                "XDG_DATA_HOME": str(work / "caddy-data"),
                "XDG_CONFIG_HOME": str(work / "caddy-config"),
                "CADDY_SITE_ADDRESS": site,
                "CADDY_UPSTREAM": f"127.0.0.1:{web_port}",
                "CADDY_STATIC_ROOT": str(ROOT / "var" / "staticfiles"),
                "CADDY_MEDIA_ROOT": str(work / "media"),
            },
        )
        wait_ready(gunicorn_url, stack, "gunicorn")
        wait_ready(site, stack, "Caddy")

        visitor = Browser(site)
        stylesheet = check_public_pages(visitor)
        check_static(visitor, stylesheet)
        check_member(site)
        _admin, key, used_step = check_administrator(site)
        check_upload(site)
        check_administrator_second_sign_in(site, key, used_step)
        check_probes(site, gunicorn_url)
        check_worker_sent_mail(work / "mail")
        stack.assert_running()
        ok = True
    except CheckFailed as exc:
        print(f"\nprod-check FAILED: {exc}\n", file=sys.stderr)
        stack.show_logs()
    finally:
        stack.stop_all()
        forget_redis_keys(broker_url, redis_url, run_id)
        if ok:
            drop_database(db_url, db_name)
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"logs and uploads kept in {work}, the database {db_name}")
    if ok:
        say("all checks passed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
