"""The register desk: the register list, a member's page and history, and the changes an
administrator records there (contact details, college, exit)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from coop.models import AuditEvent
from members.models import Member, RegisterEvent
from members.services import member_set_e_notices, member_update_contact
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import admitted, apply, standard_register

pytestmark = pytest.mark.django_db

REGISTER = reverse("members:register")


@pytest.fixture
def admin(totp_admin):
    return totp_admin


@pytest.fixture
def register():
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


def rows(response) -> int:
    return response.content.decode().count('<th scope="row">')


def text(response) -> str:
    """The page's text with tags removed and spaces collapsed, as a reader sees it."""
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r" ([:),.])", r"\1", " ".join(html.split()))


def page_queries(captured: CaptureQueriesContext) -> list[str]:
    """The queries a page made, less the session's: sessions live in the cache and are read
    from the database only when the cache (shared, cleared by other tests) lost them."""
    return [q["sql"] for q in captured.captured_queries if "django_session" not in q["sql"]]


def employee(register, **kwargs) -> Member:
    return admitted(register["categories"]["employee"], register["colleges"]["employees"], **kwargs)


# Access ------------------------------------------------------------------------------------


def _member_urls(member: Member) -> list[str]:
    return [
        REGISTER,
        reverse("members:member_detail", args=[member.pk]),
        reverse("members:member_edit", args=[member.pk]),
        reverse("members:member_college", args=[member.pk]),
        reverse("members:member_exit", args=[member.pk]),
    ]


def test_members_who_are_not_administrators_are_refused(client, register, member_user):
    member = employee(register)
    client.force_login(member_user)
    for url in _member_urls(member):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("members:member_exit", args=[member.pk]),
        {"status": "resigned", "exited_on": "2025-09-30", "decision_ref": "Lettre"},
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.status == Member.Status.ADMITTED


def test_administrator_without_totp_is_sent_to_set_it_up(client, register, admin_user):
    member = employee(register)
    client.force_login(admin_user)
    for url in _member_urls(member):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_anonymous_visitors_are_sent_to_sign_in(client, register):
    response = client.get(REGISTER)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# The register list -------------------------------------------------------------------------


@pytest.fixture
def people(register):
    cats, cols = register["categories"], register["colleges"]
    return {
        "durand": admitted(
            cats["employee"], cols["employees"], last_name="Durand", email="claire@example.org"
        ),
        "martin": admitted(
            cats["beneficiary"], cols["users"], last_name="Martin", email="paul@exemple.fr"
        ),
        "petit": apply(cats["volunteer"], last_name="Petit", email="lea@example.org"),
        "mairie": apply(
            cats["public"],
            person_kind="legal",
            last_name="",
            first_name="",
            legal_name="Commune de Voiron",
            representative_name="Julie Maire",
        ),
    }


def test_register_lists_every_entry_with_its_count(admin_client, people):
    response = admin_client.get(REGISTER)
    assert response.status_code == 200
    page = text(response)
    assert "4 entries in the register" in page
    assert rows(response) == 4
    for name in ("Claire Durand", "Claire Martin", "Claire Petit", "Commune de Voiron"):
        assert name in page
    assert reverse("members:member_detail", args=[people["durand"].pk]) in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "mart"}, ["Claire Martin"]),
        ({"q": "2"}, ["Claire Martin"]),
        ({"q": "#1"}, ["Claire Durand"]),
        ({"q": "exemple.fr"}, ["Claire Martin"]),
        ({"q": "voiron"}, ["Commune de Voiron"]),
        ({"status": "applicant"}, ["Claire Petit", "Commune de Voiron"]),
        ({"status": "admitted", "q": "durand"}, ["Claire Durand"]),
    ],
)
def test_search_by_name_number_email_and_filter_by_status(admin_client, people, params, expected):
    response = admin_client.get(REGISTER, params)
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', response.content.decode())
    assert sorted(names) == expected
    assert "match the search" in text(response) or "matches the search" in text(response)


def test_filter_by_college_and_category(admin_client, register, people):
    users = register["colleges"]["users"]
    response = admin_client.get(REGISTER, {"college": users.pk})
    assert rows(response) == 1 and "Claire Martin" in text(response)
    response = admin_client.get(REGISTER, {"category": register["categories"]["public"].pk})
    assert rows(response) == 1 and "Commune de Voiron" in text(response)
    # The form shows the filters chosen.
    assert (
        f'<option value="{users.pk}" selected>'
        in admin_client.get(REGISTER, {"college": users.pk}).content.decode()
    )


def test_a_search_that_finds_nothing_says_so(admin_client, people):
    response = admin_client.get(REGISTER, {"q": "Zyx"})
    assert rows(response) == 0
    assert "0 entries match the search" in text(response)
    assert "No entry matches" in text(response)


def test_an_unknown_filter_value_is_left_out_not_a_crash(admin_client, people):
    response = admin_client.get(REGISTER, {"college": "999999", "q": "durand"})
    assert response.status_code == 200
    assert rows(response) == 1


def test_pages_of_fifty_keep_the_filters(admin_client, register):
    cats, cols = register["categories"], register["colleges"]
    for i in range(53):
        admitted(cats["volunteer"], cols["supporters"], last_name=f"Bénévole {i:02d}")
    apply(cats["employee"], last_name="Hors filtre")
    params = {"category": cats["volunteer"].pk}
    first = admin_client.get(REGISTER, params)
    html = first.content.decode()
    assert rows(first) == 50
    assert "53 entries match the search" in text(first)
    assert "page 1 of 2" in text(first)
    next_href = f'href="?category={cats["volunteer"].pk}&amp;page=2"'
    assert next_href in html
    assert re.search(r'aria-current="page"><span class="visually-hidden">Page </span>1</a>', html)
    second = admin_client.get(REGISTER, {**params, "page": 2})
    assert rows(second) == 3
    assert "Hors filtre" not in text(second)
    assert re.search(
        r'aria-current="page"><span class="visually-hidden">Page </span>2</a>',
        second.content.decode(),
    )
    assert rows(admin_client.get(REGISTER, {**params, "page": "nonsense"})) == 50


def test_htmx_gets_only_the_results_and_caches_keep_them_apart(admin_client, people):
    response = admin_client.get(REGISTER, {"q": "durand"}, headers={"HX-Request": "true"})
    html = response.content.decode().strip()
    assert html.startswith('<section id="register-results"')
    assert "<html" not in html and "Search the register" not in html
    assert rows(response) == 1
    assert "HX-Request" in response["Vary"]
    # A full page for the same address still has the search form and the results.
    full = admin_client.get(REGISTER, {"q": "durand"})
    assert "<html" in full.content.decode() and rows(full) == 1
    assert 'value="durand"' in full.content.decode()


def test_register_warns_while_a_compulsory_category_has_no_current_member(admin_client, register):
    cats, cols = register["categories"], register["colleges"]
    apply(cats["employee"], last_name="Candidat")  # an applicant is not a member yet
    page = text(admin_client.get(REGISTER))
    assert "Warning:" in page
    assert "These compulsory categories have no current member: Bénéficiaires Salariés" in page
    admitted(cats["employee"], cols["employees"], last_name="Salariée")
    page = text(admin_client.get(REGISTER))
    assert "no current member: Bénéficiaires" in page
    assert "no current member: Salariés" not in page
    admitted(cats["beneficiary"], cols["users"], last_name="Usager")
    assert "Warning:" not in text(admin_client.get(REGISTER))


def test_register_query_count_is_flat_in_the_number_of_members(admin_client, register):
    cats, cols = register["categories"], register["colleges"]

    def add(n: int) -> None:
        for i in range(n):
            category, college = (
                (cats["employee"], cols["employees"]) if i % 2 else (cats["public"], cols["users"])
            )
            admitted(category, college, last_name=f"Nom {i}", email=f"p{i}@example.org")

    add(5)
    admin_client.get(REGISTER)  # the session and the user's roles are read once warm
    with CaptureQueriesContext(connection) as few:
        assert rows(admin_client.get(REGISTER, {"status": "admitted", "q": "nom"})) == 5
    add(55)
    with CaptureQueriesContext(connection) as many:
        assert rows(admin_client.get(REGISTER, {"status": "admitted", "q": "nom"})) == 50
    assert len(page_queries(many)) == len(page_queries(few))


# A member's page ---------------------------------------------------------------------------


def test_member_page_shows_the_entry(admin_client, register, admin):
    member = employee(register, email="claire@example.org", city="Grenoble", phone="0476000000")
    member_set_e_notices(member=member, consent=True, actor=admin)
    member.refresh_from_db()
    response = admin_client.get(reverse("members:member_detail", args=[member.pk]))
    page = text(response)
    assert "<h1>Claire Durand</h1>" in response.content.decode()
    for fact in (
        "Member number 1",
        "Status Admitted, awaiting ratification",
        "Category Salariés",
        "College Salariés",
        "E-mail address claire@example.org",
        "Telephone 0476000000",
        "Admitted on Feb. 1, 2025 — CA 2025-02",
        "Applied on Jan. 10, 2025",
        "Login account No",
    ):
        assert fact in page, fact
    with translation.override("en"):
        consent_at = date_format(
            timezone.localtime(member.e_notices_changed_at, ZoneInfo("Europe/Paris")),
            "DATETIME_FORMAT",
        )
    assert f"Notices by e-mail Yes, agreed (consent given on {consent_at})" in page
    # Actions for a current member.
    html = response.content.decode()
    assert reverse("members:member_college", args=[member.pk]) in html
    assert reverse("members:member_exit", args=[member.pk]) in html


def test_member_page_says_when_there_is_a_login_account(admin_client, register):
    member = employee(register)
    member.user = UserFactory()
    member.save(update_fields=["user"])
    page = text(admin_client.get(reverse("members:member_detail", args=[member.pk])))
    assert "Login account Yes" in page


def test_applicant_page_has_no_college_move_nor_exit(admin_client, register):
    applicant = apply(register["categories"]["volunteer"], last_name="Candidate")
    response = admin_client.get(reverse("members:member_detail", args=[applicant.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("members:member_exit", args=[applicant.pk]) not in html
    assert reverse("members:member_college", args=[applicant.pk]) not in html
    assert "Member number —" in text(response)


def test_history_shows_each_event_with_what_changed_by_whom_and_when(admin_client, register, admin):
    member = employee(register, actor=admin, city="Grenoble")
    member_update_contact(member=member, changes={"city": "Lyon"}, actor=admin)
    response = admin_client.get(reverse("members:member_detail", args=[member.pk]))
    page = text(response)
    events = list(member.events.order_by("effective_on", "id"))
    assert [e.kind for e in events] == ["applied", "admitted", "contact_changed"]
    # The application, by nobody signed in, lists what was recorded.
    assert "Jan. 10, 2025 Application —" in page
    assert "Last name: Durand" in page
    assert "no account (application form or import)" in page
    # The admission: its reference, what it changed, who recorded it.
    assert "Feb. 1, 2025 Admission CA 2025-02" in page
    assert "Status: applicant → becomes admitted, awaiting ratification" in page
    assert "Member number: — → becomes 1" in page
    assert "College: — → becomes Salariés" in page
    # The contact change: the town before and after.
    assert "Town: Grenoble → becomes Lyon" in page
    assert page.count(admin.email) == 2
    with translation.override("en"):
        recorded = date_format(
            timezone.localtime(events[-1].recorded_at, ZoneInfo("Europe/Paris")),
            "DATETIME_FORMAT",
        )
    assert recorded in page
    # Oldest first.
    assert (
        page.index("Jan. 10, 2025 Application")
        < page.index("Feb. 1, 2025 Admission")
        < page.index("Town: Grenoble → becomes Lyon")
    )


def test_member_page_query_count_is_flat_in_the_number_of_events(admin_client, register, admin):
    member = employee(register, actor=admin)
    url = reverse("members:member_detail", args=[member.pk])
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for i in range(12):
        member_update_contact(member=member, changes={"phone": f"06 00 00 00 {i:02d}"}, actor=admin)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url)
    assert "06 00 00 00 11" in text(response)
    assert len(page_queries(many)) == len(page_queries(few))


def test_unknown_member_is_not_found(admin_client, register):
    assert admin_client.get(reverse("members:member_detail", args=[999999])).status_code == 404


# Contact details ---------------------------------------------------------------------------


def _contact(member: Member, **changes) -> dict[str, str]:
    data = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "phone": member.phone,
        "address": member.address,
        "postal_code": member.postal_code,
        "city": member.city,
        "country": member.country,
        "language": member.language,
    }
    data.update(changes)
    return data


def test_edit_contact_records_one_event_with_what_changed(admin_client, register, admin):
    member = employee(register, city="Grenoble", email="claire@example.org")
    url = reverse("members:member_edit", args=[member.pk])
    form = admin_client.get(url)
    assert 'value="Grenoble"' in form.content.decode()
    assert "legal_name" not in form.content.decode()  # a natural person has no company name
    response = admin_client.post(
        url, _contact(member, city="Lyon", phone="04 76 00 00 00"), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("members:member_detail", args=[member.pk])
    assert "The contact details of Claire Durand are recorded." in text(response)
    event = member.events.latest("id")
    assert event.kind == RegisterEvent.Kind.CONTACT_CHANGED
    assert event.changes == {"city": "Lyon", "phone": "04 76 00 00 00"}
    assert event.actor == admin
    assert AuditEvent.objects.filter(action="member.contact_changed").count() == 1
    assert "Town: Grenoble → becomes Lyon" in text(response)


def test_unchanged_contact_form_writes_no_event(admin_client, register):
    member = employee(register, city="Grenoble", email="Claire@example.org")
    before = member.events.count()
    response = admin_client.post(
        reverse("members:member_edit", args=[member.pk]), _contact(member), follow=True
    )
    assert "Nothing was changed" in text(response)
    assert member.events.count() == before


def test_invalid_contact_details_are_refused_and_kept_in_the_form(admin_client, register):
    member = employee(register, city="Grenoble")
    before = member.events.count()
    response = admin_client.post(
        reverse("members:member_edit", args=[member.pk]),
        _contact(member, email="not-an-address", last_name="", city="Lyon"),
    )
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was recorded. Please correct:" in page
    assert "E-mail address: Enter a valid email address." in page
    assert "Last name: This field is required." in page
    assert 'value="Lyon"' in response.content.decode()  # what was typed is not lost
    assert 'aria-invalid="true"' in response.content.decode()
    assert response.content.decode().count("<title>Error:") == 1
    member.refresh_from_db()
    assert member.city == "Grenoble" and member.events.count() == before


def test_legal_person_contact_form_has_its_name_and_representative(admin_client, register, admin):
    cats, cols = register["categories"], register["colleges"]
    mairie = admitted(
        cats["public"],
        cols["supporters"],
        person_kind="legal",
        first_name="",
        last_name="",
        legal_name="Commune de Voiron",
        representative_name="Julie Maire",
    )
    url = reverse("members:member_edit", args=[mairie.pk])
    html = admin_client.get(url).content.decode()
    assert 'name="legal_name"' in html and 'name="representative_name"' in html
    assert 'name="first_name"' not in html
    data = {
        "legal_name": "Commune de Voiron",
        "legal_registration": "213805631",
        "representative_name": "Julie Maire",
        "representative_role": "Maire",
        "email": "",
        "phone": "",
        "address": "",
        "postal_code": "",
        "city": "Voiron",
        "country": "France",
        "language": "fr",
    }
    admin_client.post(url, data)
    assert mairie.events.latest("id").changes == {
        "legal_registration": "213805631",
        "representative_role": "Maire",
        "city": "Voiron",
    }


# Move to another college -------------------------------------------------------------------


def test_move_college_from_a_date_with_its_reference(admin_client, register, admin):
    member = employee(register)
    url = reverse("members:member_college", args=[member.pk])
    form = admin_client.get(url).content.decode()
    employees = register["colleges"]["employees"]
    assert f'<option value="{employees.pk}"' not in form  # not the college they are in
    users = register["colleges"]["users"]
    response = admin_client.post(
        url,
        {"college": users.pk, "effective_on": "2025-06-01", "decision_ref": "CA 2025-06"},
        follow=True,
    )
    assert "votes in the college “Bénéficiaires” from June 1, 2025" in text(response)
    member.refresh_from_db()
    assert member.college == users
    event = member.events.latest("id")
    assert (event.kind, event.effective_on, event.decision_ref) == (
        "college_changed",
        dt.date(2025, 6, 1),
        "CA 2025-06",
    )
    assert "College: Salariés → becomes Bénéficiaires" in text(response)


def test_move_college_dated_before_the_latest_entry_is_refused(admin_client, register):
    member = employee(register)  # admitted on 2025-02-01
    before = member.events.count()
    response = admin_client.post(
        reverse("members:member_college", args=[member.pk]),
        {
            "college": register["colleges"]["users"].pk,
            "effective_on": "2025-01-15",
            "decision_ref": "CA",
        },
    )
    assert response.status_code == 200
    page = text(response)
    assert "There is a problem" not in page
    assert "Nothing was recorded" in page
    assert "already has an entry dated" in page and "cannot be written after it" in page
    assert 'value="2025-01-15"' in response.content.decode()
    member.refresh_from_db()
    assert member.college == register["colleges"]["employees"]
    assert member.events.count() == before


def test_move_college_needs_a_date_and_a_reference(admin_client, register):
    member = employee(register)
    response = admin_client.post(
        reverse("members:member_college", args=[member.pk]),
        {"college": register["colleges"]["users"].pk, "effective_on": "", "decision_ref": ""},
    )
    page = text(response)
    assert "From: This field is required." in page
    assert "Decision reference: This field is required." in page
    member.refresh_from_db()
    assert member.college == register["colleges"]["employees"]


def test_an_applicant_cannot_be_moved(admin_client, register):
    applicant = apply(register["categories"]["volunteer"])
    response = admin_client.post(
        reverse("members:member_college", args=[applicant.pk]),
        {
            "college": register["colleges"]["users"].pk,
            "effective_on": "2025-06-01",
            "decision_ref": "CA",
        },
    )
    assert "cannot be moved to another college" in text(response)
    applicant.refresh_from_db()
    assert applicant.college is None


# Exit --------------------------------------------------------------------------------------


def test_record_a_resignation(admin_client, register, admin):
    member = employee(register)
    response = admin_client.post(
        reverse("members:member_exit", args=[member.pk]),
        {"status": "resigned", "exited_on": "2025-09-30", "decision_ref": "Lettre du 1er sept."},
        follow=True,
    )
    assert "The exit of Claire Durand on Sept. 30, 2025 is recorded (resigned)." in text(response)
    member.refresh_from_db()
    assert (member.status, member.exited_on, member.exit_ref, member.number) == (
        "resigned",
        dt.date(2025, 9, 30),
        "Lettre du 1er sept.",
        1,
    )
    assert member.events.latest("id").kind == "exited"
    assert AuditEvent.objects.filter(action="member.exited", actor=admin).exists()
    # A former member: no more exit nor college move on their page.
    html = response.content.decode()
    assert reverse("members:member_exit", args=[member.pk]) not in html


def test_exit_twice_shows_the_refusal_and_changes_nothing(admin_client, register):
    member = employee(register)
    url = reverse("members:member_exit", args=[member.pk])
    admin_client.post(
        url, {"status": "resigned", "exited_on": "2025-09-30", "decision_ref": "Lettre"}
    )
    response = admin_client.post(
        url, {"status": "deceased", "exited_on": "2025-10-30", "decision_ref": "Acte de décès"}
    )
    assert response.status_code == 200
    assert "Claire Durand cannot be recorded as leaving: their status is “resigned”." in text(
        response
    )
    assert 'value="Acte de décès"' in response.content.decode()
    member.refresh_from_db()
    assert (member.status, member.exited_on) == ("resigned", dt.date(2025, 9, 30))
    assert member.events.filter(kind="exited").count() == 1


def test_exclusion_page_reminds_how_it_is_decided(admin_client, register):
    member = employee(register)
    page = text(admin_client.get(reverse("members:member_exit", args=[member.pk])))
    assert "An exclusion is decided by an extraordinary general assembly" in page
    assert "after the member was told of the grounds and could answer" in page
    for kind in ("Resignation", "Exclusion", "Death", "Loss of the quality of member"):
        assert kind in page


def test_exclusion_needs_the_reference_and_the_member_heard(admin_client, register):
    member = employee(register)
    url = reverse("members:member_exit", args=[member.pk])
    response = admin_client.post(
        url, {"status": "excluded", "exited_on": "2025-11-15", "decision_ref": ""}
    )
    page = text(response)
    assert "Reference of the exit: This field is required." in page
    assert "confirm that they could" in page
    member.refresh_from_db()
    assert member.status == Member.Status.ADMITTED
    response = admin_client.post(
        url,
        {
            "status": "excluded",
            "exited_on": "2025-11-15",
            "decision_ref": "AGE du 15 novembre 2025, résolution 2",
            "member_heard": "on",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.status, member.exit_ref) == (
        "excluded",
        "AGE du 15 novembre 2025, résolution 2",
    )


def test_exit_before_admission_is_refused(admin_client, register):
    member = employee(register)
    response = admin_client.post(
        reverse("members:member_exit", args=[member.pk]),
        {"status": "resigned", "exited_on": "2024-12-31", "decision_ref": "Lettre"},
    )
    assert "they cannot leave before" in text(response)
    member.refresh_from_db()
    assert member.status == Member.Status.ADMITTED


# French ------------------------------------------------------------------------------------


def test_member_page_in_french(client, admin, register):
    member = employee(register)
    client.force_login(admin)
    response = client.get(
        reverse("members:member_detail", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "1 février 2025" in text(response)  # the admission date, written the French way
    assert "10 janvier 2025" in text(response)


def test_register_in_french_keeps_its_french_data(client, admin, register):
    employee(register, last_name="Lefèvre")
    client.force_login(admin)
    client.cookies["django_language"] = "fr"
    response = client.get(REGISTER, {"q": "lefèvre"})
    assert '<html lang="fr">' in response.content.decode()
    assert rows(response) == 1
