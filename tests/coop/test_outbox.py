"""The notices outbox in this process: enqueueing, sending to a loopback SMTP server, retries,
recovery of a dead sender's batch, requeueing, and the administrators' pages.

The Celery path with real worker processes is in test_outbox_workers.py.
"""

import datetime as dt
import email
import email.policy
import re
import threading

import psycopg
import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coop.errors import DomainError, PermissionRefused
from coop.models import AuditEvent, Job, Notice, NoticeDelivery
from coop.outbox import (
    DeliveryDraft,
    OutboxClaimLost,
    OutboxConnectionError,
    OutboxDatabaseError,
    delivery_requeue,
    notice_enqueue,
    notice_render_delivery,
    outbox_recover_interrupted,
    outbox_send_batch,
    outbox_send_due,
    retry_delay,
    sending,
)
from coop.outbox.writing import Claimed, UnsendableMessage, render
from coop.tasks import HEARTBEAT_CACHE_KEY, heartbeat
from members.services.invitation import INVITATION_NOTICE, member_reference
from tests.coop.conftest import free_port
from tests.members.factories import admitted, standard_register

Status = NoticeDelivery.Status


def drafts(count: int, *, start: int = 0, subject: str = "Convocation") -> list[DeliveryDraft]:
    return [
        DeliveryDraft(
            recipient_key=f"member:{i}",
            to_email=f"m{i}@example.org",
            subject=f"{subject} {i}",
            body_text=f"Bonjour {i},\nvous êtes convoqué·e.\n",
        )
        for i in range(start, start + count)
    ]


def statuses(notice: Notice) -> dict[str, str]:
    return dict(notice.deliveries.values_list("to_email", "status"))


@pytest.fixture
def totp_admin(admin_user):
    TOTP.activate(admin_user, generate_totp_secret())
    return admin_user


@pytest.fixture
def admin_client(client, totp_admin):
    client.force_login(totp_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- Enqueueing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_enqueueing_twice_creates_no_duplicate_row(admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as first_callbacks:
        first = notice_enqueue(
            kind="convocation", reference="AG-2025", deliveries=drafts(3), actor=admin_user
        )
    with django_capture_on_commit_callbacks() as second_callbacks:
        second = notice_enqueue(
            kind="convocation",
            reference="AG-2025",
            deliveries=drafts(4, subject="Second version"),
            actor=admin_user,
        )
    with django_capture_on_commit_callbacks() as third_callbacks:
        notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(4))

    assert second.pk == first.pk
    assert Notice.objects.count() == 1
    rows = list(first.deliveries.order_by("id").values_list("recipient_key", "subject", "status"))
    assert rows == [
        ("member:0", "Convocation 0", "pending"),
        ("member:1", "Convocation 1", "pending"),
        ("member:2", "Convocation 2", "pending"),
        ("member:3", "Second version 3", "pending"),
    ]
    assert first.created_by == admin_user
    events = list(AuditEvent.objects.filter(action="notice.enqueued").order_by("id"))
    assert [(e.data["created"], e.data["already_queued"]) for e in events] == [
        (3, 0),
        (1, 3),
        (0, 4),
    ]
    assert "Bonjour" not in str([e.data for e in events])  # counts, never the bodies
    # Sending is scheduled after commit, and only when something new was queued.
    assert len(first_callbacks) >= 1
    assert len(second_callbacks) >= 1
    assert third_callbacks == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_enqueues_of_the_same_notice_create_each_row_once(celery_queue):
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def enqueue() -> None:
        try:
            barrier.wait(timeout=10)
            notice_enqueue(kind="reminder", reference="AG-2025", deliveries=drafts(50))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=enqueue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Notice.objects.filter(kind="reminder").count() == 1
    assert NoticeDelivery.objects.count() == 50
    created = sorted(
        AuditEvent.objects.filter(action="notice.enqueued").values_list("data__created", flat=True)
    )
    assert created == [0, 50]


@pytest.mark.django_db
def test_enqueue_refuses_an_email_copy_without_a_valid_address_and_keeps_nothing():
    bad = [
        *drafts(2),
        DeliveryDraft(recipient_key="member:9", to_email=" ", subject="S", body_text="B"),
    ]
    with pytest.raises(DomainError) as refused:
        notice_enqueue(kind="convocation", reference="AG-2025", deliveries=bad)
    assert "member:9" in str(refused.value)
    malformed = DeliveryDraft(
        recipient_key="member:8", to_email="ada at example.org", subject="S", body_text="B"
    )
    with pytest.raises(DomainError, match="not valid"):
        notice_enqueue(kind="convocation", reference="AG-2025", deliveries=[malformed])
    assert not Notice.objects.exists()
    assert not NoticeDelivery.objects.exists()
    # A letter needs no address.
    letter = DeliveryDraft(
        recipient_key="member:9", to_email="", subject="S", body_text="B", channel="letter"
    )
    notice_enqueue(kind="convocation", reference="AG-2025", deliveries=[letter])
    assert NoticeDelivery.objects.get().channel == "letter"


@pytest.mark.django_db
def test_render_delivery_uses_the_recipients_language(settings, tmp_path):
    folder = tmp_path / "notices"
    folder.mkdir()
    (folder / "test_subject.txt").write_text(
        "{% load i18n %}{% translate 'Yes' %}:\n  {{ name }}\n", encoding="utf-8"
    )
    (folder / "test_message.txt").write_text(
        "{% load i18n %}{% translate 'Yes' %}, {{ name }}, {{ when|date:'F' }}", encoding="utf-8"
    )
    (folder / "test_message.html").write_text(
        "{% load i18n %}<p>{% translate 'No' %}, {{ name }}</p>", encoding="utf-8"
    )
    (folder / "plain_subject.txt").write_text("Plain", encoding="utf-8")
    (folder / "plain_message.txt").write_text("Text only", encoding="utf-8")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    context = {"name": "Ada <Lovelace>", "when": dt.date(2025, 1, 15)}

    french = notice_render_delivery(
        recipient_key="member:1",
        to_email="ada@example.org",
        language="fr",
        template_prefix="notices/test",
        context=context,
    )
    english = notice_render_delivery(
        recipient_key="member:1",
        to_email="ada@example.org",
        language="en",
        template_prefix="notices/test",
        context=context,
    )
    plain = notice_render_delivery(
        recipient_key="member:2",
        to_email="bob@example.org",
        language="en",
        template_prefix="notices/plain",
        context={},
    )

    assert french.subject == "Oui: Ada <Lovelace>"  # plain text: not HTML-escaped
    assert french.body_text == "Oui, Ada <Lovelace>, janvier"
    assert french.body_html == "<p>Non, Ada &lt;Lovelace&gt;</p>"
    assert english.subject == "Yes: Ada <Lovelace>"
    assert english.body_text.endswith("January")
    assert english.language == "en" and french.language == "fr"
    assert (plain.subject, plain.body_text, plain.body_html) == ("Plain", "Text only", "")


# --- Sending -----------------------------------------------------------------------------------


def test_messages_are_well_formed_mime(settings):
    settings.DEFAULT_FROM_EMAIL = "Volière <ne-pas-repondre@voliere.local>"
    subject = "Convocation à l'assemblée générale ordinaire du 12 juin, salle des fêtes " * 2
    long_line = "é" * 600  # 1,200 octets: more than a line may carry
    body_text = f"Bonjour Ada,\n.\nUne ligne.\r\n{long_line}\nFin"
    body_html = "<p>Bonjour <strong>Ada</strong></p>"

    rendered = render(
        Claimed(
            id=1,
            to_email="ada@exämple.org",
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            language="fr",
            attempts=0,
        ),
        "<notice1.x@voliere.local>",
    )

    assert all(len(line) <= 998 for line in rendered.data.split(b"\r\n"))
    assert rendered.envelope_to == "ada@xn--exmple-cua.org"
    message = email.message_from_bytes(rendered.data, policy=email.policy.default)
    # Django may fold the encoded subject onto the next line: the space before it is folding.
    assert message["Subject"].lstrip() == subject
    assert message["From"].addresses[0].display_name == "Volière"
    assert message["From"].addresses[0].addr_spec == "ne-pas-repondre@voliere.local"
    assert message["To"].addresses[0].domain == "xn--exmple-cua.org"
    assert message["Message-ID"] == "<notice1.x@voliere.local>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "fr"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    assert plain["Content-Transfer-Encoding"] == "quoted-printable"
    assert plain.get_content().replace("\r\n", "\n") == body_text.replace("\r\n", "\n")
    assert message.get_body(("html",)).get_content().strip() == body_html

    ascii_only = render(
        Claimed(
            id=1,
            to_email="bob@example.org",
            subject="Reminder",
            body_text="Hello Bob",
            body_html="",
            language="en",
            attempts=0,
        ),
        "<notice2.x@voliere.local>",
    )
    single = email.message_from_bytes(ascii_only.data, policy=email.policy.default)
    assert single.get_content_type() == "text/plain"
    assert single["Content-Transfer-Encoding"] == "7bit"
    assert single.get_content().strip() == "Hello Bob"
    with pytest.raises(UnsendableMessage):
        render(
            Claimed(
                id=3,
                to_email="bob@example.org",
                subject="Reminder\nBcc: everyone@example.org",
                body_text="Hello",
                body_html="",
                language="en",
                attempts=0,
            ),
            "<notice3.x@voliere.local>",
        )


@pytest.mark.django_db(transaction=True)
def test_other_mail_backends_get_django_messages(mailoutbox):
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(2))
    bad = notice.deliveries.get(recipient_key="member:1")
    bad.subject = "Two\nlines"  # cannot be a header: fails, and the batch goes on
    bad.save(update_fields=["subject"])

    report = outbox_send_batch()

    assert (report.sent, report.failed) == (1, 1)
    assert [m.to for m in mailoutbox] == [["m0@example.org"]]
    sent = notice.deliveries.get(recipient_key="member:0")
    assert mailoutbox[0].extra_headers["Message-ID"] == sent.message_id
    assert notice.deliveries.get(recipient_key="member:1").status == Status.FAILED


def test_retry_delay_doubles_and_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4, 7, 20)] == [
        60,
        120,
        240,
        480,
        3600,
        3600,
    ]


@pytest.mark.django_db(transaction=True)
def test_a_batch_goes_over_one_connection_in_order_and_records_the_proof(smtp_settings):
    html = DeliveryDraft(
        recipient_key="member:9",
        to_email="m9@example.org",
        subject="Convocation à l'assemblée",
        body_text="Texte",
        body_html="<p>Texte riche</p>",
        language="fr",
    )
    notice = notice_enqueue(kind="convocation", reference="AG-2025", deliveries=[*drafts(4), html])

    report = outbox_send_batch(batch_size=10)

    assert (report.claimed, report.sent) == (5, 5)
    received = smtp_settings.handler.received
    assert len(smtp_settings.handler.sessions()) == 1  # one SMTP connection for the batch
    rows = list(notice.deliveries.order_by("id"))
    assert [m.recipient for m in received] == [row.to_email for row in rows]  # id order
    for row, message in zip(rows, received, strict=True):
        assert row.status == Status.SENT
        assert row.sent_at is not None and row.attempts == 1
        assert row.message_id == message.message_id
        assert b"Auto-Submitted: auto-generated" in message.content
    assert b"text/html" in received[-1].content
    # Nothing is sent twice.
    assert outbox_send_due().claimed == 0
    assert len(received) == 5


@pytest.mark.django_db(transaction=True)
def test_only_due_email_rows_are_claimed_and_at_most_a_batch_at_a_time(smtp_settings):
    letter = DeliveryDraft(
        recipient_key="member:100", to_email="", subject="S", body_text="B", channel="letter"
    )
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=[*drafts(4), letter])
    later = notice.deliveries.get(recipient_key="member:3")
    later.next_attempt_at = timezone.now() + dt.timedelta(hours=1)
    later.save(update_fields=["next_attempt_at"])

    first = outbox_send_batch(batch_size=2)
    assert (first.claimed, first.sent) == (2, 2)
    assert smtp_settings.handler.recipients() == {"m0@example.org": 1, "m1@example.org": 1}

    rest = outbox_send_due(batch_size=2)
    assert (rest.claimed, rest.sent) == (1, 1)
    assert statuses(notice) == {
        "m0@example.org": "sent",
        "m1@example.org": "sent",
        "m2@example.org": "sent",
        "m3@example.org": "pending",  # not due yet
        "": "pending",  # a letter is never e-mailed
    }


@pytest.mark.django_db(transaction=True)
def test_a_refusal_for_now_is_retried_with_backoff_then_reported_failed(
    smtp_settings, settings, client, totp_admin
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    handler = smtp_settings.handler
    handler.refuse = {
        "m0@example.org": "451 4.7.1 Greylisted, try again later",
        "m1@example.org": "550 5.1.1 No such user here",
    }
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(3))

    before = timezone.now()
    report = outbox_send_due()

    assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
    greylisted = notice.deliveries.get(to_email="m0@example.org")
    assert greylisted.status == Status.PENDING and greylisted.attempts == 1
    assert "451 4.7.1 Greylisted" in greylisted.last_error
    waited = (greylisted.next_attempt_at - before).total_seconds()
    assert 59 <= waited <= 62
    unknown = notice.deliveries.get(to_email="m1@example.org")
    # A permanent refusal (5xx) is not retried: it is reported at once.
    assert unknown.status == Status.FAILED and unknown.attempts == 1
    assert "550 5.1.1 No such user here" in unknown.last_error
    assert outbox_send_due().claimed == 0  # the retry is not due yet

    # Time passes: the retry falls due; later retries are due at once.
    NoticeDelivery.objects.filter(pk=greylisted.pk).update(next_attempt_at=timezone.now())
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    for _round in range(5):
        outbox_send_due()
    greylisted.refresh_from_db()
    assert greylisted.status == Status.FAILED and greylisted.attempts == 3
    assert "451 4.7.1 Greylisted" in greylisted.last_error
    assert handler.refused.count("m0@example.org") == 3
    assert handler.refused.count("m1@example.org") == 1
    assert handler.recipients() == {"m2@example.org": 1}

    # The administrators see it.
    client.force_login(totp_admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get(reverse("coop:outbox_notice", args=[notice.pk]), {"status": "failed"})
    text = page.content.decode()
    assert "m0@example.org" in text and "m1@example.org" in text
    assert "m2@example.org" not in text
    assert "451 4.7.1 Greylisted" in text and "550 5.1.1 No such user here" in text
    assert "2 copies match the filter" in text


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_server_puts_the_batch_back_and_raises(smtp_settings, settings):
    settings.EMAIL_PORT = free_port()  # nobody listens there
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(3))

    with pytest.raises(OutboxConnectionError):
        outbox_send_batch()

    for row in notice.deliveries.all():
        assert row.status == Status.PENDING
        assert row.attempts == 0  # not the recipient's fault: not counted
        assert "mail server" in row.last_error or "serveur" in row.last_error
        assert row.next_attempt_at > timezone.now()
    assert smtp_settings.handler.received == []


@pytest.mark.django_db(transaction=True)
def test_a_refused_sender_address_fails_no_copy_and_puts_the_batch_back(smtp_settings):
    smtp_settings.handler.refuse_sender = "530 5.7.0 Authentication required"
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(3))

    with pytest.raises(OutboxConnectionError):
        outbox_send_batch()

    # The server's configuration, not the recipients: nobody is reported failed.
    for row in notice.deliveries.all():
        assert (row.status, row.attempts) == (Status.PENDING, 0)
        assert "530 5.7.0 Authentication required" in row.last_error
    assert smtp_settings.handler.received == []


@pytest.mark.django_db(transaction=True)
def test_a_server_that_keeps_closing_the_connection_gets_the_rest_back_in_the_queue(
    smtp_settings,
):
    smtp_settings.handler.refuse = {"m1@example.org": "421 4.3.2 Service shutting down"}
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(3))

    with pytest.raises(OutboxConnectionError):
        outbox_send_batch()

    assert statuses(notice) == {
        "m0@example.org": "sent",
        "m1@example.org": "pending",
        "m2@example.org": "pending",
    }
    assert set(notice.deliveries.filter(status="pending").values_list("attempts", flat=True)) == {0}
    # It reconnected a few times (4 SMTP sessions: the first and 3 reconnections), then gave up.
    assert smtp_settings.handler.refused == ["m1@example.org"] * 4


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_during_data_resends_that_copy_once_with_the_same_message_id(
    smtp_settings, settings
):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    handler = smtp_settings.handler
    handler.hang_up_after_data = {"m1@example.org"}
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(4))

    report = outbox_send_batch()

    assert (report.sent, report.resending, report.interrupted) == (3, 1, 0)
    assert statuses(notice) == {
        "m0@example.org": "sent",
        "m1@example.org": "pending",  # the server did get it: we could not know
        "m2@example.org": "sent",
        "m3@example.org": "sent",
    }
    in_doubt = notice.deliveries.get(to_email="m1@example.org")
    assert "may have been delivered" in in_doubt.last_error
    assert "same Message-ID" in in_doubt.last_error
    assert (in_doubt.attempts, in_doubt.resends) == (1, 1)
    assert in_doubt.next_attempt_at > timezone.now()  # after the usual backoff
    assert len(handler.sessions()) == 2  # it reconnected for the rest
    assert outbox_send_due().claimed == 0  # not due yet

    handler.hang_up_after_data = set()
    NoticeDelivery.objects.filter(pk=in_doubt.pk).update(next_attempt_at=timezone.now())
    assert outbox_send_due().sent == 1
    outbox_recover_interrupted()
    assert outbox_send_due().claimed == 0

    # Received twice, as the same message: a mail program shows it once.
    first, second = [m for m in handler.received if m.recipient == "m1@example.org"]
    in_doubt.refresh_from_db()
    assert first.message_id == second.message_id == in_doubt.message_id
    assert first.content == second.content
    assert (in_doubt.status, in_doubt.attempts, in_doubt.resends) == (Status.SENT, 2, 1)
    assert handler.recipients() == {
        "m0@example.org": 1,
        "m1@example.org": 2,
        "m2@example.org": 1,
        "m3@example.org": 1,
    }


@pytest.mark.django_db(transaction=True)
def test_a_copy_in_doubt_that_used_every_try_is_left_interrupted(smtp_settings, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    handler = smtp_settings.handler
    handler.hang_up_after_data = {"m0@example.org"}  # every time
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(1))

    outbox_send_due()
    outbox_send_due()
    outbox_send_due()

    row = notice.deliveries.get()
    assert (row.status, row.attempts, row.resends) == (Status.INTERRUPTED, 2, 1)
    assert "check with the recipient" in row.last_error
    assert handler.recipients() == {"m0@example.org": 2}
    assert len({m.message_id for m in handler.received}) == 1


@pytest.mark.django_db(transaction=True)
def test_a_sender_that_stops_before_the_final_dot_delivers_nothing(
    smtp_settings, monkeypatch, settings
):
    """The sender dies (here: its commit fails) with the next message transmitted up to, but
    not including, the line with a single dot that ends it: the server drops that message."""
    handler = smtp_settings.handler
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(4))

    def commit_fails(row_id, token, message_id):
        raise OutboxClaimLost("the database went away")

    monkeypatch.setattr(sending, "_mark_sent_in_thread", commit_fails)
    with pytest.raises(OutboxClaimLost):
        outbox_send_batch()
    monkeypatch.undo()

    assert handler.recipients() == {"m0@example.org": 1}  # m1 was transmitted, never completed
    assert set(notice.deliveries.values_list("status", flat=True)) == {Status.SENDING}
    settings.OUTBOX_RETRY_BASE_SECONDS = 0
    report = outbox_recover_interrupted()  # the sender's lock is gone with its batch
    assert (report.resending, report.interrupted, report.requeued) == (1, 0, 3)
    in_doubt = notice.deliveries.get(to_email="m0@example.org")
    assert (in_doubt.status, in_doubt.resends) == (Status.PENDING, 1)
    outbox_send_due()
    # m0 may have been delivered: it is sent again, as the same message; the others once.
    assert handler.recipients() == {
        "m0@example.org": 2,
        "m1@example.org": 1,
        "m2@example.org": 1,
        "m3@example.org": 1,
    }
    assert len({m.message_id for m in handler.received if m.recipient == "m0@example.org"}) == 1


@pytest.mark.django_db(transaction=True)
def test_a_database_error_mid_batch_settles_exactly_what_was_handed_over(
    smtp_settings, monkeypatch
):
    """The commit of m1 as sent fails (its connection is lost) after the server accepted m1:
    the sender stops before completing m2, records m1 as sent on a fresh connection and puts
    m2 and m3 back in the queue, untouched, for a retry within seconds."""
    handler = smtp_settings.handler
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(4))
    real_mark = sending._mark_sent_in_thread

    def mark(row_id, token, message_id):
        if NoticeDelivery.objects.filter(pk=row_id, to_email="m1@example.org").exists():
            raise OperationalError("terminating connection due to administrator command")
        real_mark(row_id, token, message_id)

    monkeypatch.setattr(sending, "_mark_sent_in_thread", mark)
    before = timezone.now()
    with pytest.raises(OutboxDatabaseError):
        outbox_send_batch()
    monkeypatch.undo()

    assert handler.recipients() == {"m0@example.org": 1, "m1@example.org": 1}
    rows = {d.to_email: d for d in notice.deliveries.all()}
    assert rows["m1@example.org"].status == Status.SENT
    assert rows["m1@example.org"].message_id == handler.received[1].message_id
    for to in ("m2@example.org", "m3@example.org"):
        assert (rows[to].status, rows[to].attempts, rows[to].resends) == (Status.PENDING, 0, 0)
        assert 4 <= (rows[to].next_attempt_at - before).total_seconds() <= 7
    assert not outbox_recover_interrupted().claims  # nothing left for the sweep

    NoticeDelivery.objects.filter(status=Status.PENDING).update(next_attempt_at=timezone.now())
    outbox_send_due()
    assert handler.recipients() == {f"m{i}@example.org": 1 for i in range(4)}


# --- Recovery ----------------------------------------------------------------------------------


def _claim(notice: Notice, token: int, keys: list[str]) -> None:
    """Leave rows as a sender does between claiming and sending them."""
    notice.deliveries.filter(recipient_key__in=keys).update(
        status=Status.SENDING, claim_token=token, claimed_at=timezone.now(), attempts=1
    )


@pytest.mark.django_db
def test_recovery_settles_a_dead_senders_claim_and_leaves_a_live_one_alone():
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(8))
    dead, live = 0x1111, 0x2222
    _claim(notice, dead, ["member:0", "member:1", "member:2", "member:3"])
    _claim(notice, live, ["member:4", "member:5", "member:6"])
    params = connection.settings_dict
    sender = psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        dbname=params["NAME"],
        autocommit=True,
    )
    try:
        sender.execute("SELECT pg_advisory_lock(%s)", [live])  # a live sender holds its lock

        report = outbox_recover_interrupted()

        assert (report.claims, report.resending, report.requeued) == (1, 1, 3)
        rows = {d.recipient_key: d for d in notice.deliveries.all()}
        # It may have been in flight: sent again (at least once), its resend counted.
        assert (rows["member:0"].status, rows["member:0"].resends) == (Status.PENDING, 1)
        assert "may have been delivered" in rows["member:0"].last_error
        for key in ("member:1", "member:2", "member:3"):  # never handed over: back in the queue
            assert (rows[key].status, rows[key].attempts) == (Status.PENDING, 0)
        for key in ("member:4", "member:5", "member:6"):  # untouched: its sender is alive
            assert (rows[key].status, rows[key].claim_token) == (Status.SENDING, live)
        assert rows["member:7"].status == Status.PENDING
        event = AuditEvent.objects.get(action="notice.delivery_interrupted")
        assert event.target_id == str(rows["member:0"].pk)
        assert event.data["requeued"] == 3
    finally:
        sender.close()  # the live sender dies

    again = outbox_recover_interrupted()
    assert (again.claims, again.resending, again.requeued) == (1, 1, 2)
    assert notice.deliveries.get(recipient_key="member:4").resends == 1
    assert not notice.deliveries.filter(status=Status.SENDING).exists()


@pytest.mark.django_db
def test_recovery_leaves_a_copy_in_doubt_out_of_tries_for_an_administrator(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(2))
    _claim(notice, 0x3333, ["member:0", "member:1"])
    notice.deliveries.filter(recipient_key="member:0").update(attempts=3, resends=2)

    report = outbox_recover_interrupted()

    assert (report.interrupted, report.resending, report.requeued) == (1, 0, 1)
    row = notice.deliveries.get(recipient_key="member:0")
    assert (row.status, row.resends) == (Status.INTERRUPTED, 2)
    assert "check with the recipient" in row.last_error


# --- Requeueing --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_administrator_requeues_an_interrupted_copy_and_it_is_audited(
    admin_user, member_user, django_capture_on_commit_callbacks
):
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(2))
    interrupted, sent = notice.deliveries.order_by("id")
    NoticeDelivery.objects.filter(pk=interrupted.pk).update(
        status=Status.INTERRUPTED, attempts=2, claim_token=7, last_error="lost"
    )
    NoticeDelivery.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=timezone.now())

    with pytest.raises(PermissionRefused):
        delivery_requeue(delivery=interrupted, actor=member_user)
    with pytest.raises(DomainError):
        delivery_requeue(delivery=sent, actor=admin_user)
    with django_capture_on_commit_callbacks() as callbacks:
        delivery_requeue(delivery=interrupted, actor=admin_user)

    interrupted.refresh_from_db()
    assert (interrupted.status, interrupted.attempts) == (Status.PENDING, 0)
    assert interrupted.resends == 1  # it may have been delivered: this is a resend
    assert interrupted.next_attempt_at <= timezone.now()
    event = AuditEvent.objects.get(action="notice.delivery_requeued")
    assert event.actor == admin_user
    assert event.data["previous_status"] == "interrupted" and event.data["last_error"] == "lost"
    assert len(callbacks) == 1
    sent.refresh_from_db()
    assert sent.status == Status.SENT


# --- Tasks -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_heartbeat_writes_the_time_into_the_cache():
    assert cache.get(HEARTBEAT_CACHE_KEY) is None
    before = timezone.now()
    heartbeat.apply()
    written = dt.datetime.fromisoformat(cache.get(HEARTBEAT_CACHE_KEY))
    assert before <= written <= timezone.now()


# --- The administrators' pages -----------------------------------------------------------------


def _some_statuses(notice: Notice) -> dict[str, NoticeDelivery]:
    rows = list(notice.deliveries.order_by("id"))
    now = timezone.now()
    NoticeDelivery.objects.filter(pk=rows[0].pk).update(
        status=Status.SENT, sent_at=now, message_id="<a@voliere.local>"
    )
    NoticeDelivery.objects.filter(pk=rows[1].pk).update(
        status=Status.FAILED, attempts=6, last_error="=550 No such user"
    )
    NoticeDelivery.objects.filter(pk=rows[2].pk).update(
        status=Status.INTERRUPTED, last_error="lost", resends=2
    )
    return {row.recipient_key: row for row in rows}


@pytest.mark.django_db
def test_outbox_pages_require_an_administrator(client, member_user, admin_user):
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(1))
    delivery = notice.deliveries.get()
    urls = [
        reverse("coop:outbox"),
        reverse("coop:outbox_notice", args=[notice.pk]),
    ]
    posts = [
        reverse("coop:outbox_delivery_requeue", args=[delivery.pk]),
        reverse("coop:outbox_notice_csv", args=[notice.pk]),
    ]

    for url in urls:
        assert client.get(url).status_code == 302  # to the sign-in page
    for url in posts:
        assert client.post(url).status_code == 302
    client.force_login(member_user)
    for url in urls:
        assert client.get(url).status_code == 403
    for url in posts:
        assert client.post(url).status_code == 403
    assert not Job.objects.exists()  # no proof of sending was started
    client.force_login(admin_user)  # an administrator without two-factor authentication
    for response in (client.get(urls[0]), client.post(posts[1])):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa_activate_totp"))
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_index_lists_notices_with_their_counts_per_status(admin_client):
    notice = notice_enqueue(kind="convocation", reference="AG-2025", deliveries=drafts(4))
    _some_statuses(notice)
    notice_enqueue(kind="reminder", reference="AG-2025", deliveries=drafts(2))

    response = admin_client.get(reverse("coop:outbox"))

    assert response.status_code == 200
    text = response.content.decode()
    assert "2 notices" in text
    # Kinds and references no app registered read as they are stored.
    assert "Convocation · AG-2025" in text and "Reminder · AG-2025" in text
    row = text.split("Convocation · AG-2025</a></th>")[1].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("</td>")[:-1]]
    # queued on, then waiting, being sent, sent, failed, interrupted, resent, recipients
    assert cells[1:] == ["1", "0", "1", "1", "1", "1", "4"]


@pytest.mark.django_db
def test_notice_page_shows_each_copy_filters_and_offers_to_requeue(admin_client):
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(4))
    rows = _some_statuses(notice)
    url = reverse("coop:outbox_notice", args=[notice.pk])

    text = admin_client.get(url).content.decode()
    for i in range(4):
        assert f"m{i}@example.org" in text
    assert "Interrupted: check before sending again" in text
    assert "1 copy was sent again after a try that may have delivered it" in text
    row = text.split("m2@example.org</td>")[1].split("</tr>")[0]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in row.split("</td>")[:-1]]
    # status, attempts, resends
    assert cells[1:3] == ["0", "2"]
    french = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1 exemplaire a été renvoyé après un essai qui a pu le distribuer" in french
    assert "La colonne « Renvois » les compte" in french
    requeue_urls = [
        reverse("coop:outbox_delivery_requeue", args=[rows[key].pk])
        for key in ("member:1", "member:2")
    ]
    assert all(u in text for u in requeue_urls)
    assert reverse("coop:outbox_delivery_requeue", args=[rows["member:0"].pk]) not in text

    filtered = admin_client.get(url, {"status": "interrupted"}).content.decode()
    assert "m2@example.org" in filtered and "m0@example.org" not in filtered
    assert "1 copy matches the filter" in filtered

    partial = admin_client.get(url, {"status": "sent"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert body.lstrip().startswith('<section id="outbox-deliveries"')
    assert "m0@example.org" in body and "<html" not in body
    # Going back in the browser's history, htmx asks for the whole page again.
    restored = admin_client.get(
        url, {"status": "sent"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in restored.content.decode()


@pytest.mark.django_db
def test_requeue_button_sends_the_copy_again(admin_client, totp_admin):
    notice = notice_enqueue(kind="convocation", reference="AG", deliveries=drafts(3))
    rows = _some_statuses(notice)
    interrupted = rows["member:2"]
    url = reverse("coop:outbox_delivery_requeue", args=[interrupted.pk])

    assert admin_client.get(url).status_code == 405
    response = admin_client.post(url, {"status": "interrupted"}, follow=True)

    assert response.redirect_chain[0][0] == (
        reverse("coop:outbox_notice", args=[notice.pk]) + "?status=interrupted"
    )
    assert "will be sent again" in response.content.decode()
    interrupted.refresh_from_db()
    assert interrupted.status == Status.PENDING
    assert AuditEvent.objects.get(action="notice.delivery_requeued").actor == totp_admin
    # A copy already sent cannot be sent again, even by a forged request.
    sent_url = reverse("coop:outbox_delivery_requeue", args=[rows["member:0"].pk])
    refused = admin_client.post(sent_url, follow=True)
    assert "Only an interrupted or failed notice can be sent again" in refused.content.decode()
    assert NoticeDelivery.objects.get(pk=rows["member:0"].pk).status == Status.SENT


@pytest.mark.django_db
def test_page_query_counts_do_not_grow_with_rows(admin_client):
    small = notice_enqueue(kind="convocation", reference="small", deliveries=drafts(3))
    large = notice_enqueue(kind="convocation", reference="large", deliveries=drafts(60))
    _some_statuses(small)
    _some_statuses(large)

    def queries(url: str) -> int:
        """Queries of the page itself: the session is read from Redis, or from the database
        when the cache was emptied meanwhile, which is not the page's doing."""
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(url).status_code == 200
        return sum(1 for query in captured if "django_session" not in query["sql"])

    small_page = queries(reverse("coop:outbox_notice", args=[small.pk]))
    large_page = queries(reverse("coop:outbox_notice", args=[large.pk]))
    assert small_page == large_page
    index_two = queries(reverse("coop:outbox"))
    for n in range(10):
        notice_enqueue(kind="reminder", reference=f"R{n}", deliveries=drafts(2))
    assert queries(reverse("coop:outbox")) == index_two


@pytest.mark.django_db
def test_notices_and_recipients_read_in_words_never_as_keys(admin_client):
    register = standard_register()
    member = admitted(register["categories"]["employee"], register["colleges"]["employees"])
    key = member_reference(member)
    draft = DeliveryDraft(
        recipient_key=key, to_email="claire@example.org", subject="S", body_text="B"
    )
    notice = notice_enqueue(kind=INVITATION_NOTICE, reference=key, deliveries=[draft])
    gone = DeliveryDraft(
        recipient_key="member:999999", to_email="x@example.org", subject="S", body_text="B"
    )
    notice_enqueue(kind=INVITATION_NOTICE, reference="member:999999", deliveries=[gone])
    named = f"member no. {member.number}, Claire Durand"

    index = admin_client.get(reverse("coop:outbox")).content.decode()
    assert f"Invitation to open an account · {named}</a>" in index
    assert "Invitation to open an account · someone or something no longer known</a>" in index
    page = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk])).content.decode()
    assert f'<th scope="row">{named}</th>' in page
    french = admin_client.get(
        reverse("coop:outbox_notice", args=[notice.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()
    assert "Invitation à ouvrir un compte" in french
    assert f"membre n° {member.number}, Claire Durand" in french
    for text in (index, page, french):
        assert "member:" not in text and "membership.invitation" not in text
