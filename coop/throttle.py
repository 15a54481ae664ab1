"""Throttling of the anonymous forms that send an e-mail to the address typed (issue 15).

Counted by allauth's rate limits on the shared Redis cache, with the rates in
settings.ACCOUNT_RATE_LIMITS: per client (the address allauth's adapter sees, behind the
trusted proxies) and per e-mail address typed, so that nobody can use the site to flood an
inbox or send mails from one connection without end.
"""

from allauth.core import ratelimit
from django.http import HttpRequest
from django.utils.translation import gettext as _


def anonymous_mail_allowed(request: HttpRequest, *, action: str, email: str) -> bool:
    """Count one mail asked for `email` from this client; False when a limit is reached:
    then nothing must be sent."""
    return ratelimit.consume(request, action=action, key=email.strip().lower())


def anonymous_mail_refused_message() -> str:
    return _(
        "Too many requests were sent for this e-mail address or from your connection. "
        "Nothing was sent: please try again in an hour."
    )
