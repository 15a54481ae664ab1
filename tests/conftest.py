"""Shared fixtures. Tests use the real PostgreSQL and Redis (see README, 'Services')."""

import pytest
from django.core.cache import cache

from tests.coop.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and sessions live in Redis: every test starts from a clean cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member_user(db):
    return UserFactory(roles=["member"])


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=["administrator", "member"], is_staff=True)
