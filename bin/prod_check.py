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

import contextlib
import gzip
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import brotli
import psycopg
import redis
from prod_check_http import (
    Answer,
    Browser,
    CheckFailed,
    _pixels,
    _visible_errors,
    expect,
    form_with,
    fresh_totp,
    parse,
    say,
    tiny_png,
)
from prod_check_stack import Stack, free_port, run
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
