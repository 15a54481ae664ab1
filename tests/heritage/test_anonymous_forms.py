"""The anonymous forms that send an e-mail to the address typed (issue 15): a guest's
registration to a gathering, a request to take part in a community. They are throttled per
address typed and per client, and the mail sent to an address nobody has checked yet carries
nothing a stranger typed."""

import re

import pytest
from django.urls import reverse

from coop.models import NoticeDelivery
from heritage.services import notices
from tests.heritage.factories import community, gathering

pytestmark = pytest.mark.django_db

STRANGER_NAME = "Mallory: buy cheap pills at https://spam.example"
REFUSED = "Too many requests were sent for this e-mail address or from your connection."


def _register(client, event, email, *, name="Louise", ip="203.0.113.5"):
    return client.post(
        reverse("heritage:register_guest", args=[event.pk]),
        {"name": name, "email": email},
        REMOTE_ADDR=ip,
    )


def _participate(client, canuts, email, *, name="Louise", ip="203.0.113.5"):
    return client.post(
        reverse("heritage:community_participate", args=[canuts.slug]),
        {"name": name, "email": email},
        REMOTE_ADDR=ip,
    )


def test_guest_registrations_are_throttled_per_address(client):
    events = [gathering(title=f"Balade {n}") for n in range(4)]
    for event in events[:3]:
        assert (
            _register(
                client, event, "victim@example.org", ip=f"198.51.100.{event.pk % 200}"
            ).status_code
            == 200
        )
    refused = _register(client, events[3], "Victim@Example.org", ip="192.0.2.77")
    assert refused.status_code == 429
    assert REFUSED in refused.content.decode()
    assert NoticeDelivery.objects.filter(notice__kind=notices.GUEST_VERIFY).count() == 3


def test_guest_registrations_are_throttled_per_client(client):
    event = gathering(capacity=50)
    for n in range(10):
        assert _register(client, event, f"guest{n}@example.org").status_code == 200
    refused = _register(client, event, "guest10@example.org")
    assert refused.status_code == 429
    assert REFUSED in refused.content.decode()
    # Another client is not held back by this one.
    assert _register(client, event, "guest11@example.org", ip="198.51.100.9").status_code == 200
    assert NoticeDelivery.objects.filter(notice__kind=notices.GUEST_VERIFY).count() == 11


def test_taking_part_is_throttled_per_address_and_per_client(client):
    canuts = [community(name=f"Canuts {n}") for n in range(4)]
    for n, each in enumerate(canuts[:3]):
        assert (
            _participate(client, each, "victim@example.org", ip=f"198.51.100.{n}").status_code
            == 200
        )
    refused = _participate(client, canuts[3], "victim@example.org", ip="192.0.2.1")
    assert refused.status_code == 429
    assert REFUSED in refused.content.decode()
    for n in range(10):
        _participate(client, canuts[0], f"p{n}@example.org", ip="192.0.2.200")
    assert _participate(client, canuts[1], "late@example.org", ip="192.0.2.200").status_code == 429
    assert NoticeDelivery.objects.filter(notice__kind=notices.PARTICIPANT_VERIFY).count() == 13


def test_the_refusal_is_in_french_for_a_french_visitor(client):
    event = gathering()
    for _n in range(3):
        _register(client, event, "v@example.org")
    refused = client.post(
        reverse("heritage:register_guest", args=[event.pk]),
        {"name": "Louise", "email": "v@example.org"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert refused.status_code == 429
    assert "Trop de demandes ont été envoyées pour cette adresse" in refused.content.decode()


def test_a_strangers_name_is_not_in_the_mail_to_the_address_typed(client):
    event = gathering(title="Balade des traboules")
    assert _register(client, event, "victim@example.org", name=STRANGER_NAME).status_code == 200
    mail = NoticeDelivery.objects.get(notice__kind=notices.GUEST_VERIFY)
    assert "Mallory" not in mail.body_text + mail.subject
    assert "spam.example" not in mail.body_text + mail.subject
    assert mail.body_text.startswith("Hello,")
    assert "Balade des traboules" in mail.body_text  # what they need to recognise the request

    # Once the address is checked, the later mails do not greet with it either.
    link = re.search(r"/heritage/registrations/verify/\S+/", mail.body_text).group(0)
    assert client.get(link).status_code == 200
    assert NoticeDelivery.objects.exclude(pk=mail.pk).exists()  # the confirmation
    for later in NoticeDelivery.objects.exclude(pk=mail.pk):
        assert "Mallory" not in later.body_text


def test_a_strangers_name_is_not_in_the_mail_to_join_a_community(client):
    canuts = community(name="Canuts")
    assert _participate(client, canuts, "victim@example.org", name=STRANGER_NAME).status_code == 200
    mail = NoticeDelivery.objects.get(notice__kind=notices.PARTICIPANT_VERIFY)
    text = mail.body_text + mail.subject
    assert "Mallory" not in text and "spam.example" not in text
    assert mail.body_text.startswith("Hello,")
    assert "Canuts" in text
