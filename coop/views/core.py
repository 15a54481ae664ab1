"""Home page and the health endpoint."""

import datetime as dt
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "coop/home.html")


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _check_redis() -> str:
    key = "health:probe"
    cache.set(key, "1", timeout=10)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return the value written")
    return "ok"


def _check_celery() -> str:
    from coop.celery import app

    replies = app.control.ping(timeout=settings.HEALTH_CELERY_TIMEOUT)
    if not replies:
        raise RuntimeError("no Celery worker answered")
    return f"ok ({len(replies)} worker{'s' if len(replies) > 1 else ''})"


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
    """Database, Redis and Celery worker status, for load balancers and monitoring."""
    checks = {"database": _check_database, "redis": _check_redis, "celery": _check_celery}
    report: dict[str, str] = {}
    healthy = True
    for name, check in checks.items():
        try:
            report[name] = check()
        except Exception as exc:  # a health probe reports every failure, whatever its kind
            logger.warning("health check %s failed: %s", name, exc)
            report[name] = f"error: {exc.__class__.__name__}"
            healthy = False
    report["beat"] = _beat_status()
    report["status"] = "ok" if healthy else "error"
    return JsonResponse(report, status=200 if healthy else 503)
