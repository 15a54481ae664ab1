"""The list of gatherings and the calendar feeds answer within a fixed number of queries,
whatever the number of gatherings (counted with the session and the user's own statements:
what the database sees)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.coop.factories import UserFactory
from tests.heritage.factories import community, gathering

pytestmark = pytest.mark.django_db

# A visitor: the communities of the filter, the count and the page; then nothing (the filter and
# the results come from the cache).
VISITOR_FIRST_BUDGET = 3
VISITOR_AGAIN_BUDGET = 0
FILTER_EXTRA = 1  # the community named by the filter
# A signed-in member: the session, the user and their roles besides, never the visitors' cache.
MEMBER_BUDGET = 6
# A signed-in participant (not a member): their communities besides.
PARTICIPANT_BUDGET = MEMBER_BUDGET + 1
# The feed: the gatherings when it is written, nothing when it is served from the cache; a
# community's feed reads the community besides.
FEED_FIRST_BUDGET = 1
FEED_AGAIN_BUDGET = 0


def _gatherings(count: int):
    lyon = community(name="Lyon")
    start = timezone.now() + dt.timedelta(days=1)
    for n in range(count):
        gathering(of=lyon, title=f"Balade {n:02d}", starts_at=start + dt.timedelta(hours=n))
    return lyon


@pytest.mark.parametrize("count", [1, 25])
def test_the_list_stays_within_its_budget(client, django_assert_max_num_queries, count):
    lyon = _gatherings(count)
    url = reverse("heritage:gatherings")
    shown = min(count, 20)
    with django_assert_max_num_queries(VISITOR_FIRST_BUDGET):
        response = client.get(url)
    assert response.content.decode().count(">Balade ") == shown
    with django_assert_max_num_queries(VISITOR_AGAIN_BUDGET):
        response = client.get(url)
    assert response.content.decode().count(">Balade ") == shown
    for _twice in range(2):
        with django_assert_max_num_queries(VISITOR_FIRST_BUDGET + FILTER_EXTRA):
            response = client.get(url, {"community": lyon.slug, "page": "2"})
        # Past the last page, the last one.
        assert response.content.decode().count(">Balade ") == (count - 20 if count > 20 else count)

    for roles, budget in ((["member"], MEMBER_BUDGET), ([], PARTICIPANT_BUDGET)):
        client.force_login(UserFactory(roles=roles))
        for _twice in range(2):
            with django_assert_max_num_queries(budget):
                response = client.get(url)
            assert response.content.decode().count(">Balade ") == shown


@pytest.mark.parametrize("count", [1, 25])
def test_the_feeds_stay_within_their_budget(client, django_assert_max_num_queries, count):
    lyon = _gatherings(count)
    for url, extra in (
        (reverse("heritage:feed"), 0),
        (reverse("heritage:community_feed", args=[lyon.slug]), 1),
    ):
        with django_assert_max_num_queries(FEED_FIRST_BUDGET + extra):
            response = client.get(url)
        assert response.content.count(b"BEGIN:VEVENT") == count
        with django_assert_max_num_queries(FEED_AGAIN_BUDGET + extra):
            response = client.get(url)
        assert response.content.count(b"BEGIN:VEVENT") == count
