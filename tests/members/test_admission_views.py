"""The admission journeys through the Django test client: the public application, the pending
applications, admission (with the invitation) or rejection, and ratification."""

import datetime as dt
import re
import threading
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coop.models import NoticeDelivery
from members.models import Member, RegisterEvent
from members.views.apply import APPLICATIONS_PER_ADDRESS
from tests.coop.factories import StatutesFactory, UserFactory
from tests.coop.mfa import activate_totp
from tests.members.factories import admitted, apply, standard_register

User = get_user_model()


@pytest.fixture
def register(db, settings):
    settings.SITE_URL = "https://voliere.example.org"
    StatutesFactory(effective_from=dt.date(2020, 1, 1), name="Les Communs d'Ici")
    return standard_register()


def english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def admin_client(client, admin_user):
    activate_totp(admin_user)
    client.force_login(admin_user)
    return english(client)


@pytest.fixture
def visitor(client):
    return english(client)


INLINE_TAG = re.compile(r"</?(?:a|abbr|em|label|span|strong|time)\b[^>]*>")


def html(response) -> str:
    """The page's markup, whitespace folded."""
    return " ".join(response.content.decode().split())


def text(response) -> str:
    """The page as a person reads it: no markup, entities decoded, whitespace folded."""
    content = INLINE_TAG.sub("", response.content.decode())
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", content)).split())


def deliveries(kind: str):
    return NoticeDelivery.objects.filter(notice__kind=kind).select_related("notice")


def application(register, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "person_kind": "natural",
        "first_name": "Claire",
        "last_name": "Durand",
        "email": "claire.durand@example.org",
        "phone": "06 12 34 56 78",
        "address": "3 rue des Tilleuls",
        "postal_code": "38000",
        "city": "Grenoble",
        "country": "France",
        "category": register["categories"]["beneficiary"].pk,
        "requested_shares": "2",
        "e_notices": "on",
        "language": "en",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- The public application ---------------------------------------------------------------------


def test_the_application_page_shows_open_categories_and_the_value_of_a_share(register, visitor):
    register["categories"]["public"].active = False
    register["categories"]["public"].save()

    response = visitor.get(reverse("members:apply"))

    assert response.status_code == 200
    page = text(response)
    assert "Bénéficiaires: at least 1 share (€50.00)" in page
    assert "Collectivités" not in page  # closed to applications
    assert "One share is worth €50.00." in page
    assert "Total: 1 share, €50.00." in page


def test_a_person_applies_and_gets_an_acknowledgement_by_email(
    register, visitor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = visitor.post(reverse("members:apply"), application(register))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:apply_done")
    member = Member.objects.get()
    assert member.status == Member.Status.APPLICANT and member.number is None
    assert (member.first_name, member.last_name) == ("Claire", "Durand")
    assert member.requested_shares == 2 and member.language == "en"
    assert member.e_notices and member.e_notices_changed_at is not None
    assert member.events.get().kind == RegisterEvent.Kind.APPLIED

    delivery = deliveries("membership.application").get()
    assert delivery.notice.reference == f"member:{member.pk}"
    assert delivery.recipient_key == f"member:{member.pk}"
    assert delivery.to_email == "claire.durand@example.org"
    assert delivery.language == "en"
    assert delivery.status == NoticeDelivery.Status.PENDING
    assert delivery.subject == "Les Communs d'Ici: we have received your application"
    assert "Shares you intend to subscribe: 2 (€100.00)" in delivery.body_text
    assert len(callbacks) == 1  # the sending is scheduled once the application is committed

    thanks = text(visitor.get(response["Location"]))
    assert "An acknowledgement is on its way to claire.durand@example.org" in thanks
    assert "You intend to subscribe 2 shares, €100.00" in thanks


def test_a_legal_person_applies_through_its_representative(register, visitor):
    response = visitor.post(
        reverse("members:apply"),
        application(
            register,
            person_kind="legal",
            first_name="ignored",
            last_name="ignored",
            legal_name="Association Les Sentiers",
            legal_registration="W381234567",
            representative_name="Luc Martin",
            representative_role="président",
            email="contact@sentiers.example.org",
            category=register["categories"]["volunteer"].pk,
            language="fr",
        ),
    )
    assert response.status_code == 302
    member = Member.objects.get()
    assert member.person_kind == Member.PersonKind.LEGAL
    assert member.display_name == "Association Les Sentiers"
    assert (member.first_name, member.last_name) == ("", "")
    assert (member.representative_name, member.representative_role) == ("Luc Martin", "président")
    delivery = deliveries("membership.application").get()
    assert delivery.language == "fr" and delivery.to_email == "contact@sentiers.example.org"
    assert "Luc Martin" in delivery.body_text


def test_an_application_without_email_is_recorded_without_any_notice(register, visitor):
    response = visitor.post(
        reverse("members:apply"), application(register, email="", e_notices=None), follow=True
    )
    assert Member.objects.get().email == ""
    assert not NoticeDelivery.objects.exists()
    assert "the cooperative will write to you by post" in text(response)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"last_name": ""}, "Last name: Give your last name."),
        (
            {"requested_shares": "2", "category": "employee"},
            "Members of the category “Salariés” subscribe at least 3 shares.",
        ),
        ({"requested_shares": "0"}, "Ensure this value is greater than or equal to 1."),
        (
            {
                "person_kind": "legal",
                "legal_name": "SARL Tilleuls",
                "representative_name": "",
                "representative_role": "",
            },
            "A legal person applies through its representative: give their name.",
        ),
        (
            {"email": "", "e_notices": "on"},
            "Notices can be sent by e-mail only to an address: give one, or untick the box",
        ),
        ({"email": "claire@"}, "Enter a valid email address."),
        ({"category": None}, "Choose the category you ask to join."),
        ({"website": "https://cheap-pills.example"}, "“Leave this field empty” was filled in"),
    ],
    ids=[
        "missing-name",
        "too-few-shares",
        "no-shares",
        "legal-without-representative",
        "consent-without-email",
        "bad-email",
        "no-category",
        "honeypot",
    ],
)
def test_bad_applications_are_refused_with_a_clear_message_and_change_nothing(
    register, visitor, overrides, message
):
    employee = register["categories"]["employee"]
    employee.minimum_shares = 3
    employee.save()
    if overrides.get("category") == "employee":
        overrides = {**overrides, "category": employee.pk}

    response = visitor.post(reverse("members:apply"), application(register, **overrides))

    assert response.status_code == 200
    page = text(response)
    assert "Your application was not sent. Please correct:" in page
    assert message in page
    assert html(response).startswith("<!DOCTYPE html>") and "<title>Error:" in html(response)
    # What was typed is still there.
    assert 'value="3 rue des Tilleuls"' in html(response) and 'value="Grenoble"' in html(response)
    assert not Member.objects.exists()
    assert not RegisterEvent.objects.exists()
    assert not NoticeDelivery.objects.exists()


def test_applications_from_one_address_are_limited(register, visitor):
    for i in range(APPLICATIONS_PER_ADDRESS):
        response = visitor.post(
            reverse("members:apply"), application(register, last_name=f"Durand {i}")
        )
        assert response.status_code == 302

    response = visitor.post(reverse("members:apply"), application(register, last_name="Robot"))

    assert response.status_code == 429
    page = text(response)
    assert "Too many applications were sent from your connection in the last hour." in page
    assert 'value="Robot"' in html(response)
    assert Member.objects.count() == APPLICATIONS_PER_ADDRESS
    assert not Member.objects.filter(last_name="Robot").exists()

    # Another connection is not affected.
    other = visitor.post(
        reverse("members:apply"),
        application(register, last_name="Voisin"),
        REMOTE_ADDR="192.0.2.44",
    )
    assert other.status_code == 302


def test_the_total_follows_the_number_of_shares_with_htmx(register, visitor):
    response = visitor.get(
        reverse("members:apply"), {"requested_shares": "7"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    markup = response.content.decode()
    assert markup.strip().startswith('<p id="shares-total">')
    assert "Total: 7 shares, €350.00." in text(response)
    assert "<html" not in markup


def test_the_application_page_in_french(register, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"

    response = client.get(reverse("members:apply"))
    assert response.status_code == 200
    page = text(response)
    assert '<html lang="fr">' in html(response)
    assert "(50,00 €)" in page  # French number format (no-break space folded by text())
    assert '<option value="fr" selected>' in html(response)  # the language of the page is proposed

    response = client.post(reverse("members:apply"), application(register, city=""))
    assert response.status_code == 200
    assert "Ce champ est obligatoire." in text(response)
    assert not Member.objects.exists()


# --- Administrators: the pending applications ---------------------------------------------------


@pytest.mark.parametrize(
    ("method", "name", "with_pk"),
    [
        ("get", "members:applications", False),
        ("get", "members:application", True),
        ("post", "members:application_admit", True),
        ("post", "members:application_reject", True),
        ("get", "members:application_admitted", True),
        ("get", "members:ratify", False),
        ("post", "members:ratify", False),
    ],
)
def test_only_administrators_reach_the_admission_pages(
    register, client, member_user, method, name, with_pk
):
    applicant = apply(register["categories"]["beneficiary"], email="a@example.org")
    url = reverse(name, args=[applicant.pk] if with_pk else [])

    anonymous = getattr(client, method)(url)
    assert anonymous.status_code == 302 and reverse("account_login") in anonymous["Location"]

    client.force_login(member_user)
    response = getattr(client, method)(url, {"admit-decision_ref": "CA", "reject-reason": "x"})
    assert response.status_code == 403
    applicant.refresh_from_db()
    assert applicant.status == Member.Status.APPLICANT


def test_the_pending_applications_are_listed_oldest_first(register, admin_client):
    beneficiaries = register["categories"]["beneficiary"]
    apply(
        beneficiaries,
        last_name="Durand",
        email="claire@example.org",
        requested_shares=4,
        applied_on=dt.date(2025, 3, 2),
    )
    apply(register["categories"]["volunteer"], last_name="Martin", applied_on=dt.date(2025, 2, 1))
    rejected = apply(beneficiaries, last_name="Refusé")
    rejected.status = Member.Status.REJECTED
    rejected.save(update_fields=["status"])

    response = admin_client.get(reverse("members:applications"))

    assert response.status_code == 200
    page = text(response)
    assert "2 pending applications" in page
    assert page.index("Claire Martin") < page.index("Claire Durand")
    assert "Refusé" not in page
    assert "e-mail: claire@example.org" in page and "letter" in page
    assert "March 2, 2025" in page
    durand = Member.objects.get(last_name="Durand")
    assert f'href="{reverse("members:application", args=[durand.pk])}"' in html(response)


def test_the_list_of_applications_costs_the_same_queries_for_1_or_20(register, admin_client):
    category = register["categories"]["beneficiary"]
    apply(category, last_name="Seul")
    with CaptureQueriesContext(connection) as one:
        admin_client.get(reverse("members:applications"))
    for i in range(19):
        apply(register["categories"]["volunteer"], last_name=f"Autre {i}")
    with CaptureQueriesContext(connection) as twenty:
        response = admin_client.get(reverse("members:applications"))
    assert "20 pending applications" in text(response)
    assert len(twenty) == len(one)


def test_htmx_pagination_swaps_only_the_list(register, admin_client):
    apply(register["categories"]["beneficiary"], last_name="Durand")
    response = admin_client.get(reverse("members:applications"), headers={"HX-Request": "true"})
    markup = response.content.decode().strip()
    assert markup.startswith('<section id="applications-list"')
    assert "<html" not in markup and "Claire Durand" in markup


def test_the_application_page_proposes_today_and_the_categorys_college(register, admin_client):
    applicant = apply(register["categories"]["volunteer"], email="paul@example.org")
    response = admin_client.get(reverse("members:application", args=[applicant.pk]))
    assert response.status_code == 200
    markup = response.content.decode()
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in markup
    supporters = register["colleges"]["supporters"]
    assert f'<option value="{supporters.pk}" selected>' in markup
    assert "The decision and its reason are sent to paul@example.org." in text(response)


# --- Admission -----------------------------------------------------------------------------------


def admit_data(register, college="users", **overrides) -> dict[str, object]:
    data = {
        "admit-decided_on": timezone.localdate().isoformat(),
        "admit-decision_ref": "CA du 3 mars 2025, décision 7",
        "admit-college": register["colleges"][college].pk,
    }
    data.update(overrides)
    return data


def test_admission_gives_a_number_and_invites_the_member(
    register, admin_client, django_capture_on_commit_callbacks
):
    applicant = apply(
        register["categories"]["beneficiary"], email="claire.durand@example.org", language="en"
    )
    url = reverse("members:application_admit", args=[applicant.pk])

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(url, admit_data(register))

    assert response.status_code == 302
    assert response["Location"] == reverse("members:application_admitted", args=[applicant.pk])
    member = Member.objects.get(pk=applicant.pk)
    assert member.status == Member.Status.ADMITTED
    assert member.number == 1
    assert member.college == register["colleges"]["users"]
    assert member.admission_ref == "CA du 3 mars 2025, décision 7"
    assert member.user.email == "claire.durand@example.org"
    assert not member.user.has_usable_password()
    assert member.user.groups.filter(name="member").exists()

    delivery = deliveries("membership.invitation").get()
    assert delivery.notice.reference == f"member:{member.pk}"
    assert delivery.recipient_key == f"member:{member.pk}"
    assert (delivery.to_email, delivery.language) == ("claire.durand@example.org", "en")
    assert "Your member number: 1" in delivery.body_text
    assert "https://voliere.example.org/accounts/login/code/" in delivery.body_text
    assert len(callbacks) == 1

    page = text(admin_client.get(response["Location"]))
    assert "Claire Durand is admitted: member no. 1" in page
    assert "An invitation to sign in was sent to claire.durand@example.org." in page


def test_a_member_without_email_is_admitted_without_an_account(register, admin_client):
    applicant = apply(register["categories"]["beneficiary"], email="")
    response = admin_client.post(
        reverse("members:application_admit", args=[applicant.pk]),
        admit_data(register),
        follow=True,
    )
    member = Member.objects.get(pk=applicant.pk)
    assert member.number == 1 and member.user is None
    # No e-mail: the letter of admission only, waiting to be printed and posted.
    letter = NoticeDelivery.objects.get()
    assert (letter.channel, letter.status) == ("letter", "pending")
    assert letter.notice.kind == "membership.admission"
    page = text(response)
    assert "is admitted: member no. 1" in page
    assert "This member has no e-mail address: no login account was opened." in page
    assert "their letter of admission is to print and post" in page
    assert reverse("coop:outbox_notice", args=[letter.notice.pk]) in response.content.decode()


def test_an_address_already_used_by_another_members_login_is_reported(register, admin_client):
    beneficiaries, users = register["categories"]["beneficiary"], register["colleges"]["users"]
    first = admitted(beneficiaries, users, email="foyer@example.org", last_name="Durand")
    first.user = UserFactory(email="foyer@example.org")
    first.save(update_fields=["user"])
    partner = apply(beneficiaries, email="foyer@example.org", last_name="Martin")

    response = admin_client.post(
        reverse("members:application_admit", args=[partner.pk]),
        admit_data(register),
        follow=True,
    )

    page = text(response)
    assert "is admitted: member no. 2" in page
    assert "the address foyer@example.org is already the login of another member" in page
    partner.refresh_from_db()
    assert partner.user is None
    # No invitation; without consent to e-mail notices, the admission goes by post.
    assert list(NoticeDelivery.objects.values_list("notice__kind", "channel")) == [
        ("membership.admission", "letter")
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"admit-decision_ref": ""}, "Reference of the decision: This field is required."),
        (
            {"admit-decided_on": "2024-12-31"},
            "An admission cannot be decided before the application",
        ),
        ({"admit-decided_on": "2999-01-01"}, "A decision cannot be dated in the future."),
        ({"admit-college": ""}, "College: This field is required."),
    ],
    ids=["no-reference", "before-application", "future", "no-college"],
)
def test_a_bad_admission_is_refused_and_changes_nothing(register, admin_client, overrides, message):
    applicant = apply(register["categories"]["beneficiary"], email="claire@example.org")
    response = admin_client.post(
        reverse("members:application_admit", args=[applicant.pk]),
        admit_data(register, **overrides),
    )
    assert response.status_code == 200
    page = text(response)
    assert "The application was not admitted. Please correct:" in page
    assert message in page
    assert "<title>Error:" in html(response)
    if overrides.get("admit-decision_ref") is None:
        assert 'value="CA du 3 mars 2025, décision 7"' in html(response)  # kept as typed
    applicant.refresh_from_db()
    assert applicant.status == Member.Status.APPLICANT and applicant.number is None
    assert not User.objects.filter(email="claire@example.org").exists()
    assert not NoticeDelivery.objects.exists()


def test_the_second_administrator_to_admit_gets_a_message_not_an_error(register, admin_client):
    applicant = apply(register["categories"]["beneficiary"], email="claire@example.org")
    other = UserFactory(roles=["administrator"], is_staff=True)
    activate_totp(other)
    second = english(Client())
    second.force_login(other)
    # Both opened the page while the application was pending.
    assert second.get(reverse("members:application", args=[applicant.pk])).status_code == 200
    url = reverse("members:application_admit", args=[applicant.pk])

    assert admin_client.post(url, admit_data(register)).status_code == 302
    response = second.post(url, admit_data(register, college="supporters"))

    assert response.status_code == 200
    page = text(response)
    assert (
        "Claire Durand cannot be admitted: their status is “admitted, awaiting ratification”."
        in page
    )
    member = Member.objects.get(pk=applicant.pk)
    assert member.number == 1 and member.college == register["colleges"]["users"]
    assert member.events.filter(kind="admitted").count() == 1
    assert deliveries("membership.invitation").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_administrators_admitting_at_the_same_moment(register):
    applicant = apply(register["categories"]["beneficiary"], email="claire@example.org")
    url = reverse("members:application_admit", args=[applicant.pk])
    clients = []
    for college in ("users", "supporters"):
        admin = UserFactory(roles=["administrator"], is_staff=True)
        activate_totp(admin)
        c = english(Client())
        c.force_login(admin)
        clients.append((c, admit_data(register, college=college)))
    barrier = threading.Barrier(len(clients))
    responses: list = []
    errors: list[BaseException] = []

    def post(c: Client, data: dict) -> None:
        try:
            barrier.wait()
            responses.append(c.post(url, data))
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(r.status_code for r in responses) == [200, 302]
    refused = next(r for r in responses if r.status_code == 200)
    assert "cannot be admitted" in text(refused)
    member = Member.objects.get(pk=applicant.pk)
    assert member.number == 1
    assert member.events.filter(kind="admitted").count() == 1
    assert User.objects.filter(email="claire@example.org").count() == 1
    assert deliveries("membership.invitation").count() == 1


# --- Rejection ------------------------------------------------------------------------------------


def test_a_rejection_tells_the_applicant_by_email_with_the_reason(register, admin_client):
    applicant = apply(register["categories"]["volunteer"], email="paul@example.org", language="fr")
    response = admin_client.post(
        reverse("members:application_reject", args=[applicant.pk]),
        {
            "reject-decided_on": timezone.localdate().isoformat(),
            "reject-reason": "Le projet ne relève pas de l'objet de la coopérative.",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("members:applications")
    page = text(response)
    assert "The application of Claire Durand is rejected." in page
    assert "were sent to paul@example.org" in page
    member = Member.objects.get(pk=applicant.pk)
    assert member.status == Member.Status.REJECTED and member.number is None
    delivery = deliveries("membership.rejection").get()
    assert delivery.notice.reference == f"member:{member.pk}"
    assert (delivery.recipient_key, delivery.to_email) == (
        f"member:{member.pk}",
        "paul@example.org",
    )
    assert delivery.language == "fr"
    assert "Le projet ne relève pas de l'objet de la coopérative." in delivery.body_text


def test_an_applicant_without_email_is_rejected_and_the_administrator_writes_a_letter(
    register, admin_client
):
    applicant = apply(register["categories"]["volunteer"], email="")
    response = admin_client.post(
        reverse("members:application_reject", args=[applicant.pk]),
        {"reject-decided_on": timezone.localdate().isoformat(), "reject-reason": "Hors objet"},
        follow=True,
    )
    assert "tell them of the decision and its reason by letter" in text(response)
    assert not NoticeDelivery.objects.exists()
    assert Member.objects.get(pk=applicant.pk).status == Member.Status.REJECTED


def test_a_rejection_needs_a_reason(register, admin_client):
    applicant = apply(register["categories"]["volunteer"], email="paul@example.org")
    response = admin_client.post(
        reverse("members:application_reject", args=[applicant.pk]),
        {"reject-decided_on": timezone.localdate().isoformat(), "reject-reason": "  "},
    )
    assert response.status_code == 200
    page = text(response)
    assert "The application was not rejected. Please correct:" in page
    assert "Reason given to the applicant: This field is required." in page
    assert Member.objects.get(pk=applicant.pk).status == Member.Status.APPLICANT
    assert not NoticeDelivery.objects.exists()


# --- Ratification --------------------------------------------------------------------------------


@pytest.fixture
def two_admitted(register):
    beneficiaries, users = register["categories"]["beneficiary"], register["colleges"]["users"]
    return [
        admitted(beneficiaries, users, last_name="Un"),
        admitted(beneficiaries, users, last_name="Deux"),
    ]


def test_the_ratification_page_lists_the_admitted_members(register, admin_client, two_admitted):
    response = admin_client.get(reverse("members:ratify"))
    assert response.status_code == 200
    page = text(response)
    assert "2 admitted members awaiting ratification" in page
    for member in two_admitted:
        assert f'<label for="ratify-{member.pk}">{member.display_name}</label>' in html(response)


def test_an_assembly_ratifies_the_members_ticked(register, admin_client, two_admitted):
    first, second = two_admitted
    response = admin_client.post(
        reverse("members:ratify"),
        {
            "members": [first.pk, second.pk],
            "ratified_on": "2025-06-14",
            "assembly_ref": "AGO du 14 juin 2025, résolution 3",
        },
        follow=True,
    )
    page = text(response)
    assert "2 members ratified by the assembly of June 14, 2025" in page
    assert "No admitted member is awaiting ratification." in page
    for member in two_admitted:
        member.refresh_from_db()
        assert member.status == Member.Status.RATIFIED
        assert member.ratified_on == dt.date(2025, 6, 14)
        assert member.events.filter(kind="ratified").count() == 1


def test_ratification_is_all_or_none_and_names_the_member_refused(
    register, admin_client, two_admitted
):
    first, _second = two_admitted
    applicant = apply(register["categories"]["beneficiary"], last_name="Candidat")
    response = admin_client.post(
        reverse("members:ratify"),
        {"members": [first.pk, applicant.pk], "ratified_on": "2025-06-14", "assembly_ref": "AGO"},
    )
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was recorded. Please correct:" in page
    assert "Claire Candidat cannot be ratified" in page
    assert f'id="ratify-{first.pk}" checked' in html(response)  # the ticks are kept
    assert 'value="AGO"' in html(response)
    assert not Member.objects.filter(status=Member.Status.RATIFIED).exists()
    assert not RegisterEvent.objects.filter(kind="ratified").exists()


def test_ratification_needs_a_member_and_the_assembly(register, admin_client, two_admitted):
    response = admin_client.post(reverse("members:ratify"), {"ratified_on": "", "assembly_ref": ""})
    assert response.status_code == 200
    page = text(response)
    assert "Choose at least one member to ratify." in page
    assert "Date of the general assembly: This field is required." in page
    assert not Member.objects.filter(status=Member.Status.RATIFIED).exists()


def test_a_ratification_before_the_admission_is_refused(register, admin_client, two_admitted):
    first, _second = two_admitted
    response = admin_client.post(
        reverse("members:ratify"),
        {"members": [first.pk], "ratified_on": "2025-01-15", "assembly_ref": "AGO"},
    )
    assert response.status_code == 200
    assert "a ratification cannot come before" in text(response)
    first.refresh_from_db()
    assert first.status == Member.Status.ADMITTED
