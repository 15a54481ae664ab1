"""The proof of sending of one notice as CSV: written by a job, started from the notice's page."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from coop.errors import DomainError, PermissionRefused
from coop.jobs.services import job_run
from coop.models import Job, Notice, NoticeDelivery
from coop.outbox import notice_enqueue
from coop.outbox.proof import NOTICE_PROOF, notice_proof_csv_write, notice_proof_start
from tests.coop.test_outbox import drafts
from tests.jobs import job_file

pytestmark = pytest.mark.django_db

Status = NoticeDelivery.Status

HEADER = [
    "recipient",
    "address",
    "channel",
    "status",
    "sent at",
    "message id",
    "attempts",
    "resends",
    "last error",
]


def _notice(count: int = 3) -> Notice:
    """A notice of `count` copies: the first sent, the second failed (its error starts like a
    formula), the third interrupted and sent again twice, the others waiting."""
    notice = notice_enqueue(kind="convocation", reference="AG 2025", deliveries=drafts(count))
    rows = list(notice.deliveries.order_by("id"))
    NoticeDelivery.objects.filter(pk=rows[0].pk).update(
        status=Status.SENT, sent_at=timezone.now(), message_id="<a@voliere.local>"
    )
    NoticeDelivery.objects.filter(pk=rows[1].pk).update(
        status=Status.FAILED, attempts=6, last_error="=550 No such user"
    )
    NoticeDelivery.objects.filter(pk=rows[2].pk).update(
        status=Status.INTERRUPTED, last_error="lost", resends=2
    )
    return notice


def _lines(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def test_the_file_has_one_line_per_recipient_with_formulas_escaped(tmp_path):
    notice = _notice(5)
    path = tmp_path / "proof.csv"

    assert notice_proof_csv_write(notice=notice, status="", path=path) == 5

    lines = _lines(path.read_bytes())
    assert lines[0] == HEADER
    assert [line[0] for line in lines[1:]] == [f"member:{i}" for i in range(5)]
    sent, failed, interrupted, *waiting = lines[1:]
    assert sent[:4] == ["member:0", "m0@example.org", "email", "sent"]
    assert dt.datetime.fromisoformat(sent[4]).utcoffset() is not None
    assert sent[5] == "<a@voliere.local>"
    assert failed[3:] == ["failed", "", "", "6", "0", "'=550 No such user"]  # never a formula
    assert (interrupted[3], interrupted[7], interrupted[8]) == ("interrupted", "2", "lost")
    assert [line[3] for line in waiting] == ["pending", "pending"]

    only_failed = tmp_path / "failed.csv"
    assert notice_proof_csv_write(notice=notice, status="failed", path=only_failed) == 1
    assert [line[0] for line in _lines(only_failed.read_bytes())[1:]] == ["member:1"]


def test_the_header_is_in_the_language_of_who_started_it(tmp_path):
    notice = _notice()
    path = tmp_path / "proof.csv"
    with translation.override("fr"):
        notice_proof_csv_write(notice=notice, status="", path=path)
    assert _lines(path.read_bytes())[0][:4] == ["destinataire", "adresse", "canal", "statut"]


def test_only_an_administrator_starts_it(member_user, admin_user):
    notice = _notice()
    with pytest.raises(PermissionRefused):
        notice_proof_start(notice=notice, status="", actor=member_user)
    with pytest.raises(DomainError):
        notice_proof_start(notice=notice, status="delivered", actor=admin_user)
    assert not Job.objects.exists()


def test_the_button_starts_a_job_whose_page_offers_the_file(admin_client, jobs_root):
    notice = _notice()
    url = reverse("coop:outbox_notice_csv", args=[notice.pk])
    page = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk])).content.decode()
    assert f'<form method="post" action="{url}">' in page
    assert admin_client.get(url).status_code == 405  # a link followed twice starts nothing
    assert not Job.objects.exists()

    job, response = job_file(admin_client, admin_client.post(url))

    assert job.kind == NOTICE_PROOF  # written by a job, not in the request
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="notice-convocation-ag-2025.csv"' in response["Content-Disposition"]
    lines = _lines(b"".join(response.streaming_content))
    assert lines[0] == HEADER and len(lines) == 4
    job_page = admin_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "The proof of sending has 3 lines." in job_page
    assert reverse("coop:outbox_notice", args=[notice.pk]) in job_page  # back to the notice


def test_the_filter_of_the_page_is_the_filter_of_the_file(admin_client, jobs_root):
    notice = _notice()
    url = reverse("coop:outbox_notice_csv", args=[notice.pk])
    filtered = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk]), {"status": "sent"})
    assert '<input type="hidden" name="status" value="sent">' in filtered.content.decode()

    job, response = job_file(admin_client, admin_client.post(url, {"status": "sent"}))

    assert job.parameters == {"notice": notice.pk, "status": "sent"}
    assert 'filename="notice-convocation-ag-2025-sent.csv"' in response["Content-Disposition"]
    lines = _lines(b"".join(response.streaming_content))
    assert [line[0] for line in lines[1:]] == ["member:0"]


def test_a_member_cannot_download_an_administrators_proof(
    client, member_user, admin_user, jobs_root
):
    notice = _notice()
    job = notice_proof_start(notice=notice, status="", actor=admin_user)
    assert job_run(job_id=str(job.pk)) == "done"
    client.force_login(member_user)
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 404
