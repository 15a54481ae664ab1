"""/health reports the database, Redis and the Celery workers; /ready the database, Redis and
the broker. Both say only "ok" or "fail" per part: the reason goes to the log."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import kombu.pools
import pytest
from django.core.cache import cache
from django.utils import timezone

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: Redis is "down"


def _point_celery_at(url: str, monkeypatch, settings):
    """Celery reads CELERY_BROKER_URL from the environment before its configuration."""
    from coop.celery import app

    original = app.conf.broker_url
    app.pool.force_close_all()
    app._pool = None
    app.conf.broker_url = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    settings.CELERY_BROKER_URL = url
    yield
    app.pool.force_close_all()
    app._pool = None
    app.conf.broker_url = original
    kombu.pools.reset()  # the closed pool must not serve later .delay() calls


@pytest.fixture
def broker_without_workers(monkeypatch, settings):
    """Point the Celery app at a Redis database no worker listens on, for one test."""
    yield from _point_celery_at("redis://127.0.0.1:6379/14", monkeypatch, settings)


@pytest.fixture
def broker_down(monkeypatch, settings):
    yield from _point_celery_at(CLOSED_REDIS, monkeypatch, settings)


def _assert_reveals_nothing(response) -> None:
    """Only the documented words: no exception name, message, host or port."""
    body = response.json()
    for key, value in body.items():
        if key != "beat":
            assert value in {"ok", "fail"}, (key, value)
    text = response.content.decode()
    for leak in ("Error", "refused", "127.0.0.1", "Exception", "Traceback"):
        assert leak not in text


def test_health_reports_missing_worker_as_unhealthy(client, settings, broker_without_workers):
    settings.HEALTH_CELERY_TIMEOUT = 0.3
    response = client.get("/health")
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == "ok"
    # No worker listens on the test broker in this test: the probe must say so.
    assert body["celery"] == "fail"
    assert body["status"] == "fail"
    assert response.status_code == 503
    _assert_reveals_nothing(response)


def test_health_says_redis_failed_without_saying_why_and_logs_why(
    client, settings, broker_without_workers, caplog
):
    settings.HEALTH_CELERY_TIMEOUT = 0.3
    settings.REDIS_URL = CLOSED_REDIS
    with caplog.at_level(logging.WARNING, logger="coop.views.core"):
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["redis"] == "fail"
    assert response.json()["database"] == "ok"
    _assert_reveals_nothing(response)
    # The administrator finds the reason in the log.
    redis_failure = [r for r in caplog.records if "redis check failed" in r.getMessage()]
    assert redis_failure
    assert "Connection refused" in str(redis_failure[0].exc_info[1])


def test_health_reports_beat_heartbeat(client, settings):
    settings.HEALTH_CELERY_TIMEOUT = 0.3
    assert client.get("/health").json()["beat"] == "no heartbeat yet"
    cache.set("celery:heartbeat", timezone.now().isoformat())
    assert client.get("/health").json()["beat"] == "ok"
    stale = timezone.now() - timezone.timedelta(minutes=10)
    cache.set("celery:heartbeat", stale.isoformat())
    assert client.get("/health").json()["beat"].startswith("stale")


def test_ready_when_database_redis_and_broker_answer(client):
    # No worker is needed to serve pages: /ready does not ask for one.
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "broker": "ok", "status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_reports_redis_down_alone(client, settings):
    settings.REDIS_URL = CLOSED_REDIS
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "redis": "fail",
        "broker": "ok",
        "status": "fail",
    }
    _assert_reveals_nothing(response)


def test_ready_reports_broker_down_alone(client, broker_down):
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "redis": "ok",
        "broker": "fail",
        "status": "fail",
    }
    _assert_reveals_nothing(response)


def test_ready_and_health_report_an_unreachable_database(settings):
    """A real unreachable PostgreSQL (nothing listens on port 1), in a process of its own so
    that this test's database connection is left alone."""
    script = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "c = Client()\n"
        "out = {}\n"
        "for path in ('/ready', '/health'):\n"
        "    r = c.get(path)\n"
        "    out[path] = [r.status_code, r.content.decode()]\n"
        "print(json.dumps(out))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "coop.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/unreachable",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "HEALTH_CELERY_TIMEOUT": "0.3",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    status, content = answers["/ready"]
    assert status == 503
    assert json.loads(content) == {
        "database": "fail",
        "redis": "ok",
        "broker": "ok",
        "status": "fail",
    }
    status, content = answers["/health"]
    assert status == 503
    assert json.loads(content)["database"] == "fail"
    for leak in ("OperationalError", "refused", "5432", "port 1"):
        assert leak not in content
    # The reason is in the log (stderr), for whoever runs the server.
    assert "database check failed" in result.stderr
