"""The chair's page for room counts (bound, count, correction), and the corrected counts in the
results, the published ballot box and the minutes."""

import html
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from governance.models import Assembly, AssemblyCollege, RollEntry, RoomCount
from governance.services.minutes import minutes_save
from governance.services.room_counts import room_count_correct, room_count_record
from governance.services.voting import assembly_tally, results_publish, voting_close
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.ballot_box import ballot_box_download
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly():
    """Vote open; the three employees and one beneficiary are in the room."""
    register = statutes_and_register()
    members = members_admitted(register, 3, category="employee") + members_admitted(
        register, 2, category="beneficiary"
    )
    assembly = convened_assembly(members=members, resolutions=1)
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    RollEntry.objects.filter(pk__in=[e.pk for e in entries[:4]]).update(present_at=timezone.now())
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_OPEN,
        meeting_opened_at=timezone.now(),
        voting_opened_at=timezone.now(),
    )
    return Assembly.objects.select_related("statutes").get(pk=assembly.pk)


def salaries(assembly) -> AssemblyCollege:
    return AssemblyCollege.objects.get(assembly=assembly, name="Salariés")


def control_url(assembly) -> str:
    return reverse("governance:vote_control", kwargs={"pk": assembly.pk})


def correct_url(assembly, row) -> str:
    return reverse(
        "governance:vote_room_count_correct", kwargs={"pk": assembly.pk, "count_pk": row.pk}
    )


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def visible(response) -> str:
    """The text of a page as read, without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace(
        " .", "."
    )


def test_the_page_shows_each_bound_and_refuses_a_count_above_it(admin_client, assembly):
    page = text_of(admin_client.get(control_url(assembly)))
    assert "(3 present, 0 represented by members present, 0 already voted online)" in page
    assert "(1 present, 0 represented by members present, 0 already voted online)" in page
    assert "not recorded" in page

    refused = admin_client.post(
        reverse("governance:vote_room_count", kwargs={"pk": assembly.pk}),
        {
            "resolution": assembly.resolutions.get().pk,
            "college": salaries(assembly).pk,
            "votes_for": 3,
            "votes_against": 1,
            "abstentions": 0,
        },
    )
    assert refused.status_code == 400
    assert (
        "At most 3 voices can be counted in the room for college Salariés on resolution 1 "
        "(3 present, 0 represented by members present, 0 already voted online); 4 entered."
    ) in text_of(refused)
    assert not RoomCount.objects.exists()


def test_the_bureau_corrects_a_count_with_a_reason(admin_client, assembly, totp_admin):
    row = room_count_record(
        assembly=assembly,
        resolution_id=assembly.resolutions.get().pk,
        college=salaries(assembly),
        votes_for=3,
        votes_against=0,
        abstentions=0,
        actor=totp_admin,
    )
    page = admin_client.get(control_url(assembly)).content.decode()
    assert correct_url(assembly, row) in page
    assert "Correct the count of resolution 1" in page
    prefix = f"correct-{row.pk}"

    # Without a reason: the form comes back with the message, opened, and nothing is written.
    missing = admin_client.post(
        correct_url(assembly, row),
        {f"{prefix}-votes_for": 2, f"{prefix}-votes_against": 1, f"{prefix}-abstentions": 0},
    )
    assert missing.status_code == 400
    body = text_of(missing)
    assert "Give the reason for the correction." in body
    assert '<details class="room-correct" open>' in body
    assert RoomCount.objects.count() == 1

    # Above the bound: refused with the figures, the values typed are kept.
    above = admin_client.post(
        correct_url(assembly, row),
        {
            f"{prefix}-votes_for": 2,
            f"{prefix}-votes_against": 2,
            f"{prefix}-abstentions": 0,
            f"{prefix}-reason": "Recompté",
        },
    )
    assert above.status_code == 400
    assert "At most 3 voices can be counted" in text_of(above)
    assert 'value="Recompté"' in above.content.decode() or "Recompté</textarea>" in (
        above.content.decode()
    )

    done = admin_client.post(
        correct_url(assembly, row),
        {
            f"{prefix}-votes_for": 2,
            f"{prefix}-votes_against": 1,
            f"{prefix}-abstentions": 0,
            f"{prefix}-reason": "Une main comptée deux fois",
        },
        follow=True,
    )
    body = text_of(done)
    assert "The count of the room is corrected; the value first entered is kept." in body
    assert "for: 2, against: 1, abstentions: 0" in body
    assert "First entered at" in body and "for: 3, against: 0, abstentions: 0" in body
    assert "for this reason: Une main comptée deux fois; new count:" in body
    fixed = RoomCount.objects.get(corrects=row)
    # The corrected row has no form any more; the current one has.
    assert correct_url(assembly, row) not in body
    assert correct_url(assembly, fixed) in body

    # The old page, sent again: the first row is already corrected.
    stale = admin_client.post(
        correct_url(assembly, row),
        {
            f"{prefix}-votes_for": 1,
            f"{prefix}-votes_against": 2,
            f"{prefix}-abstentions": 0,
            f"{prefix}-reason": "Autre",
        },
    )
    assert stale.status_code == 400
    assert "This count was already corrected at" in text_of(stale)
    assert RoomCount.objects.count() == 2


def test_the_correction_form_speaks_french(assembly, totp_admin):
    row = room_count_record(
        assembly=assembly,
        resolution_id=assembly.resolutions.get().pk,
        college=salaries(assembly),
        votes_for=3,
        votes_against=0,
        abstentions=0,
        actor=totp_admin,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(totp_admin)
    prefix = f"correct-{row.pk}"
    response = client.post(
        correct_url(assembly, row),
        {
            f"{prefix}-votes_for": 3,
            f"{prefix}-votes_against": 0,
            f"{prefix}-abstentions": 0,
            f"{prefix}-reason": "Rien",
        },
    )
    body = html.unescape(text_of(response))
    assert "La correction donne les mêmes chiffres que le décompte qu'elle corrige." in body
    assert "Corriger le décompte de la résolution 1" in body


def test_after_the_close_no_correction_is_offered_or_accepted(admin_client, assembly, totp_admin):
    row = room_count_record(
        assembly=assembly,
        resolution_id=assembly.resolutions.get().pk,
        college=salaries(assembly),
        votes_for=3,
        votes_against=0,
        abstentions=0,
        actor=totp_admin,
    )
    voting_close(assembly=assembly, actor=totp_admin)
    page = admin_client.get(control_url(assembly)).content.decode()
    assert "for: 3, against: 0, abstentions: 0" in page
    assert correct_url(assembly, row) not in page
    prefix = f"correct-{row.pk}"
    refused = admin_client.post(
        correct_url(assembly, row),
        {
            f"{prefix}-votes_for": 1,
            f"{prefix}-votes_against": 0,
            f"{prefix}-abstentions": 0,
            f"{prefix}-reason": "Trop tard",
        },
    )
    assert refused.status_code == 400
    assert "(status of the assembly: voting closed)" in text_of(refused)
    assert RoomCount.objects.count() == 1


def pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def test_results_ballot_box_and_minutes_show_the_correction(admin_client, assembly, totp_admin):
    resolution = assembly.resolutions.get()
    row = room_count_record(
        assembly=assembly,
        resolution_id=resolution.pk,
        college=salaries(assembly),
        votes_for=3,
        votes_against=0,
        abstentions=0,
        actor=totp_admin,
    )
    room_count_correct(
        assembly=assembly,
        room_count=row,
        votes_for=1,
        votes_against=2,
        abstentions=0,
        reason="Deux mains levées contre",
        actor=totp_admin,
    )
    voting_close(assembly=assembly, actor=totp_admin)
    (result,) = assembly_tally(assembly=Assembly.objects.get(pk=assembly.pk))
    assert (result.votes_for, result.votes_against) == (1, 2)

    results = visible(admin_client.get(reverse("governance:results", kwargs={"pk": assembly.pk})))
    assert "Counts of the room corrected before the tally, resolution 1" in results
    line = "Counted in the room for Salariés: for: 1, against: 2, abstentions: 0. First entered at"
    assert results.count(line) == 2  # under the table, and in the check by hand
    assert "for: 3, against: 0, abstentions: 0." in results
    assert "for this reason: Deux mains levées contre; new count: for: 1, against: 2" in results

    results_publish(assembly=assembly, actor=totp_admin)
    member = UserFactory(roles=["member"])
    first = RollEntry.objects.filter(assembly=assembly).order_by("member_number").first()
    Member.objects.filter(pk=first.member_id).update(user=member)
    reader = Client(HTTP_ACCEPT_LANGUAGE="en")
    reader.force_login(member)
    box = json.loads(ballot_box_download(reader, assembly, "json"))
    (room,) = box["room_counts"]  # the current count only: the recount adds it once
    assert (room["for"], room["against"], room["abstain"]) == (1, 2, 0)
    (earlier,) = room["corrects"]
    assert (earlier["for"], earlier["against"], earlier["reason"]) == (
        3,
        0,
        "Deux mains levées contre",
    )

    assembly = Assembly.objects.get(pk=assembly.pk)
    minutes_save(
        assembly=assembly, debate_summary="Débat.", documents_presented="", actor=totp_admin
    )
    pdf = admin_client.get(reverse("governance:minutes_pdf", kwargs={"pk": assembly.pk}))
    text = pdf_text(pdf.content)
    assert "Counts of the room corrected before the tally:" in text
    assert "Counted in the room for Salariés: for: 1, against: 2, abstentions: 0." in text
    assert "First entered at" in text and "for: 3, against: 0, abstentions: 0." in text
    assert "for this reason: Deux mains levées contre; new count: for: 1" in text


def test_a_count_left_above_the_room_is_flagged(admin_client, assembly, totp_admin):
    from governance.services.ballots import ballot_cast

    resolution = assembly.resolutions.get()
    room_count_record(
        assembly=assembly,
        resolution_id=resolution.pk,
        college=salaries(assembly),
        votes_for=3,
        votes_against=0,
        abstentions=0,
        actor=totp_admin,
    )
    page = visible(admin_client.get(control_url(assembly)))
    assert "This count is now above" not in page
    # After the count, an employee in the room votes on their phone too.
    employee = RollEntry.objects.filter(assembly=assembly, college=salaries(assembly)).first()
    ballot_cast(assembly=assembly, voter=employee, choices={resolution.pk: "for"}, actor=None)
    page = visible(admin_client.get(control_url(assembly)))
    assert (
        "This count is now above the 2 voices the room can count (someone left or voted online "
        "since): correct it before closing the vote."
    ) in page


def test_the_page_reads_a_fixed_number_of_queries(admin_client, totp_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(resolutions: int) -> int:
        register = statutes_and_register()
        members = members_admitted(register, 3, category="employee")
        assembly = convened_assembly(members=members, resolutions=resolutions)
        RollEntry.objects.filter(assembly=assembly).update(present_at=timezone.now())
        Assembly.objects.filter(pk=assembly.pk).update(
            status=Assembly.Status.VOTING_OPEN,
            meeting_opened_at=timezone.now(),
            voting_opened_at=timezone.now(),
        )
        assembly = Assembly.objects.get(pk=assembly.pk)
        for resolution in assembly.resolutions.all():
            row = room_count_record(
                assembly=assembly,
                resolution_id=resolution.pk,
                college=salaries(assembly),
                votes_for=3,
                votes_against=0,
                abstentions=0,
                actor=totp_admin,
            )
            room_count_correct(
                assembly=assembly,
                room_count=row,
                votes_for=2,
                votes_against=1,
                abstentions=0,
                reason="Recompté",
                actor=totp_admin,
            )
        admin_client.get(control_url(assembly))  # sessions and caches warm
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(control_url(assembly)).status_code == 200
        return len(queries)

    assert queries_for(1) == queries_for(4)
