"""Calendars (RFC 5545): parsed back with the icalendar library."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from heritage.models import Gathering
from heritage.services import gathering_cancel, gathering_update
from tests.heritage.factories import community, gathering, gathering_data

pytestmark = pytest.mark.django_db


def _parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


def _events(calendar):
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_one_gathering_as_an_ics_file(client):
    event = gathering(title="Balade, des traboules; au plateau", place="Place des Terreaux")
    calendar = _parse(client.get(reverse("heritage:gathering_ics", args=[event.pk])))
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    (vevent,) = _events(calendar)
    assert str(vevent["UID"]).startswith(f"gathering-{event.pk}@")
    assert vevent["DTSTAMP"].dt.tzinfo is not None
    assert vevent["DTSTART"].dt == event.starts_at
    assert vevent["DTEND"].dt == event.ends_at
    assert vevent["DTSTART"].dt.utcoffset() == dt.timedelta(0)
    assert str(vevent["SUMMARY"]) == "Balade, des traboules; au plateau"
    assert str(vevent["LOCATION"]) == "Place des Terreaux"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert b"DTSTART:" in client.get(reverse("heritage:gathering_ics", args=[event.pk])).content


def test_a_change_raises_the_sequence_and_a_cancellation_shows(client):
    event = gathering()
    organiser = event.community.organisers.get()
    start = (timezone.now() + dt.timedelta(days=9)).replace(second=0, microsecond=0)
    gathering_update(
        gathering=event,
        data=gathering_data(starts_at=start, place="Ailleurs"),
        actor=organiser,
    )
    (vevent,) = _events(_parse(client.get(reverse("heritage:gathering_ics", args=[event.pk]))))
    assert int(vevent["SEQUENCE"]) == 1
    assert vevent["DTSTART"].dt == start
    gathering_cancel(gathering=event, actor=organiser)
    (vevent,) = _events(_parse(client.get(reverse("heritage:gathering_ics", args=[event.pk]))))
    assert str(vevent["STATUS"]) == "CANCELLED"


def test_the_feeds_hold_the_public_gatherings(client):
    lyon, vienne = community(name="Lyon"), community(name="Vienne")
    a = gathering(of=lyon, title="A")
    b = gathering(of=vienne, title="B", starts_at=timezone.now() + dt.timedelta(days=20))
    gathering(of=lyon, title="Draft", publish=False)
    gathering(of=lyon, title="Members", visibility=Gathering.Visibility.MEMBERS)
    everything = _events(_parse(client.get(reverse("heritage:feed"))))
    assert [str(e["SUMMARY"]) for e in everything] == ["A", "B"]
    assert len({str(e["UID"]) for e in everything}) == 2
    lyon_feed = _events(_parse(client.get(reverse("heritage:community_feed", args=[lyon.slug]))))
    assert [str(e["UID"]) for e in lyon_feed] == [f"gathering-{a.pk}@127.0.0.1"]
    assert b.pk != a.pk


def test_long_and_special_text_is_escaped_and_folded(client):
    description = (
        "Départ à 14 h, place des Terreaux; montée par les traboules, pause au jardin "
        "des Chartreux, puis le plateau.\nPrévoir de bonnes chaussures \\ et de l'eau. " * 4
    ).strip()
    event = gathering(
        title="Été, « canuts » ; 🧵 " + "é" * 80, description=description, accessibility=""
    )
    response = client.get(reverse("heritage:gathering_ics", args=[event.pk]))
    lines = response.content.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert lines[-1] == b""
    (vevent,) = _events(_parse(response))
    assert str(vevent["SUMMARY"]) == event.title
    assert str(vevent["DESCRIPTION"]) == description
    assert str(vevent["URL"]).endswith(reverse("heritage:gathering", args=[event.pk]))


def test_a_feed_written_once_follows_every_change_of_its_gatherings(
    client, django_capture_on_commit_callbacks
):
    lyon = community(name="Lyon")
    event = gathering(of=lyon, title="Avant")
    organiser = lyon.organisers.get()
    feeds = [reverse("heritage:feed"), reverse("heritage:community_feed", args=[lyon.slug])]
    for url in feeds:
        assert [str(e["SUMMARY"]) for e in _events(_parse(client.get(url)))] == ["Avant"]
    with django_capture_on_commit_callbacks(execute=True):
        gathering_update(gathering=event, data=gathering_data(title="Après"), actor=organiser)
    for url in feeds:
        assert [str(e["SUMMARY"]) for e in _events(_parse(client.get(url)))] == ["Après"]
    with django_capture_on_commit_callbacks(execute=True):
        gathering_cancel(gathering=event, actor=organiser)
    for url in feeds:
        assert [str(e["STATUS"]) for e in _events(_parse(client.get(url)))] == ["CANCELLED"]
