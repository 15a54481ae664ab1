"""The assemblies' desk through its pages: access, preparing a draft, the refusals shown with
nothing written, convening, the proof of sending (query count flat, CSV), the letters (PDF
with the check-in QR code), cancelling and the second convocation."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coop.models import Job, NoticeDelivery
from governance.documents import cancellation_letters_html, letters_html
from governance.models import AgendaItem, Assembly, Resolution, RollEntry
from governance.selectors.assemblies import roll_cancellation_letters
from governance.services.convocation import assembly_convene, check_in_url
from governance.services.meeting import bureau_seat_add, meeting_open
from members.models import Member
from tests.coop.factories import UserFactory
from tests.coop.mfa import activate_totp
from tests.governance.factories import (
    convened_assembly,
    draft_assembly,
    meeting_time,
    meeting_today,
    members_admitted,
    statutes_and_register,
)
from tests.jobs import job_file

pytestmark = pytest.mark.django_db

MANAGE = reverse("governance:manage")


@pytest.fixture
def register():
    return statutes_and_register(name="Les Communs d'Oisans")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def url(name: str, *args) -> str:
    return reverse(f"governance:{name}", args=args)


def test_the_desk_is_for_administrators_only(client, member_user, register):
    assembly = draft_assembly()
    assert client.get(MANAGE).status_code == 302  # signed out: to the sign-in page
    client.force_login(member_user)
    for address in (MANAGE, url("manage_detail", assembly.pk), url("manage_create")):
        assert client.get(address).status_code == 403
    assert client.post(url("manage_convene", assembly.pk)).status_code == 403
    assert Assembly.objects.get().status == Assembly.Status.DRAFT


def test_the_list_shows_drafts_upcoming_and_past(admin_client, register):
    members = members_admitted(register, 2)
    draft = draft_assembly(title="AG en préparation")
    upcoming = convened_assembly(members=members, title="AG convoquée")
    past = convened_assembly(
        members=members, title="AG passée", starts_at=timezone.now() - dt.timedelta(days=40)
    )
    page = text(admin_client.get(MANAGE))
    drafts, rest = page.split('id="upcoming-title"')
    coming, gone = rest.split('id="past-title"')
    assert draft.title in drafts and upcoming.title in coming and past.title in gone
    assert upcoming.title not in drafts and past.title not in coming


def test_creating_a_draft_with_the_statutes_default_deadline(admin_client, register):
    response = admin_client.post(
        url("manage_create"),
        {
            "title": "Assemblée générale 2027",
            "kind": "ordinary",
            "day": "2027-06-12",
            "time": "18:00",
            "place": "Salle des fêtes",
            "online_access": "",
            "deadline_day": "",
            "deadline_time": "",
        },
    )
    assembly = Assembly.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("manage_detail", assembly.pk)
    assert timezone.localtime(assembly.distance_vote_deadline).isoformat() == (
        "2027-06-11T15:00:00+02:00"
    )


def test_a_bad_draft_is_refused_with_messages_and_nothing_written(admin_client, register):
    response = admin_client.post(
        url("manage_create"),
        {
            "title": "AG",
            "kind": "ordinary",
            "day": "2027-06-12",
            "time": "18:00",
            "place": "",
            "online_access": "",
            "deadline_day": "2027-06-13",
            "deadline_time": "10:00",
        },
    )
    page = text(response)
    assert response.status_code == 200
    assert "Give the place of the meeting, how to join it online, or both." in page
    assert "The deadline for distance votes must be before the meeting starts." in page
    assert not Assembly.objects.exists()


def test_writing_the_agenda_through_the_pages(admin_client, register):
    assembly = draft_assembly(resolutions=1)
    item = AgendaItem.objects.get(assembly=assembly)
    response = admin_client.post(
        url("manage_item_add", assembly.pk), {"title": "Rapport moral", "description": ""}
    )
    assert response.status_code == 302
    report = AgendaItem.objects.get(title="Rapport moral")
    page = text(admin_client.get(url("manage_resolution_add", assembly.pk), {"item": report.pk}))
    assert "simple majority (more than 1/2 of the votes expressed)" in page
    assert "at least 2/3 of the votes expressed" in page
    response = admin_client.post(
        url("manage_resolution_add", assembly.pk),
        {
            "agenda_item": report.pk,
            "title": "Quitus",
            "text": "L'assemblée donne quitus au conseil.",
            "majority_kind": "ordinary",
            "board_approves": "approve",
        },
    )
    assert response.status_code == 302
    admin_client.post(url("manage_item_move", assembly.pk, report.pk), {"direction": "up"})
    assert Resolution.objects.get(title="Quitus").number == 1
    detail = text(admin_client.get(url("manage_detail", assembly.pk)))
    assert detail.index("Rapport moral") < detail.index(item.title.split("'")[0])
    assert "Resolution 1: Quitus" in detail
    assert "Majority required: simple majority (more than 1/2 of the votes expressed)." in detail
    assert "The board recommends adopting this resolution." in detail
    # A resolution without its text is refused, with the field's message.
    response = admin_client.post(
        url("manage_resolution_add", assembly.pk),
        {"agenda_item": report.pk, "title": "Vide", "text": "", "majority_kind": "ordinary"},
    )
    assert response.status_code == 200 and "This field is required." in text(response)
    # ... and so is one without the board's position (RULES 34).
    assert "Say whether the board recommends this resolution." in text(response)
    assert not Resolution.objects.filter(title="Vide").exists()


def test_convening_too_late_shows_until_when_and_changes_nothing(admin_client, register):
    members_admitted(register, 2)
    assembly = draft_assembly(starts_at=meeting_time(days_ahead=5))
    detail = text(admin_client.get(url("manage_detail", assembly.pk)))
    assert "Too late for this date" in detail
    response = admin_client.post(url("manage_convene", assembly.pk))
    assert response.status_code == 400
    local = timezone.localtime(assembly.starts_at)
    latest = local.date() - dt.timedelta(days=15)
    expected = (
        f"For a meeting on {local.day} {local:%B} at 18:00, the convocation must be sent by "
        f"{latest.day} {latest:%B}."
    )
    assert expected in text(response)
    assert Assembly.objects.get().status == Assembly.Status.DRAFT
    assert not RollEntry.objects.exists() and not NoticeDelivery.objects.exists()


def test_the_assembly_s_day_and_time_read_as_each_language_writes_them(admin_client, register):
    assembly = draft_assembly(starts_at=meeting_time(days_ahead=40))
    members_admitted(register, 2)
    local = timezone.localtime(assembly.starts_at)
    english = text(admin_client.get(url("manage_detail", assembly.pk)))
    assert f"{local:%A} {local.day} {local:%B} {local.year}, 18:00</time>" in english
    # French: "à" and "18 h 00", with no-break spaces (kept: not collapsed like text() does).
    french = admin_client.get(url("manage_detail", assembly.pk), HTTP_ACCEPT_LANGUAGE="fr")
    page = french.content.decode()
    assert re.search(r'id="starts-at"><time [^>]*>\w+ \d+ \w+ \d{4} à 18\xa0h\xa000</time>', page)
    assert f'datetime="{local.isoformat()}"' in page  # the machine's format stays ISO
    assert re.search(r'id="deadline">\w+ \d+ \w+ \d{4} à \d\d\xa0h\xa0\d\d</dd>', page)
    # The desk's list, and the refusal to convene too late, in French too.
    listing = admin_client.get(MANAGE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"\d+ \w+ \d{4} à 18\xa0h\xa000</time>", listing)
    late = draft_assembly(starts_at=meeting_time(days_ahead=5))
    refused = admin_client.post(url("manage_convene", late.pk), HTTP_ACCEPT_LANGUAGE="fr")
    assert re.search(
        r"Pour une réunion le \d+ \w+ à 18\xa0h\xa000, la convocation", refused.content.decode()
    )


def test_convening_through_the_page(admin_client, totp_admin, register, run_jobs):
    members_admitted(register, 3)
    assembly = draft_assembly()
    confirm = text(admin_client.get(url("manage_convene", assembly.pk)))
    assert re.search(r'id="eligible">3<', confirm)
    # Convening runs as a job (never in the web request): its page follows it.
    response = run_jobs(lambda: admin_client.post(url("manage_convene", assembly.pk)))
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    page = text(admin_client.get(response["Location"]))
    assert "Convening an assembly" in page
    assert "The assembly is convened: 3 members are on the roll" in page
    assert url("manage_detail", assembly.pk) in page
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.CONVENED and assembly.convened_by == totp_admin
    detail = text(admin_client.get(url("manage_detail", assembly.pk)))
    assert re.search(r'id="roll-size">3<', detail)
    assert re.search(r'id="by-letter">3<', detail)
    assert url("manage_letters", assembly.pk) in detail
    assert "Move up" not in detail and "Remove" not in detail  # the agenda is frozen


def _proof(admin_client, assembly, **params) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url("manage_proof", assembly.pk), params)
    assert response.status_code == 200
    return len(queries), text(response)


def test_the_proof_page_shows_each_member_with_a_flat_query_count(
    admin_client, register, admin_user
):
    few = members_admitted(register, 3)
    Member.objects.filter(pk=few[0].pk).update(e_notices=True)
    small = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    members_admitted(register, 40)
    large = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    sent_at = timezone.now()
    first = RollEntry.objects.get(assembly=small, member=few[0]).convocation_delivery
    NoticeDelivery.objects.filter(pk=first.pk).update(status="sent", sent_at=sent_at)
    failed = RollEntry.objects.get(assembly=large, member=few[1]).convocation_delivery
    NoticeDelivery.objects.filter(pk=failed.pk).update(
        status="failed", last_error="550 5.1.1 Mailbox unknown"
    )

    small_count, small_page = _proof(admin_client, small)
    large_count, large_page = _proof(admin_client, large)
    assert small_count == large_count
    assert few[0].email in small_page and "Sent" in small_page
    assert re.search(r'id="count-sent">1<', small_page)
    assert re.search(r'id="count-pending">42<', large_page)
    assert "letter (PDF)" in small_page
    assert "43 members</h3>" in large_page

    _count, failed_page = _proof(admin_client, large, status="failed")
    assert "1 member" in failed_page and "550 5.1.1 Mailbox unknown" in failed_page
    assert few[2].display_name not in failed_page
    # htmx asks for the list alone.
    partial = admin_client.get(
        url("manage_proof", large.pk), {"status": "failed"}, HTTP_HX_REQUEST="true"
    )
    assert text(partial).strip().startswith('<section id="proof-entries"')


def test_the_proof_of_sending_as_csv(admin_client, register, admin_user, jobs_root):
    (member,) = members_admitted(register, 1)
    Member.objects.filter(pk=member.pk).update(e_notices=True, last_name="=Durand")
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    delivery = RollEntry.objects.get(assembly=assembly).convocation_delivery
    NoticeDelivery.objects.filter(pk=delivery.pk).update(
        status="sent", sent_at=timezone.now(), message_id="<abc@voliere>"
    )
    job, response = job_file(admin_client, admin_client.post(url("manage_proof_csv", assembly.pk)))
    assert job.kind == "governance.convocation_proof"  # written by a job, not in the request
    body = b"".join(response.streaming_content).decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert body.startswith("\ufeffmember number;name;channel;e-mail address;status;sent at")
    lines = body.split("\r\n")
    assert lines[1].startswith(f"{member.number};Claire =Durand;e-mail;{member.email};sent;")
    assert "<abc@voliere>" in lines[1]


def test_letters_carry_the_qr_code_of_the_check_in_and_print_as_pdf(
    admin_client, register, admin_user
):
    members = members_admitted(register, 2)
    Member.objects.filter(pk=members[1].pk).update(
        e_notices=True, address="2 rue Haute", postal_code="38220", city="Vizille"
    )
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    entries = list(RollEntry.objects.filter(assembly=assembly).select_related("member"))
    html = letters_html(assembly=assembly, entries=entries)
    assert html.count('class="letter"') == 2
    assert "2 rue Haute, 38220 Vizille, France" in html
    assert html.count("<svg") == 2
    assert "Les Communs d&#x27;Oisans" in html and "à capital variable" in html  # escaped HTML
    assert "Resolution 1: Résolution 1" in html or "Résolution 1 : Résolution 1" in html
    assert check_in_url(entries[0].check_in_token).startswith("http")

    one = admin_client.get(url("manage_letter", assembly.pk, entries[0].pk))
    assert one.status_code == 200 and one["Content-Type"] == "application/pdf"
    assert one.content.startswith(b"%PDF")
    combined = admin_client.get(url("manage_letters", assembly.pk))
    assert combined.status_code == 200 and combined.content.startswith(b"%PDF")
    # Only the member convened by post has a letter in the combined PDF: part 2 is empty.
    assert admin_client.get(url("manage_letters", assembly.pk), {"part": 2}).status_code == 404


def test_cancelling_through_the_page_needs_a_reason(admin_client, register, admin_user):
    members_admitted(register, 2)
    assembly = assembly_convene(assembly=draft_assembly(), actor=admin_user)
    response = admin_client.post(url("manage_cancel", assembly.pk), {"reason": ""})
    assert response.status_code == 200 and "This field is required." in text(response)
    response = admin_client.post(
        url("manage_cancel", assembly.pk), {"reason": "La salle est indisponible."}
    )
    assert response.status_code == 302
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.CANCELLED
    detail = text(admin_client.get(url("manage_detail", assembly.pk)))
    assert "La salle est indisponible." in detail
    assert url("manage_cancel", assembly.pk) not in detail
    # The two members told by post have their letters of cancellation to print.
    assert url("manage_cancellation_letters", assembly.pk) in detail
    entries = list(roll_cancellation_letters(assembly=assembly).select_related("member"))
    assert len(entries) == 2
    html = cancellation_letters_html(assembly=assembly, entries=entries)
    assert html.count('class="letter"') == 2 and "La salle est indisponible." in html
    letters = admin_client.get(url("manage_cancellation_letters", assembly.pk))
    assert letters.status_code == 200 and letters.content.startswith(b"%PDF")


def test_preparing_the_second_convocation_through_the_page(admin_client, register):
    first = convened_assembly(starts_at=meeting_today(), members=members_admitted(register, 10))
    for role in ("chair", "scrutineer", "secretary"):
        bureau_seat_add(assembly=first, role=role, name="Camille Roux", actor=None)
    meeting_open(assembly=first, actor=None)  # nobody came: the quorum is not reached
    detail = text(admin_client.get(url("manage_detail", first.pk)))
    assert "The quorum was not reached: 0 of 10 members took part, 2 were needed." in detail
    day = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = admin_client.post(url("manage_second", first.pk), {"day": day, "time": "18:00"})
    second = Assembly.objects.get(first_convocation=first)
    assert response["Location"] == url("manage_detail", second.pk)
    page = text(admin_client.get(url("manage_detail", second.pk)))
    assert "second convocation" in page
    assert "The statutes require 10 days' notice" in page


def test_the_django_admin_shows_assemblies_read_only(client, register):
    # The Django admin is for superusers (technical staff), behind TOTP: tests/coop/test_admin.py.
    superuser = UserFactory(is_superuser=True, is_staff=True)
    activate_totp(superuser)
    client.force_login(superuser)
    admin_client = client
    assembly = convened_assembly(members=members_admitted(register, 2))
    page = admin_client.get(reverse("admin:governance_assembly_changelist"))
    assert page.status_code == 200 and assembly.title in text(page)
    assert reverse("admin:governance_assembly_add") not in text(page)
    change = reverse("admin:governance_assembly_change", args=[assembly.pk])
    assert admin_client.get(change).status_code == 200
    assert admin_client.post(change, {"title": "Autre"}).status_code == 403
    assembly.refresh_from_db()
    assert assembly.title != "Autre"


def test_moving_a_draft_moves_a_default_deadline_but_keeps_a_chosen_one(admin_client, register):
    assembly = draft_assembly(starts_at=meeting_time(days_ahead=20))  # the statutes' default
    page = admin_client.get(url("manage_edit", assembly.pk))
    assert page.context["form"].initial.get("deadline_day") is None
    later = timezone.localdate() + dt.timedelta(days=40)
    values = {
        "title": assembly.title,
        "kind": "ordinary",
        "day": later.isoformat(),
        "time": "18:00",
        "place": assembly.place,
        "online_access": "",
        "deadline_day": "",
        "deadline_time": "",
    }
    assert admin_client.post(url("manage_edit", assembly.pk), values).status_code == 302
    assembly.refresh_from_db()
    deadline = timezone.localtime(assembly.distance_vote_deadline)
    assert (deadline.date(), deadline.hour) == (later - dt.timedelta(days=1), 15)

    chosen = later - dt.timedelta(days=3)
    values.update(deadline_day=chosen.isoformat(), deadline_time="12:00")
    admin_client.post(url("manage_edit", assembly.pk), values)
    page = admin_client.get(url("manage_edit", assembly.pk))
    assert page.context["form"].initial["deadline_day"] == chosen
