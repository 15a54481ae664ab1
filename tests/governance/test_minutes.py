"""Minutes (RULES 17): drafted from the record, completed, published once, read for 3 years."""

import datetime as dt
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from coop.errors import DomainError
from governance.models import Assembly, BureauSeat, Minutes, RollEntry
from governance.selectors.minutes import minutes_archive
from governance.services.ballots import ballot_cast
from governance.services.minutes import minutes_publish, minutes_save
from governance.services.voting import assembly_tally, results_publish
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register
from tests.jobs import job_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(totp_admin):
    """An assembly whose vote was held, tallied and published."""
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 3), resolutions=1)
    BureauSeat.objects.create(assembly=assembly, role="chair", name="Anne Présidente")
    BureauSeat.objects.create(assembly=assembly, role="secretary", name="Paul Secrétaire")
    resolution = assembly.resolutions.get()
    for entry in RollEntry.objects.filter(assembly=assembly):
        ballot_cast(
            assembly=assembly,
            voter=entry,
            choices={resolution.pk: "for"},
            actor=None,
            now=assembly.distance_vote_deadline,
        )
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    assembly_tally(assembly=assembly)
    results_publish(assembly=assembly, actor=totp_admin)
    return Assembly.objects.get(pk=assembly.pk)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_minutes_wait_for_the_published_results(totp_admin):
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 1))
    with pytest.raises(DomainError, match="once the results of the vote are published"):
        minutes_save(
            assembly=assembly, debate_summary="x", documents_presented="", actor=totp_admin
        )


def test_publish_needs_a_summary_and_then_nothing_changes(held, totp_admin):
    minutes_save(assembly=held, debate_summary="", documents_presented="", actor=totp_admin)
    with pytest.raises(DomainError, match="summary of the debates"):
        minutes_publish(assembly=held, actor=totp_admin)
    minutes_save(
        assembly=held,
        debate_summary="Les comptes sont présentés.",
        documents_presented="Comptes annuels",
        actor=totp_admin,
    )
    minutes_publish(assembly=held, actor=totp_admin)
    with pytest.raises(DomainError, match="can no longer be changed"):
        minutes_save(
            assembly=held, debate_summary="Autre", documents_presented="", actor=totp_admin
        )
    with pytest.raises(DomainError, match="already published"):
        minutes_publish(assembly=held, actor=totp_admin)
    # The database refuses too, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE governance_minutes SET debate_summary = 'réécrit'")
    assert Minutes.objects.get().debate_summary == "Les comptes sont présentés."


def test_the_pdf_states_convocation_bureau_resolutions_and_results(admin_client, held):
    edit = reverse("governance:minutes_edit", kwargs={"pk": held.pk})
    response = admin_client.post(
        edit,
        {"debate_summary": "Débat sur les comptes.", "documents_presented": "Rapport du conseil"},
        follow=True,
    )
    assert "The minutes are saved" in response.content.decode()
    pdf = admin_client.get(reverse("governance:minutes_pdf", kwargs={"pk": held.pk}))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in (
        "à capital variable",
        "Anne Présidente",
        "Paul Secrétaire",
        "Débat sur les comptes.",
        "Rapport du conseil",
        "Résolution 1",
        "Adopted",
        "Draft",
    ):
        assert expected in text, expected

    admin_client.post(reverse("governance:minutes_publish", kwargs={"pk": held.pk}))
    assert Minutes.objects.get().published_at is not None
    published = pdf_text(
        admin_client.get(reverse("governance:minutes_pdf", kwargs={"pk": held.pk})).content
    )
    assert "Draft" not in published
    assert "Published on" in published


def test_members_read_published_minutes_of_the_last_three_years_only(held, totp_admin, jobs_root):
    member = Client(HTTP_ACCEPT_LANGUAGE="en")
    member.force_login(UserFactory(roles=["member"]))
    url = reverse("governance:minutes_pdf", kwargs={"pk": held.pk})
    minutes_save(assembly=held, debate_summary="Débat.", documents_presented="", actor=totp_admin)
    assert member.get(url).status_code == 404  # a draft is not for members

    attendance = reverse("governance:attendance_pdf", kwargs={"pk": held.pk})
    assert member.post(attendance).status_code == 404
    minutes_publish(assembly=held, actor=totp_admin)
    assert member.get(url).status_code == 200
    _job, printed = job_file(member, member.post(attendance))  # printed by a job
    assert printed["Content-Type"] == "application/pdf"
    archive = member.get(reverse("governance:minutes_archive")).content.decode()
    assert held.title in archive
    assert attendance in archive

    later = held.starts_at + dt.timedelta(days=3 * 366)
    assert not minutes_archive(now=later).exists()
