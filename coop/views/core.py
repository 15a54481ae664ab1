"""Home page, the health and readiness endpoints."""

import datetime as dt
import logging
import secrets
from collections.abc import Callable

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coop.home import home_parts
from coop.statutes import StatutesNotInForce, statutes_in_force

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The first page after signing in: a part for each of the person's roles (coop.home);
    someone with no role yet sees where to start. Visitors see what the portal is."""
    context: dict[str, object] = {}
    if request.user.is_authenticated:
        context["parts"] = home_parts(request)
        context["cooperative"] = _cooperative_name()
    return render(request, "coop/home.html", context)


def _cooperative_name() -> str:
    try:
        return statutes_in_force().name
    except StatutesNotInForce:
        return settings.COOP_SITE_NAME


# Seconds a probe waits for Redis or the broker before reporting it failed.
PROBE_TIMEOUT = 2.0


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis() -> None:
    """Redis itself (settings.REDIS_URL), not the cache API, which may fail open: a write
    and a read back, so a server that refuses writes (out of memory, replica) fails too."""
    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT
    )
    try:
        token = secrets.token_hex(8)
        client.set("health:probe", token, ex=10)
        if client.get("health:probe") != token.encode():
            raise RuntimeError("Redis did not return the value written")
    finally:
        client.close()


def _check_broker() -> None:
    """A connection to the Celery broker, as the web processes need to enqueue tasks."""
    from coop.celery import app

    with app.connection_for_write(
        settings.CELERY_BROKER_URL,
        connect_timeout=PROBE_TIMEOUT,
        transport_options={"socket_connect_timeout": PROBE_TIMEOUT},
    ) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT)


def _check_celery() -> None:
    from coop.celery import app

    if not app.control.ping(timeout=settings.HEALTH_CELERY_TIMEOUT):
        raise RuntimeError("no Celery worker answered")


def _run_checks(checks: dict[str, Callable[[], None]], probe: str) -> tuple[dict[str, str], bool]:
    """Each part "ok" or "fail". What failed and why goes to the log, never to the answer:
    these endpoints are public, and exception names and messages tell an attacker too much."""
    report: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
        except Exception:  # a probe reports every failure, whatever its kind
            logger.warning("%s: %s check failed", probe, name, exc_info=True)
            report[name] = "fail"
        else:
            report[name] = "ok"
    return report, all(value == "ok" for value in report.values())


HEARTBEAT_CACHE_KEY = "celery:heartbeat"
HEARTBEAT_STALE_AFTER = dt.timedelta(minutes=3)


def _beat_status() -> str:
    """Informational: beat schedules a heartbeat task every minute that a worker records."""
    try:
        stamp = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # already reported by the Redis check
        return "unknown"
    if not stamp:
        return "no heartbeat yet"
    age = timezone.now() - dt.datetime.fromisoformat(stamp)
    return "ok" if age <= HEARTBEAT_STALE_AFTER else f"stale ({int(age.total_seconds())} s)"


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Database, Redis and Celery worker status, for monitoring (503 when one fails)."""
    report, healthy = _run_checks(
        {"database": _check_database, "redis": _check_redis, "celery": _check_celery}, "health"
    )
    report["beat"] = _beat_status()
    report["status"] = "ok" if healthy else "fail"
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """Whether this web process can serve: the database, Redis and the Celery broker, each
    "ok" or "fail" (503 when one fails), for the proxy, the container's health check and
    monitoring. Workers are not needed to serve a page: /health reports them."""
    report, ready_ = _run_checks(
        {"database": _check_database, "redis": _check_redis, "broker": _check_broker}, "ready"
    )
    report["status"] = "ok" if ready_ else "fail"
    return JsonResponse(report, status=200 if ready_ else 503)
