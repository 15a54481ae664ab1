"""The meeting desk: check-in (search and QR code), its undoing, the bureau, opening the meeting
with its figures, the live figures (htmx partial) and the attendance sheet (PDF)."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from coop.errors import DomainError
from coop.models import AuditEvent, Job
from governance.models import Assembly, BureauSeat, RollEntry
from governance.pdfs.attendance import attendance_sheet_html
from governance.services.meeting import (
    bureau_seat_add,
    bureau_seat_remove,
    meeting_open,
    roll_entry_check_in,
    roll_entry_check_in_undo,
)
from governance.services.proxies import proxy_give, proxy_revoke
from tests.governance.factories import (
    convened_assembly,
    meeting_today,
    members_admitted,
    statutes_and_register,
    voted_at_distance,
)
from tests.jobs import job_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly():
    register = statutes_and_register()
    members = members_admitted(register, 10)
    for number, member in enumerate(members):
        member.address = f"{number + 1} rue des Tilleuls"
        member.save(update_fields=["address"])
    return convened_assembly(starts_at=meeting_today(), members=members)


def _entries(assembly):
    return list(assembly.roll.select_related("college").order_by("member_number"))


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


# -- services ----------------------------------------------------------------------------------


def test_check_in_and_undo_are_recorded_and_audited(assembly, admin_user):
    entry = _entries(assembly)[0]
    roll_entry_check_in(roll_entry=entry, actor=admin_user)
    entry.refresh_from_db()
    assert entry.present_at is not None and entry.checked_in_by == admin_user
    with pytest.raises(DomainError, match="was already checked in"):
        roll_entry_check_in(roll_entry=entry, actor=admin_user)

    roll_entry_check_in_undo(roll_entry=entry, actor=admin_user)
    entry.refresh_from_db()
    assert (entry.present_at, entry.checked_in_by) == (None, None)
    with pytest.raises(DomainError, match="is not checked in"):
        roll_entry_check_in_undo(roll_entry=entry, actor=admin_user)
    actions = list(
        AuditEvent.objects.filter(action__startswith="assembly.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["assembly.checked_in", "assembly.check_in_undone"]


def test_a_member_who_gave_a_proxy_is_checked_in_only_after_revoking_it(assembly):
    ada, bob, *_rest = _entries(assembly)
    proxy = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    with pytest.raises(DomainError, match=f"gave a proxy to {bob.name}"):
        roll_entry_check_in(roll_entry=ada, actor=None)
    proxy_revoke(proxy=proxy, actor=None)
    roll_entry_check_in(roll_entry=ada, actor=None)
    assert RollEntry.objects.get(pk=ada.pk).present_at is not None


@pytest.mark.parametrize(
    "status", [Assembly.Status.VOTING_CLOSED, Assembly.Status.CANCELLED, Assembly.Status.PUBLISHED]
)
def test_no_check_in_once_voting_closed_or_cancelled(assembly, status):
    Assembly.objects.filter(pk=assembly.pk).update(status=status)
    with pytest.raises(DomainError):
        roll_entry_check_in(roll_entry=_entries(assembly)[0], actor=None)


def test_the_bureau_is_complete_before_the_meeting_opens_and_frozen_after(assembly, admin_user):
    ada, bob, cleo, *_rest = _entries(assembly)
    with pytest.raises(DomainError, match="missing: chair, scrutineer, secretary"):
        meeting_open(assembly=assembly, actor=admin_user)
    chair = bureau_seat_add(
        assembly=assembly, role="chair", name="", roll_entry=ada, actor=admin_user
    )
    assert chair.name == ada.name
    with pytest.raises(DomainError, match="already has a chair"):
        bureau_seat_add(assembly=assembly, role="chair", name="Autre", actor=admin_user)
    bureau_seat_add(assembly=assembly, role="scrutineer", name="Inès Roux", actor=admin_user)
    bureau_seat_add(assembly=assembly, role="scrutineer", name="", roll_entry=bob, actor=admin_user)
    secretary = bureau_seat_add(
        assembly=assembly, role="secretary", name="Paul Morel", actor=admin_user
    )
    bureau_seat_remove(seat=secretary, actor=admin_user)
    with pytest.raises(DomainError, match="missing: secretary"):
        meeting_open(assembly=assembly, actor=admin_user)
    bureau_seat_add(assembly=assembly, role="secretary", name="Paul Morel", actor=admin_user)

    roll_entry_check_in(roll_entry=ada, actor=admin_user)
    roll_entry_check_in(roll_entry=bob, actor=admin_user)
    proxy_give(assembly=assembly, giver=cleo, holder=ada, actor=admin_user)
    figures = meeting_open(assembly=assembly, actor=admin_user)

    assembly.refresh_from_db()
    assert assembly.meeting_opened_at is not None
    assert (figures.total, figures.quorum_required, figures.reached) == (3, 2, True)
    event = AuditEvent.objects.get(action="assembly.meeting_opened")
    assert event.data["present"] == 2
    assert event.data["represented"] == 1
    assert event.data["quorum_required"] == 2
    assert event.data["quorum_fraction"] == "1/5"
    assert event.data["reached"] is True
    with pytest.raises(DomainError, match="already opened"):
        meeting_open(assembly=assembly, actor=admin_user)
    with pytest.raises(DomainError, match="cannot change"):
        bureau_seat_add(assembly=assembly, role="scrutineer", name="Tard", actor=admin_user)
    # members arriving late are still checked in
    roll_entry_check_in(roll_entry=_entries(assembly)[5], actor=admin_user)


# -- the attendance sheet -----------------------------------------------------------------------


def test_the_attendance_sheet_lists_who_took_part_the_principals_and_the_bureau(assembly):
    e = _entries(assembly)
    roll_entry_check_in(roll_entry=e[0], actor=None)
    proxy_give(assembly=assembly, giver=e[1], holder=e[0], actor=None)
    proxy_give(assembly=assembly, giver=e[2], holder=e[3], actor=None)  # holder absent
    voted_at_distance(e[4])
    bureau_seat_add(assembly=assembly, role="chair", name="Marie Curie", actor=None)
    bureau_seat_add(assembly=assembly, role="secretary", name="Paul Morel", actor=None)

    html = attendance_sheet_html(assembly=assembly)
    for taking_part in (e[0], e[1], e[4]):
        assert taking_part.name in html
        assert taking_part.address in html
    assert e[2].name not in html and e[3].name not in html
    assert e[0].college.name in html
    assert f"represented by {e[0].name} (no. {e[0].member_number})" in html
    assert f"{e[0].name} (no. {e[0].member_number}) represents:" in html
    assert "Marie Curie" in html and "Paul Morel" in html


def test_attendance_sheet_download_is_a_pdf_for_administrators(
    assembly, admin_client, client, jobs_root
):
    e = _entries(assembly)
    roll_entry_check_in(roll_entry=e[0], actor=None)
    proxy_give(assembly=assembly, giver=e[1], holder=e[0], actor=None)
    url = reverse("governance:meeting_attendance", args=[assembly.pk])
    job, response = job_file(admin_client, admin_client.post(url))  # printed by a job
    assert job.kind == "governance.attendance_sheet"
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert e[0].name in text and e[1].name in text
    assert "à capital variable" in text
    assert "Attendance sheet" in text


# -- views ------------------------------------------------------------------------------------


def test_meeting_pages_are_for_administrators_only(assembly, client, member_user):
    urls = [
        reverse("governance:meeting", args=[assembly.pk]),
        reverse("governance:meeting_figures", args=[assembly.pk]),
        reverse("governance:meeting_bureau", args=[assembly.pk]),
        reverse("governance:check_in_token", args=[_entries(assembly)[0].check_in_token]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    client.force_login(member_user)
    for url in urls:
        assert client.get(url).status_code == 403
    attendance = reverse("governance:meeting_attendance", args=[assembly.pk])
    assert client.post(attendance).status_code == 403
    assert not Job.objects.exists()


def test_search_and_check_in_from_the_desk(assembly, admin_client):
    ada = _entries(assembly)[0]
    url = reverse("governance:meeting", args=[assembly.pk])
    response = admin_client.get(url, {"q": ada.name})
    assert response.status_code == 200
    assert f"Check in {ada.name}" in response.content.decode()

    partial = admin_client.get(
        url, {"q": str(ada.member_number)}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="checkin-results"
    )
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="checkin-results">')
    assert ada.name in body

    response = admin_client.post(
        reverse("governance:meeting_check_in", args=[assembly.pk]),
        {"roll_entry": ada.pk, "q": ada.name},
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(f"?q={ada.name.replace(' ', '+')}")
    body = response.content.decode()
    assert f"{ada.name} (no. {ada.member_number}) is checked in as present." in body
    assert f"Undo the check-in of {ada.name}" in body
    assert '<dd id="figure-present">1</dd>' in body

    admin_client.post(
        reverse("governance:meeting_check_in_undo", args=[assembly.pk]),
        {"roll_entry": ada.pk},
    )
    assert RollEntry.objects.get(pk=ada.pk).present_at is None


def test_the_qr_code_address_shows_who_and_checks_in_on_confirmation(assembly, admin_client):
    ada = _entries(assembly)[0]
    url = reverse("governance:check_in_token", args=[ada.check_in_token])
    response = admin_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert ada.name in body and f"Confirm the check-in of {ada.name}" in body
    assert RollEntry.objects.get(pk=ada.pk).present_at is None

    response = admin_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:meeting", args=[assembly.pk])
    assert RollEntry.objects.get(pk=ada.pk).present_at is not None

    again = admin_client.post(url)
    assert again.status_code == 400
    assert "was already checked in" in again.content.decode()
    assert admin_client.get(reverse("governance:check_in_token", args=["nope"])).status_code == 404


def test_a_principal_who_comes_revokes_their_proxy_at_the_desk(assembly, admin_client):
    ada, bob, *_rest = _entries(assembly)
    proxy = proxy_give(assembly=assembly, giver=ada, holder=bob, actor=None)
    response = admin_client.get(reverse("governance:check_in_token", args=[ada.check_in_token]))
    assert f"gave a proxy to {bob.name}" in response.content.decode()
    admin_client.post(reverse("governance:meeting_proxy_revoke", args=[assembly.pk, proxy.pk]))
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None
    admin_client.post(reverse("governance:check_in_token", args=[ada.check_in_token]))
    assert RollEntry.objects.get(pk=ada.pk).present_at is not None


def test_live_figures_partial_for_htmx_and_page_without_js(assembly, admin_client):
    url = reverse("governance:meeting_figures", args=[assembly.pk])
    page = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 5s"' in page
    assert f'href="{url}"' in page  # the refresh link, without JavaScript
    assert "<html" in page
    roll_entry_check_in(roll_entry=_entries(assembly)[0], actor=None)
    partial = admin_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial
    assert partial.lstrip().startswith('<section id="figures"')
    assert '<dd id="figure-present">1</dd>' in partial
    assert '<dd id="figure-roll">10</dd>' in partial


def test_live_figures_queries_do_not_grow_with_the_roll(admin_client, totp_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    register = statutes_and_register()
    counts = []
    for size in (3, 40):
        assembly = convened_assembly(
            starts_at=meeting_today(), members=members_admitted(register, size), title=f"A{size}"
        )
        entries = _entries(assembly)
        roll_entry_check_in(roll_entry=entries[0], actor=None)
        proxy_give(assembly=assembly, giver=entries[1], holder=entries[0], actor=None)
        url = reverse("governance:meeting_figures", args=[assembly.pk])
        admin_client.get(url, HTTP_HX_REQUEST="true")
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(url, HTTP_HX_REQUEST="true").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_bureau_and_opening_through_the_pages(assembly, admin_client):
    ada = _entries(assembly)[0]
    url = reverse("governance:meeting_bureau", args=[assembly.pk])
    assert admin_client.get(url).status_code == 200
    bad = admin_client.post(url, {"role": "chair", "name": "", "member_number": "999"})
    assert bad.status_code == 400
    assert "No member no. 999 on the roll" in bad.content.decode()
    admin_client.post(url, {"role": "chair", "name": "", "member_number": ada.member_number})
    admin_client.post(url, {"role": "scrutineer", "name": "Inès Roux"})
    refused = admin_client.post(reverse("governance:meeting_open", args=[assembly.pk]), follow=True)
    assert "missing: secretary" in refused.content.decode()
    admin_client.post(url, {"role": "secretary", "name": "Paul Morel"})
    assert BureauSeat.objects.filter(assembly=assembly).count() == 3
    opened = admin_client.post(reverse("governance:meeting_open", args=[assembly.pk]), follow=True)
    assert "the quorum of 2 is not reached" in opened.content.decode()
    assembly.refresh_from_db()
    assert assembly.meeting_opened_at is not None
