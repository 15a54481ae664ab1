"""Give a test user a TOTP authenticator, as allauth would after activation; sign a test
client in as allauth would at the end of a complete sign-in."""

import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.account.internal.userkit import user_id_to_str
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test.client import ClientMixin

# allauth keeps the user the records belong to beside them (allauth.account.internal.flows.login).
RECORDS_USER_SESSION_KEY = "account_authentication_methods_user"

force_login_first_factor = ClientMixin.force_login


def activate_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def has_authenticator(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def record_sign_in(client, user, *, at: float | None = None, mfa: bool = True) -> None:
    """Write in the client's session the authentication records allauth writes when `user`
    signs in with a password and then (mfa=True, for an account with TOTP) a TOTP code."""
    at = time.time() if at is None else at
    records: list[dict] = [{"method": "password", "at": at, "email": user.email}]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if mfa and totp is not None:
        records.append({"method": "mfa", "at": at, "id": totp.pk, "type": totp.type})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[RECORDS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def force_login_signed_in(self, user, backend=None) -> None:
    """`client.force_login` in the tests: a complete sign-in, second factor included when the
    account has TOTP. `force_login_first_factor(client, user)` stops after the first factor."""
    force_login_first_factor(self, user, backend)
    record_sign_in(self, user)
