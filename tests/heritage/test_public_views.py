"""The public pages: the list of gatherings, a gathering's page with its schema.org data,
registering (one click, or as a guest with a checked address), cancelling from the link."""

import datetime as dt
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coop.models import NoticeDelivery
from heritage.models import Gathering, Registration
from heritage.services import (
    community_create,
    community_join,
    gathering_update,
    notices,
    registration_cancel,
    registration_member_create,
)
from heritage.tokens import offer_token_read
from tests.coop.factories import UserFactory
from tests.heritage.factories import community, gathering, gathering_data

pytestmark = pytest.mark.django_db


def _link(kind, pattern):
    body = NoticeDelivery.objects.filter(notice__kind=kind).latest("id").body_text
    return re.search(pattern, body).group(0)


def test_the_list_shows_public_published_gatherings_in_flat_queries(
    client, django_capture_on_commit_callbacks
):
    lyon = community(name="Lyon")
    gathering(of=lyon, title="Balade publique")
    gathering(of=lyon, title="Brouillon", publish=False)
    gathering(of=lyon, title="Réservé", visibility=Gathering.Visibility.MEMBERS)
    response = client.get(reverse("heritage:gatherings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Balade publique" in page
    assert "Brouillon" not in page
    assert "Réservé" not in page

    cache.clear()  # both measures count the gatherings (the count is cached between changes)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("heritage:gatherings"))
    with django_capture_on_commit_callbacks(execute=True):  # publishing renews the count
        for n in range(15):
            gathering(of=lyon, title=f"Autre {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("heritage:gatherings"))
    assert len(many) == len(few)
    assert response.context["page"].paginator.count == 16


def test_the_list_pages_through_the_gatherings(client):
    lyon = community(name="Lyon")
    start = timezone.now() + dt.timedelta(days=1)
    for n in range(45):
        gathering(of=lyon, title=f"G{n:02d}", starts_at=start + dt.timedelta(hours=n))
    url = reverse("heritage:gatherings")

    def titles(page):
        response = client.get(url, {"page": page})
        assert response.status_code == 200
        listed = response.context["page"]
        assert listed.paginator.count == 45
        return listed.number, [g.title for g in listed.object_list]

    assert titles("1") == (1, [f"G{n:02d}" for n in range(20)])
    assert titles("2") == (2, [f"G{n:02d}" for n in range(20, 40)])
    assert titles("99") == (3, [f"G{n:02d}" for n in range(40, 45)])  # past the end: the last
    assert titles("nonsense") == (1, [f"G{n:02d}" for n in range(20)])
    # A signed-in participant (no member role) sees the same public list.
    client.force_login(UserFactory())
    assert titles("3") == (3, [f"G{n:02d}" for n in range(40, 45)])


def test_the_list_filters_by_community_and_dates(client):
    lyon, vienne = community(name="Lyon"), community(name="Vienne")
    now = timezone.now()
    gathering(of=lyon, title="Lyon bientôt", starts_at=now + dt.timedelta(days=2))
    gathering(of=lyon, title="Lyon plus tard", starts_at=now + dt.timedelta(days=40))
    gathering(of=vienne, title="Vienne bientôt", starts_at=now + dt.timedelta(days=2))
    until = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client.get(
        reverse("heritage:gatherings"), {"community": lyon.slug, "date_to": until}
    )
    titles = [g.title for g in response.context["page"].object_list]
    assert titles == ["Lyon bientôt"]
    partial = client.get(
        reverse("heritage:gatherings"), {"community": vienne.slug}, headers={"HX-Request": "true"}
    )
    assert "<html" not in partial.content.decode()
    assert "Vienne bientôt" in partial.content.decode()


def test_members_only_gatherings_are_hidden_from_visitors_and_shown_to_members(client):
    hidden = gathering(title="Réunion des membres", visibility=Gathering.Visibility.MEMBERS)
    url = reverse("heritage:gathering", args=[hidden.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("heritage:gathering_ics", args=[hidden.pk])).status_code == 404
    assert "Réunion des membres" not in client.get(reverse("heritage:gatherings")).content.decode()
    client.force_login(UserFactory(roles=["member"]))
    assert client.get(url).status_code == 200
    assert "Réunion des membres" in client.get(reverse("heritage:gatherings")).content.decode()


def test_drafts_are_seen_by_their_organisers_only(client):
    draft = gathering(publish=False)
    url = reverse("heritage:gathering", args=[draft.pk])
    client.force_login(UserFactory(roles=["member"]))
    assert client.get(url).status_code == 404
    client.force_login(draft.community.organisers.get())
    assert client.get(url).status_code == 200


def test_the_detail_page_carries_valid_schema_org_event_data(client):
    event = gathering(title="Visite </script> & co", capacity=12)
    response = client.get(reverse("heritage:gathering", args=[event.pk]))
    page = response.content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Visite </script> & co"
    assert dt.datetime.fromisoformat(data["startDate"]) == event.starts_at
    assert dt.datetime.fromisoformat(data["endDate"]) == event.ends_at
    assert data["location"]["name"] == event.place
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["maximumAttendeeCapacity"] == 12
    assert data["url"].endswith(reverse("heritage:gathering", args=[event.pk]))


def test_a_member_registers_in_one_click(client):
    event = gathering(capacity=1)
    person = UserFactory(roles=["member"])
    client.force_login(person)
    response = client.post(reverse("heritage:register", args=[event.pk]), follow=True)
    assert response.status_code == 200
    assert "your seat is booked" in response.content.decode().lower()
    assert Registration.objects.get(gathering=event).user == person
    # Another member finds it full and joins the waiting list.
    client.force_login(UserFactory(roles=["member"]))
    response = client.post(reverse("heritage:register", args=[event.pk]), follow=True)
    assert "waiting list" in response.content.decode()
    assert Registration.objects.filter(gathering=event, status="waiting").count() == 1


def test_a_guest_registers_checks_the_address_and_cancels_from_the_link(client):
    event = gathering(capacity=1)
    url = reverse("heritage:register_guest", args=[event.pk])
    bad = client.post(url, {"name": "", "email": "not an address"})
    assert bad.status_code == 400
    assert Registration.objects.count() == 0
    response = client.post(url, {"name": "Louise Labé", "email": "louise@example.org"})
    assert response.status_code == 200
    assert "louise@example.org" in response.content.decode()
    event.refresh_from_db()
    assert event.seats_taken == 0

    verify = _link(notices.GUEST_VERIFY, r"/heritage/registrations/verify/[^\s]+/")
    response = client.get(verify)
    assert response.status_code == 200
    assert "your seat is booked" in response.content.decode()
    event.refresh_from_db()
    assert event.seats_taken == 1

    cancel = _link(notices.REGISTRATION_CONFIRMED, r"/heritage/registrations/cancel/[^\s]+/")
    assert client.get(cancel).status_code == 200
    event.refresh_from_db()
    assert event.seats_taken == 1  # opening the link changes nothing
    response = client.post(cancel)
    assert "Your registration is cancelled" in response.content.decode()
    event.refresh_from_db()
    assert event.seats_taken == 0
    assert client.post(cancel).status_code == 400  # already cancelled


def test_a_broken_link_says_so(client):
    response = client.get(reverse("heritage:registration_verify", args=["nonsense"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


def test_an_offered_seat_is_taken_from_the_link(client):
    event = gathering(capacity=1)
    first, second = UserFactory(roles=["member"]), UserFactory(roles=["member"])
    for person in (first, second):
        client.force_login(person)
        client.post(reverse("heritage:register", args=[event.pk]))
    client.logout()
    cancel = _link(notices.REGISTRATION_CONFIRMED, r"/heritage/registrations/cancel/[^\s]+/")
    client.post(cancel)
    offer = _link(notices.SEAT_OFFERED, r"/heritage/registrations/offer/[^\s]+/")
    assert "Take the seat" in client.get(offer).content.decode()
    # Signed in, the offer shows on the gathering's page too, with the way to take it.
    client.force_login(second)
    page = client.get(reverse("heritage:gathering", args=[event.pk])).content.decode()
    assert "A seat is offered to you" in page
    shown = re.search(r'href="/heritage/registrations/offer/([^"/]+)/"', page).group(1)
    assert offer_token_read(shown) == Registration.objects.get(user=second).pk
    client.logout()
    response = client.post(offer)
    assert "your seat is booked" in response.content.decode()
    assert Registration.objects.get(user=second).status == "confirmed"


def test_a_visitors_count_is_kept_until_a_gathering_is_published(
    client, django_capture_on_commit_callbacks
):
    lyon = community(name="Lyon")
    gathering(of=lyon, title="Première balade")
    url = reverse("heritage:gatherings")

    def shown_count() -> str:
        page = client.get(url).content.decode()
        return re.search(r'id="gathering-count">([^<]*)<', page).group(1).strip()

    assert shown_count() == "1 gathering"
    with CaptureQueriesContext(connection) as captured:
        assert shown_count() == "1 gathering"
    assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)

    with django_capture_on_commit_callbacks(execute=True):
        gathering(of=lyon, title="Seconde balade")
    assert shown_count() == "2 gatherings"


def test_a_visitors_results_are_kept_until_a_seat_or_a_gathering_changes(
    client, django_capture_on_commit_callbacks
):
    event = gathering(title="Balade des pentes", capacity=2)
    url = reverse("heritage:gatherings")

    def card() -> tuple[str, str]:
        page = client.get(url).content.decode()
        title = re.search(r'<h3><a href="[^"]+">([^<]*)</a></h3>', page).group(1)
        badge = re.search(r'<span class="badge[^"]*">([^<]*)</span>', page).group(1)
        return title, badge

    assert card() == ("Balade des pentes", "Seats left: 2")
    with CaptureQueriesContext(connection) as captured:
        assert card() == ("Balade des pentes", "Seats left: 2")
    assert not any("heritage_gathering" in q["sql"] for q in captured.captured_queries)

    with django_capture_on_commit_callbacks(execute=True):
        first = registration_member_create(gathering=event, user=UserFactory())
    assert card() == ("Balade des pentes", "Seats left: 1")
    with django_capture_on_commit_callbacks(execute=True):
        registration_member_create(gathering=event, user=UserFactory())
    assert card() == ("Balade des pentes", "full: waiting list")
    with django_capture_on_commit_callbacks(execute=True):
        registration_cancel(registration=first, actor=None)
    assert card() == ("Balade des pentes", "Seats left: 1")
    with django_capture_on_commit_callbacks(execute=True):
        gathering_update(
            gathering=event,
            data=gathering_data(title="Balade des quais", capacity=2, starts_at=event.starts_at),
            actor=event.community.organisers.get(),
        )
    assert card() == ("Balade des quais", "Seats left: 1")


def test_a_visitors_results_are_kept_per_language_and_page(client):
    lyon = community(name="Lyon")
    start = timezone.now() + dt.timedelta(days=1)
    for n in range(21):
        gathering(of=lyon, title=f"G{n:02d}", starts_at=start + dt.timedelta(hours=n))
    url = reverse("heritage:gatherings")

    def count(language: str, page: str = "1") -> str:
        response = client.get(url, {"page": page}, headers={"Accept-Language": language})
        found = re.search(r'id="gathering-count">([^<]*)<', response.content.decode())
        return found.group(1).strip()

    for _twice in range(2):
        assert count("fr") == "21 rencontres"
        assert count("en") == "21 gatherings"
        page_two = client.get(url, {"page": "2"}).content.decode()
        assert ">G20<" in page_two
        assert ">G00<" not in page_two


def test_a_visitors_filter_names_a_community_created_since(
    client, django_capture_on_commit_callbacks
):
    gathering(of=community(name="Lyon"))
    url = reverse("heritage:gatherings")

    def options() -> list[str]:
        return re.findall(
            r'<option value="[^"]+">([^<]*)</option>', client.get(url).content.decode()
        )

    assert options() == ["Lyon"]
    assert options() == ["Lyon"]
    with django_capture_on_commit_callbacks(execute=True):
        community_create(name="Vienne", actor=None)
    assert options() == ["Lyon", "Vienne"]


def test_a_participant_sees_the_members_only_gatherings_of_their_communities(client):
    lyon, vienne, givors = (
        community(name="Lyon"),
        community(name="Vienne"),
        community(name="Givors"),
    )
    for place in (lyon, vienne, givors):
        gathering(of=place, title=f"Public {place.name}")
        gathering(of=place, title=f"Réservé {place.name}", visibility=Gathering.Visibility.MEMBERS)
    participant = UserFactory()
    community_join(community=lyon, user=participant, notify=False)
    vienne.organisers.add(participant)
    client.force_login(participant)
    page = client.get(reverse("heritage:gatherings")).content.decode()
    titles = re.findall(r'<h3><a href="[^"]+">([^<]*)</a></h3>', page)
    assert sorted(titles) == [
        "Public Givors",
        "Public Lyon",
        "Public Vienne",
        "Réservé Lyon",
        "Réservé Vienne",
    ]


def test_a_version_lost_by_the_cache_never_comes_back_to_an_old_value(
    client, django_capture_on_commit_callbacks
):
    """Redis may lose the version counters (an eviction, a restart without persistence) while
    pages rendered for them are still kept: a change made then starts a version that cannot be
    one of the old ones, so no page rendered before the change is shown after it."""
    from heritage.selectors import LIST_VERSION_KEY

    lyon = community(name="Lyon")
    first = gathering(of=lyon, title="Balade du matin")
    url = reverse("heritage:gatherings")
    cache.set(LIST_VERSION_KEY, 1, None)
    assert "Balade du matin" in client.get(url).content.decode()  # kept for version 1

    cache.delete(LIST_VERSION_KEY)  # lost; the page kept for version 1 is still there
    with django_capture_on_commit_callbacks(execute=True):
        gathering_update(
            gathering=first,
            data=gathering_data(title="Balade du soir", starts_at=first.starts_at),
            actor=lyon.organisers.first(),
        )
    assert cache.get(LIST_VERSION_KEY) not in (None, 0, 1)
    page = client.get(url).content.decode()
    assert "Balade du soir" in page
    assert "Balade du matin" not in page
