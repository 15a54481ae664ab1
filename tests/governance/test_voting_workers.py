"""The vote's tasks through the real broker, real Celery workers and a loopback SMTP server.

Fault tests: the broker is down when the vote closes (the tally task is never queued) and the
minute's sweep tallies; the SMTP server is down when a receipt e-mail is sent, then comes up,
and the receipt arrives. And what the broker holds of a receipt e-mail: nothing readable.
"""

import base64
import json
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

import kombu.pools
import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.test import Client
from django.urls import reverse

from coop.celery import app as celery_app
from coop.models import NoticeDelivery
from governance.models import Assembly, Participation, ResolutionResult, RollEntry, UrnSeal
from governance.services.ballots import ballot_cast
from governance.services.receipt_mail import receipt_payload_open
from governance.services.voting import voting_close
from governance.tasks import assembly_tally_sweep
from members.models import Member
from tests.coop import conftest as outbox_fixtures
from tests.coop.conftest import SinkHandler, SmtpSink, free_port, wait_until
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db(transaction=True)

celery_queue = outbox_fixtures.celery_queue
celery_workers = outbox_fixtures.celery_workers
CLOSED_BROKER = "redis://127.0.0.1:1/0"  # nothing listens there: the broker is "down"
RECEIPT = re.compile(r'<code class="receipt">([A-Z2-9-]+)</code>')


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A loopback SMTP server that is down until the test starts it (`smtp_sink.start()`)."""
    handler = SinkHandler()
    sink = SmtpSink(host="127.0.0.1", port=free_port(), handler=handler)
    controllers: list[Controller] = []

    def start() -> None:
        controller = Controller(handler, hostname=sink.host, port=sink.port, ready_timeout=10)
        controller.start()
        controllers.append(controller)

    sink.start = start  # type: ignore[attr-defined]
    yield sink
    for controller in controllers:
        controller.stop()


def _fresh_broker_connections() -> None:
    kombu.pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextmanager
def broker_down() -> Iterator[None]:
    """Celery's producer points at a closed port. Celery reads CELERY_BROKER_URL from the
    environment before its configuration, so that is what changes (the workers started by
    the tests keep the real broker: they are given it explicitly)."""
    previous = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = CLOSED_BROKER
    _fresh_broker_connections()
    try:
        assert celery_app.connection_for_write().port == 1
        yield
    finally:
        if previous is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = previous
        _fresh_broker_connections()


def _assembly(members: int = 3, *, resolutions: int = 1) -> Assembly:
    register = statutes_and_register()
    return convened_assembly(members=members_admitted(register, members), resolutions=resolutions)


def _signed_in(entry: RollEntry) -> Client:
    user = UserFactory(roles=["member"], email=entry.member.email)
    Member.objects.filter(pk=entry.member_id).update(user=user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _cast_by_page(client: Client, assembly: Assembly, entry: RollEntry) -> str:
    data = {f"resolution_{pk}": "for" for pk in assembly.resolutions.values_list("pk", flat=True)}
    response = client.post(
        reverse("governance:ballot", kwargs={"pk": assembly.pk}),
        {**data, "step": "cast", "voices": [entry.pk]},
    )
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.slow
def test_broker_down_at_close_the_sweep_tallies(celery_workers, caplog):
    assembly = _assembly(4, resolutions=2)
    resolutions = list(assembly.resolutions.values_list("pk", flat=True))
    for entry in RollEntry.objects.filter(assembly=assembly):
        ballot_cast(
            assembly=assembly,
            voter=entry,
            choices=dict.fromkeys(resolutions, "for"),
            actor=None,
            now=assembly.distance_vote_deadline,
        )
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.VOTING_OPEN)
    with broker_down():
        voting_close(assembly=assembly, actor=None)  # the tally task cannot be queued
    assert Assembly.objects.get(pk=assembly.pk).status == Assembly.Status.VOTING_CLOSED
    assert "assembly_tally_task" in caplog.text or "Error calling" in caplog.text
    assert not ResolutionResult.objects.exists()

    celery_workers("w1")
    assembly_tally_sweep.delay()  # what beat sends every minute
    wait_until(lambda: ResolutionResult.objects.count() == 2, timeout=60, what="the sweep's tally")
    assert {r.votes_for for r in ResolutionResult.objects.all()} == {4}

    # The sweep also vacuumed the sealed urn (again each minute, until no older snapshot).
    def vacuumed() -> bool:
        if UrnSeal.objects.get(assembly=assembly).vacuumed_at is not None:
            return True
        assembly_tally_sweep.delay()
        return False

    wait_until(vacuumed, timeout=120, interval=2, what="the urn to be vacuumed")
    # Once tallied, the sweep leaves the assembly alone.
    assert assembly_tally_sweep() == "0 tallied, urn vacuumed: False"
    assert ResolutionResult.objects.count() == 2


def test_a_receipt_waits_in_the_broker_encrypted_and_never_in_the_outbox(celery_queue):
    assembly = _assembly()
    me = RollEntry.objects.filter(assembly=assembly).first()
    client = _signed_in(me)
    _fresh_broker_connections()
    page = _cast_by_page(client, assembly, me)
    (receipt,) = RECEIPT.findall(page)
    assert "could not be sent" not in page

    # No worker takes the queue: the message is there, as Redis keeps it.
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    try:
        raw_messages = broker.lrange(celery_queue, 0, -1)
    finally:
        broker.close()
    assert len(raw_messages) == 1
    (raw,) = raw_messages
    message = json.loads(raw)
    body = base64.b64decode(message["body"])
    for secret in (receipt, receipt.replace("-", ""), me.member.email, me.name):
        assert secret.encode() not in raw
        assert secret.encode() not in body
    # What it carries is the sealed payload, which opens with the key.
    args, kwargs, _embed = json.loads(body)
    payload = receipt_payload_open((args or [kwargs.get("token")])[0])
    assert payload["to_email"] == me.member.email
    assert payload["context"]["receipt"] == receipt
    # The receipt never goes through the notices outbox.
    assert not NoticeDelivery.objects.exists()


def test_with_the_broker_down_the_receipt_page_asks_to_keep_the_code():
    assembly = _assembly()
    me = RollEntry.objects.filter(assembly=assembly).first()
    client = _signed_in(me)
    with broker_down():
        page = _cast_by_page(client, assembly, me)
    assert "Your vote is cast" in page
    assert "the e-mail with your receipt could not be sent" in page
    assert "Copy the receipt shown below now" in page
    assert len(RECEIPT.findall(page)) == 1
    assert Participation.objects.filter(roll_entry=me).exists()


@pytest.mark.slow
def test_smtp_down_then_up_the_receipt_arrives(celery_workers, smtp_sink, monkeypatch):
    # Seconds instead of minutes between retries, for the test.
    monkeypatch.setenv("RECEIPT_MAIL_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("RECEIPT_MAIL_RETRY_MAX_SECONDS", "2")
    (worker,) = celery_workers("w1")
    assembly = _assembly()
    me = RollEntry.objects.filter(assembly=assembly).first()
    client = _signed_in(me)
    _fresh_broker_connections()
    (receipt,) = RECEIPT.findall(_cast_by_page(client, assembly, me))

    # The SMTP server is down: the worker retries, more than once.
    wait_until(
        lambda: worker.log().count("Retry in") >= 2, timeout=60, what="the receipt's retries"
    )
    assert not smtp_sink.handler.received
    smtp_sink.start()
    wait_until(lambda: smtp_sink.handler.received, timeout=60, what="the receipt e-mail")

    (message,) = smtp_sink.handler.received
    assert message.recipient == me.member.email
    assert receipt.encode() in message.content
    # The worker's log says it retried, never to whom nor what.
    log = worker.log()
    assert "ReceiptMailDeferred" in log
    assert me.member.email not in log
    assert receipt not in log
