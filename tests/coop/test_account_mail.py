"""The account e-mails (allauth's) name the cooperative's site, never the host serving it."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.coop.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "greeting"),
    [
        ("fr", "Bonjour, c'est Les oiseaux de passage !"),
        ("en", "Hello from Les oiseaux de passage!"),
    ],
)
def test_the_sign_in_code_mail_says_the_sites_name(client, settings, language, greeting):
    settings.COOP_SITE_NAME = "Les oiseaux de passage"
    member = UserFactory(roles=["member"])

    response = client.post(
        reverse("account_request_login_code"),
        {"email": member.email},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.body.startswith(greeting)
    assert message.subject.startswith("[Les oiseaux de passage] ")
    assert "testserver" not in message.subject + message.body.split("\n", 1)[0]
