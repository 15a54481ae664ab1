"""Calendars (RFC 5545): one gathering, a community, all public gatherings.

Times are written in UTC; each event keeps its UID across changes and carries a SEQUENCE
raised with each change of time or place, so calendar applications update it in place.

The text is written here (escaping and folding per RFC 5545 §3.1 and §3.3.11) from the rows'
values rather than through icalendar's component objects: the feed of all public gatherings
is polled by every calendar application subscribed to it, and icalendar's objects cost a
hundred times the database query (bench/gatherings.py). The tests read every calendar back
with the icalendar library.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db.models import CharField, Func, QuerySet
from django.urls import reverse

from heritage.models import Gathering

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
    "dtstart",
    "dtend",
    "place",
    "status",
    "sequence",
    "dtstamp",
    "community__name",
)
LINE_OCTETS = 75


def _domain() -> str:
    site = settings.SITE_URL.split("://", 1)[-1]
    return site.split("/", 1)[0].split(":", 1)[0] or "voliere.local"


def _text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


class _UTCStamp(Func):
    """A date-time as RFC 5545 writes it in UTC (20260314T130000Z), formatted by PostgreSQL."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')"
    output_field = CharField()


def _fold(line: str) -> bytes:
    """A content line in UTF-8, cut into lines of at most 75 octets (never inside a
    character), each continuation starting with a space."""
    data = line.encode()
    if len(data) <= LINE_OCTETS:
        return data
    pieces: list[bytes] = []
    start, limit = 0, LINE_OCTETS
    while len(data) - start > limit:
        end = start + limit
        while data[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            end -= 1
        pieces.append(data[start:end])
        start, limit = end, LINE_OCTETS - 1
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def calendar_ics(*, gatherings: QuerySet[Gathering], name: str, limit: int | None = None) -> bytes:
    """The gatherings as an iCalendar file (one query, the rows read as plain values)."""
    rows: Iterable[tuple] = gatherings.annotate(
        dtstamp=_UTCStamp("updated_at"),
        dtstart=_UTCStamp("starts_at"),
        dtend=_UTCStamp("ends_at"),
    ).values_list(*FIELDS)
    if limit is not None:
        rows = rows[:limit]
    domain = _domain()
    site = settings.SITE_URL.rstrip("/")
    gathering_path = reverse("heritage:gathering", args=[0]).removesuffix("0/")
    lines = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        _fold(f"PRODID:{_text(PRODID)}"),
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        _fold(f"X-WR-CALNAME:{_text(name)}"),
    ]
    for (
        pk,
        title,
        description,
        accessibility,
        dtstart,
        dtend,
        place,
        status,
        sequence,
        dtstamp,
        community,
    ) in rows:
        text = f"{description}\n\n{accessibility}".strip() if accessibility else description
        lines.append(b"BEGIN:VEVENT")
        lines.append(_fold(f"UID:gathering-{pk}@{domain}"))
        lines.append(
            f"DTSTAMP:{dtstamp}\r\nDTSTART:{dtstart}\r\n"
            f"DTEND:{dtend}\r\nSEQUENCE:{sequence}".encode()
        )
        lines.append(_fold(f"SUMMARY:{_text(title)}"))
        lines.append(_fold(f"LOCATION:{_text(place)}"))
        if text:
            lines.append(_fold(f"DESCRIPTION:{_text(text)}"))
        lines.append(_fold(f"URL:{site}{gathering_path}{pk}/"))
        lines.append(f"STATUS:{STATUS[status]}".encode())
        lines.append(_fold(f"CATEGORIES:{_text(community)}"))
        lines.append(b"END:VEVENT")
    lines.append(b"END:VCALENDAR")
    lines.append(b"")
    return b"\r\n".join(lines)
