"""Admission and exit letters (RULES 3, 11): a member without e-mail (or without the consent
to e-mail notices) gets their admission and their exit by post; each letter is a row of the
outbox "to post", printed by the job with the letters of the same day, then recorded as posted."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coop.documents import pdf_from_html
from coop.models import AuditEvent, Job, Notice, NoticeDelivery
from coop.outbox import letters_mark_posted
from members.letters import ADMISSION_NOTICE, EXIT_NOTICE, member_letters_html
from members.models import Member
from members.services import application_admit, member_exit
from tests.coop.factories import StatutesFactory
from tests.members.factories import apply, standard_register

pytestmark = pytest.mark.django_db

Channel = NoticeDelivery.Channel


@pytest.fixture
def register():
    StatutesFactory(effective_from=dt.date(2020, 1, 1), name="Les Communs d'Oisans")
    return standard_register()


def admit(register, admin_user, *, decided_on=dt.date(2026, 11, 30), **fields):
    category = register["categories"]["volunteer"]
    member = apply(
        category,
        address="12 chemin des Alpages",
        postal_code="38520",
        city="Le Bourg-d'Oisans",
        language=fields.pop("language", "en"),
        **fields,
    )
    return application_admit(
        member=member,
        decided_on=decided_on,
        decision_ref="CA 2026-11",
        college=category.default_college,
        actor=admin_user,
    ).member


def pdf_text(html: str) -> str:
    pdf = pdf_from_html(html)
    return " ".join(
        re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


def test_a_member_without_e_mail_gets_the_letter_of_admission(register, admin_user):
    member = admit(register, admin_user)
    delivery = NoticeDelivery.objects.get(notice__kind=ADMISSION_NOTICE)
    assert delivery.notice.reference == "membership.admission:2026-11-30"
    assert (delivery.channel, delivery.status) == (Channel.LETTER, "pending")
    assert delivery.recipient_key == f"member:{member.pk}"
    assert f"Your member number: {member.number}" in delivery.body_text
    text = pdf_text(member_letters_html(kind=ADMISSION_NOTICE, members=[member]))
    assert "Your admission as a member" in text
    assert f"Member no. {member.number}" in text
    assert "12 chemin des Alpages" in text and "38520 Le Bourg-d'Oisans" in text
    assert "admitted you as a member on 30 November 2026" in text
    assert "will come to you by post" in text


def test_a_member_reached_by_e_mail_gets_no_letter_but_one_without_consent_does(
    register, admin_user
):
    admit(register, admin_user, email="ada@example.org", e_notices=True, last_name="Lovelace")
    assert not NoticeDelivery.objects.filter(notice__kind=ADMISSION_NOTICE).exists()
    admit(register, admin_user, email="bea@example.org", last_name="Bernard")
    assert NoticeDelivery.objects.get(notice__kind=ADMISSION_NOTICE).channel == Channel.LETTER


def test_the_letter_of_admission_in_french_and_in_large_type(register, admin_user):
    member = admit(register, admin_user, language="fr")
    Member.objects.filter(pk=member.pk).update(large_type=True)
    member.refresh_from_db()
    html = member_letters_html(kind=ADMISSION_NOTICE, members=[member])
    assert 'class="letter large-type"' in html
    assert re.search(r"\.large-type \{ font-size: 14pt", html)
    text = pdf_text(html)
    assert "Votre admission comme membre" in text
    assert f"Membre n° {member.number}" in text


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        ("resigned", "We have recorded your resignation from Les Communs d'Oisans"),
        ("excluded", "We have recorded your exclusion from Les Communs d'Oisans"),
        ("lost_quality", "you lost the quality of member of Les Communs d'Oisans"),
    ],
)
def test_a_member_who_leaves_is_told_by_letter(register, admin_user, status, sentence):
    member = admit(register, admin_user)
    member = member_exit(
        member=member,
        status=status,
        exited_on=dt.date(2026, 12, 1),
        decision_ref="Lettre du 1er décembre",
        actor=admin_user,
    )
    delivery = NoticeDelivery.objects.get(notice__kind=EXIT_NOTICE)
    assert delivery.notice.reference == "membership.exit:2026-12-01"
    assert delivery.channel == Channel.LETTER and sentence in delivery.body_text
    text = pdf_text(member_letters_html(kind=EXIT_NOTICE, members=[member]))
    assert sentence in text
    assert "no longer a member since 1 December 2026" in text
    assert "Reference of the decision or document: Lettre du 1er décembre" in text
    assert "Your shares are repaid at their nominal value" in text


def test_a_member_who_leaves_is_told_by_e_mail_when_they_agreed_and_nobody_after_a_death(
    register, admin_user
):
    ada = admit(register, admin_user, email="ada@example.org", e_notices=True, last_name="L")
    member_exit(
        member=ada,
        status="resigned",
        exited_on=dt.date(2026, 12, 1),
        decision_ref="x",
        actor=admin_user,
    )
    delivery = NoticeDelivery.objects.get(notice__kind=EXIT_NOTICE)
    assert (delivery.channel, delivery.to_email) == (Channel.EMAIL, "ada@example.org")
    bea = admit(register, admin_user, last_name="B")
    member_exit(
        member=bea,
        status="deceased",
        exited_on=dt.date(2026, 12, 2),
        decision_ref="acte",
        actor=admin_user,
    )
    assert NoticeDelivery.objects.filter(notice__kind=EXIT_NOTICE).count() == 1


def test_the_letters_of_a_day_are_printed_by_the_job_and_recorded_as_posted(
    admin_client, register, admin_user, run_jobs
):
    members = [admit(register, admin_user, last_name=name) for name in ("Abel", "Brun", "Cros")]
    notice = Notice.objects.get(kind=ADMISSION_NOTICE)
    assert notice.deliveries.count() == 3
    page = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk])).content.decode()
    assert "Print the letters to post (one PDF)" in page
    run_jobs(lambda: admin_client.post(reverse("coop:outbox_letters_print", args=[notice.pk])))
    job = Job.objects.get(kind="coop.letters_print")
    assert job.status == Job.Status.DONE and job.result["letters"] == 3
    pdf = b"".join(admin_client.get(reverse("jobs:download", args=[job.pk])).streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 3
    for page, member in zip(reader.pages, members, strict=True):
        assert f"Member no. {member.number}" in page.extract_text()
    assert letters_mark_posted(notice=notice, posted_on=timezone.localdate(), actor=admin_user) == 3
    page = admin_client.get(reverse("coop:outbox_notice", args=[notice.pk])).content.decode()
    assert "Print the letters to post (one PDF)" not in page


def _contact(member: Member, **changes) -> dict[str, str]:
    data = {
        name: getattr(member, name)
        for name in (
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "postal_code",
            "city",
            "country",
            "language",
        )
    }
    return {**data, **changes}


def test_the_member_asks_for_large_type_in_their_settings(client, register, admin_user):
    member = admit(register, admin_user, email="ada@example.org")  # invited: an account
    member.refresh_from_db()
    client.force_login(member.user)
    form = client.get(reverse("members:me_edit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'name="large_type"' in form
    assert "Print the letters I receive by post in large type" in form
    client.post(reverse("members:me_edit"), _contact(member, large_type="on"))
    member.refresh_from_db()
    assert member.large_type is True
    assert AuditEvent.objects.filter(
        action="member.preferences_changed", data__large_type=True
    ).exists()
    client.post(reverse("members:me_edit"), _contact(member))  # unticked
    member.refresh_from_db()
    assert member.large_type is False


def test_an_administrator_sets_large_type_on_the_register(admin_client, register, admin_user):
    member = admit(register, admin_user)
    url = reverse("members:member_edit", args=[member.pk])
    assert 'name="large_type"' in admin_client.get(url).content.decode()
    admin_client.post(url, _contact(member, large_type="on"))
    member.refresh_from_db()
    assert member.large_type is True
    html = member_letters_html(kind=ADMISSION_NOTICE, members=[member])
    assert 'class="letter large-type"' in html
