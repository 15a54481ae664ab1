"""The vote's pages answer within a fixed number of queries, whatever the roll, the proxies
held and the resolutions (counted with the session, the user and the transaction's own
statements: what the database sees)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Assembly, Participation, Proxy, RollEntry, UrnBallot
from governance.services.ballots import ballot_cast
from governance.services.voting import assembly_tally
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db

CAST_BUDGET = 8  # the session, the user, and everything the cast needs
BALLOT_PAGE_BUDGET = 6
RESULTS_PAGE_BUDGET = 8
# The session, the user and their roles, then what each page shows.
HOME_BUDGETS = {"home": 12, "members:me": 5, "governance:my_assemblies": 6}


def _assembly(members: int, resolutions: int) -> Assembly:
    register = statutes_and_register()
    return convened_assembly(members=members_admitted(register, members), resolutions=resolutions)


def _holder_of(assembly: Assembly, principals: int, client) -> tuple[RollEntry, list[RollEntry]]:
    """The first member on the roll, signed in, holding the proxies of the next ones."""
    holder, *others = RollEntry.objects.filter(assembly=assembly).order_by("member_number")
    givers = others[:principals]
    for giver in givers:
        Proxy.objects.create(assembly=assembly, giver=giver, holder=holder)
    user = UserFactory(roles=["member"], email=holder.member.email)
    Member.objects.filter(pk=holder.member_id).update(user=user)
    client.force_login(user)
    return holder, givers


def _cast_data(assembly: Assembly, voices: list[RollEntry]) -> dict[str, object]:
    resolutions = list(assembly.resolutions.values_list("pk", flat=True))
    data: dict[str, object] = {f"resolution_{pk}": "for" for pk in resolutions}
    data.update(step="cast", voices=[entry.pk for entry in voices])
    return data


@pytest.mark.parametrize(("members", "principals", "resolutions"), [(3, 0, 2), (12, 2, 5)])
def test_a_cast_for_every_voice_held_stays_within_its_budget(
    client, django_assert_max_num_queries, members, principals, resolutions
):
    assembly = _assembly(members, resolutions)
    holder, givers = _holder_of(assembly, principals, client)
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    data = _cast_data(assembly, [holder, *givers])
    with django_assert_max_num_queries(CAST_BUDGET):
        response = client.post(url, data)
    assert response.content.decode().count('<code class="receipt">') == 1 + principals
    assert Participation.objects.count() == (1 + principals) * resolutions
    assert UrnBallot.objects.count() == (1 + principals) * resolutions


def test_a_refused_cast_stays_within_its_budget_and_writes_nothing(
    client, django_assert_max_num_queries
):
    assembly = _assembly(6, 3)
    holder, (giver,) = _holder_of(assembly, 1, client)
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    ballot_cast(  # the principal's vote, cast meanwhile (from another device of the holder's)
        assembly=assembly,
        voter=holder,
        principal=giver,
        choices=dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "against"),
        actor=None,
    )
    before = Participation.objects.count()
    data = _cast_data(assembly, [holder])
    data["voices"] = [holder.pk, giver.pk]
    with django_assert_max_num_queries(CAST_BUDGET):
        response = client.post(url, data)
    assert response.status_code == 200
    assert "Your vote is cast" not in response.content.decode()
    assert Participation.objects.count() == before  # not even the holder's own vote


@pytest.mark.parametrize(("members", "principals", "resolutions"), [(3, 0, 2), (12, 2, 5)])
def test_the_ballot_page_stays_within_its_budget(
    client, django_assert_max_num_queries, members, principals, resolutions
):
    assembly = _assembly(members, resolutions)
    _holder_of(assembly, principals, client)
    url = reverse("governance:ballot", kwargs={"pk": assembly.pk})
    with django_assert_max_num_queries(BALLOT_PAGE_BUDGET):
        page = client.get(url)
    assert page.content.decode().count('class="resolution"') == resolutions


@pytest.mark.parametrize(("members", "resolutions"), [(3, 2), (12, 5)])
def test_the_results_page_stays_within_its_budget(
    client, django_assert_max_num_queries, members, resolutions
):
    assembly = _assembly(members, resolutions)
    _holder_of(assembly, 0, client)
    choices = dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "for")
    for entry in RollEntry.objects.filter(assembly=assembly):
        ballot_cast(assembly=assembly, voter=entry, choices=choices, actor=None)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    assembly_tally(assembly=Assembly.objects.get(pk=assembly.pk))
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.PUBLISHED)
    url = reverse("governance:results", kwargs={"pk": assembly.pk})
    with django_assert_max_num_queries(RESULTS_PAGE_BUDGET):
        page = client.get(url)
    assert page.content.decode().count("Adopted") >= resolutions


@pytest.mark.parametrize("name", sorted(HOME_BUDGETS))
@pytest.mark.parametrize("principals", [0, 2])
def test_the_members_home_pages_stay_within_their_budget(
    client, django_assert_max_num_queries, name, principals
):
    assembly = _assembly(5, 3)
    _holder_of(assembly, principals, client)
    with django_assert_max_num_queries(HOME_BUDGETS[name]):
        page = client.get(reverse(name))
    assert page.status_code == 200
