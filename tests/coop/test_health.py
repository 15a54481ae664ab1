"""/health reports the database, Redis and the Celery workers."""

import pytest
from django.core.cache import cache
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_health_reports_missing_worker_as_unhealthy(client, settings):
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
