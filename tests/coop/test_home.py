"""The home page after signing in: a part per role (member, organiser, administrator), built
from selectors that read what the page needs in a handful of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.services.ballots import ballot_cast
from governance.services.proxies import proxy_give
from heritage.services import registration_member_create
from members.models import Member
from tests.coop.factories import UserFactory
from tests.coop.home_helpers import member_world, subscribe
from tests.coop.mfa import force_login_first_factor
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register
from tests.heritage.factories import community, gathering
from tests.members.factories import apply

pytestmark = pytest.mark.django_db

# The member's home page reads: session, user, roles, register entry, statutes, next assembly,
# proxies, principals' participations, balance, certificates, gatherings, seats offered.
MEMBER_HOME_QUERIES = 12


@pytest.fixture
def world():
    return member_world()


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_member_sees_their_assembly_vote_proxies_shares_and_gatherings(client, world):
    page = home(client, world["user"])

    assert "Test cooperative" in page or "Coopérative" in page  # the cooperative's name
    assert "Assemblée générale ordinaire 2027" in page
    assert "Online voting is open until" in page
    assert "You have not voted yet." in page
    assert "You hold 2 proxies:" in page
    for member in world["members"][1:3]:
        assert f"vote for {member}" in page
    assert "Vote in “Assemblée générale ordinaire 2027”" in page  # waiting for them
    assert "You hold 5 shares, 250.00 € subscribed, of which 250.00 € paid up." in page
    assert page.count("Share certificate no.") == 2
    assert "Balade des traboules" in page
    assert "Mémoire des canuts" in page


def test_after_voting_the_member_reads_that_they_voted_never_how(client, world):
    assembly, entries, ada = world["assembly"], world["entries"], world["ada"]
    ballot_cast(
        assembly=assembly,
        voter=entries[ada.pk],
        choices=dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "against"),
        actor=None,
        now=assembly.distance_vote_deadline - dt.timedelta(hours=1),
    )
    page = home(client, world["user"])

    assert "You voted." in page
    assert "how you voted stays secret" in page
    assert "You have not voted yet." not in page
    assert "against" not in page.lower()
    assert "Vote in “" not in page  # no longer waiting for her own vote
    assert f"vote for {world['members'][1]}" in page  # still for her principals


def test_a_principal_reads_that_their_holder_cast_their_vote(client, world):
    assembly, entries, members = world["assembly"], world["entries"], world["members"]
    bob_user = UserFactory(roles=["member"])
    Member.objects.filter(pk=members[1].pk).update(user=bob_user)
    page = home(client, bob_user)
    assert f"You gave your proxy to {world['ada']}" in page

    ballot_cast(
        assembly=assembly,
        voter=entries[world["ada"].pk],
        principal=entries[members[1].pk],
        choices=dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "for"),
        actor=None,
        now=assembly.distance_vote_deadline - dt.timedelta(hours=1),
    )
    page = home(client, bob_user)
    assert f"{world['ada']}, who holds your proxy, has cast your vote." in page


def test_the_member_home_page_reads_in_a_fixed_handful_of_queries(
    client, world, django_assert_max_num_queries
):
    client.force_login(world["user"])
    with django_assert_max_num_queries(MEMBER_HOME_QUERIES):
        client.get(reverse("home"))
    # More proxies, shares, gatherings: the same number of queries.
    entries = world["entries"]
    dan = entries[world["members"][3].pk]
    proxy_give(assembly=world["assembly"], giver=dan, holder=entries[world["ada"].pk], actor=None)
    subscribe(world["ada"], 1, timezone.localdate())
    for title in ("Visite du musée", "Veillée"):
        gathering(of=world["community"], title=title)
    with django_assert_max_num_queries(MEMBER_HOME_QUERIES):
        response = client.get(reverse("home"))
    assert "Veillée" in response.content.decode()


def test_a_seat_offered_waits_for_the_member(client, world):
    walk = gathering(of=world["community"], title="Visite des ateliers", capacity=1)
    someone = UserFactory(roles=["member"])
    first = registration_member_create(gathering=walk, user=someone)
    registration_member_create(gathering=walk, user=world["user"])
    from heritage.services import registration_cancel

    registration_cancel(registration=first)
    page = home(client, world["user"])
    assert "A seat is offered to you at “Visite des ateliers”: confirm it" in page


def test_the_administrator_sees_what_waits_with_counts_and_links(admin_client, totp_admin):
    register = statutes_and_register()
    category = register["categories"]["volunteer"]
    apply(category, last_name="Dupont", email="dupont@example.org")
    apply(category, last_name="Martin", email="martin@example.org")
    members = members_admitted(register, 3)
    convened_assembly(members=members, title="AG 2027")

    page = admin_client.get(reverse("home")).content.decode()
    assert '<span class="home-count">2</span> applications to decide' in page
    assert reverse("members:applications") in page
    assert '<span class="home-count">3</span> admissions to have ratified' in page
    assert "“AG 2027” is convened: the meeting is on" in page


def test_an_administrator_without_the_second_factor_sees_no_counts(client, totp_admin):
    register = statutes_and_register()
    apply(register["categories"]["volunteer"], last_name="Dupont", email="dupont@example.org")
    force_login_first_factor(client, totp_admin)
    page = client.get(reverse("home")).content.decode()
    assert "applications to decide" not in page
    assert "What waits for the administrators is shown once you have entered a code" in page


def test_the_organiser_sees_seats_taken_the_waiting_list_and_what_to_do(client):
    organiser = UserFactory(roles=["organiser"])
    canuts = community(organisers=[organiser])
    full = gathering(of=canuts, title="Balade complète", capacity=1)
    for _n in range(3):
        registration_member_create(gathering=full, user=UserFactory(roles=["member"]))
    gathering(of=canuts, title="Brouillon", publish=False)

    page = home(client, organiser)
    assert "Your gatherings to organise" in page
    assert "Balade complète" in page
    assert "1 / 1" in page
    assert '<td class="num">2</td>' in page
    assert "Full, with a waiting list" in page
    assert "Not published yet: check it and publish it." in page
    assert "Your membership" not in page


def test_someone_without_a_role_sees_where_to_start(client):
    page = home(client, UserFactory(roles=[]))
    assert "Where to start" in page
    assert reverse("members:apply") in page
