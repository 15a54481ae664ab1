"""Benchmark: casting a vote through the real endpoint, served by gunicorn, against a trivial
view of the same Django project on the same gunicorn.

The project is served as the Dockerfile serves it (gunicorn, sync workers, 3 of them, or
BENCH_WORKERS; without the access log), with the test settings on a database of its own
(voliere_bench_cast) and Redis database 15. The settings are the project's, with one addition
only: a URL configuration, written in a temporary directory, that puts a trivial view (an
11-byte text response, no template, no query) in front of the project's own URLs, so that
both sides pass through the same middleware, the same workers and the same connections.

The data: statutes, three colleges (40/30/30), ROLL members with login accounts (members of
the "member" group), a convened assembly with three resolutions and its frozen roll, distance
voting open; one in twenty of the members who do not vote here gave a proxy to another one. Every
voter gets a signed-in session (SessionStore, as a login writes it) and a CSRF cookie and
token (django.middleware.csrf.get_token), prepared before the clock starts.

What is measured, in requests per second, from a pool of CLIENTS threads of this process
(http.client; the sync workers close each connection after its response, so every request
opens one, on both sides alike):

- app: POST /assemblies/<pk>/ballot/ with step=cast and a choice on every resolution, each
  voter once (a second POST from the same voter is a refusal, not the path measured): the
  session and CSRF checks, the voter's situation (roll entry, voices, resolutions: one
  query), the form, `ballots_cast` (the assembly held in SHARE mode, then one statement that
  checks the voices and writes three participations, three ballots and the audit event; the
  commit), the receipt e-mail enqueued for Celery (not sent: no worker reads the benchmark's
  queue, which is deleted at the end) and the receipt page rendered.
  Every answer must be the receipt page.
- baseline: GET of the trivial view, with the same cookies, from the same pool.
- floor, for context: POST to a view of the benchmark's URL configuration that does what any
  signed-in write must do and nothing else (session, CSRF, the user loaded, one audit event
  written and committed) and answers 10 bytes of text: no roll, no checks, no page, no e-mail.
  No cast can be faster than this on the same machine; its ratio says what a target can ask.

- page floor, for context too: the floor plus what every signed-in write of the portal also
  does and the floor leaves out: it queues one e-mail for Celery (the receipt task, its payload
  sealed) and answers a page of the site (base.html, its menus and forms). The cast renders its
  receipt page and queues its receipt e-mail: this is the "signed-in write" it is two of.

Rounds alternate the sides (after one warm-up of each); the median of each side is kept.
Prints the issue's two lines, in this order, then the third:

    cast: ratio=R target=0.12
    cast_vs_floor: ratio=F target=0.5
    cast_vs_page_write: ratio=P target=0.5

R = casts per second / trivial view's requests per second; F = casts per second / floor
requests per second: a cast costs at most two signed-in writes; P = casts per second / page
floor POSTs per second, the same with a write that also shows a page and queues an e-mail.
Exits non-zero if a cast was not answered with the receipt page, if the ballots and
participations written are not one per voter and resolution, or if a second cast by a voter
is not refused. The database is created
and dropped here (kept with BENCH_KEEP=1).

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/cast.py
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from cast_kit import RESOLUTIONS, load, signed_in
from kit import (
    database_url,
    delete_queue,
    drop_database,
    free_port,
    recreate_database,
    verbose,
)

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_cast"
REDIS_DB = "redis://127.0.0.1:6379/15"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CASTS = int(os.environ.get("BENCH_CASTS", "200"))  # voters per round
WARM_CASTS = 60
TRIVIAL = int(os.environ.get("BENCH_TRIVIAL", "1500"))  # GETs per round
FLOOR = int(os.environ.get("BENCH_FLOOR", "600"))  # floor POSTs per round
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))  # 3 as in the Dockerfile
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "6"))
TARGET = 0.12  # casts per second / trivial GETs per second
FLOOR_TARGET = 0.5  # casts per second / floor POSTs per second
TRIVIAL_PATH = "/bench-trivial/"
FLOOR_PATH = "/bench-floor/"
PAGE_FLOOR_PATH = "/bench-page-floor/"

CHOICES = ("for", "against", "abstain")

# The project's settings and URLs, with the trivial view in front (in a temporary directory).
SETTINGS_MODULE = """
from coop.settings.test import *  # noqa: F403

ROOT_URLCONF = "bench_cast_urls"
"""
URLS_MODULE = f"""
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from django.template import engines

from coop.audit import audit_fields
from coop.models import AuditEvent
from governance.services.receipt_mail import receipt_payload_seal
from governance.tasks import ballot_receipt_send

PAGE = engines["django"].from_string(
    '{{% extends "base.html" %}}{{% block content %}}<h1>Written</h1>'
    "<p>{{{{ written }}}}</p>{{% endblock %}}"
)


def trivial(request):
    return HttpResponse(b"trivial ok\\n", content_type="text/plain")


@require_POST
@login_required
def floor(request):
    with transaction.atomic():
        AuditEvent.objects.create(**audit_fields(actor=request.user), action="bench.floor")
    return HttpResponse(b"floor ok\\n", content_type="text/plain")


@require_POST
@login_required
def page_floor(request):
    with transaction.atomic():
        AuditEvent.objects.create(**audit_fields(actor=request.user), action="bench.floor")
    ballot_receipt_send.delay(receipt_payload_seal({{"to_email": request.user.email}}))
    return HttpResponse(PAGE.render({{"written": "page floor ok"}}, request))


urlpatterns = [
    path("{TRIVIAL_PATH.strip("/")}/", trivial),
    path("{FLOOR_PATH.strip("/")}/", floor),
    path("{PAGE_FLOOR_PATH.strip("/")}/", page_floor),
    path("", include("coop.urls")),
]
"""


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit(f"cast: timed out waiting for {what}")
        time.sleep(0.1)


# --- The server -------------------------------------------------------------------------------


def start_gunicorn(
    port: int, pythonpath: Path, env: dict[str, str], log: Path, workers: int = WORKERS
):
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "coop.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--pythonpath",
        f"{pythonpath},{BASE_DIR}",
        "--log-level",
        "warning",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# --- The benchmark ----------------------------------------------------------------------------


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = REDIS_DB
    os.environ["CELERY_BROKER_URL"] = REDIS_DB
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    queue = f"voliere-bench-cast-{uuid.uuid4().hex[:10]}"
    os.environ["CELERY_TASK_DEFAULT_QUEUE"] = queue
    sys.path.insert(0, str(BASE_DIR))
    workdir = BASE_DIR / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    server_log = workdir / "cast-gunicorn.log"
    voters = WARM_CASTS + ROUNDS * CASTS

    recreate_database(url, BENCH_DB)
    server = None
    settings_dir: Path | None = None
    problems: list[str] = []
    session_keys: list[str] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.urls import reverse

        from governance.models import Participation, UrnBallot

        call_command("migrate", verbosity=0, interactive=False)
        assembly, resolutions, entries, users = load(voters)
        started = time.perf_counter()
        cookies = signed_in(users, session_keys)
        verbose(f"{voters} sessions in {time.perf_counter() - started:.1f}s")
        ballot_path = reverse("governance:ballot", kwargs={"pk": assembly.pk})

        def cast_body(index: int, token: str) -> str:
            fields = [("csrfmiddlewaretoken", token), ("voices", str(entries[index].pk))]
            fields += [
                (f"resolution_{pk}", CHOICES[(index + n) % 3]) for n, pk in enumerate(resolutions)
            ]
            fields.append(("step", "cast"))
            return urlencode(fields)

        bodies = [cast_body(i, token) for i, (_cookie, token) in enumerate(cookies)]

        port = free_port()
        settings_dir = Path(tempfile.mkdtemp(prefix="voliere-bench-cast-"))
        (settings_dir / "bench_cast_settings.py").write_text(SETTINGS_MODULE, encoding="utf-8")
        (settings_dir / "bench_cast_urls.py").write_text(URLS_MODULE, encoding="utf-8")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_cast_settings",
            "LOG_LEVEL": "WARNING",
        }
        server = start_gunicorn(port, settings_dir, env, server_log)

        local = threading.local()

        def request(method: str, path: str, cookie: str, body: str | None = None):
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            headers = {"Cookie": cookie, "Accept-Language": "en"}
            if body is not None:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                if method != "GET":
                    raise  # a cast is never sent twice
                conn.request(method, path, body=body, headers=headers)  # once more, anew
                response = conn.getresponse()
                content = response.read()
            if response.will_close:
                conn.close()  # sync workers close after each response: the next one reconnects
            return response.status, content

        def serving() -> bool:
            if server.poll() is not None:
                raise SystemExit(f"cast: gunicorn stopped, see {server_log}")
            try:
                return request("GET", TRIVIAL_PATH, "")[0] == 200
            except OSError:
                return False

        wait_for(serving, timeout=60, what="gunicorn")

        pool = ThreadPoolExecutor(max_workers=CLIENTS)
        next_voter = iter(range(voters))
        failures: list[str] = []

        def cast_one(index: int) -> None:
            status, content = request("POST", ballot_path, cookies[index][0], bodies[index])
            if status != 200 or b"Your vote is cast" not in content:
                failures.append(f"voter {index}: {status} {content[:300]!r}")

        def trivial_one(index: int) -> None:
            status, content = request("GET", TRIVIAL_PATH, cookies[index % voters][0])
            if status != 200 or content != b"trivial ok\n":
                failures.append(f"trivial: {status} {content[:300]!r}")

        def floor_one(index: int) -> None:
            cookie, token = cookies[index % voters]
            body = urlencode({"csrfmiddlewaretoken": token})
            status, content = request("POST", FLOOR_PATH, cookie, body)
            if status != 200 or content != b"floor ok\n":
                failures.append(f"floor: {status} {content[:300]!r}")

        def floors(count: int) -> float:
            start = time.perf_counter()
            list(pool.map(floor_one, range(count)))
            return count / (time.perf_counter() - start)

        def page_floor_one(index: int) -> None:
            cookie, token = cookies[index % voters]
            body = urlencode({"csrfmiddlewaretoken": token})
            status, content = request("POST", PAGE_FLOOR_PATH, cookie, body)
            if status != 200 or b"page floor ok" not in content:
                failures.append(f"page floor: {status} {content[:300]!r}")

        def page_floors(count: int) -> float:
            start = time.perf_counter()
            list(pool.map(page_floor_one, range(count)))
            return count / (time.perf_counter() - start)

        def casts(count: int) -> float:
            batch = [next(next_voter) for _ in range(count)]
            start = time.perf_counter()
            list(pool.map(cast_one, batch))
            return count / (time.perf_counter() - start)

        def trivials(count: int) -> float:
            start = time.perf_counter()
            list(pool.map(trivial_one, range(count)))
            return count / (time.perf_counter() - start)

        casts(WARM_CASTS)
        trivials(TRIVIAL // 3)
        floors(FLOOR // 3)
        page_floors(FLOOR // 3)
        app, raw, floor, page_floor = [], [], [], []
        for round_number in range(ROUNDS):
            sides = [
                (lambda: trivials(TRIVIAL), raw),
                (lambda: casts(CASTS), app),
                (lambda: floors(FLOOR), floor),
                (lambda: page_floors(FLOOR), page_floor),
            ]
            if round_number % 2:
                sides.reverse()
            for run, results in sides:
                results.append(run())
        verbose(f"casts/s {[round(x, 1) for x in app]}")
        verbose(f"trivial GETs/s {[round(x, 1) for x in raw]}")
        verbose(f"floor POSTs/s {[round(x, 1) for x in floor]}")
        verbose(f"page floor POSTs/s {[round(x, 1) for x in page_floor]}")

        # A second cast by a voter is refused, and changes nothing.
        status, content = request("POST", ballot_path, cookies[0][0], bodies[0])
        if status != 200 or b"Your vote is cast" in content:
            problems.append(f"cast: a second cast was not refused ({status})")
        pool.shutdown()
        problems += failures[:5]
        if failures:
            problems.append(f"cast: {len(failures)} requests failed")
        ballots = UrnBallot.objects.filter(resolution__assembly=assembly).count()  # until close
        participations = Participation.objects.filter(resolution__assembly=assembly).count()
        if ballots != voters * RESOLUTIONS or participations != voters * RESOLUTIONS:
            problems.append(
                f"cast: {ballots} ballots and {participations} participations for "
                f"{voters} voters and {RESOLUTIONS} resolutions"
            )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        try:
            delete_queue(queue)
            if session_keys:  # any copies of the sessions in the Redis cache (cached_db)
                from django.contrib.sessions.backends.cached_db import KEY_PREFIX
                from django.core.cache import cache

                cache.delete_many([KEY_PREFIX + key for key in session_keys])
        except Exception as exc:  # clean up what can be, report the rest
            print(f"cast: could not clean Redis up: {exc}", file=sys.stderr)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        if settings_dir is not None:
            shutil.rmtree(settings_dir, ignore_errors=True)
        if not os.environ.get("BENCH_KEEP"):
            drop_database(url, BENCH_DB)

    ratio = statistics.median(app) / statistics.median(raw)
    floor_ratio = statistics.median(app) / statistics.median(floor)
    print(f"cast: ratio={ratio:.2f} target={TARGET}")
    print(f"cast_vs_floor: ratio={floor_ratio:.2f} target={FLOOR_TARGET}")
    page_ratio = statistics.median(app) / statistics.median(page_floor)
    print(f"cast_vs_page_write: ratio={page_ratio:.2f} target={FLOOR_TARGET}")
    verbose(
        f"median casts/s {statistics.median(app):.1f}, trivial GETs/s "
        f"{statistics.median(raw):.1f}, floor POSTs/s {statistics.median(floor):.1f}, "
        f"page floor POSTs/s {statistics.median(page_floor):.1f}"
    )
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
