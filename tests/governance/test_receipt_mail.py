"""The receipt e-mail's sealed payload and its retry schedule."""

import pytest
from cryptography.fernet import Fernet
from django.core import mail

from governance.services import receipt_mail
from governance.services.receipt_mail import (
    InvalidToken,
    receipt_payload_open,
    receipt_payload_seal,
)
from governance.tasks import ballot_receipt_send, receipt_retry_countdown

PAYLOAD = {
    "to_email": "ana@example.org",
    "language": "fr",
    "context": {
        "voter_name": "Ana",
        "for_name": "Ana Durand",
        "assembly_title": "AG 2027",
        "receipt": "ABCDE-FGHJK-LMNPQ-RSTUV",
        "results_url": "https://coop.example.org/r/",
    },
}


def test_the_payload_is_sealed_and_opens_only_with_the_key(settings):
    token = receipt_payload_seal(PAYLOAD)
    for secret in ("ana@example.org", "ABCDE", "Ana Durand"):
        assert secret not in token
    assert receipt_payload_open(token)["context"] == PAYLOAD["context"]
    # Another SECRET_KEY derives another key: the token does not open.
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    with pytest.raises(InvalidToken):
        receipt_payload_open(token)
    # RECEIPT_MAIL_KEY from the environment takes precedence over SECRET_KEY.
    settings.RECEIPT_MAIL_KEY = Fernet.generate_key().decode()
    sealed = receipt_payload_seal(PAYLOAD)
    settings.SECRET_KEY = "yet-another-secret-key-" + "y" * 40
    assert receipt_payload_open(sealed)["to_email"] == "ana@example.org"


def test_retries_back_off_under_the_visibility_timeout_for_more_than_a_day(settings):
    countdowns = [receipt_retry_countdown(n) for n in range(200)]
    assert countdowns[:3] == [60, 120, 240]
    assert max(countdowns) == settings.RECEIPT_MAIL_RETRY_MAX_SECONDS < 3600  # Redis: 1 hour
    assert settings.RECEIPT_MAIL_RETRY_HOURS >= 24


def test_a_receipt_is_sent_in_the_voters_language(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert ballot_receipt_send.apply(args=[receipt_payload_seal(PAYLOAD)]).get() == "sent"
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "ABCDE-FGHJK-LMNPQ-RSTUV" in message.body


def test_a_receipt_undeliverable_past_its_hours_is_given_up(settings, monkeypatch, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    hours = settings.RECEIPT_MAIL_RETRY_HOURS
    real_time = receipt_mail.time.time
    monkeypatch.setattr(receipt_mail.time, "time", lambda: real_time() - hours * 3600 - 60)
    token = receipt_payload_seal(PAYLOAD)
    monkeypatch.undo()
    assert ballot_receipt_send.apply(args=[token]).get() == "given up"
    assert "given up" in caplog.text
    assert "ana@example.org" not in caplog.text


def test_a_tampered_payload_is_dropped():
    token = receipt_payload_seal(PAYLOAD)
    assert ballot_receipt_send.apply(args=[token[:-4] + "AAAA"]).get() == "undecryptable"
