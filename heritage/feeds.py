"""Calendar feeds (RFC 5545) of gatherings, written by the icalendar library: one gathering, a
community, all public gatherings.

Each event keeps its UID across changes and carries a SEQUENCE raised with each change of time
or place, so calendar applications update it in place. Times are written in UTC.

The feeds are polled by every calendar application subscribed to them, and icalendar's objects
cost far more than the query: a feed is written once per version of the gatherings (the
services bump it when a gathering is published, changed, cancelled or held, or a community
created or renamed), per day (the feed's window moves) and per language, then served from the
cache.
"""

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from icalendar import Calendar, Event

from heritage.models import Gathering, HeritageCommunity
from heritage.selectors import (
    LIST_VERSION_KEY,
    gatherings_for_feed,
    keep_for_versions,
    kept_for_versions,
)

PRODID = "-//Volière//Heritage gatherings//EN"
STATUS = {
    Gathering.Status.PUBLISHED: "CONFIRMED",
    Gathering.Status.HELD: "CONFIRMED",
    Gathering.Status.CANCELLED: "CANCELLED",
    Gathering.Status.DRAFT: "TENTATIVE",
}
FIELDS = (
    "pk",
    "title",
    "description",
    "accessibility",
    "starts_at",
    "ends_at",
    "place",
    "status",
    "sequence",
    "updated_at",
    "community__name",
)


FEED_TIMEOUT = 3600  # seconds a written feed is kept


def _domain() -> str:
    site = settings.SITE_URL.split("://", 1)[-1]
    return site.split("/", 1)[0].split(":", 1)[0] or "voliere.local"


def calendar_ics(*, gatherings: QuerySet[Gathering], name: str, limit: int | None = None) -> bytes:
    """The gatherings as an iCalendar file (one query, the rows read as plain values)."""
    rows = gatherings.values_list(*FIELDS)
    if limit is not None:
        rows = rows[:limit]
    domain = _domain()
    site = settings.SITE_URL.rstrip("/")
    gathering_path = reverse("heritage:gathering", args=[0]).removesuffix("0/")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for (
        pk,
        title,
        description,
        accessibility,
        starts_at,
        ends_at,
        place,
        status,
        sequence,
        updated_at,
        community,
    ) in rows:
        text = f"{description}\n\n{accessibility}".strip() if accessibility else description
        event = Event()
        event.add("uid", f"gathering-{pk}@{domain}")
        event.add("dtstamp", updated_at)
        event.add("dtstart", starts_at)
        event.add("dtend", ends_at)
        event.add("sequence", sequence)
        event.add("summary", title)
        event.add("location", place)
        if text:
            event.add("description", text)
        event.add("url", f"{site}{gathering_path}{pk}/")
        event.add("status", STATUS[status])
        event.add("categories", [community])
        calendar.add_component(event)
    return calendar.to_ical()


def feed_ics(*, community: HeritageCommunity | None, name: str, limit: int) -> bytes:
    """The feed of all public gatherings, or of one community's, through the cache (one read
    of it when the feed is there)."""
    key = (
        f"heritage:feed:{timezone.localdate()}:{get_language()}:"
        f"{community.pk if community else 'all'}"
    )
    versions, data = kept_for_versions(key=key, version_keys=(LIST_VERSION_KEY,))
    if data is None:
        gatherings = gatherings_for_feed(community=community)
        data = calendar_ics(gatherings=gatherings, name=name, limit=limit)
        keep_for_versions(key=key, versions=versions, value=data, timeout=FEED_TIMEOUT)
    return bytes(data)
