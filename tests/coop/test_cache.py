"""The project's cache backend against the real Redis, a closed port, and a relay a test cuts.

Copies of database reads are answered as misses while Redis is away; protections (rate limits,
used TOTP codes, applications per address) are kept in the database fallback; one warning per
outage; a hung Redis is not waited for on every operation; writes lost during an outage do not
leave stale values behind once Redis is back.
"""

import logging

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache, caches
from django.db import connection

from coop.cache import ResilientRedisCache
from tests.coop.conftest import free_port
from tests.coop.faults import TcpRelay, closed_redis_url


def use_redis(settings, location: str, **extra) -> ResilientRedisCache:
    settings.CACHES = {
        **django_settings.CACHES,
        "default": {**django_settings.CACHES["default"], "LOCATION": location, **extra},
    }
    backend = caches["default"]
    assert isinstance(backend, ResilientRedisCache)
    return backend


def fallback_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM coop_cache_fallback ORDER BY cache_key")
        return [row[0] for row in cursor.fetchall()]


def test_the_default_cache_is_the_resilient_backend_on_the_real_redis():
    assert isinstance(caches["default"], ResilientRedisCache)
    cache.set("figures", {"present": 3}, 30)
    assert cache.get("figures") == {"present": 3}
    assert cache.add("figures", "other") is False
    assert cache.add("counter", 1) is True
    assert cache.incr("counter") == 2
    assert cache.get_many(["figures", "missing"]) == {"figures": {"present": 3}}
    assert cache.delete("figures") is True
    assert cache.get("figures", "gone") == "gone"


@pytest.mark.django_db
def test_with_redis_unreachable_copies_are_misses_and_nothing_raises(settings, caplog):
    backend = use_redis(settings, closed_redis_url())

    with caplog.at_level(logging.WARNING, logger="coop.cache"):
        assert backend.get("figures") is None
        assert backend.get("figures", "default") == "default"
        backend.set("figures", 1, 30)
        assert backend.get("figures") is None  # the write was dropped, not kept anywhere
        assert backend.add("lock", 1) is False  # nothing stored: a lock is never granted
        assert backend.get_many(["a", "b"]) == {}
        backend.set_many({"a": 1, "b": 2})
        assert backend.has_key("a") is False
        assert backend.delete("a") is False
        backend.delete_many(["a", "b"])
        with pytest.raises(ValueError, match="not found"):
            backend.incr("version")
        assert backend.get_or_set("computed", lambda: 42) == 42
        assert backend.clear() is False

    warnings = [r for r in caplog.records if r.name == "coop.cache"]
    assert len(warnings) == 1  # one warning for the outage, not one per operation
    assert "cannot be reached" in warnings[0].getMessage()
    assert fallback_keys() == []  # copies never go to the database


@pytest.mark.django_db
def test_with_redis_unreachable_protections_are_kept_in_the_database(settings):
    backend = use_redis(settings, closed_redis_url())
    key = "allauth:rl:allauth.account:login_failed:5/300/key:abc"

    assert backend.add(f"{key}:lock", True, 10) is True
    assert backend.add(f"{key}:lock", True, 10) is False  # the lock holds across processes
    backend.set(key, [1.0, 2.0], 300)
    assert backend.get(key) == [1.0, 2.0]
    assert backend.delete(f"{key}:lock") is True
    assert backend.add("members:apply:10.0.0.1", 1, 3600) is True
    assert backend.incr("members:apply:10.0.0.1") == 2
    assert backend.get_many([key, "members:apply:10.0.0.1", "other"]) == {
        key: [1.0, 2.0],
        "members:apply:10.0.0.1": 2,
    }
    stored = fallback_keys()
    assert any(k.endswith(key) for k in stored)
    assert any(k.endswith("members:apply:10.0.0.1") for k in stored)


@pytest.mark.django_db
def test_while_redis_is_up_protections_stay_in_redis(settings):
    key = "allauth:rl:allauth.account:login:30/60/ip:127.0.0.1"
    cache.set(key, [1.0], 60)
    assert cache.get(key) == [1.0]
    assert fallback_keys() == []


def test_a_hung_redis_costs_one_timeout_per_retry_window_not_one_per_operation(settings):
    relay = TcpRelay(("127.0.0.1", 9), hang=True).start()  # accepts, never answers
    try:
        backend = use_redis(
            settings,
            f"redis://127.0.0.1:{relay.port}/0",
            RETRY_AFTER=60,
            OPTIONS={"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        )
        for _ in range(20):
            assert backend.get("figures") is None
        # One operation tried (with its one immediate retry), the others did not wait.
        assert relay.accepted <= 2
        assert backend.available is False
    finally:
        relay.cut()


@pytest.mark.django_db
def test_writes_lost_in_an_outage_leave_no_stale_value_when_redis_is_back(settings, caplog):
    relay = TcpRelay.to_url(django_settings.CACHES["default"]["LOCATION"]).start()
    location = relay.url_for(django_settings.CACHES["default"]["LOCATION"])
    try:
        backend = use_redis(settings, location, RETRY_AFTER=0)
        backend.set("figures:version", "v1", 300)
        backend.set("figures:value", ("v1", 10), 300)
        assert backend.get("figures:value") == ("v1", 10)

        relay.cut()  # the network to Redis goes; Redis keeps its (now stale) values
        with caplog.at_level(logging.WARNING, logger="coop.cache"):
            backend.set("figures:version", "v2", 300)  # an invalidation that is lost
            assert backend.get("figures:value") is None
            relay.restore()
            # The first operation after the outage deletes what the outage left stale.
            assert backend.get("figures:version") is None
            assert backend.get("figures:value") == ("v1", 10)  # not written in the outage

        messages = [r.getMessage() for r in caplog.records if r.name == "coop.cache"]
        assert len(messages) == 2
        assert "cannot be reached" in messages[0]
        assert "answers again" in messages[1] and "1 key(s)" in messages[1]
        assert backend.available is True
        backend.set("figures:version", "v3", 300)
        assert backend.get("figures:version") == "v3"
    finally:
        relay.cut()


def test_the_logs_never_show_a_redis_password(settings, caplog):
    backend = use_redis(settings, f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="coop.cache"):
        backend.get("x")
    assert caplog.records and "s3cret" not in caplog.text
