"""A guest (no account) asks for their own registrations to gatherings (RULES 5).

They type an e-mail address; if guest registrations exist for it, a signed link valid for
`LOOKUP_MAX_AGE` is sent there, through the outbox, and nothing else: the mail carries no text
typed by anyone. The page always answers the same neutral sentence, whether registrations
exist or not, so the form tells nobody who registered. Requests are limited per address (a
mailbox is not flooded) and per client (nobody tries addresses in bulk); the counters are in
the cache, kept in the database while Redis is down (`CACHE_FALLBACK_KEY_PREFIXES`).
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import translation

from coop.outbox import notice_enqueue, notice_render_delivery
from heritage.models import Registration
from heritage.services.notices import _cooperative, absolute
from heritage.tokens import BadToken

LOOKUP_MAX_AGE = dt.timedelta(hours=24)
LOOKUPS_PER_ADDRESS = 3
LOOKUPS_PER_CLIENT = 10
LOOKUP_WINDOW_SECONDS = 3600
GUEST_LOOKUP = "heritage.guest_lookup"
RATE_PREFIX = "heritage:lookup:"

_SALT = "heritage.guest.lookup"


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]


def lookup_token(email: str) -> str:
    return signing.dumps(email.strip().lower(), salt=_SALT)


def lookup_token_read(token: str) -> str:
    try:
        email = signing.loads(token, salt=_SALT, max_age=LOOKUP_MAX_AGE)
    except signing.BadSignature as exc:  # SignatureExpired is a BadSignature
        raise BadToken(str(exc)) from exc
    if not isinstance(email, str) or "@" not in email:
        raise BadToken("not an address")
    return email


def guest_registrations_for(*, email: str) -> QuerySet[Registration]:
    """The guest registrations typed with `email` (case ignored), the latest gathering first."""
    return (
        Registration.objects.filter(user__isnull=True, guest_email__iexact=email.strip())
        .select_related("gathering__community")
        .order_by("-gathering__starts_at", "-id")
    )


def _count(key: str, limit: int) -> bool:
    """Count one request under `key`; False when the window already holds `limit`."""
    if (cache.get(key) or 0) >= limit:
        return False
    if not cache.add(key, 1, timeout=LOOKUP_WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=LOOKUP_WINDOW_SECONDS)
    return True


def client_allowed(*, client: str) -> bool:
    """Count a request from `client` (its IP); False once it made too many this hour."""
    return _count(f"{RATE_PREFIX}client:{client}", LOOKUPS_PER_CLIENT)


def guest_lookup_request(*, email: str) -> bool:
    """Send the link to `email` if guest registrations exist for it and the address has not
    had too many this hour. Returns whether a link was queued; the visitor is never told."""
    email = email.strip()
    if not _count(f"{RATE_PREFIX}address:{_digest(email)}", LOOKUPS_PER_ADDRESS):
        return False
    if not guest_registrations_for(email=email).exists():
        return False
    language = translation.get_language() or settings.LANGUAGE_CODE
    draft = notice_render_delivery(
        recipient_key=f"email:{_digest(email)}",
        to_email=email,
        language=language,
        template_prefix="heritage/email/guest_lookup",
        context={
            "cooperative": _cooperative(),
            "lookup_url": absolute(
                reverse("heritage:guest_lookup_list", args=[lookup_token(email)])
            ),
            "hours": int(LOOKUP_MAX_AGE.total_seconds() // 3600),
        },
    )
    notice_enqueue(
        kind=GUEST_LOOKUP,
        reference=f"email:{_digest(email)}:{secrets.token_hex(8)}",
        deliveries=[draft],
    )
    return True
