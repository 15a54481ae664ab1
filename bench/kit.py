"""What the benchmark scripts share: their own databases, timing, interleaved rounds, ports.

Not a benchmark itself: `make bench` runs every other script of this folder.
"""

from __future__ import annotations

import os
import socket
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit


def database_url(name: str) -> str:
    """The URL of the database `name` on the server DATABASE_URL names."""
    current = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/voliere")
    parts = urlsplit(current)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin_url(url: str) -> str:
    return urlunsplit((*urlsplit(url)[:2], "/postgres", "", ""))


def recreate_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def verbose(message: str) -> None:
    """Details on stderr when BENCH_VERBOSE is set; stdout keeps the one result line."""
    if os.environ.get("BENCH_VERBOSE"):
        print(f"  {message}", file=sys.stderr, flush=True)


def timed(run: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def interleaved(
    app: Callable[[], object], raw: Callable[[], object], *, rounds: int
) -> tuple[float, float]:
    """Median times of app and baseline over `rounds` alternating rounds (after one warm-up)."""
    app()
    raw()
    app_times, raw_times = [], []
    for round_number in range(rounds):
        sides = [(raw, raw_times), (app, app_times)]
        if round_number % 2:
            sides.reverse()
        for run, times in sides:
            times.append(timed(run)[0])
    verbose(f"app {[round(t * 1000, 1) for t in app_times]} ms")
    verbose(f"raw {[round(t * 1000, 1) for t in raw_times]} ms")
    return statistics.median(app_times), statistics.median(raw_times)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def delete_queue(name: str) -> None:
    """Remove a benchmark's Redis queue and kombu's bindings of it."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        keys = [*client.scan_iter(match=f"{name}*"), *client.scan_iter(match=f"_kombu.*.{name}")]
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def register_structure(colleges: list[tuple], categories: list[tuple]) -> dict[str, object]:
    """The colleges (code, name, weight, position) and categories (code, name, compulsory,
    public body, college code, position) of a benchmark's register; returns the colleges by
    code. Django must be set up."""
    from members.models import Category, College

    made = {
        code: College.objects.create(code=code, name=name, weight=weight, position=position)
        for code, name, weight, position in colleges
    }
    for code, name, compulsory, public, college, position in categories:
        Category.objects.create(
            code=code,
            name=name,
            compulsory=compulsory,
            is_public_body=public,
            default_college=made[college],
            position=position,
        )
    return made
