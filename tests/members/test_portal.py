"""A member's own pages: their entry and history, contact details, consent, personal data."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members import gdpr
from members.models import Member, RegisterEvent
from members.services import member_move_college, member_update_contact, members_ratify
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import admitted, standard_register

pytestmark = pytest.mark.django_db

SECRETARY = "secretary@example.org"


@pytest.fixture
def register(db):
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


@pytest.fixture
def secretary(db):
    return UserFactory(roles=["administrator"], email=SECRETARY)


def linked_member(register, user, **kwargs) -> Member:
    """An admitted member whose entry is linked to `user`'s login account."""
    member = admitted(
        register["categories"]["employee"], register["colleges"]["employees"], **kwargs
    )
    member.user = user
    member.save(update_fields=["user"])
    return member


@pytest.fixture
def claire(register, secretary):
    user = UserFactory(roles=["member"], email="claire@example.org")
    member = linked_member(
        register,
        user,
        first_name="Claire",
        last_name="Durand",
        email="claire@example.org",
        phone="04 76 11 22 33",
        city="Grenoble",
        actor=secretary,
    )
    members_ratify(
        members=[member], ratified_on=dt.date(2025, 6, 1), assembly_ref="AGO 2025", actor=secretary
    )
    member_move_college(
        member=member,
        college=register["colleges"]["users"],
        effective_on=dt.date(2025, 7, 1),
        decision_ref="CA 2025-07",
        actor=secretary,
    )
    member.refresh_from_db()
    return member


@pytest.fixture
def other(register, secretary):
    user = UserFactory(roles=["member"], email="marc@example.org")
    return linked_member(
        register, user, first_name="Marc", last_name="Voisin", phone="06 99 88 77 66"
    )


@pytest.fixture
def claire_client(client, claire):
    client.force_login(claire.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


# --- My membership ---------------------------------------------------------------------------


def test_my_membership_shows_my_entry_status_and_history(claire_client, claire, other):
    response = claire_client.get(reverse("members:me"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>My membership</h1>" in page
    assert f"<dd>{claire.number}</dd>" in page
    assert '<span class="badge">Member</span>' in page
    assert "Bénéficiaires" in page  # the college she moved to
    assert "Feb. 1, 2025 — decision CA 2025-02" in page
    assert "June 1, 2025 — by AGO 2025" in page
    # Her history: every event, oldest first, with what changed, without who at the office.
    history = page[page.index('id="history-caption"') :]
    kinds = [
        "Application",
        "Admission",
        "Ratification by the general assembly",
        "Moved to another college",
    ]
    positions = [history.index(f"<td>{kind}</td>") for kind in kinds]
    assert positions == sorted(positions)
    assert "<li>College: Bénéficiaires</li>" in page
    assert "CA 2025-07" in page
    assert SECRETARY not in page
    assert "the cooperative" in page
    # Never anybody else's entry.
    assert "Voisin" not in page and "06 99 88 77 66" not in page


def test_another_member_sees_only_their_own_entry(client, claire, other):
    client.force_login(other.user)
    page = client.get(reverse("members:me"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Voisin" in page and "06 99 88 77 66" in page
    assert "Durand" not in page and "04 76 11 22 33" not in page
    data = client.get(reverse("members:me_data")).json()
    assert data["member"]["last_name"] == "Voisin"
    assert "Durand" not in json.dumps(data)


def test_a_member_account_without_an_entry_gets_an_explanation(client, register):
    user = UserFactory(roles=["member"], email="nobody@example.org")
    client.force_login(user)
    response = client.get(reverse("members:me"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your account is not linked to an entry in the member register." in page
    assert "nobody@example.org" in page
    for name in ("members:me_edit", "members:me_data"):
        assert client.get(reverse(name))["Location"] == reverse("members:me")


def test_my_membership_is_for_signed_in_members(client, register):
    response = client.get(reverse("members:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory(roles=[]))
    assert client.get(reverse("members:me")).status_code == 403


def test_my_membership_in_french(client, claire):
    client.force_login(claire.user)
    response = client.get(reverse("members:me"), HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert "1 février 2025" in page  # dates in the member's language


# --- My contact details ----------------------------------------------------------------------


def test_editing_my_details_saves_them_as_a_dated_event(claire_client, claire):
    form = claire_client.get(reverse("members:me_edit")).content.decode()
    assert 'value="04 76 11 22 33"' in form
    assert 'autocomplete="tel"' in form
    assert "legal_name" not in form  # not editable by the member
    response = claire_client.post(
        reverse("members:me_edit"),
        {
            "first_name": "Claire",
            "last_name": "Durand",
            "email": "claire@example.org",
            "phone": "06 12 34 56 78",
            "address": "5 place Notre-Dame",
            "postal_code": "38000",
            "city": "Grenoble",
            "country": "France",
            "language": "en",
            # Not part of the form: ignored.
            "legal_name": "Hacked",
            "number": "999",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("members:me")
    assert "Your contact details are saved." in response.content.decode()
    claire.refresh_from_db()
    assert (claire.phone, claire.address, claire.language) == (
        "06 12 34 56 78",
        "5 place Notre-Dame",
        "en",
    )
    assert (claire.legal_name, claire.number) == ("", 1)
    event = claire.events.latest("id")
    assert event.kind == RegisterEvent.Kind.CONTACT_CHANGED
    assert event.actor == claire.user
    assert set(event.changes) == {"phone", "address", "postal_code"}
    page = response.content.decode()
    assert "<li>Telephone: 06 12 34 56 78</li>" in page
    row = page[page.index("<td>Contact details changed</td>") :]
    assert "<td>you</td>" in row[: row.index("</tr>")]


def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(claire_client, claire):
    events = claire.events.count()
    response = claire_client.post(
        reverse("members:me_edit"),
        {"first_name": "Claire", "last_name": "", "phone": "07 00 00 00 00", "language": "fr"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Error:" in page
    assert "Your details were not saved. Please correct:" in page
    assert 'href="#id_last_name"' in page
    assert 'value="07 00 00 00 00"' in page
    claire.refresh_from_db()
    assert claire.phone == "04 76 11 22 33"
    assert claire.events.count() == events


def test_a_legal_person_edits_its_representative_not_its_name(client, register):
    user = UserFactory(roles=["member"])
    member = linked_member(
        register,
        user,
        person_kind="legal",
        first_name="",
        last_name="",
        legal_name="Mairie de Voiron",
        representative_name="Anne Roux",
    )
    client.force_login(user)
    form = client.get(reverse("members:me_edit"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Representative of Mairie de Voiron" in form
    assert 'name="representative_name"' in form and 'name="last_name"' not in form
    client.post(
        reverse("members:me_edit"),
        {"representative_name": "Paul Blanc", "representative_role": "maire", "language": "fr"},
    )
    member.refresh_from_db()
    assert (member.legal_name, member.representative_name) == ("Mairie de Voiron", "Paul Blanc")


def test_removing_my_address_ends_the_e_mail_consent_and_says_so(claire_client, claire):
    claire_client.post(reverse("members:me_notices"), {"consent": "on"})
    response = claire_client.post(
        reverse("members:me_edit"),
        {"first_name": "Claire", "last_name": "Durand", "email": "", "language": "fr"},
        follow=True,
    )
    assert "will be sent to you by post" in response.content.decode()
    claire.refresh_from_db()
    assert (claire.email, claire.e_notices) == ("", False)


# --- E-mail notices --------------------------------------------------------------------------


def test_giving_and_withdrawing_the_consent_records_its_date(claire_client, claire):
    response = claire_client.post(reverse("members:me_notices"), {"consent": "on"}, follow=True)
    assert "Your choice about e-mail notices is saved." in response.content.decode()
    claire.refresh_from_db()
    assert claire.e_notices and claire.e_notices_changed_at is not None
    assert claire.events.latest("id").kind == RegisterEvent.Kind.CONSENT_CHANGED
    page = response.content.decode()
    assert "you agreed to receive the cooperative's notices by e-mail" in page
    claire_client.post(reverse("members:me_notices"), {})
    claire.refresh_from_db()
    assert not claire.e_notices
    assert claire.events.filter(kind=RegisterEvent.Kind.CONSENT_CHANGED).count() == 2


def test_consent_without_an_address_is_refused_in_the_page(client, register):
    user = UserFactory(roles=["member"])
    member = linked_member(register, user, last_name="Sansmail")
    client.force_login(user)
    response = client.post(
        reverse("members:me_notices"), {"consent": "on"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Your choice was not saved:" in page
    assert "Add an e-mail address before agreeing" in page
    assert "<h1>My membership</h1>" in page
    member.refresh_from_db()
    assert not member.e_notices


def test_consent_with_htmx_swaps_only_its_section(claire_client, claire):
    response = claire_client.post(
        reverse("members:me_notices"), {"consent": "on"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<section id="notices"')
    assert "<html" not in page
    assert "Your choice about e-mail notices is saved." in page
    claire.refresh_from_db()
    assert claire.e_notices


def test_notices_form_only_accepts_posts(claire_client):
    assert claire_client.get(reverse("members:me_notices")).status_code == 405


# --- My personal data ------------------------------------------------------------------------


def test_personal_data_download_holds_entry_events_and_account(claire_client, claire):
    response = claire_client.get(reverse("members:me_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-1-')
    data = json.loads(response.content)
    assert data["format"] == "voliere-personal-data/1"
    assert dt.datetime.fromisoformat(data["generated_at"]).tzinfo is not None
    assert data["member"]["number"] == 1
    assert data["member"]["phone"] == "04 76 11 22 33"
    assert data["member"]["college"] == "users"
    events = data["register_events"]
    assert [e["kind"] for e in events] == ["applied", "admitted", "ratified", "college_changed"]
    assert events[1]["decision_ref"] == "CA 2025-02"
    assert events[3]["entry_after"]["college"] == "users"
    assert [e["recorded_by"] for e in events] == ["member"] + ["cooperative"] * 3
    account = data["account"]
    assert account["email"] == "claire@example.org"
    assert account["email_addresses"] == [
        {"email": "claire@example.org", "verified": True, "primary": True}
    ]
    assert account["date_joined"] and "last_login" in account
    assert account["roles"] == ["member"]
    assert SECRETARY not in response.content.decode()


def test_other_apps_add_their_section_to_the_personal_data(claire_client, claire):
    def shares(member):
        return "share_movements", [{"number": member.number, "amount": "50.00"}]

    sections = list(gdpr.personal_data_sections)
    gdpr.personal_data_section(shares)
    try:
        data = claire_client.get(reverse("members:me_data")).json()
        assert data["share_movements"] == [{"number": 1, "amount": "50.00"}]
        gdpr.personal_data_section(lambda member: ("member", {}))
        with pytest.raises(ValueError, match="named 'member'"):
            gdpr.personal_data_export(member=claire)
    finally:
        gdpr.personal_data_sections[:] = sections


def test_my_membership_query_count_does_not_grow_with_the_history(claire_client, claire):
    with CaptureQueriesContext(connection) as short:
        assert claire_client.get(reverse("members:me")).status_code == 200
    for index in range(10):
        member_update_contact(
            member=claire, changes={"phone": f"06 00 00 00 {index:02d}"}, actor=None
        )
    with CaptureQueriesContext(connection) as long:
        page = claire_client.get(reverse("members:me")).content.decode()
    assert "06 00 00 00 09" in page
    assert len(long.captured_queries) == len(short.captured_queries)
