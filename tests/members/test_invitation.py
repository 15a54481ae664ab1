"""Inviting an admitted member to sign in: the account, its unverified address, the "member"
group, the invitation notice in the outbox; idempotence; members without an address; and the
first sign-in by e-mailed code, which verifies the address."""

import datetime as dt
import re
import threading

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.urls import reverse

from coop.errors import DomainError
from coop.models import AuditEvent, Notice, NoticeDelivery
from members.models import Member
from members.services import InvitationOutcome, member_invite
from tests.coop.factories import StatutesFactory, UserFactory
from tests.members.factories import admitted, apply, standard_register

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def register(settings):
    settings.SITE_URL = "https://voliere.example.org/"
    StatutesFactory(effective_from=dt.date(2020, 1, 1), name="Les Communs d'Ici")
    return standard_register()


@pytest.fixture
def actor(db):
    return UserFactory(roles=["administrator"], is_staff=True)


def new_member(register, **kwargs) -> Member:
    kwargs.setdefault("email", "claire.durand@example.org")
    return admitted(register["categories"]["beneficiary"], register["colleges"]["users"], **kwargs)


def invitations(member: Member):
    return NoticeDelivery.objects.filter(
        notice__kind="membership.invitation", notice__reference=f"member:{member.pk}"
    )


def test_invitation_opens_an_account_without_password_and_queues_the_notice(register, actor):
    member = new_member(register, email="Claire.Durand@Example.org", language="en")

    invitation = member_invite(member=member, actor=actor)

    assert invitation.outcome == InvitationOutcome.INVITED and invitation.account_created
    member.refresh_from_db()
    user = member.user
    assert user is not None and user.email == "claire.durand@example.org"
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name, user.preferred_language) == ("Claire", "Durand", "en")
    assert list(user.groups.values_list("name", flat=True)) == ["member"]
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (user.email, False, True)

    delivery = invitations(member).get()
    assert delivery.recipient_key == f"member:{member.pk}"
    assert delivery.to_email == "claire.durand@example.org"
    assert delivery.language == "en"
    assert delivery.subject == "Les Communs d'Ici: welcome, member no. 1"
    assert "Your member number: 1" in delivery.body_text
    assert "https://voliere.example.org/accounts/login/code/" in delivery.body_text
    assert AuditEvent.objects.filter(action="member.invited", target_id=str(member.pk)).exists()


def test_the_invitation_is_written_in_the_members_language(register, actor):
    member = new_member(register, language="fr")
    member_invite(member=member, actor=actor)
    delivery = invitations(member).get()
    assert delivery.language == "fr"
    # Our own strings are not translated yet (locale/ comes later); Django's are:
    # the date of admission is written the French way.
    assert "1 février 2025" in delivery.body_text


def test_inviting_twice_opens_one_account_and_queues_one_notice(register, actor):
    member = new_member(register)
    first = member_invite(member=member, actor=actor)
    second = member_invite(member=member, actor=actor)

    assert second.outcome == InvitationOutcome.ALREADY_INVITED
    assert second.user == first.user
    assert User.objects.filter(email="claire.durand@example.org").count() == 1
    assert EmailAddress.objects.filter(email="claire.durand@example.org").count() == 1
    assert Notice.objects.filter(kind="membership.invitation").count() == 1
    assert invitations(member).count() == 1
    assert AuditEvent.objects.filter(action="member.invited").count() == 1


def test_an_existing_account_with_the_address_is_linked_not_duplicated(register, actor):
    existing = UserFactory(email="claire.durand@example.org")
    member = new_member(register, email="CLAIRE.DURAND@example.org")

    invitation = member_invite(member=member, actor=actor)

    assert invitation.outcome == InvitationOutcome.INVITED
    assert not invitation.account_created
    member.refresh_from_db()
    assert member.user == existing
    assert User.objects.count() == 2  # the administrator and Claire
    assert existing.groups.filter(name="member").exists()
    assert existing.has_usable_password()  # their password still works
    assert EmailAddress.objects.filter(user=existing).count() == 1


def test_an_account_with_the_address_verified_as_a_second_address_is_linked(register, actor):
    existing = UserFactory(email="claire.pro@example.org")
    EmailAddress.objects.create(
        user=existing, email="claire.durand@example.org", verified=True, primary=False
    )
    member = new_member(register)
    member_invite(member=member, actor=actor)
    member.refresh_from_db()
    assert member.user == existing
    assert invitations(member).get().to_email == "claire.pro@example.org"


def test_an_unverified_second_address_of_someone_else_does_not_capture_the_member(register, actor):
    intruder = UserFactory(email="intruder@example.org")
    EmailAddress.objects.create(
        user=intruder, email="claire.durand@example.org", verified=False, primary=False
    )
    member = new_member(register)

    invitation = member_invite(member=member, actor=actor)

    member.refresh_from_db()
    assert invitation.account_created
    assert member.user != intruder
    assert member.user.email == "claire.durand@example.org"
    assert not intruder.groups.filter(name="member").exists()


def test_an_address_that_is_already_another_members_login_gets_no_account(register, actor):
    first = new_member(register, last_name="Durand")
    member_invite(member=first, actor=actor)
    partner = new_member(register, last_name="Martin")  # the same household address

    invitation = member_invite(member=partner, actor=actor)

    assert invitation.outcome == InvitationOutcome.EMAIL_IN_USE
    assert invitation.user is None
    partner.refresh_from_db()
    assert partner.user is None
    assert not invitations(partner).exists()


def test_a_member_without_an_address_keeps_their_number_and_gets_no_account(register, actor):
    member = new_member(register, email="")
    invitation = member_invite(member=member, actor=actor)
    assert invitation.outcome == InvitationOutcome.NO_EMAIL
    member.refresh_from_db()
    assert member.number == 1 and member.user is None
    assert User.objects.count() == 1  # the administrator only
    assert not NoticeDelivery.objects.exists()


def test_an_applicant_cannot_be_invited(register, actor):
    applicant = apply(register["categories"]["volunteer"], email="paul@example.org")
    with pytest.raises(DomainError, match="cannot be invited"):
        member_invite(member=applicant, actor=actor)
    assert not User.objects.filter(email="paul@example.org").exists()


def test_a_legal_persons_account_is_in_its_representatives_name(register, actor):
    member = new_member(
        register,
        person_kind="legal",
        first_name="",
        last_name="",
        legal_name="Commune de Saint-Martin",
        representative_name="Anne Mairesse",
        representative_role="maire",
        email="mairie@saint-martin.example.org",
    )
    member_invite(member=member, actor=actor)
    member.refresh_from_db()
    assert member.user.last_name == "Anne Mairesse"
    # The invitation is written in the member's language (French by default).
    assert "Bonjour Anne Mairesse," in invitations(member).get().body_text


def test_the_invited_member_signs_in_by_code_and_their_address_becomes_verified(
    register, actor, client
):
    member = new_member(register)
    member_invite(member=member, actor=actor)
    mail.outbox.clear()

    response = client.post(
        reverse("account_request_login_code"), {"email": "claire.durand@example.org"}
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = re.search(
        r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", mail.outbox[0].body, re.MULTILINE
    ).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302

    member.refresh_from_db()
    assert int(client.session["_auth_user_id"]) == member.user_id
    assert EmailAddress.objects.get(user_id=member.user_id).verified


def _in_threads(*targets):
    barrier = threading.Barrier(len(targets))
    results: list = []
    errors: list[BaseException] = []

    def run(target):
        try:
            barrier.wait()
            results.append(target())
        except BaseException as exc:  # re-raised in the test thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_the_same_member_invited_twice_at_once_gets_one_account_and_one_notice(register):
    member = new_member(register)
    results = _in_threads(*[lambda: member_invite(member=member, actor=None)] * 2)
    assert sorted(r.outcome for r in results) == [
        InvitationOutcome.ALREADY_INVITED,
        InvitationOutcome.INVITED,
    ]
    assert User.objects.filter(email="claire.durand@example.org").count() == 1
    assert invitations(member).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_members_sharing_an_address_invited_at_once_get_one_account(register):
    first = new_member(register, last_name="Durand", email="foyer@example.org")
    second = new_member(register, last_name="Martin", email="foyer@example.org")
    results = _in_threads(
        lambda: member_invite(member=first, actor=None),
        lambda: member_invite(member=second, actor=None),
    )
    assert sorted(r.outcome for r in results) == [
        InvitationOutcome.EMAIL_IN_USE,
        InvitationOutcome.INVITED,
    ]
    assert User.objects.filter(email="foyer@example.org").count() == 1
    assert Member.objects.filter(user__email="foyer@example.org").count() == 1
    assert NoticeDelivery.objects.filter(notice__kind="membership.invitation").count() == 1
