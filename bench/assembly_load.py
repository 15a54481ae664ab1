"""Benchmark: a whole roll votes. 10,000 members, each signed in, cast their ballot on 5
resolutions through gunicorn with the production settings, from a separate client process.

The server: gunicorn as the Dockerfile runs it (sync workers, its --workers count, or
BENCH_WORKERS), with coop.settings.production (placeholders for its required variables, no
TLS redirect: the client speaks plain HTTP on loopback) on a database of its own
(voliere_bench_load) and Redis database 14. One addition only, as in bench/cast.py: a URL
configuration, in a temporary directory, that puts the floor view in front of the project's
URLs (a signed-in POST that writes one audit event and answers 10 bytes).

The data (bench/cast.py's `load`): statutes, three colleges, ROLL members with login accounts,
a convened assembly with 5 resolutions, distance voting open. Every member gets a session (as
a login writes it) and a CSRF cookie and token before the clock starts. The static files are
those of the production build (bin/build-production, run here when var/staticfiles has no
manifest).

The client process (this script with --client) sends, from CLIENTS threads, one cast per
member (POST of the ballot with step=cast: the real endpoint, its checks, the receipt e-mail
queued for Celery on a queue nobody reads, the receipt page), then floor POSTs (FLOOR of
them, before and after the casts, the median of the two rates kept). Every answer must be the
receipt page. Prints:

    assembly_load: ratio=R target=0.5
    assembly_load_all: seconds=S target=60 casts_per_second=C p50_ms=… p95_ms=… p99_ms=… errors=E

R = casts per second / floor POSTs per second (a cast costs at most two signed-in writes);
S = the time for all ROLL casts. Exits non-zero on any error, or when the ballots and
participations written are not one per member and resolution.

    .venv/bin/python bench/assembly_load.py
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from kit import database_url, delete_queue, drop_database, free_port, recreate_database, verbose

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_load"
REDIS_DB = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ROLL = int(os.environ.get("BENCH_ROLL", "10000"))
RESOLUTIONS = 5
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
FLOOR = int(os.environ.get("BENCH_FLOOR", "1000"))  # floor POSTs before and after the casts
TARGET = 0.5
SECONDS_TARGET = 60
FLOOR_PATH = "/bench-floor/"
CHOICES = ("for", "against", "abstain")


def dockerfile_workers() -> int:
    """The gunicorn worker count of the Dockerfile's CMD."""
    text = (BASE_DIR / "Dockerfile").read_text(encoding="utf-8")
    found = re.search(r'"--workers",\s*"(\d+)"', text)
    return int(found.group(1)) if found else 3


WORKERS = int(os.environ.get("BENCH_WORKERS", str(dockerfile_workers())))

SETTINGS_MODULE = """
from coop.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench_load_urls"
"""
URLS_MODULE = f"""
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from coop.audit import audit_fields
from coop.models import AuditEvent


@require_POST
@login_required
def floor(request):
    with transaction.atomic():
        AuditEvent.objects.create(**audit_fields(actor=request.user), action="bench.floor")
    return HttpResponse(b"floor ok\\n", content_type="text/plain")


urlpatterns = [
    path("{FLOOR_PATH.strip("/")}/", floor),
    path("", include("coop.urls")),
]
"""


# --- The client process ---------------------------------------------------------------------


def client_main(spec_path: str) -> int:
    """Send the casts and the floor POSTs; print the measures as JSON."""
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    port, ballot_path = spec["port"], spec["ballot_path"]
    local = threading.local()
    errors: list[str] = []

    def post(path: str, cookie: str, body: str) -> tuple[int, bytes]:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        headers = {
            "Cookie": cookie,
            "Accept-Language": "en",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        except (ConnectionError, http.client.HTTPException) as exc:
            conn.close()
            local.conn = None
            return 0, repr(exc).encode()
        if response.will_close:
            conn.close()
            local.conn = None
        return response.status, content

    def cast(index: int) -> float:
        cookie, body = spec["casts"][index]
        start = time.perf_counter()
        status, content = post(ballot_path, cookie, body)
        elapsed = time.perf_counter() - start
        if status != 200 or b"Your vote is cast" not in content:
            errors.append(f"cast {index}: {status} {content[:200]!r}")
        return elapsed

    def floor(index: int) -> None:
        cookie, body = spec["floors"][index % len(spec["floors"])]
        status, content = post(FLOOR_PATH, cookie, body)
        if status != 200 or content != b"floor ok\n":
            errors.append(f"floor: {status} {content[:200]!r}")

    def floor_rate(pool: ThreadPoolExecutor) -> float:
        start = time.perf_counter()
        list(pool.map(floor, range(spec["floor_count"])))
        return spec["floor_count"] / (time.perf_counter() - start)

    with ThreadPoolExecutor(max_workers=spec["clients"]) as pool:
        list(pool.map(floor, range(min(200, spec["floor_count"]))))  # warm the workers up
        floors = [floor_rate(pool)]
        start = time.perf_counter()
        latencies = list(pool.map(cast, range(len(spec["casts"]))))
        seconds = time.perf_counter() - start
        floors.append(floor_rate(pool))
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(
        json.dumps(
            {
                "seconds": seconds,
                "casts": len(latencies),
                "floor_rates": floors,
                "p50_ms": percentile(0.50),
                "p95_ms": percentile(0.95),
                "p99_ms": percentile(0.99),
                "errors": len(errors),
                "first_errors": errors[:5],
            }
        )
    )
    return 0


# --- The server side ------------------------------------------------------------------------


def sessions_bulk(users) -> list[tuple[str, str]]:
    """bench/cast.py's `signed_in` for a whole roll: the same session data (as a login writes
    it), encoded by the session store, the rows written in bulk; with each, a CSRF cookie and
    the form's token."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.http import HttpRequest
    from django.middleware.csrf import get_token
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    auth_hash = users[0].get_session_auth_hash()  # one password hash for all (cast.load)
    expire = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    rows, prepared = [], []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: auth_hash,
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
        request = HttpRequest()
        token = get_token(request)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={key}; "
            f"{settings.CSRF_COOKIE_NAME}={request.META['CSRF_COOKIE']}"
        )
        prepared.append((cookie, token))
    Session.objects.bulk_create(rows, batch_size=2000)
    return prepared


def production_env(url: str, queue: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "bench_load_settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TOTP_ENCRYPTION_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_DB,
        "CELERY_BROKER_URL": REDIS_DB,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": "dummymail://",
        "SITE_URL": "http://127.0.0.1",
        "SECURE_SSL_REDIRECT": "False",
        "LOG_LEVEL": "WARNING",
    }


def static_build() -> None:
    if not (BASE_DIR / "var" / "staticfiles" / "staticfiles.json").exists():
        verbose("building the static files (bin/build-production)")
        subprocess.run([str(BASE_DIR / "bin" / "build-production")], cwd=BASE_DIR, check=True)


def main() -> int:
    url = database_url(BENCH_DB)
    queue = f"voliere-bench-load-{uuid.uuid4().hex[:10]}"
    settings_dir = Path(tempfile.mkdtemp(prefix="voliere-bench-load-"))
    (settings_dir / "bench_load_settings.py").write_text(SETTINGS_MODULE, encoding="utf-8")
    (settings_dir / "bench_load_urls.py").write_text(URLS_MODULE, encoding="utf-8")
    env = production_env(url, queue)
    os.environ.update(env)
    sys.path[:0] = [str(settings_dir), str(BASE_DIR)]
    workdir = BASE_DIR / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    server_log = workdir / "assembly-load-gunicorn.log"
    static_build()
    recreate_database(url, BENCH_DB)
    server = None
    problems: list[str] = []
    result: dict = {}
    try:
        import django

        django.setup()
        from cast import start_gunicorn, wait_for
        from cast_kit import load
        from django.core.management import call_command
        from django.urls import reverse

        from governance.models import Participation, UrnBallot

        call_command("migrate", verbosity=0, interactive=False)
        assembly, resolutions, entries, users = load(ROLL, roll=ROLL, resolutions_count=RESOLUTIONS)
        started = time.perf_counter()
        cookies = sessions_bulk(users)
        verbose(f"{ROLL} sessions in {time.perf_counter() - started:.1f}s")
        ballot_path = reverse("governance:ballot", kwargs={"pk": assembly.pk})

        def cast_body(index: int, token: str) -> str:
            fields = [("csrfmiddlewaretoken", token), ("voices", str(entries[index].pk))]
            fields += [
                (f"resolution_{pk}", CHOICES[(index + n) % 3]) for n, pk in enumerate(resolutions)
            ]
            fields.append(("step", "cast"))
            return urlencode(fields)

        port = free_port()
        spec = {
            "port": port,
            "ballot_path": ballot_path,
            "clients": CLIENTS,
            "floor_count": FLOOR,
            "casts": [(cookie, cast_body(i, token)) for i, (cookie, token) in enumerate(cookies)],
            "floors": [
                (cookie, urlencode({"csrfmiddlewaretoken": token})) for cookie, token in cookies
            ],
        }
        spec_path = settings_dir / "spec.json"
        spec_path.write_text(json.dumps(spec), encoding="utf-8")

        server = start_gunicorn(port, settings_dir, {**os.environ}, server_log, WORKERS)
        verbose(f"gunicorn with {WORKERS} workers, {CLIENTS} client threads")

        def serving() -> bool:
            if server.poll() is not None:
                raise SystemExit(f"assembly_load: gunicorn stopped, see {server_log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/", headers={"Accept-Language": "en"})
                ok = conn.getresponse().status == 200
                conn.close()
                return ok
            except OSError:
                return False

        wait_for(serving, timeout=300, what="gunicorn")
        client = subprocess.run(
            [sys.executable, __file__, "--client", str(spec_path)],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
        if client.returncode != 0:
            raise SystemExit(f"assembly_load: the client failed: {client.stderr[-2000:]}")
        result = json.loads(client.stdout)
        problems += result["first_errors"]
        if result["errors"]:
            problems.append(f"assembly_load: {result['errors']} requests failed")
        ballots = UrnBallot.objects.filter(resolution__assembly=assembly).count()
        participations = Participation.objects.filter(resolution__assembly=assembly).count()
        if ballots != ROLL * RESOLUTIONS or participations != ROLL * RESOLUTIONS:
            problems.append(
                f"assembly_load: {ballots} ballots and {participations} participations for "
                f"{ROLL} members and {RESOLUTIONS} resolutions"
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
        except Exception as exc:
            print(f"assembly_load: could not clean Redis up: {exc}", file=sys.stderr)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        shutil.rmtree(settings_dir, ignore_errors=True)
        if not os.environ.get("BENCH_KEEP"):
            drop_database(url, BENCH_DB)

    if result:
        rate = result["casts"] / result["seconds"]
        floor = statistics.median(result["floor_rates"])
        print(f"assembly_load: ratio={rate / floor:.2f} target={TARGET}")
        print(
            f"assembly_load_all: seconds={result['seconds']:.1f} target={SECONDS_TARGET} "
            f"casts_per_second={rate:.1f} p50_ms={result['p50_ms']:.0f} "
            f"p95_ms={result['p95_ms']:.0f} p99_ms={result['p99_ms']:.0f} "
            f"errors={result['errors']}"
        )
        verbose(f"floor POSTs/s {[round(x, 1) for x in result['floor_rates']]}")
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--client":
        sys.exit(client_main(sys.argv[2]))
    sys.exit(main())
