"""The project's cache: Redis, failing open when Redis cannot be reached.

Most of what the project keeps in the cache is a copy of something the database can compute
again (the live figures of a meeting, the number of gatherings listed...): when Redis cannot be
reached, reading it is answered as a miss and writing it is dropped, so every page keeps working
at the cost of a few more queries. Some keys are not copies but counters that protect the site:
allauth's rate limits (and their locks), the TOTP codes already used, the applications per
address. Answering those as a miss would switch the protection off, so keys that start with one
of `FALLBACK_KEY_PREFIXES` go to the `FALLBACK` cache (a DatabaseCache table, shared by every
process) while Redis is away: the limits keep holding.

Outages are noticed per process and per Redis location: the first failure logs one warning and
opens the circuit, so for `RETRY_AFTER` seconds nothing waits for Redis at all; then the next
operation tries again. When Redis answers again, one message says so, and the keys whose write
or deletion was lost meanwhile are deleted, so that Redis serves no value that the outage left
stale (up to `LOST_KEYS_KEPT` keys; beyond that, values expire with their own timeout).

Settings (`CACHES["default"]`), besides RedisCache's own:

    "FALLBACK": "fallback",                        # the alias of the fallback cache
    "FALLBACK_KEY_PREFIXES": ["allauth:rl:", ...], # keys counted there while Redis is away
    "RETRY_AFTER": 5,                              # seconds before trying Redis again
    "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import redis
from django.core.cache import BaseCache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")

# What "Redis cannot be reached" looks like: refused or dropped connections, timeouts.
REDIS_DOWN = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
LOST_KEYS_KEPT = 10_000
DEFAULT_RETRY_AFTER = 5.0
DEFAULT_CONNECT_TIMEOUT = 0.25
DEFAULT_SOCKET_TIMEOUT = 0.5


@dataclass
class _Outage:
    """What one process knows of one Redis location."""

    down_since: float | None = None
    retry_at: float = 0.0
    lost: set[str] = field(default_factory=set)
    lost_overflow: bool = False
    forgotten: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that answers as a miss, or from a fallback, when Redis is away."""

    def __init__(self, server: str | list[str], params: dict[str, Any]):
        params = dict(params)
        self._fallback_alias: str | None = params.pop("FALLBACK", None)
        self._fallback_prefixes = tuple(params.pop("FALLBACK_KEY_PREFIXES", ()))
        self._retry_after = float(params.pop("RETRY_AFTER", DEFAULT_RETRY_AFTER))
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", DEFAULT_CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        # One immediate retry: a pooled connection that Redis closed (a restart) is reopened
        # at once instead of being taken for an outage; a dead server costs two timeouts.
        options.setdefault("retry", Retry(NoBackoff(), 1))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._outage = _outage_for(",".join(self._servers))

    # --- Routing ---------------------------------------------------------------------------

    def guarded(self, key: str) -> bool:
        """Whether `key` is a protection (rate limit...) kept in the fallback during outages."""
        return bool(self._fallback_alias) and str(key).startswith(self._fallback_prefixes)

    @property
    def fallback(self) -> BaseCache:
        if not self._fallback_alias:
            raise RuntimeError("no fallback cache configured")
        return caches[self._fallback_alias]

    @property
    def available(self) -> bool:
        """False while the circuit is open: Redis failed less than RETRY_AFTER seconds ago."""
        return time.monotonic() >= self._outage.retry_at

    def _run(
        self,
        redis_call: Callable[[], T],
        on_outage: Callable[[], T],
        *,
        lost: Iterable[str] = (),
        version: Any = None,
    ) -> T:
        """`redis_call()`, or `on_outage()` when Redis cannot be reached.

        `lost`: the keys (as given by the caller) this call writes or deletes; when Redis is
        away their writes are lost, and they are deleted from Redis once it is back.
        """
        if self.available:
            recovering = self._outage.down_since is not None
            try:
                if recovering:
                    self._forget_lost()  # before anything is read: no stale value served
                result = redis_call()
            except REDIS_DOWN as exc:
                self._went_down(exc)
            else:
                if recovering:
                    self._came_back()
                return result
        self._remember_lost(lost, version)
        return on_outage()

    def _went_down(self, exc: BaseException) -> None:
        outage = self._outage
        with outage.lock:
            outage.retry_at = time.monotonic() + self._retry_after
            first = outage.down_since is None
            if first:
                outage.down_since = time.monotonic()
        if first:
            logger.warning(
                "Redis cache at %s cannot be reached (%s: %s): cache reads are answered as "
                "misses%s until it answers again.",
                self._location_for_logs(),
                exc.__class__.__name__,
                exc,
                f", rate limits are counted in the '{self._fallback_alias}' cache"
                if self._fallback_alias
                else "",
            )

    def _forget_lost(self) -> None:
        """Delete from Redis the keys whose write was lost (raises if Redis is still away)."""
        outage = self._outage
        with outage.lock:
            lost = sorted(outage.lost)
        for start in range(0, len(lost), 500):
            chunk = lost[start : start + 500]
            self._cache.delete_many(chunk)
            with outage.lock:
                outage.lost.difference_update(chunk)
                outage.forgotten += len(chunk)

    def _came_back(self) -> None:
        outage = self._outage
        with outage.lock:
            if outage.down_since is None:
                return
            lasted = time.monotonic() - outage.down_since
            forgotten, outage.forgotten = outage.forgotten, 0
            overflow, outage.lost_overflow = outage.lost_overflow, False
            outage.down_since = None
        logger.warning(
            "Redis cache at %s answers again after %.1f s; %d key(s) written during the outage "
            "deleted%s.",
            self._location_for_logs(),
            lasted,
            forgotten,
            " (more were lost: they expire with their timeout)" if overflow else "",
        )

    def _remember_lost(self, keys: Iterable[str], version: Any) -> None:
        made = [self.make_key(key, version) for key in keys if not self.guarded(key)]
        if not made:
            return
        outage = self._outage
        with outage.lock:
            room = LOST_KEYS_KEPT - len(outage.lost)
            if len(made) > room:
                outage.lost_overflow = True
                made = made[: max(room, 0)]
            outage.lost.update(made)

    def _location_for_logs(self) -> str:
        # Never the password of a redis://:password@host URL.
        return ",".join(server.rpartition("@")[2] for server in self._servers)

    # --- The cache API ------------------------------------------------------------------------

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        def outage() -> bool:
            if self.guarded(key):
                return self.fallback.add(key, value, timeout, version)
            return False  # nothing was stored: a lock taken this way is never granted

        return self._run(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            outage,
        )

    def get(self, key: str, default: Any = None, version: Any = None) -> Any:
        def outage() -> Any:
            if self.guarded(key):
                return self.fallback.get(key, default, version)
            return default

        return self._run(
            lambda: super(ResilientRedisCache, self).get(key, default, version), outage
        )

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None):
        def outage() -> None:
            if self.guarded(key):
                self.fallback.set(key, value, timeout, version)

        return self._run(
            lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            outage,
            lost=[key],
            version=version,
        )

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        def outage() -> bool:
            return self.guarded(key) and self.fallback.touch(key, timeout, version)

        return self._run(
            lambda: super(ResilientRedisCache, self).touch(key, timeout, version), outage
        )

    def delete(self, key: str, version: Any = None) -> bool:
        def outage() -> bool:
            return self.guarded(key) and self.fallback.delete(key, version)

        return self._run(
            lambda: super(ResilientRedisCache, self).delete(key, version),
            outage,
            lost=[key],
            version=version,
        )

    def get_many(self, keys: Iterable[str], version: Any = None) -> dict[str, Any]:
        keys = list(keys)

        def outage() -> dict[str, Any]:
            guarded = [key for key in keys if self.guarded(key)]
            return self.fallback.get_many(guarded, version) if guarded else {}

        return self._run(lambda: super(ResilientRedisCache, self).get_many(keys, version), outage)

    def has_key(self, key: str, version: Any = None) -> bool:
        def outage() -> bool:
            return self.guarded(key) and self.fallback.has_key(key, version)

        return self._run(lambda: super(ResilientRedisCache, self).has_key(key, version), outage)

    def incr(self, key: str, delta: int = 1, version: Any = None) -> int:
        def outage() -> int:
            if self.guarded(key):
                return self.fallback.incr(key, delta, version)
            raise ValueError(f"Key '{key}' not found.")  # a miss, as Django says it

        return self._run(
            lambda: super(ResilientRedisCache, self).incr(key, delta, version),
            outage,
            lost=[key],
            version=version,
        )

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list[str]:
        def outage() -> list[str]:
            guarded = {key: value for key, value in data.items() if self.guarded(key)}
            if guarded:
                self.fallback.set_many(guarded, timeout, version)
            return []

        return self._run(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            outage,
            lost=list(data),
            version=version,
        )

    def delete_many(self, keys: Iterable[str], version: Any = None) -> None:
        keys = list(keys)

        def outage() -> None:
            guarded = [key for key in keys if self.guarded(key)]
            if guarded:
                self.fallback.delete_many(guarded, version)

        return self._run(
            lambda: super(ResilientRedisCache, self).delete_many(keys, version),
            outage,
            lost=keys,
            version=version,
        )

    def clear(self) -> bool:
        """Empty the Redis database (not the fallback, which holds only short-lived counters)."""
        return self._run(lambda: super(ResilientRedisCache, self).clear(), lambda: False)


def version_bump(key: str) -> None:
    """Move on the version kept under `key`: copies kept for the old version are then ignored.

    A version the cache lost (evicted, or Redis restarted without its data) starts again at a
    random value, never at one an old copy may have been kept for."""
    from django.core.cache import cache

    try:
        cache.incr(key)
    except ValueError:  # no version, yet or any more
        cache.set(key, secrets.randbits(62), None)


def version_bump_on_commit(key: str) -> None:
    """`version_bump(key)` once the transaction commits (what it versions is written then); a
    failure of the cache there does not undo the commit."""
    transaction.on_commit(lambda: version_bump(key), robust=True)
