"""Redis unreachable (cache and broker on a closed port): people sign in, browse and vote.

The shared Redis server keeps running: this test process is pointed at a loopback port where
nobody listens, for the cache and for the Celery broker, as when Redis is down. Sessions live in
the database, cache reads are misses, rate limits are counted in the database fallback, and
the notices queued meanwhile wait in the outbox (test_outbox_faults.py sends them once Celery
is back).
"""

import logging
import re

import kombu.pools
import pytest
from allauth.mfa.totp.internal.auth import hotp_value, yield_hotp_counters_from_time
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coop.models import NoticeDelivery
from coop.outbox import DeliveryDraft, notice_enqueue
from governance.models import Participation, RollEntry, UrnBallot
from members.models import Member
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.faults import closed_redis_url
from tests.coop.mfa import activate_totp
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


def _reset_broker_pools(app) -> None:
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def redis_down(settings, monkeypatch):
    """The cache and the broker on a closed port, as when the Redis server is down."""
    from coop.celery import app

    settings.CACHES = {
        **django_settings.CACHES,
        "default": {**django_settings.CACHES["default"], "LOCATION": closed_redis_url(1)},
    }
    broker = closed_redis_url(2)
    monkeypatch.setenv("CELERY_BROKER_URL", broker)  # Celery reads it before its settings
    previous = app.conf.broker_url
    app.conf.broker_url = broker
    _reset_broker_pools(app)
    assert app.connection_for_write().as_uri().endswith(broker.rpartition(":")[2])
    try:
        yield
    finally:
        app.conf.broker_url = previous
        _reset_broker_pools(app)


def sign_in(client, email: str, password: str = TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_a_member_signs_in_with_a_password_and_signs_out(client, redis_down):
    member = UserFactory(roles=["member"])

    response = sign_in(client, member.email)

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_member_signs_in_with_an_emailed_code(client, redis_down):
    member = UserFactory(roles=["member"])

    response = client.post(reverse("account_request_login_code"), {"email": member.email})
    assert response.status_code == 302
    (message,) = mail.outbox  # sent by allauth directly, not through Celery
    code = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", message.body, re.MULTILINE).group(
        1
    )
    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == member.pk


def test_an_administrator_signs_in_with_totp_and_a_code_cannot_be_replayed(
    client, admin_user, redis_down
):
    secret = activate_totp(admin_user)
    code = f"{hotp_value(secret, next(yield_hotp_counters_from_time())):06d}"

    assert sign_in(client, admin_user.email)["Location"].startswith(reverse("mfa_authenticate"))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == admin_user.pk
    assert client.get(reverse("coop:outbox")).status_code == 200

    # The used code is remembered in the database fallback: it cannot open a second session.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert sign_in(other, admin_user.email).status_code == 302
    replay = other.post(reverse("mfa_authenticate"), {"code": code})
    assert replay.status_code == 200
    assert "_auth_user_id" not in other.session


def test_the_login_rate_limit_still_refuses_with_redis_down(client, redis_down):
    member = UserFactory(roles=["member"])
    # coop.settings.base: ACCOUNT_RATE_LIMITS["login_failed"] allows 5 failures per account.
    for _attempt in range(5):
        failed = sign_in(client, member.email, "not the password")
        assert "are not correct" in failed.content.decode()

    refused = sign_in(client, member.email)  # even the right password, now

    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    member.refresh_from_db()
    assert member.last_login is None
    # The failures were counted in the database fallback, shared by every web process.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM coop_cache_fallback WHERE cache_key LIKE %s",
            ["%allauth:rl:allauth.account:login_failed:%"],
        )
        assert cursor.fetchone()[0] >= 1
    # Another account from the same address is not locked out.
    other = UserFactory(roles=["member"])
    assert sign_in(client, other.email).status_code == 302


def _pages_without_arguments() -> list[str]:
    """Every URL of the site that takes no argument (GET), found in the URL configuration."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if "<" not in route and "(?P" not in route:
                    walk(pattern.url_patterns, prefix + route.lstrip("^"))
            elif isinstance(pattern, URLPattern) and "<" not in route and "(?P" not in route:
                path = prefix + route.lstrip("^").rstrip("$")
                if "\\" not in path and "[" not in path:
                    found.append("/" + path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def test_every_page_answers_signed_in_or_not(client, totp_admin, redis_down, caplog):
    # The health endpoints' job is to report the outage (503): every other page answers.
    pages = [page for page in _pages_without_arguments() if not page.startswith("/health")]
    assert len(pages) > 30
    assert "/" in pages and any("gatherings" in page for page in pages)

    with caplog.at_level(logging.ERROR):
        anonymous = {page: client.get(page).status_code for page in pages}
        assert sign_in(client, totp_admin.email).status_code == 302
        # An administrator confirms their TOTP on sign-in; here the session is given it.
        client.force_login(totp_admin)
        signed_in = {page: client.get(page).status_code for page in pages}

    assert {page: s for page, s in anonymous.items() if s >= 500} == {}
    assert {page: s for page, s in signed_in.items() if s >= 500} == {}
    assert signed_in["/"] == 200
    assert signed_in[reverse("coop:outbox")] == 200
    assert signed_in[reverse("governance:my_assemblies")] == 200
    assert signed_in[reverse("heritage:gatherings")] == 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_member_casts_a_ballot_through_the_real_view(
    client, redis_down, django_capture_on_commit_callbacks, caplog
):
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 3))
    me = RollEntry.objects.filter(assembly=assembly).order_by("member_number").first()
    user = UserFactory(roles=["member"], email=me.member.email)
    Member.objects.filter(pk=me.member_id).update(user=user)
    assert sign_in(client, user.email).status_code == 302
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    choices = {
        f"resolution_{pk}": "for" for pk in assembly.resolutions.values_list("pk", flat=True)
    }

    # The member's own pages, those with an argument included.
    for page in (
        reverse("governance:my_assemblies"),
        reverse("governance:detail", kwargs={"pk": assembly.pk}),
        reverse("members:me"),
        reverse("capital:me"),
        url,
    ):
        assert client.get(page).status_code == 200, page
    review = client.post(url, {**choices, "step": "review", "voices": [me.pk]})
    assert "Review your vote" in review.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        cast = client.post(url, {**choices, "step": "cast", "voices": [me.pk]})

    assert cast.status_code == 200
    assert "Your vote is cast" in cast.content.decode()
    assert Participation.objects.filter(roll_entry=me).count() == len(choices)
    # In the urn until the vote is closed and sealed (RULES 36).
    assert UrnBallot.objects.filter(resolution__assembly=assembly).count() == len(choices)
    # The receipt is on the page; its e-mail could not be queued (the broker is down).
    assert '<code class="receipt">' in cast.content.decode()


def test_notices_queued_while_the_broker_is_down_wait_in_the_outbox(
    redis_down, django_capture_on_commit_callbacks, caplog
):
    drafts = [
        DeliveryDraft(
            recipient_key=f"member:{i}", to_email=f"m{i}@example.org", subject="S", body_text="B"
        )
        for i in range(3)
    ]
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts)

    assert set(notice.deliveries.values_list("status", flat=True)) == {
        NoticeDelivery.Status.PENDING
    }
    assert "sent by the next sweep" in caplog.text
