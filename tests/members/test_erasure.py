"""Erasure on request of a former member's personal data (RULES 5): the service and the page."""

import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from coop.errors import DomainError
from coop.models import AuditEvent
from heritage.models import Registration
from members.models import Member, RegisterEvent
from members.services import member_exit
from members.services.erasure import member_erase_personal_data, member_erasure_plan
from tests.coop.factories import StatutesFactory, UserFactory
from tests.heritage.factories import gathering
from tests.members.factories import admitted, standard_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db):
    StatutesFactory(effective_from=dt.date(2020, 1, 1))
    return standard_register()


@pytest.fixture
def secretary(db):
    return UserFactory(roles=["administrator"], email="secretary@example.org")


def _member(register, *, actor, **kwargs) -> Member:
    user = UserFactory(roles=["member"], email="claire@example.org")
    member = admitted(
        register["categories"]["employee"],
        register["colleges"]["employees"],
        first_name="Claire",
        last_name="Durand",
        email="claire@example.org",
        phone="04 76 11 22 33",
        address="3 rue des Canuts",
        postal_code="69004",
        city="Lyon",
        actor=actor,
        **kwargs,
    )
    member.user = user
    member.save(update_fields=["user"])
    return member


@pytest.fixture
def claire(register, secretary):
    return _member(register, actor=secretary)


@pytest.fixture
def former(claire, secretary):
    member_exit(
        member=claire,
        status=Member.Status.RESIGNED,
        exited_on=dt.date(2026, 3, 31),
        decision_ref="Lettre du 1er mars 2026",
        actor=secretary,
    )
    claire.refresh_from_db()
    return claire


def _guest_registrations():
    held = gathering()
    Registration.objects.create(
        gathering=held,
        guest_name="Claire D.",
        guest_email="Claire@example.org",
        status=Registration.Status.CONFIRMED,
    )
    type(held).objects.filter(pk=held.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=3),
        ends_at=timezone.now() - dt.timedelta(days=2),
    )
    coming = gathering(title="À venir")
    Registration.objects.create(
        gathering=coming,
        guest_name="Claire D.",
        guest_email="claire@example.org",
        status=Registration.Status.CONFIRMED,
    )
    return held, coming


# --- The service -----------------------------------------------------------------------------


def test_a_member_who_has_not_left_is_refused_with_the_reason(claire, secretary):
    with pytest.raises(DomainError, match="has not left the cooperative"):
        member_erasure_plan(member=claire)
    with pytest.raises(DomainError, match="has not left the cooperative"):
        member_erase_personal_data(member=claire, confirm_number=claire.number, actor=secretary)
    claire.refresh_from_db()
    assert claire.phone == "04 76 11 22 33"
    assert not AuditEvent.objects.filter(action="members.personal_data_erased").exists()


def test_a_wrong_confirmation_erases_nothing(former, secretary):
    with pytest.raises(DomainError, match=f"Type the member number {former.number}"):
        member_erase_personal_data(member=former, confirm_number=former.number + 1, actor=secretary)
    former.refresh_from_db()
    assert former.email == "claire@example.org"
    assert former.user.is_active


def test_erasure_keeps_the_register_and_erases_the_rest(former, secretary):
    assert EmailAddress.objects.filter(user=former.user).exists()
    held, coming = _guest_registrations()
    events_before = list(RegisterEvent.objects.filter(member=former).values())

    plan = member_erasure_plan(member=former)
    assert plan.keep_until == dt.date(2031, 3, 31)
    erased_labels = [str(item.label) for item in plan.erased]
    assert "telephone" in erased_labels and "e-mail address" in erased_labels
    assert "Login account" in erased_labels
    assert "Guest registrations to gatherings" in erased_labels
    assert "Guest registrations still to come" in [str(item.label) for item in plan.kept]

    member_erase_personal_data(member=former, confirm_number=former.number, actor=secretary)

    former.refresh_from_db()
    # The register's legal fields stay.
    assert (former.number, former.first_name, former.last_name) == (1, "Claire", "Durand")
    assert former.status == Member.Status.RESIGNED
    assert former.exited_on == dt.date(2026, 3, 31)
    assert former.exit_ref == "Lettre du 1er mars 2026"
    assert former.admitted_on and former.admission_ref and former.college_id
    # The rest is erased.
    assert (former.email, former.phone, former.address, former.postal_code, former.city) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert former.e_notices is False
    user = former.user
    assert not user.is_active and not user.has_usable_password()
    assert user.email.endswith("@erased.invalid") and "claire" not in user.email
    assert not user.groups.exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    past = Registration.objects.get(gathering=held)
    assert past.guest_name == "—" and past.guest_email.endswith("@erased.invalid")
    assert past.status == Registration.Status.CONFIRMED
    assert Registration.objects.get(gathering=coming).guest_email == "claire@example.org"
    # The history is not rewritten, and nothing is added to it.
    assert list(RegisterEvent.objects.filter(member=former).values()) == events_before
    # One audit entry, naming the fields, never the values.
    event = AuditEvent.objects.get(action="members.personal_data_erased")
    assert event.target_id == str(former.pk)
    assert set(event.data["fields"]) == {
        "email",
        "phone",
        "address",
        "postal_code",
        "city",
        "country",
    }
    assert event.data["account"] is True and event.data["guest_registrations"] == 1
    assert "04 76" not in str(event.data) and "claire@" not in str(event.data)


def test_erasing_twice_is_refused_with_a_clear_message(former, secretary):
    member_erase_personal_data(member=former, confirm_number=former.number, actor=secretary)
    former.refresh_from_db()
    assert member_erasure_plan(member=former).erased == []
    with pytest.raises(DomainError, match="already erased"):
        member_erase_personal_data(member=former, confirm_number=former.number, actor=secretary)
    assert AuditEvent.objects.filter(action="members.personal_data_erased").count() == 1


# --- The page --------------------------------------------------------------------------------


def test_only_administrators_reach_the_page(client, former, member_user):
    url = reverse("members:member_erasure", args=[former.pk])
    assert client.get(url).status_code in (302, 403)
    client.force_login(member_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm_number": former.number}).status_code == 403
    former.refresh_from_db()
    assert former.phone


def test_the_page_refuses_a_current_member_with_the_reason(admin_client, claire):
    response = admin_client.get(
        reverse("members:member_erasure", args=[claire.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    assert "has not left the cooperative" in response.content.decode()
    assert 'name="confirm_number"' not in response.content.decode()


def test_the_page_refuses_in_french(admin_client, claire):
    response = admin_client.get(
        reverse("members:member_erasure", args=[claire.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "n\u2019a pas quitté la coopérative" in response.content.decode()


def test_preview_then_confirmation_erases(admin_client, former):
    url = reverse("members:member_erasure", args=[former.pk])
    response = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "What will be erased" in page and "What is kept, and why" in page
    assert "Telephone" in page and "Login account" in page
    assert "The entry in the register" in page

    wrong = admin_client.post(url, {"confirm_number": "12"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == 422
    assert "Type the member number 1 to confirm the erasure." in wrong.content.decode()
    junk = admin_client.post(url, {"confirm_number": "99999999999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert junk.status_code == 422
    former.refresh_from_db()
    assert former.phone == "04 76 11 22 33"

    done = admin_client.post(url, {"confirm_number": "1"}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert done.redirect_chain[-1][0] == reverse("members:member_detail", args=[former.pk])
    assert "is erased; the entry is kept until" in done.content.decode()
    former.refresh_from_db()
    assert former.phone == "" and not former.user.is_active


def test_the_confirmation_in_french(admin_client, former):
    url = reverse("members:member_erasure", args=[former.pk])
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ce qui sera effacé" in page
    wrong = admin_client.post(url, {"confirm_number": "12"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Tapez le numéro de membre 1 pour confirmer l\u2019effacement." in wrong.content.decode()


def test_the_entry_of_a_former_member_links_to_the_erasure(admin_client, former, claire):
    page = admin_client.get(reverse("members:member_detail", args=[former.pk])).content.decode()
    assert reverse("members:member_erasure", args=[former.pk]) in page
