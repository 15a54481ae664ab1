"""TOTP secrets and recovery-code seeds are encrypted at rest (coop.adapters.MFAAdapter,
migration coop 0008), and TOTP still works: activation, sign-in, recovery codes."""

import importlib
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.urls import reverse

from coop.adapters import ENCRYPTED_PREFIX, decrypt_secret, encrypt_secret
from tests.coop.factories import TEST_PASSWORD, UserFactory
from tests.coop.mfa import activate_totp

pytestmark = pytest.mark.django_db

migration = importlib.import_module("coop.migrations.0008_totp_secrets_encrypted")


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def stored_data(authenticator: Authenticator) -> str:
    """The row as PostgreSQL holds it, not as the model gives it back."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT data::text FROM mfa_authenticator WHERE id = %s", [authenticator.pk])
        return cursor.fetchone()[0]


def test_the_secret_in_the_database_is_not_the_base32_secret():
    user = UserFactory(roles=["administrator"])
    secret = activate_totp(user)
    totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    raw = stored_data(totp)
    assert secret not in raw
    assert totp.data["secret"].startswith(ENCRYPTED_PREFIX)
    # Encrypted with a random IV: the same secret never gives the same text twice.
    assert encrypt_secret(secret) != encrypt_secret(secret)
    assert decrypt_secret(totp.data["secret"]) == secret
    assert TOTP(totp).validate_code(current_code(secret))


def test_recovery_code_seeds_are_encrypted_and_the_codes_still_work():
    user = UserFactory(roles=["administrator"])
    activate_totp(user)
    codes = RecoveryCodes.activate(user)
    seed = decrypt_secret(codes.instance.data["seed"])
    assert seed not in stored_data(codes.instance)
    first = codes.get_unused_codes()[0]
    assert RecoveryCodes(codes.instance).validate_code(first)


def test_signing_in_with_an_encrypted_secret_works(client):
    user = UserFactory(roles=["administrator", "member"])
    secret = activate_totp(user)
    step = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert step["Location"] == reverse("mfa_authenticate")
    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
    assert client.post(reverse("mfa_authenticate"), {"code": wrong}).status_code == 200
    assert "_auth_user_id" not in client.session
    done = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert done.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_secret_cannot_be_read_with_another_key(settings):
    stored = encrypt_secret("JBSWY3DPEHPK3PXP")
    settings.TOTP_ENCRYPTION_KEY = "another-key-0123456789-abcdefghijklmnop"
    with pytest.raises(ImproperlyConfigured, match="TOTP_ENCRYPTION_KEY"):
        decrypt_secret(stored)


def test_the_migration_encrypts_the_secrets_stored_before_and_can_go_back():
    user = UserFactory(roles=["administrator"])
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    seed = "0f" * 40
    totp = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    codes = Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"seed": seed, "used_mask": 0, "migrated_codes": ["a1b2c3d4"]},
    )
    assert secret in stored_data(totp)

    migration.encrypt_secrets(apps, None)
    migration.encrypt_secrets(apps, None)  # twice: never encrypted twice
    totp.refresh_from_db()
    codes.refresh_from_db()
    assert secret not in stored_data(totp)
    assert seed not in stored_data(codes) and "a1b2c3d4" not in stored_data(codes)
    assert decrypt_secret(totp.data["secret"]) == secret
    assert TOTP(totp).validate_code(current_code(secret))
    assert RecoveryCodes(codes).get_unused_codes() == ["a1b2c3d4"]
    assert codes.data["used_mask"] == 0

    migration.decrypt_secrets(apps, None)
    totp.refresh_from_db()
    assert totp.data["secret"] == secret


def test_a_secret_left_in_clear_by_the_previous_release_is_still_read():
    user = UserFactory(roles=["administrator"])
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    totp = Authenticator.objects.create(
        user=user, type=Authenticator.Type.TOTP, data={"secret": secret}
    )
    assert TOTP(totp).validate_code(current_code(secret))
