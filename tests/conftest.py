"""Shared fixtures. Tests use the real PostgreSQL and Redis (see README, 'Services').

Tests read English by default (the source language): service messages are produced under
English, and the test client asks for English. A test about French says so explicitly
(Accept-Language or the django_language cookie).
"""

import kombu.pools
import pytest
from django.core.cache import cache
from django.test import Client
from django.test.client import ClientMixin
from django.utils import translation

from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp, force_login_signed_in


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and sessions live in Redis: every test starts from a clean cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eager_celery():
    """Tasks run where they are queued (a receipt e-mail lands in the test's mail outbox).

    Even eager, Celery takes a producer from its pool to serialise the arguments: start from
    fresh pools, since another test may have closed them.
    """
    from coop.celery import app

    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _force_login_is_a_complete_sign_in(monkeypatch):
    """Administrative pages need a session that passed TOTP (coop.roles.session_passed_mfa),
    not only an account with TOTP: `client.force_login` records a complete sign-in as allauth
    does (tests.coop.mfa.force_login_signed_in). Tests of a partial sign-in call
    `tests.coop.mfa.force_login_first_factor` or go through the sign-in pages."""
    monkeypatch.setattr(ClientMixin, "force_login", force_login_signed_in)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def member_user(db):
    return UserFactory(roles=["member"])


@pytest.fixture
def admin_user(db):
    return UserFactory(roles=["administrator", "member"], is_staff=True)


@pytest.fixture
def totp_admin(admin_user):
    """An administrator who has set up TOTP, as every administrator must."""
    activate_totp(admin_user)
    return admin_user


@pytest.fixture
def admin_client(client, totp_admin):
    client.force_login(totp_admin)
    return client


@pytest.fixture
def jobs_root(settings, tmp_path):
    """Files of jobs (coop.jobs) in a folder of the test's own."""
    root = tmp_path / "jobs"
    settings.JOBS_ROOT = root
    return root


@pytest.fixture
def run_jobs(jobs_root, eager_celery, django_capture_on_commit_callbacks):
    """`run_jobs(lambda: client.post(...))`: do what starts a job, then run the job (its
    task, eagerly) when the transaction commits, as a worker takes it."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run
