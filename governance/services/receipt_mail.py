"""The ballot receipt e-mail's payload, encrypted while it waits in the broker.

The receipt e-mail is sent by a Celery task, not through the notices outbox (an outbox row
keeps the body next to its recipient). Its message sits in Redis until a worker takes it, and
again between retries; so what it carries (the address, the names, the receipt code) travels
as one Fernet token (AES-128-CBC and HMAC-SHA256), never in clear. The key is
RECEIPT_MAIL_KEY from the environment (a Fernet key), else derived from SECRET_KEY with HKDF:
the web processes and the workers share it, Redis never sees it.
"""

import base64
import json
import time
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "receipt_payload_open", "receipt_payload_seal"]


def _fernet() -> Fernet:
    configured = getattr(settings, "RECEIPT_MAIL_KEY", "")
    if configured:
        return Fernet(configured)
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"voliere receipt mail payload",
    ).derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def receipt_payload_seal(payload: dict[str, Any]) -> str:
    """The payload as a token; it carries the time it was sealed (`queued_at`)."""
    data = {**payload, "queued_at": time.time()}
    return _fernet().encrypt(json.dumps(data).encode()).decode()


def receipt_payload_open(token: str) -> dict[str, Any]:
    """The payload of a token sealed by `receipt_payload_seal`; InvalidToken if tampered."""
    payload: dict[str, Any] = json.loads(_fernet().decrypt(token.encode()))
    return payload
