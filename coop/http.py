"""Views' helpers: the request as django-htmx's middleware leaves it, what it asks for, and the
one way to answer a view that serves both a whole page and an htmx partial."""

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render as django_render
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_partial(request: HtmxHttpRequest) -> bool:
    """An htmx request that swaps one part of the page (not a boosted navigation, nor a
    history restore, which both need the whole page)."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(
    request: HtmxHttpRequest,
    template_name: str,
    context: Mapping[str, Any] | None = None,
    *,
    partial: str | None = None,
    use_partial: bool | None = None,
    status: int | None = None,
) -> HttpResponse:
    """The whole page, or only its `partial` (a `{% partialdef %}` of the template) when htmx
    swaps that part (`use_partial`, by default `wants_partial`). Without a partial, the page.

    The answer always varies with the HX-Request header, so that no cache (nor the browser's
    history, for a URL htmx pushed) serves the partial for the page or the page for the partial.
    """
    if use_partial is None:
        use_partial = wants_partial(request)
    name = f"{template_name}#{partial}" if partial and use_partial else template_name
    response = django_render(request, name, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response
