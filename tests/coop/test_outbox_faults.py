"""The outbox under faults, through real Celery workers, PostgreSQL and a loopback SMTP server.

- the database connections of a worker are killed (pg_terminate_backend) in the middle of a
  batch: every notice is still sent, exactly once, none lost, within seconds;
- a copy that may have been in flight when a worker died is sent again automatically, with the
  same Message-ID, and its resend is counted and shown to the administrators;
- notices queued while the broker is down are sent by the sweep once Celery is back.
"""

import logging

import kombu.pools
import pytest
from django.db import connection
from django.db.models import Min
from django.urls import reverse

from coop.models import NoticeDelivery
from coop.outbox import notice_enqueue
from coop.tasks import outbox_recover_interrupted as recover_task
from coop.tasks import outbox_send_pending
from tests.coop.conftest import wait_until
from tests.coop.faults import closed_redis_url
from tests.coop.test_outbox_workers import all_settled, drafts

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

Status = NoticeDelivery.Status


def kill_other_database_sessions() -> int:
    """Terminate every session on the test database but this one (the workers')."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_database_connections_killed_mid_batch_every_notice_is_sent_once(celery_workers, smtp_sink):
    handler = smtp_sink.handler
    handler.delay = 0.02  # a batch of 50 takes about a second
    (worker,) = celery_workers("w1", batch_size=50)
    notice = notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(150))
    wait_until(lambda: len(handler.received) >= 20, timeout=60, what="sending to start")
    assert NoticeDelivery.objects.filter(status=Status.SENDING).exists()

    killed = kill_other_database_sessions()

    assert killed >= 1
    wait_until(all_settled, timeout=90, interval=0.2, what="the batch to be retried")
    rows = list(notice.deliveries.values_list("to_email", "status", "message_id", "resends"))
    assert {status for _to, status, _mid, _r in rows} == {Status.SENT}
    assert {resends for _to, _s, _mid, resends in rows} == {0}
    received = handler.recipients()
    assert len(handler.received) == 150
    assert set(received.values()) == {1}  # nobody got it twice
    assert set(received) == {to for to, _s, _mid, _r in rows}
    assert {m.message_id for m in handler.received} == {mid for _to, _s, mid, _r in rows}
    # The batch stopped on the database error and the task retried it within seconds.
    log = worker.log()
    assert "database error in the middle of the batch" in log
    assert "Retry in 5s" in log


def test_the_copy_in_flight_when_a_worker_died_is_resent_with_the_same_message_id(
    celery_workers, smtp_sink, settings, admin_client
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 0  # resent at once (60 s, doubling, by default)
    handler = smtp_sink.handler
    handler.delay = 0.02
    (doomed,) = celery_workers("doomed", batch_size=50)
    notice = notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(120))
    wait_until(lambda: len(handler.received) >= 20, timeout=60, what="sending to start")

    doomed.kill()  # SIGKILL, in the middle of the batch
    in_flight = NoticeDelivery.objects.filter(status=Status.SENDING).aggregate(first=Min("id"))
    assert in_flight["first"] is not None, "the worker should have died with a batch in hand"
    before = NoticeDelivery.objects.get(pk=in_flight["first"])
    assert before.message_id  # given when it was claimed, before it was sent

    celery_workers("rescuer", batch_size=50)
    recover_task.delay()  # as beat does every minute
    wait_until(all_settled, timeout=90, interval=0.2, what="recovery and the rest to be sent")

    resent = NoticeDelivery.objects.get(pk=in_flight["first"])
    assert (resent.status, resent.resends) == (Status.SENT, 1)
    assert resent.message_id == before.message_id
    copies = [m for m in handler.received if m.recipient == resent.to_email]
    assert 1 <= len(copies) <= 2  # once, or twice if the first had been delivered
    assert {m.message_id for m in copies} == {resent.message_id}
    others = {to: n for to, n in handler.recipients().items() if to != resent.to_email}
    assert len(others) == 119 and set(others.values()) == {1}
    assert set(notice.deliveries.values_list("status", flat=True)) == {Status.SENT}

    # The administrators see the resend, with its count.
    index = admin_client.get(reverse("coop:outbox")).content.decode()
    row = index.split("Convocation · AG-2025</a></th>")[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in row  # one copy resent
    page = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk])).content.decode()
    assert "1 copy was sent again after a try that may have delivered it" in page


def test_notices_queued_while_the_broker_is_down_are_sent_when_it_is_back(
    celery_workers, smtp_sink, monkeypatch, caplog
):
    from coop.celery import app

    celery_workers("w1", batch_size=50)
    real_broker = app.conf.broker_url
    monkeypatch.setenv("CELERY_BROKER_URL", closed_redis_url(2))
    app.conf.broker_url = closed_redis_url(2)
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    try:
        with caplog.at_level(logging.WARNING):
            notice = notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(30))
        assert "sent by the next sweep" in caplog.text  # the worker was not told
        assert set(notice.deliveries.values_list("status", flat=True)) == {Status.PENDING}
    finally:
        monkeypatch.setenv("CELERY_BROKER_URL", real_broker)
        app.conf.broker_url = real_broker
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    outbox_send_pending.delay()  # the sweep of beat, every minute
    wait_until(all_settled, timeout=60, interval=0.2, what="the sweep to send the notices")
    assert set(notice.deliveries.values_list("status", flat=True)) == {Status.SENT}
    assert set(smtp_sink.handler.recipients().values()) == {1}
    assert len(smtp_sink.handler.received) == 30
