"""Signed tokens for the links e-mailed to people (django.core.signing): no secret is stored.

- a guest's e-mail check: the registration, valid for VERIFY_MAX_AGE;
- cancelling a registration and answering an offered seat: the registration, no expiry (the
  registration's status decides what the link can still do);
- joining a community as a participant: the community, the address and the name given, valid
  for VERIFY_MAX_AGE.
"""

import datetime as dt
from typing import Any

from django.core import signing

VERIFY_MAX_AGE = dt.timedelta(days=3)

_VERIFY = "heritage.registration.verify"
_CANCEL = "heritage.registration.cancel"
_OFFER = "heritage.registration.offer"
_PARTICIPATE = "heritage.community.participate"


class BadToken(Exception):
    """The link is broken, forged or too old."""


def _load(token: str, salt: str, max_age: dt.timedelta | None = None) -> Any:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise BadToken(str(exc)) from exc


def verify_token(registration_pk: int) -> str:
    return signing.dumps(registration_pk, salt=_VERIFY)


def verify_token_read(token: str) -> int:
    return int(_load(token, _VERIFY, VERIFY_MAX_AGE))


def cancel_token(registration_pk: int) -> str:
    return signing.dumps(registration_pk, salt=_CANCEL)


def cancel_token_read(token: str) -> int:
    return int(_load(token, _CANCEL))


def offer_token(registration_pk: int) -> str:
    return signing.dumps(registration_pk, salt=_OFFER)


def offer_token_read(token: str) -> int:
    return int(_load(token, _OFFER))


def participate_token(*, community_pk: int, email: str, name: str, notify: bool) -> str:
    return signing.dumps(
        {"c": community_pk, "e": email, "n": name, "notify": notify}, salt=_PARTICIPATE
    )


def participate_token_read(token: str) -> dict[str, Any]:
    data = _load(token, _PARTICIPATE, VERIFY_MAX_AGE)
    if not isinstance(data, dict) or not {"c", "e", "n", "notify"} <= set(data):
        raise BadToken("incomplete")
    return data
