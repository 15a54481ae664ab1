"""The ballot receipt e-mail's payload, encrypted while it waits in the broker.

The receipt e-mail is sent by a Celery task, not through the notices outbox (an outbox row
keeps the body next to its recipient). Its message sits in Redis until a worker takes it, and
again between retries; so what it carries (the address, the names, the receipt code) travels
as one Fernet token (AES-128-CBC and HMAC-SHA256), never in clear. The key is
RECEIPT_MAIL_KEY from the environment (a Fernet key), else derived from SECRET_KEY with HKDF:
the web processes and the workers share it, Redis never sees it.
"""

import base64
import functools
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "receipt_payload_open", "receipt_payload_seal", "receipts_queue"]

logger = logging.getLogger(__name__)


def _fernet() -> Fernet:
    return _fernet_for(getattr(settings, "RECEIPT_MAIL_KEY", ""), settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _fernet_for(configured: str, secret_key: str) -> Fernet:
    """The Fernet of a key (derived once per process: the HKDF costs more than the seal)."""
    if configured:
        return Fernet(configured)
    derived = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"voliere receipt mail payload",
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def receipt_payload_seal(payload: dict[str, Any]) -> str:
    """The payload as a token; it carries the time it was sealed (`queued_at`)."""
    data = {**payload, "queued_at": time.time()}
    return _fernet().encrypt(json.dumps(data).encode()).decode()


def receipt_payload_open(token: str) -> dict[str, Any]:
    """The payload of a token sealed by `receipt_payload_seal`; InvalidToken if tampered."""
    payload: dict[str, Any] = json.loads(_fernet().decrypt(token.encode()))
    return payload


def receipts_queue(
    *,
    outcomes: Sequence[Any],
    to_email: str,
    language: str,
    voter_name: str,
    assembly_title: str,
    results_url: str,
) -> list[bool]:
    """Queue one receipt e-mail per vote cast (call it once the cast is committed).

    The payload (address, names, receipt) is encrypted before it reaches the broker. Returns,
    per outcome, whether its e-mail is queued: when the broker is down the receipt page says
    so and asks the voter to keep the code it shows (the vote itself is recorded).
    """
    from governance.tasks import ballot_receipt_send  # the task calls this module

    if not to_email:
        return [False] * len(outcomes)
    queued = []
    for outcome in outcomes:
        token = receipt_payload_seal(
            {
                "to_email": to_email,
                "language": language,
                "context": {
                    "voter_name": voter_name,
                    "for_name": outcome.for_entry.name,
                    "assembly_title": assembly_title,
                    "receipt": outcome.receipt,
                    "results_url": results_url,
                },
            }
        )
        try:
            ballot_receipt_send.delay(token)
        except Exception:
            logger.warning("A ballot receipt e-mail could not be queued (broker down?)")
            queued.append(False)
        else:
            queued.append(True)
    return queued
