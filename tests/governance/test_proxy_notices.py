"""Proxy notices through the outbox: the holder told when a proxy is given or revoked, the
principal told when their holder cast their vote (never how); each once, e-mail or letter."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coop.errors import DomainError
from coop.models import Job, Notice, NoticeDelivery
from governance.models import RollEntry
from governance.services.ballots import ballot_cast
from governance.services.proxies import proxy_give, proxy_revoke
from governance.services.proxy_notices import (
    HOLDER_VOTED_NOTICE,
    PROXY_NOTICE,
    PROXY_REVOKED_NOTICE,
    principals_notify_holder_voted,
)
from members.models import Member
from tests.governance.factories import (
    convened_assembly,
    e_notices_on,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db

LETTER = NoticeDelivery.Channel.LETTER
EMAIL = NoticeDelivery.Channel.EMAIL
NOTHING_NEEDED = "Ce que vous pouvez faire : rien n\u2019est nécessaire"


@pytest.fixture
def roll():
    register = statutes_and_register()
    members = members_admitted(register, 5)
    assembly = convened_assembly(members=members)
    entries = list(
        RollEntry.objects.filter(assembly=assembly).select_related("member").order_by("pk")
    )
    return assembly, entries


def before_deadline(assembly):
    return assembly.distance_vote_deadline - dt.timedelta(hours=1)


def all_as(assembly, choice):
    return dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), choice)


def deliveries(kind):
    return list(NoticeDelivery.objects.filter(notice__kind=kind).order_by("pk"))


def test_the_holder_is_told_by_e_mail_what_happened_and_what_to_do(roll):
    assembly, (ada, bob, *_rest) = roll
    e_notices_on([bob.member])
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)

    (delivery,) = deliveries(PROXY_NOTICE)
    assert (delivery.channel, delivery.to_email) == (EMAIL, bob.member.email)
    assert delivery.recipient_key == f"member:{bob.member.pk}"
    assert assembly.title in delivery.subject
    assert f"{ada.name} vous a donné sa procuration" in delivery.body_text
    assert f"Ce que vous pouvez faire : voter pour {ada.name}" in delivery.body_text
    assert f"/assemblies/{assembly.pk}/" in delivery.body_text
    assert delivery.body_text.startswith("Bonjour ")  # an e-mail carries no postal address


def test_a_holder_without_e_mail_notices_gets_a_letter_with_their_address(roll):
    assembly, (ada, bob, *_rest) = roll
    Member.objects.filter(pk=bob.member.pk).update(
        email="", address="3 rue des Lilas", postal_code="69001", city="Lyon"
    )
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)

    (delivery,) = deliveries(PROXY_NOTICE)
    assert (delivery.channel, delivery.to_email, delivery.status) == (LETTER, "", "pending")
    lines = delivery.body_text.splitlines()
    assert lines[1:3] == ["3 rue des Lilas", "69001 Lyon"]
    assert f"{ada.name} vous a donné sa procuration" in delivery.body_text


def test_the_holder_is_told_of_a_revocation_once_and_of_a_new_proxy_again(roll):
    assembly, (ada, bob, *_rest) = roll
    e_notices_on([bob.member])
    first = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    proxy_revoke(proxy=first, actor=None)
    second = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)

    (revoked,) = deliveries(PROXY_REVOKED_NOTICE)
    assert revoked.notice.reference == f"proxy:{first.pk}"
    assert revoked.to_email == bob.member.email
    assert f"La procuration que {ada.name} vous avait donnée" in revoked.body_text
    assert NOTHING_NEEDED in revoked.body_text
    given = deliveries(PROXY_NOTICE)
    assert [d.notice.reference for d in given] == [f"proxy:{first.pk}", f"proxy:{second.pk}"]


def test_the_revocation_notice_elides_before_a_name_and_says_the_time_in_french():
    members = members_admitted(statutes_and_register(), 2)
    members[0].first_name, members[0].last_name = "Olympe", "Martin"
    members[0].save(update_fields=["first_name", "last_name"])
    assembly = convened_assembly(members=members)
    giver, holder = RollEntry.objects.filter(assembly=assembly).select_related("member")
    e_notices_on([holder.member])
    proxy = proxy_give(assembly=assembly, giver=giver, holder=holder, actor=None)
    proxy_revoke(proxy=proxy, actor=None)

    (revoked,) = deliveries(PROXY_REVOKED_NOTICE)
    assert "La procuration qu\u2019Olympe Martin vous avait donnée" in revoked.body_text
    local = timezone.localtime(assembly.starts_at)
    assert f" à {local:%H}\u00a0h\u00a0{local:%M} a été révoquée" in revoked.body_text


def test_a_refused_revocation_tells_nobody(roll):
    assembly, (ada, bob, *_rest) = roll
    proxy = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    proxy_revoke(proxy=proxy, actor=None)
    with pytest.raises(DomainError, match="already revoked"):
        proxy_revoke(proxy=proxy, actor=None)
    assert len(deliveries(PROXY_REVOKED_NOTICE)) == 1


@pytest.mark.parametrize(
    ("choice", "words"), [("against", ("contre",)), ("abstain", ("abstention", "abstenu"))]
)
def test_the_principal_is_told_their_holder_voted_never_how(
    roll, choice, words, django_capture_on_commit_callbacks
):
    assembly, (ada, bob, *_rest) = roll
    e_notices_on([ada.member])
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = ballot_cast(
            assembly=assembly,
            voter=bob,
            principal=ada,
            choices=all_as(assembly, choice),
            actor=None,
            now=before_deadline(assembly),
        )

    (delivery,) = deliveries(HOLDER_VOTED_NOTICE)
    assert delivery.recipient_key == f"member:{ada.member.pk}"
    assert (delivery.channel, delivery.to_email) == (EMAIL, ada.member.email)
    assert f"{bob.name}, qui détient votre procuration" in delivery.body_text
    assert "a voté en votre nom" in delivery.body_text
    assert NOTHING_NEEDED in delivery.body_text
    text = f"{delivery.subject}\n{delivery.body_text}\n{delivery.body_html}".lower()
    assert not any(word in text for word in words)
    assert outcome.receipt.lower() not in text
    assert outcome.receipt.lower().replace("-", "") not in text.replace("-", "")


def test_the_notice_waits_for_the_commit_and_a_refused_cast_tells_nobody(
    roll, django_capture_on_commit_callbacks
):
    assembly, (ada, bob, carl, *_rest) = roll
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ballot_cast(
            assembly=assembly,
            voter=bob,
            principal=ada,
            choices=all_as(assembly, "for"),
            actor=None,
            now=before_deadline(assembly),
        )
    assert not deliveries(HOLDER_VOTED_NOTICE)  # not before the commit
    for callback in callbacks:
        callback()
    assert len(deliveries(HOLDER_VOTED_NOTICE)) == 1

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(DomainError):
        ballot_cast(  # carl holds no proxy of ada's: refused, rolled back
            assembly=assembly,
            voter=carl,
            principal=ada,
            choices=all_as(assembly, "for"),
            actor=None,
            now=before_deadline(assembly),
        )
    assert len(deliveries(HOLDER_VOTED_NOTICE)) == 1


def test_a_member_voting_for_themselves_tells_nobody(roll, django_capture_on_commit_callbacks):
    assembly, (ada, *_rest) = roll
    with django_capture_on_commit_callbacks(execute=True):
        ballot_cast(
            assembly=assembly,
            voter=ada,
            choices=all_as(assembly, "for"),
            actor=None,
            now=before_deadline(assembly),
        )
    assert not Notice.objects.filter(kind=HOLDER_VOTED_NOTICE).exists()


def test_a_retry_sends_nothing_twice_and_a_principal_without_e_mail_gets_a_letter(roll):
    assembly, (ada, _bob, carl, dan, _eve) = roll
    e_notices_on([ada.member])
    for _attempt in range(3):
        principals_notify_holder_voted(
            assembly=assembly, principals=[ada, carl], holder=dan, actor=None
        )

    rows = deliveries(HOLDER_VOTED_NOTICE)
    assert [(r.recipient_key, r.channel) for r in rows] == [
        (f"member:{ada.member.pk}", EMAIL),
        (f"member:{carl.member.pk}", LETTER),
    ]
    assert Notice.objects.filter(kind=HOLDER_VOTED_NOTICE).count() == 2
    assert rows[1].body_text.startswith(carl.member.display_name)


def test_the_administrators_print_the_letters_of_a_proxy_notice(
    roll, admin_client, admin_user, run_jobs
):
    assembly, (ada, bob, *_rest) = roll
    Member.objects.filter(pk=bob.member.pk).update(email="", address="3 rue des Lilas")
    proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    notice = Notice.objects.get(kind=PROXY_NOTICE)

    page = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk])).content.decode()
    print_url = reverse("coop:outbox_letters_print", args=[notice.pk])
    assert print_url in page
    run_jobs(lambda: admin_client.post(print_url))
    job = Job.objects.get(kind="coop.letters_print")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.error
    download = admin_client.get(reverse("jobs:download", args=[job.pk]))
    pdf = b"".join(download.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "3 rue des Lilas" in text
    assert "vous a donné sa procuration" in text

    NoticeDelivery.objects.filter(notice=notice).update(status="sent", sent_at=timezone.now())
    response = admin_client.post(print_url, follow=True)
    assert "No letter of this notice is waiting to be posted." in response.content.decode()
