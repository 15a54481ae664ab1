"""Printed letters: an administrator records the day they were posted, the proof of sending."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from coop.errors import DomainError
from coop.models import AuditEvent, NoticeDelivery
from coop.outbox import DeliveryDraft, letters_mark_posted, notice_enqueue

pytestmark = pytest.mark.django_db

Status = NoticeDelivery.Status


def _notice():
    deliveries = [
        DeliveryDraft(
            recipient_key="member:1",
            to_email="",
            subject="Convocation",
            body_text="x",
            channel=NoticeDelivery.Channel.LETTER,
        ),
        DeliveryDraft(
            recipient_key="member:2",
            to_email="",
            subject="Convocation",
            body_text="x",
            channel=NoticeDelivery.Channel.LETTER,
        ),
        DeliveryDraft(
            recipient_key="member:3",
            to_email="ada@example.org",
            subject="Convocation",
            body_text="x",
        ),
    ]
    return notice_enqueue(kind="test-letters", reference="assembly:1", deliveries=deliveries)


def test_the_administrator_records_the_posting_day_of_the_letters(admin_client, totp_admin):
    notice = _notice()
    page = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk])).content.decode()
    assert "Letters to post" in page

    today = timezone.localdate()
    response = admin_client.post(
        reverse("coop:outbox_letters_posted", args=[notice.pk]),
        {"posted_on": today.isoformat()},
        follow=True,
    )
    assert "2 letters are recorded as posted." in response.content.decode()
    letters = NoticeDelivery.objects.filter(notice=notice, channel="letter")
    assert {(d.status, timezone.localdate(d.sent_at)) for d in letters} == {(Status.SENT, today)}
    email = NoticeDelivery.objects.get(notice=notice, channel="email")
    assert email.status == Status.PENDING  # e-mails are the sender's business
    assert AuditEvent.objects.filter(action="notice.letters_posted").count() == 1

    with pytest.raises(DomainError, match="No letter of this notice is waiting"):
        letters_mark_posted(notice=notice, posted_on=today, actor=totp_admin)


def test_a_posting_day_in_the_future_or_before_the_notice_is_refused(totp_admin):
    notice = _notice()
    today = timezone.localdate()
    with pytest.raises(DomainError, match="still to come"):
        letters_mark_posted(notice=notice, posted_on=today + dt.timedelta(days=1), actor=totp_admin)
    with pytest.raises(DomainError, match="cannot have been posted before"):
        letters_mark_posted(notice=notice, posted_on=today - dt.timedelta(days=3), actor=totp_admin)
    assert not NoticeDelivery.objects.filter(status=Status.SENT).exists()


def test_only_administrators_record_postings(member_user):
    notice = _notice()
    with pytest.raises(DomainError, match="Only an administrator"):
        letters_mark_posted(notice=notice, posted_on=timezone.localdate(), actor=member_user)
