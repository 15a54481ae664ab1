"""allauth adapters: who may open an account, and how the two-factor secrets are stored."""

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

# Marks a value encrypted by this module. A value without it is a secret written before
# encryption at rest (migration coop 0008 encrypts those; see decrypt_secret).
ENCRYPTED_PREFIX = "fernet1:"


@dataclass(frozen=True)
class NamedSite:
    """The site as e-mails name it: the cooperative's site name ("Bonjour, c'est Les oiseaux
    de passage"), never its host; the host stays for the links."""

    name: str
    domain: str

    def __str__(self) -> str:
        return self.name


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are opened by the cooperative (admission, invitation), not by self sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.ACCOUNT_ALLOW_SIGNUPS)

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.COOP_SITE_NAME}] {subject}"

    def render_mail(
        self, template_prefix: str, email: Any, context: dict, *args: Any, **kwargs: Any
    ):
        site = context.get("current_site")
        context = {
            **context,
            "current_site": NamedSite(
                name=settings.COOP_SITE_NAME, domain=getattr(site, "domain", "")
            ),
        }
        return super().render_mail(template_prefix, email, context, *args, **kwargs)


def _fernet() -> Fernet:
    key = settings.TOTP_ENCRYPTION_KEY
    if not key:
        raise ImproperlyConfigured("TOTP_ENCRYPTION_KEY is not set.")
    # Any long random string: SHA-256 turns it into the 32 bytes Fernet needs.
    digest = hashlib.sha256(key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(text: str) -> str:
    """Encrypt a TOTP secret or recovery-code seed (AES-128-CBC with HMAC-SHA256, Fernet)."""
    if text.startswith(ENCRYPTED_PREFIX):
        return text  # already encrypted: never twice
    return ENCRYPTED_PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt_secret(stored: str) -> str:
    """The clear secret. A value without the prefix was stored in clear by the previous release
    (an authenticator activated while this release's migration ran): it is read as it is."""
    if not stored.startswith(ENCRYPTED_PREFIX):
        return stored
    try:
        return _fernet().decrypt(stored[len(ENCRYPTED_PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A two-factor secret cannot be decrypted: TOTP_ENCRYPTION_KEY is not the key it "
            "was encrypted with."
        ) from exc


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are encrypted at rest with TOTP_ENCRYPTION_KEY, so
    that a copy of the database (a backup, a dump given for support) does not give away the
    administrators' second factor."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
