"""RULES 25: after each subscription the member receives their share certificate: an e-mail
with the link to download it when they agreed to e-notices, otherwise a letter to print."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from capital.models import ShareMovement
from capital.services import certificate_notify, share_transfer
from coop.models import NoticeDelivery
from tests.capital.factories import capital_setup, member, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def register():
    return capital_setup()


def _deliveries(movement):
    return list(
        NoticeDelivery.objects.filter(
            notice__kind="share-certificate", notice__reference=f"movement:{movement.pk}"
        )
    )


def test_a_member_who_agreed_to_e_notices_gets_an_email_with_the_link(register):
    alice = member(
        register, last_name="Alice", email="alice@example.org", e_notices=True, language="en"
    )
    movement = subscribe(alice, 4, paid="50.00", due_on=dt.date(2026, 3, 1))
    (delivery,) = _deliveries(movement)
    assert delivery.channel == NoticeDelivery.Channel.EMAIL
    assert delivery.to_email == "alice@example.org"
    assert delivery.recipient_key == f"member:{alice.pk}"
    assert delivery.subject == f"Coopérative d'essai: your share certificate no. {movement.seq}"
    body = delivery.body_text
    url = settings.SITE_URL.rstrip("/") + reverse("capital:certificate", args=[movement.pk])
    assert url in body
    assert "Your subscription of 4 shares on March 1, 2025" in body
    assert "Amount subscribed: €200.00" in body and "Paid up on subscription: €50.00" in body
    assert "Rest due by: March 1, 2026" in body
    assert "à capital variable" in body
    assert delivery.status == NoticeDelivery.Status.PENDING


def test_the_email_is_written_in_the_members_language(register):
    alice = member(register, last_name="Alice", email="alice@example.org", e_notices=True)
    movement = subscribe(alice, 1)  # the register's default language is French
    (delivery,) = _deliveries(movement)
    assert delivery.language == "fr"


def test_a_member_without_consent_gets_a_letter_to_print(register):
    bob = member(
        register,
        last_name="Bob",
        email="bob@example.org",
        address="3 rue des Lilas",
        postal_code="38000",
        city="Grenoble",
        language="en",
    )
    movement = subscribe(bob, 2)
    (delivery,) = _deliveries(movement)
    assert delivery.channel == NoticeDelivery.Channel.LETTER
    assert delivery.to_email == ""
    assert "3 rue des Lilas" in delivery.body_text and "38000 Grenoble" in delivery.body_text
    assert "Your share certificate is enclosed." in delivery.body_text
    assert "Your subscription of 2 shares" in delivery.body_text


def test_one_notice_per_subscription_and_never_two_copies(register):
    alice = member(
        register, last_name="Alice", email="alice@example.org", e_notices=True, language="en"
    )
    first = subscribe(alice, 1)
    second = subscribe(alice, 3)
    assert len(_deliveries(first)) == len(_deliveries(second)) == 1
    # Queuing the certificate of a subscription again adds no second copy.
    certificate_notify(movement=first, actor=None)
    assert len(_deliveries(first)) == 1
    assert NoticeDelivery.objects.filter(notice__kind="share-certificate").count() == 2


def test_payments_and_transfers_send_no_certificate(register):
    alice, bob = member(register, last_name="Alice"), member(register, last_name="Bob")
    subscribe(alice, 4)
    subscribe(bob, 1)
    share_transfer(
        giver=alice,
        receiver=bob,
        shares=1,
        effective_on=dt.date(2025, 4, 1),
        decision_ref="CA",
        actor=None,
    )
    assert NoticeDelivery.objects.filter(notice__kind="share-certificate").count() == 2


def test_the_desk_says_how_the_certificate_goes(admin_client, register):
    alice = member(
        register, last_name="Alice", email="alice@example.org", e_notices=True, language="en"
    )
    bob = member(register, last_name="Bob")
    posted = {"shares": 1, "paid_amount": "50", "effective_on": "2025-03-01", "decision_ref": "B"}
    response = admin_client.post(reverse("capital:subscribe", args=[alice.pk]), posted, follow=True)
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "The share certificate is sent to alice@example.org." in page
    response = admin_client.post(reverse("capital:subscribe", args=[bob.pk]), posted, follow=True)
    assert "print the share certificate and post it" in response.content.decode()
    assert ShareMovement.objects.count() == 2


def test_the_members_desk_page_says_how_each_certificate_went(admin_client, register):
    alice = member(
        register, last_name="Alice", email="alice@example.org", e_notices=True, language="en"
    )
    bob = member(register, last_name="Bob")
    subscribe(alice, 1)
    subscribe(bob, 1)
    page = re.sub(
        r"\s+", " ", admin_client.get(reverse("capital:member", args=[alice.pk])).content.decode()
    )
    assert "by e-mail to alice@example.org: waiting to be sent" in page
    page = re.sub(
        r"\s+", " ", admin_client.get(reverse("capital:member", args=[bob.pk])).content.decode()
    )
    assert "to print and post with its letter" in page
