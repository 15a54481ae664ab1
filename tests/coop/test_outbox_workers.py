"""The outbox through real Celery worker processes and a loopback SMTP server.

Each test starts `celery -A coop worker` processes on the pytest database (committed rows,
hence transactional tests) and checks what the SMTP server actually received: every notice
exactly once, with two workers racing; and when a worker is killed in the middle of a batch,
every notice once except the one that may have been in flight, sent again as the same message.
"""

import re

import pytest
from django.core.cache import cache
from django.db.models import Min

from coop.models import NoticeDelivery
from coop.outbox import DeliveryDraft, notice_enqueue, outbox_recover_interrupted
from coop.tasks import HEARTBEAT_CACHE_KEY, heartbeat, outbox_send_pending
from coop.tasks import outbox_recover_interrupted as recover_task
from tests.coop.conftest import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

Status = NoticeDelivery.Status
BATCH_LINE = re.compile(r"Outbox batch [0-9a-f]+: claimed=(\d+), sent=(\d+)")


def drafts(count: int) -> list[DeliveryDraft]:
    return [
        DeliveryDraft(
            recipient_key=f"member:{i}",
            to_email=f"member{i}@example.org",
            subject=f"Convocation à l'assemblée générale ({i})",
            body_text=f"Bonjour {i},\nl'assemblée générale se tiendra le 12 juin.\n",
            body_html=f"<p>Bonjour {i},</p><p>l'assemblée générale se tiendra le 12 juin.</p>",
        )
        for i in range(count)
    ]


def all_settled() -> bool:
    return not NoticeDelivery.objects.filter(status__in=[Status.PENDING, Status.SENDING]).exists()


def sent_by(log: str) -> int:
    return sum(int(sent) for _claimed, sent in BATCH_LINE.findall(log))


def test_a_worker_sends_1000_notices_each_exactly_once_in_batches(celery_workers, smtp_sink):
    celery_workers("w1", batch_size=200)

    notice = notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(1000))
    wait_until(all_settled, timeout=120, interval=0.2, what="the 1,000 notices to be sent")

    handler = smtp_sink.handler
    rows = list(notice.deliveries.values_list("to_email", "status", "message_id", "claim_token"))
    assert {status for _to, status, _mid, _token in rows} == {Status.SENT}
    received = handler.recipients()
    assert len(handler.received) == 1000
    assert set(received.values()) == {1}  # nobody got it twice
    assert set(received) == {to for to, _s, _mid, _token in rows}
    assert {m.message_id for m in handler.received} == {mid for _to, _s, mid, _t in rows}
    # In batches of 200, each over one SMTP connection.
    claims = {token for _to, _s, _mid, token in rows}
    assert len(claims) == 5
    assert len(handler.sessions()) == 5
    assert set(handler.sessions().values()) == {200}

    # The worker also runs the heartbeat that /health reads.
    assert cache.get(HEARTBEAT_CACHE_KEY) is None
    heartbeat.delay()
    wait_until(lambda: cache.get(HEARTBEAT_CACHE_KEY), timeout=30, what="the heartbeat")


def test_two_workers_at_once_still_send_each_notice_exactly_once(celery_workers, smtp_sink):
    handler = smtp_sink.handler
    handler.delay = 0.002  # so that both workers are sending at the same time
    workers = celery_workers("w1", "w2", batch_size=50)

    notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(1000))
    for _extra in range(4):
        outbox_send_pending.delay()
    wait_until(all_settled, timeout=120, interval=0.2, what="the 1,000 notices to be sent")

    assert NoticeDelivery.objects.filter(status=Status.SENT).count() == 1000
    assert len(handler.received) == 1000
    assert set(handler.recipients().values()) == {1}
    # Both workers did part of the work, and together sent each notice once.
    shares = [sent_by(worker.log()) for worker in workers]
    assert all(share > 0 for share in shares), shares
    assert sum(shares) == 1000


def test_a_worker_killed_mid_batch_then_recovered_sends_only_the_copy_in_doubt_again(
    celery_workers, smtp_sink, settings
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 0  # the copy in doubt is sent again at once
    handler = smtp_sink.handler
    handler.delay = 0.02  # a slow server: a batch of 50 takes about a second
    (doomed,) = celery_workers("doomed", batch_size=50)
    notice = notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(150))
    wait_until(lambda: len(handler.received) >= 20, timeout=60, what="sending to start")

    # While the worker lives, recovery leaves its batch alone: there is no lease to expire.
    in_hand = set(NoticeDelivery.objects.filter(status=Status.SENDING).values_list("id", flat=True))
    assert in_hand, "the worker should be in the middle of its first batch"
    assert outbox_recover_interrupted().claims == 0
    assert set(NoticeDelivery.objects.filter(pk__in=in_hand).values_list("status", flat=True)) <= {
        Status.SENDING,
        Status.SENT,
    }

    doomed.kill()  # SIGKILL, the worker and its pool processes, in the middle of the batch
    left = NoticeDelivery.objects.filter(status=Status.SENDING).aggregate(first=Min("id"))
    assert left["first"] is not None, "the worker should have died with a batch in hand"
    received_before = {m.recipient for m in handler.received}

    celery_workers("rescuer", batch_size=50)
    recover_task.delay()
    wait_until(all_settled, timeout=120, interval=0.2, what="recovery and the rest to be sent")

    rows = {d.to_email: d for d in notice.deliveries.all()}
    assert {d.status for d in rows.values()} == {Status.SENT}
    resent = [d for d in rows.values() if d.resends]
    assert [d.pk for d in resent] == [left["first"]]  # the one that may have been in flight
    received = handler.recipients()
    assert set(received) == set(rows)  # every copy was received
    twice = {to for to, count in received.items() if count > 1}
    assert twice <= {resent[0].to_email}  # no other message received twice
    assert received[resent[0].to_email] <= 2
    copies = [m for m in handler.received if m.recipient == resent[0].to_email]
    assert {m.message_id for m in copies} == {resent[0].message_id}  # shown once
    assert received_before <= set(received)
