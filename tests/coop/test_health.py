"""/health reports the database, Redis and the Celery workers."""

import kombu.pools
import pytest
from django.core.cache import cache
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_without_workers():
    """Point the Celery app at a Redis database no worker listens on, for one test."""
    from coop.celery import app

    original = app.conf.broker_url
    app.pool.force_close_all()
    app._pool = None
    app.conf.broker_url = "redis://127.0.0.1:6379/14"
    yield
    app.pool.force_close_all()
    app._pool = None
    app.conf.broker_url = original
    kombu.pools.reset()  # the closed pool must not serve later .delay() calls


def test_health_reports_missing_worker_as_unhealthy(client, settings, broker_without_workers):
    settings.HEALTH_CELERY_TIMEOUT = 0.3
    response = client.get("/health")
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"] == "ok"
    # No worker listens on the test broker in this test: the probe must say so.
    assert body["celery"].startswith("error")
    assert body["status"] == "error"
    assert response.status_code == 503


def test_health_reports_beat_heartbeat(client, settings):
    settings.HEALTH_CELERY_TIMEOUT = 0.3
    assert client.get("/health").json()["beat"] == "no heartbeat yet"
    cache.set("celery:heartbeat", timezone.now().isoformat())
    assert client.get("/health").json()["beat"] == "ok"
    stale = timezone.now() - timezone.timedelta(minutes=10)
    cache.set("celery:heartbeat", stale.isoformat())
    assert client.get("/health").json()["beat"].startswith("stale")
