"""Benchmark: the live figures of a meeting under load, against a trivial view, same server.

A roll of 5,000 members (1,200 checked in, 250 proxies, 400 distance votes on 3 resolutions) is
loaded into a database of its own (voliere_bench_figures). gunicorn serves the application
(2 worker processes, 4 threads each) with extra routes: a trivial view that answers "ok"
through the same middleware and the same guard as every administrator page (signed in,
administrator with TOTP), and the same view without the guard (shown with BENCH_VERBOSE).
Client threads, each over its own keep-alive connection, signed in as an administrator with
TOTP, request for a fixed time either the live figures as htmx polls them (GET
governance:meeting_figures with HX-Request) or a trivial view. Rounds alternate; the median of
each side is kept. Prints one line:

    live_figures: ratio=R target=0.5

R = figures requests per second / trivial requests per second. Exits non-zero if the figures
answer anything but 200 with the expected counts.

    DJANGO_SETTINGS_MODULE=coop.settings.test .venv/bin/python bench/live_figures.py

gunicorn imports this module as `live_figures:application` (BENCH_FIGURES_WSGI=1): the
application of coop.urls plus the trivial view.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from kit import (
    administrator_client,
    database_url,
    drop_database,
    free_port,
    recreate_database,
    verbose,
)

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = "voliere_bench_figures"
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "5000"))
PRESENT = MEMBERS * 24 // 100
PROXIES = MEMBERS * 5 // 100
DISTANCE = MEMBERS * 8 // 100
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
TARGET = 0.5
# The baseline: a trivial view behind the same guard as every administrator page (signed in,
# administrator, TOTP set up), so that the ratio measures what the live figures cost beyond
# being an administrator's page. The same trivial view without the guard (no session, no
# database) is measured too and shown with BENCH_VERBOSE.
TRIVIAL_PATH = "/bench/trivial"
OPEN_TRIVIAL_PATH = "/bench/trivial-open"

# --- The server side (imported by gunicorn) ---------------------------------------------------

if os.environ.get("BENCH_FIGURES_WSGI"):
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.http import HttpRequest, HttpResponse
    from django.urls import include, path

    django.setup()

    from coop.roles import Role, role_required

    def trivial(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok", content_type="text/plain")

    urlpatterns = [
        path(TRIVIAL_PATH.lstrip("/"), role_required(Role.ADMINISTRATOR)(trivial)),
        path(OPEN_TRIVIAL_PATH.lstrip("/"), trivial),
        path("", include("coop.urls")),
    ]
    settings.ROOT_URLCONF = __name__
    application = get_wsgi_application()


# --- The benchmark ----------------------------------------------------------------------------


def load() -> int:
    """The statutes, three colleges, MEMBERS members on the roll of a convened assembly, with
    check-ins, proxies and distance votes. Returns the assembly's id."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from coop.models import Statutes
    from governance.models import (
        AgendaItem,
        Assembly,
        AssemblyCollege,
        Participation,
        Proxy,
        Resolution,
        RollEntry,
    )
    from members.models import Category, College, Member

    statutes = Statutes.objects.create(
        effective_from=dt.date(2020, 1, 1),
        decision_ref="AGE 2020",
        name="Coopérative de banc d'essai",
        registered_office="1 place de la Mairie, 38000 Grenoble",
    )
    colleges = [
        College.objects.create(code=code, name=name, weight=Decimal(weight), position=i)
        for i, (code, name, weight) in enumerate(
            [("salaries", "Salariés", 40), ("usagers", "Usagers", 30), ("soutiens", "Soutiens", 30)]
        )
    ]
    category = Category.objects.create(
        code="usagers", name="Usagers", compulsory=True, default_college=colleges[1]
    )
    Member.objects.bulk_create(
        Member(
            number=i,
            first_name="Membre",
            last_name=f"N{i:05d}",
            address=f"{i} rue du Lac",
            category=category,
            college=colleges[i % 3],
            status=Member.Status.RATIFIED,
            applied_on=dt.date(2024, 1, 1),
            admitted_on=dt.date(2024, 2, 1),
            ratified_on=dt.date(2024, 6, 1),
        )
        for i in range(1, MEMBERS + 1)
    )
    starts_at = timezone.now() + dt.timedelta(hours=1)
    assembly = Assembly.objects.create(
        title="AGO de banc d'essai",
        kind=Assembly.Kind.ORDINARY,
        starts_at=starts_at,
        place="Salle des fêtes",
        distance_vote_deadline=starts_at - dt.timedelta(hours=3),
    )
    item = AgendaItem.objects.create(assembly=assembly, position=1, title="Comptes")
    resolutions = [
        Resolution.objects.create(
            assembly=assembly,
            agenda_item=item,
            number=n,
            title=f"Résolution {n}",
            text="Texte.",
            majority_kind=Assembly.Kind.ORDINARY,
        )
        for n in (1, 2, 3)
    ]
    frozen = {
        c.pk: AssemblyCollege.objects.create(
            assembly=assembly, college=c, name=c.name, weight=c.weight, position=c.position
        )
        for c in colleges
    }
    members = list(Member.objects.order_by("number"))
    RollEntry.objects.bulk_create(
        RollEntry(
            assembly=assembly,
            member=m,
            college=frozen[m.college_id],
            member_number=m.number,
            name=m.display_name,
            address=m.address,
        )
        for m in members
    )
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.CONVENED, statutes=statutes, convened_at=timezone.now()
    )
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    present = entries[:PRESENT]
    RollEntry.objects.filter(pk__in=[e.pk for e in present]).update(present_at=timezone.now())
    givers = entries[PRESENT : PRESENT + PROXIES]
    Proxy.objects.bulk_create(
        Proxy(assembly=assembly, giver=giver, holder=present[i % len(present)])
        for i, giver in enumerate(givers)
    )
    distance = entries[PRESENT + PROXIES : PRESENT + PROXIES + DISTANCE]
    Participation.objects.bulk_create(
        Participation(resolution=r, roll_entry=e, channel=Participation.Channel.DISTANCE)
        for e in distance
        for r in resolutions
    )
    return assembly.pk


def administrator_cookie() -> str:
    """The session cookie of an administrator with TOTP, passed in this session (sessions
    live in the database, so the gunicorn workers read it)."""
    from django.conf import settings

    client = administrator_client()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(BASE_DIR),
            "--pythonpath",
            str(BASE_DIR / "bench"),
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "live_figures:application",
        ],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped: see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def load_round(port: int, path: str, headers: dict[str, str]) -> float:
    """Requests per second over SECONDS, CLIENTS threads each on a keep-alive connection."""
    done = [0] * CLIENTS
    failures: list[str] = []
    start = threading.Barrier(CLIENTS + 1)
    stop_at = [0.0]

    def client(index: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        try:
            while time.monotonic() < stop_at[0]:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failures.append(f"{path}: {response.status}")
                    return
                done[index] += 1
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at[0] = began + SECONDS
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    if failures:
        raise SystemExit(failures[0])
    return sum(done) / elapsed


def main() -> int:
    url = database_url(BENCH_DB)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coop.settings.test")
    sys.path.insert(0, str(BASE_DIR))

    recreate_database(url, BENCH_DB)
    server = None
    problems: list[str] = []
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.urls import reverse

        call_command("migrate", verbosity=0, interactive=False)
        started = time.perf_counter()
        assembly_pk = load()
        verbose(f"loaded a roll of {MEMBERS} in {time.perf_counter() - started:.1f}s")
        cookie = administrator_cookie()
        from django.db import connections

        connections.close_all()

        port = free_port()
        env = {**os.environ, "BENCH_FIGURES_WSGI": "1", "PYTHONPATH": str(BASE_DIR)}
        server = start_server(
            env, port, Path(tempfile.gettempdir()) / f"bench-live-figures-{port}.log"
        )
        figures_path = reverse("governance:meeting_figures", args=[assembly_pk])
        headers = {"Cookie": cookie, "Accept-Language": "en"}
        figures_headers = {**headers, "HX-Request": "true"}

        status, body = fetch(port, figures_path, figures_headers)
        expected = {
            "figure-roll": MEMBERS,
            "figure-present": PRESENT,
            "figure-represented": PROXIES,
            "figure-distance": DISTANCE,
        }
        if status != 200:
            problems.append(f"live_figures: the figures answered {status}")
        for key, value in expected.items():
            if not re.search(rf'<dd id="{key}">{value}</dd>', body):
                problems.append(f"live_figures: {key} is not {value}")
        for trivial_path in (TRIVIAL_PATH, OPEN_TRIVIAL_PATH):
            status, body = fetch(port, trivial_path, headers)
            if (status, body) != (200, "ok"):
                problems.append(f"live_figures: {trivial_path} answered {status}")
        if problems:
            raise SystemExit("\n".join(problems))

        load_round(port, figures_path, figures_headers)  # warm-up
        load_round(port, TRIVIAL_PATH, headers)
        figures_rates, trivial_rates, open_rates = [], [], []
        for round_number in range(ROUNDS):
            sides = [
                (TRIVIAL_PATH, headers, trivial_rates),
                (figures_path, figures_headers, figures_rates),
                (OPEN_TRIVIAL_PATH, headers, open_rates),
            ]
            if round_number % 2:
                sides.reverse()
            for path, side_headers, rates in sides:
                rates.append(load_round(port, path, side_headers))
        verbose(f"figures {[round(r) for r in figures_rates]} req/s")
        verbose(f"trivial {[round(r) for r in trivial_rates]} req/s")
        verbose(f"trivial without the guard {[round(r) for r in open_rates]} req/s")
        figures_rate = statistics.median(figures_rates)
        trivial_rate = statistics.median(trivial_rates)
        open_rate = statistics.median(open_rates)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: S110 - Django may not be set up yet
            pass
        drop_database(url, BENCH_DB)

    print(f"live_figures: ratio={figures_rate / trivial_rate:.2f} target={TARGET}")
    verbose(f"figures {figures_rate:.0f} req/s, trivial {trivial_rate:.0f} req/s")
    verbose(f"ratio to the trivial view without the guard: {figures_rate / open_rate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
