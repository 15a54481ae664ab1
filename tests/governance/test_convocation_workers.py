"""The convocation of 2,000 members through a real Celery worker and a loopback SMTP server:
every member gets exactly one notice (an e-mail, or a letter to print), and the proof page and
its CSV account for every one of them."""

import csv
import io
import re

import pytest
from django.urls import reverse

from coop.models import NoticeDelivery
from governance.models import RollEntry
from governance.services.convocation import assembly_convene
from tests.coop import conftest as outbox_fixtures
from tests.coop.conftest import wait_until
from tests.governance.factories import draft_assembly, members_in_bulk, statutes_and_register
from tests.jobs import job_file

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The loopback SMTP server and the real workers of the outbox's own tests.
smtp_sink = outbox_fixtures.smtp_sink
celery_queue = outbox_fixtures.celery_queue
celery_workers = outbox_fixtures.celery_workers

MEMBERS = 2000
Status = NoticeDelivery.Status


def emails_settled() -> bool:
    return not NoticeDelivery.objects.filter(
        channel=NoticeDelivery.Channel.EMAIL, status__in=[Status.PENDING, Status.SENDING]
    ).exists()


def test_convening_2000_members_sends_each_exactly_one_notice(
    celery_workers, smtp_sink, admin_client
):
    register = statutes_and_register(name="Les Communs d'Oisans")
    members = members_in_bulk(register, MEMBERS, e_notices_every=2)
    by_email = {m.email for m in members if m.e_notices}
    celery_workers("w1", batch_size=200)

    assembly = assembly_convene(assembly=draft_assembly(), actor=None)
    wait_until(emails_settled, timeout=300, interval=0.5, what="the 1,000 e-mails to be sent")

    # Exactly one copy per member: the e-mails were received once each, the others are letters.
    deliveries = NoticeDelivery.objects.filter(notice=assembly.convocation_notice)
    assert deliveries.count() == MEMBERS
    assert RollEntry.objects.filter(assembly=assembly, convocation_delivery=None).count() == 0
    received = smtp_sink.handler.recipients()
    assert set(received) == by_email and set(received.values()) == {1}
    assert deliveries.filter(channel="email", status=Status.SENT).count() == len(by_email)
    letters = deliveries.filter(channel="letter")
    assert letters.count() == MEMBERS - len(by_email)
    assert not letters.exclude(to_email="").exists()
    # Each message is the member's own convocation.
    sample = next(m for m in smtp_sink.handler.received if m.recipient == members[0].email)
    assert b"Nombreux" in sample.content and b"capital variable" in sample.content

    # The proof page accounts for everyone; so does its CSV.
    page = admin_client.get(reverse("governance:manage_proof", args=[assembly.pk])).content
    text = re.sub(r"\s+", " ", page.decode())
    assert re.search(rf'id="count-sent">{len(by_email)}<', text)
    assert re.search(rf'id="count-pending">{MEMBERS - len(by_email)}<', text)
    assert f"{MEMBERS} members</h3>" in text
    _job, response = job_file(
        admin_client, admin_client.post(reverse("governance:manage_proof_csv", args=[assembly.pk]))
    )
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))[1:]
    assert sorted(int(row[0]) for row in rows) == sorted(m.number for m in members)
    sent_rows = [row for row in rows if row[4] == "sent"]
    assert len(sent_rows) == len(by_email) and all(row[5] for row in sent_rows)
