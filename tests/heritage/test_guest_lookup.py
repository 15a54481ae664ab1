"""A guest receives their own registrations through a link sent to their address (RULES 5)."""

import datetime as dt
import re

import pytest
from django.core import signing
from django.db import connection
from django.urls import reverse

from coop.models import NoticeDelivery
from heritage.models import Registration
from heritage.services.guest_lookup import (
    GUEST_LOOKUP,
    LOOKUPS_PER_ADDRESS,
    LOOKUPS_PER_CLIENT,
    guest_lookup_request,
    lookup_token,
)
from tests.coop.test_redis_down import redis_down  # noqa: F401 - the fixture
from tests.heritage.factories import gathering

pytestmark = pytest.mark.django_db

FORM = reverse("heritage:guest_lookup")
NEUTRAL_EN = "If registrations exist for this address, a link was sent to it."
NEUTRAL_FR = "Si des inscriptions existent pour cette adresse, un lien y a été envoyé."


@pytest.fixture
def alice_registrations(db):
    walk = gathering(title="Balade des traboules")
    talk = gathering(title="Causerie")
    confirmed = Registration.objects.create(
        gathering=walk,
        guest_name="Alice",
        guest_email="Alice@Example.org",
        status=Registration.Status.CONFIRMED,
    )
    cancelled = Registration.objects.create(
        gathering=talk,
        guest_name="Alice",
        guest_email="alice@example.org",
        status=Registration.Status.CANCELLED,
    )
    Registration.objects.create(
        gathering=walk,
        guest_name="Bob",
        guest_email="bob@example.org",
        status=Registration.Status.CONFIRMED,
    )
    return confirmed, cancelled


def _lookup_mails():
    return NoticeDelivery.objects.filter(notice__kind=GUEST_LOOKUP)


def _without_csrf(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", html)


def _link(body: str) -> str:
    return re.search(r"https?://\S+/heritage/registrations/mine/\S+/", body).group(0)


def test_the_form_answers_the_same_whether_registrations_exist_or_not(client, alice_registrations):
    known = client.post(FORM, {"email": "alice@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    unknown = client.post(FORM, {"email": "nobody@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert known.status_code == unknown.status_code == 200
    assert NEUTRAL_EN in known.content.decode()
    # Nothing tells them apart but the CSRF token, masked anew on every page.
    assert _without_csrf(known) == _without_csrf(unknown)
    mails = list(_lookup_mails())
    assert [m.to_email for m in mails] == ["alice@example.org"]


def test_the_mail_holds_only_the_link_and_the_link_lists_the_address_registrations(
    client, alice_registrations
):
    confirmed, _cancelled = alice_registrations
    client.post(FORM, {"email": "ALICE@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    mail = _lookup_mails().get()
    assert "Alice" not in mail.body_text and "Bob" not in mail.body_text
    assert "24 hours" in mail.body_text

    page = client.get(_link(mail.body_text), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    html = page.content.decode()
    assert "Balade des traboules" in html and "Causerie" in html
    assert "bob@example.org" not in html
    cancel = reverse(
        "heritage:registration_cancel",
        args=[signing.dumps(confirmed.pk, salt="heritage.registration.cancel")],
    )
    assert cancel in html
    assert html.count("/heritage/registrations/cancel/") == 1  # the cancelled one has none


def test_the_mail_is_in_the_language_of_the_request(client, alice_registrations):
    client.post(FORM, {"email": "alice@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")
    mail = _lookup_mails().get()
    assert mail.subject.startswith("Vos inscriptions aux rencontres")
    assert "valable 24 heures" in mail.body_text


def test_a_link_that_is_forged_or_too_old_is_refused(client, alice_registrations, monkeypatch):
    forged = client.get(reverse("heritage:guest_lookup_list", args=["alice@example.org"]))
    assert forged.status_code == 400
    assert "Balade" not in forged.content.decode()

    token = lookup_token("alice@example.org")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    old = client.get(reverse("heritage:guest_lookup_list", args=[token]), HTTP_ACCEPT_LANGUAGE="fr")
    assert old.status_code == 400
    assert "Ce lien n\u2019est pas valide ou a expiré" in old.content.decode()
    assert "Balade" not in old.content.decode()


def test_an_address_gets_at_most_a_few_links_an_hour(alice_registrations):
    sent = [guest_lookup_request(email="alice@example.org") for _ in range(LOOKUPS_PER_ADDRESS + 2)]
    assert sent == [True] * LOOKUPS_PER_ADDRESS + [False, False]
    assert _lookup_mails().count() == LOOKUPS_PER_ADDRESS


def test_a_client_trying_many_addresses_is_stopped_with_a_clear_message(client, db):
    for number in range(LOOKUPS_PER_CLIENT):
        response = client.post(FORM, {"email": f"guess{number}@example.org"})
        assert response.status_code == 200
    stopped = client.post(FORM, {"email": "one-more@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert stopped.status_code == 429
    assert "Too many requests came from your connection" in stopped.content.decode()
    in_french = client.post(FORM, {"email": "x@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert "Trop de demandes sont venues de votre connexion" in in_french.content.decode()


def test_a_bad_address_gets_a_form_error_in_the_visitor_s_language(client, db):
    response = client.post(FORM, {"email": "not an address"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()
    french = client.post(FORM, {"email": "pas\x00une adresse"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 400
    assert NEUTRAL_FR not in french.content.decode()
    assert not _lookup_mails().exists()


def test_the_neutral_answer_in_french(client, db):
    response = client.post(FORM, {"email": "nobody@example.org"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert NEUTRAL_FR in response.content.decode()


@pytest.mark.usefixtures("redis_down")
def test_the_limit_per_client_holds_with_redis_down(client, db):
    for number in range(LOOKUPS_PER_CLIENT):
        assert client.post(FORM, {"email": f"guess{number}@example.org"}).status_code == 200
    assert client.post(FORM, {"email": "one-more@example.org"}).status_code == 429
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM coop_cache_fallback WHERE cache_key LIKE %s",
            ["%heritage:lookup:client:%"],
        )
        assert cursor.fetchone()[0] == 1
