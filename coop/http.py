"""Views' helpers: the request as django-htmx's middleware leaves it, and what it asks for."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_partial(request: HtmxHttpRequest) -> bool:
    """An htmx request that swaps one part of the page (not a boosted navigation, nor a
    history restore, which both need the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
