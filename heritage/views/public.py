"""Public pages: the gatherings anyone may see, their calendars, and registering to them (as a
signed-in person in one click, or as a guest whose e-mail address is checked by a link)."""

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coop.errors import DomainError
from coop.http import HtmxHttpRequest, render
from coop.throttle import anonymous_mail_allowed, anonymous_mail_refused_message
from heritage.feeds import calendar_ics, feed_ics
from heritage.forms import GatheringFilterForm, GuestRegistrationForm
from heritage.models import Gathering, HeritageCommunity, Registration
from heritage.selectors import (
    FEED_MAX_EVENTS,
    RESULTS_TIMEOUT,
    RESULTS_VERSION_KEYS,
    communities_for_filter,
    gathering_visible_to,
    gatherings_listed,
    gatherings_listed_count,
    gatherings_results_key,
    is_organiser,
    keep_for_versions,
    kept_for_versions,
    registration_of,
    waiting_rank,
)
from heritage.services import (
    registration_cancel,
    registration_confirm_offer,
    registration_from_cancel_token,
    registration_from_offer_token,
    registration_guest_request,
    registration_guest_verify,
    registration_member_create,
)
from heritage.services.registrations import registrations_open_check
from heritage.tokens import cancel_token, offer_token

PAGE_SIZE = 20
# What a card of the list shows (the busiest page: no column more).
LIST_COLUMNS = (
    "title",
    "starts_at",
    "place",
    "status",
    "visibility",
    "capacity",
    "seats_taken",
    "community__name",
)
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


# A visitor's results are kept for these parameters only, each given once (see _results_key).
RESULTS_PARAMETERS = frozenset({"community", "date_from", "date_to", "page"})
RESULTS_PARTIAL = "heritage/gathering_list.html#gathering-results"


def _results_key(request: HtmxHttpRequest, form: GatheringFilterForm) -> str | None:
    """The cache key of the page of results a visitor asked for, or None when it is not kept:
    a signed-in person's list depends on them, and filters in error or other parameters would
    only fill the cache."""
    if request.user.is_authenticated:
        return None
    if request.GET and not (
        set(request.GET) <= RESULTS_PARAMETERS
        and all(len(values) == 1 for values in request.GET.lists())
        and form.is_valid()
    ):
        return None
    return gatherings_results_key(query=request.META.get("QUERY_STRING", ""))


def _community_options(selected: str) -> str:
    """The <option>s of the filter's communities, `selected` (a slug) selected."""
    # Built here rather than looped over in the template: the busiest page's biggest loop.
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (slug, mark_safe(" selected") if slug == selected else "", name)
            for slug, name in communities_for_filter()
        ),
    )


@require_GET
def gathering_list(request: HtmxHttpRequest) -> HttpResponse:
    form = GatheringFilterForm(request.GET or None)
    filters = form.filters()
    context: dict[str, Any] = {
        "form": form,
        "filtered": any(filters.values()),
        "feed_url": reverse("heritage:feed"),
    }
    # What a visitor sees of the list depends only on the communities, the gatherings, their
    # seats and the query: the filter's options and the results are rendered once, then served
    # from the cache until one of them changes.
    results_key = _results_key(request, form)
    versions, kept = (
        kept_for_versions(key=results_key, version_keys=RESULTS_VERSION_KEYS)
        if results_key
        else ((), None)
    )
    if kept is not None:
        options, results = kept
    else:
        options, results = _community_options(request.GET.get("community", "")), None
        gatherings = gatherings_listed(user=request.user, **filters).only(*LIST_COLUMNS)
        paginator = Paginator(gatherings, PAGE_SIZE)
        if not request.user.is_authenticated:  # what a visitor sees depends only on the filters
            community = filters["community"]
            key = f"{community.pk if community else ''}:{filters['date_from']}:{filters['date_to']}"
            paginator.count = gatherings_listed_count(gatherings=gatherings, key=key)
        page = paginator.get_page(request.GET.get("page"))
        context["page"] = page
        context["gathering_prefix"] = reverse("heritage:gathering", args=[0]).removesuffix("0/")
        # Only the page asked for by its number (or the first, asked for by none) is kept.
        if results_key and request.GET.get("page", "1") == str(page.number):
            results = render_to_string(RESULTS_PARTIAL, context, request)
            keep_for_versions(
                key=results_key,
                versions=versions,
                value=(str(options), str(results)),
                timeout=RESULTS_TIMEOUT,
            )
    # The page's own rendering, kept in the cache.
    context["community_options"] = mark_safe(options)  # noqa: S308
    context["results"] = mark_safe(results) if results is not None else None  # noqa: S308
    return render(request, "heritage/gathering_list.html", context, partial="gathering-results")


def json_ld(gathering: Gathering, request: HtmxHttpRequest) -> SafeString:
    """schema.org Event data of the gathering, safe to put in a <script> element."""
    status = {
        Gathering.Status.CANCELLED: "https://schema.org/EventCancelled",
    }.get(gathering.status, "https://schema.org/EventScheduled")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": gathering.title,
        "description": gathering.description,
        "startDate": timezone.localtime(gathering.starts_at).isoformat(),
        "endDate": timezone.localtime(gathering.ends_at).isoformat(),
        "eventStatus": status,
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "location": {"@type": "Place", "name": gathering.place, "address": gathering.place},
        "organizer": {
            "@type": "Organization",
            "name": gathering.community.name,
            "url": request.build_absolute_uri(
                reverse("heritage:community", args=[gathering.community.slug])
            ),
        },
        "url": request.build_absolute_uri(reverse("heritage:gathering", args=[gathering.pk])),
        "maximumAttendeeCapacity": gathering.capacity,
        "remainingAttendeeCapacity": gathering.seats_left,
        "isAccessibleForFree": True,
    }
    if gathering.accessibility:
        data["accessibilitySummary"] = gathering.accessibility
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(text)  # noqa: S308 - JSON with <, > and & escaped: cannot close the script


def _visible_gathering(request: HtmxHttpRequest, pk: int) -> Gathering:
    gathering = get_object_or_404(Gathering.objects.select_related("community"), pk=pk)
    if not gathering_visible_to(gathering=gathering, user=request.user):
        raise Http404
    return gathering


def _detail_context(
    request: HtmxHttpRequest, gathering: Gathering, guest_form: GuestRegistrationForm | None = None
) -> dict[str, Any]:
    registration = registration_of(gathering=gathering, user=request.user)
    try:
        registrations_open_check(gathering)
    except DomainError as exc:
        open_error = str(exc)
    else:
        open_error = ""
    return {
        "gathering": gathering,
        "json_ld": json_ld(gathering, request) if gathering.status != "draft" else "",
        "registration": registration,
        "rank": waiting_rank(registration=registration) if registration else None,
        "cancel_token": cancel_token(registration.pk) if registration else "",
        "offer_token": offer_token(registration.pk) if registration else "",
        "guest_form": guest_form or GuestRegistrationForm(),
        "open_error": open_error,
        "is_organiser": is_organiser(user=request.user, community=gathering.community),
    }


@require_GET
def gathering_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _visible_gathering(request, pk)
    return render(request, "heritage/gathering_detail.html", _detail_context(request, gathering))


@require_POST
@login_required
def register(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _visible_gathering(request, pk)
    registration = registration_member_create(gathering=gathering, user=request.user)
    if registration.status == Registration.Status.CONFIRMED:
        messages.success(request, _("Your seat is booked. A confirmation is on its way by e-mail."))
    else:
        messages.info(
            request,
            _("The gathering is full: you are on the waiting list. We will write if a seat frees."),
        )
    return redirect("heritage:gathering", pk=gathering.pk)


#: allauth's rate limit (settings.ACCOUNT_RATE_LIMITS) of guest registrations.
GUEST_RATE_ACTION = "heritage_guest_registration"


@require_POST
def register_guest(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _visible_gathering(request, pk)
    form = GuestRegistrationForm(request.POST)
    status = 400
    if form.is_valid() and not anonymous_mail_allowed(
        request, action=GUEST_RATE_ACTION, email=form.cleaned_data["email"]
    ):
        form.add_error(None, anonymous_mail_refused_message())
        status = 429
    elif form.is_valid():
        try:
            registration_guest_request(
                gathering=gathering,
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            return render(
                request,
                "heritage/guest_check_email.html",
                {"gathering": gathering, "email": form.cleaned_data["email"]},
            )
    context = _detail_context(request, gathering, guest_form=form)
    context["form"] = form  # the page's title then says there is an error
    return render(request, "heritage/gathering_detail.html", context, status=status)


def _link_error(request: HtmxHttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "heritage/link_error.html", {"error": str(error)}, status=400)


def _status_page(request: HtmxHttpRequest, registration: Registration) -> HttpResponse:
    return render(
        request,
        "heritage/registration_status.html",
        {
            "registration": registration,
            "gathering": registration.gathering,
            "rank": waiting_rank(registration=registration),
            "cancel_token": cancel_token(registration.pk),
        },
    )


@require_GET
def registration_verify(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        registration = registration_guest_verify(token=token)
    except DomainError as exc:
        return _link_error(request, exc)
    return _status_page(request, registration)


@require_http_methods(["GET", "POST"])
def registration_cancel_view(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        registration = registration_from_cancel_token(token)
        if request.method == "POST":
            registration = registration_cancel(
                registration=registration,
                actor=request.user if request.user.is_authenticated else None,
            )
    except DomainError as exc:
        return _link_error(request, exc)
    return render(
        request,
        "heritage/registration_cancel.html",
        {
            "registration": registration,
            "gathering": registration.gathering,
            "token": token,
            "active": registration.status in Registration.ACTIVE,
        },
    )


@require_http_methods(["GET", "POST"])
def registration_offer(request: HtmxHttpRequest, token: str) -> HttpResponse:
    try:
        registration = registration_from_offer_token(token)
        if request.method == "POST":
            registration = registration_confirm_offer(registration=registration)
            return _status_page(request, registration)
    except DomainError as exc:
        return _link_error(request, exc)
    if registration.status != Registration.Status.OFFERED:
        return _status_page(request, registration)
    return render(
        request,
        "heritage/registration_offer.html",
        {
            "registration": registration,
            "gathering": registration.gathering,
            "token": token,
            "cancel_token": cancel_token(registration.pk),
        },
    )


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def gathering_ics(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    gathering = _visible_gathering(request, pk)
    if gathering.status == Gathering.Status.DRAFT:
        raise Http404
    return _ics_response(
        calendar_ics(gatherings=Gathering.objects.filter(pk=gathering.pk), name=gathering.title),
        f"gathering-{pk}.ics",
    )


@require_GET
def feed(request: HtmxHttpRequest) -> HttpResponse:
    name = _("Gatherings of %(site)s") % {"site": settings.COOP_SITE_NAME}
    return _ics_response(
        feed_ics(community=None, name=name, limit=FEED_MAX_EVENTS), "gatherings.ics"
    )


@require_GET
def community_feed(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    community = get_object_or_404(HeritageCommunity, slug=slug)
    return _ics_response(
        feed_ics(community=community, name=community.name, limit=FEED_MAX_EVENTS),
        f"{community.slug}.ics",
    )
