"""Opening, closing and tallying the vote: once, from the ballot box and the room counts."""

from fractions import Fraction

import pytest
from django.utils import timezone

from coop.errors import DomainError
from governance.models import Assembly, AssemblyCollege, ResolutionResult, RollEntry, RoomCount
from governance.services.ballots import ballot_cast
from governance.services.voting import assembly_tally, voting_close, voting_open
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


def opened_assembly(**statutes):
    """Three colleges 40/30/30 with two members each, the meeting opened."""
    register = statutes_and_register(**statutes)
    members = (
        members_admitted(register, 2, category="employee")
        + members_admitted(register, 2, category="beneficiary")
        + members_admitted(register, 2, category="volunteer")
    )
    assembly = convened_assembly(members=members, resolutions=1)
    # Everyone came: the quorum is reached when the meeting opens.
    RollEntry.objects.filter(assembly=assembly).update(present_at=timezone.now())
    Assembly.objects.filter(pk=assembly.pk).update(meeting_opened_at=timezone.now())
    return Assembly.objects.get(pk=assembly.pk)


@pytest.fixture
def assembly():
    return opened_assembly()


def by_college(assembly):
    entries = RollEntry.objects.filter(assembly=assembly).select_related("college")
    result: dict[str, list[RollEntry]] = {}
    for entry in entries.order_by("member_number"):
        result.setdefault(entry.college.name, []).append(entry)
    return result


def cast(assembly, entry, choice):
    resolution = assembly.resolutions.get()
    ballot_cast(assembly=assembly, voter=entry, choices={resolution.pk: choice}, actor=None)


def test_the_vote_opens_only_after_the_meeting_opened(assembly):
    Assembly.objects.filter(pk=assembly.pk).update(meeting_opened_at=None)
    with pytest.raises(DomainError, match="Open the meeting first"):
        voting_open(assembly=assembly, actor=None)


def test_without_quorum_the_vote_does_not_open(assembly):
    # 1/5 of 6 members is 1.2: two members must take part; one came.
    RollEntry.objects.filter(assembly=assembly).update(present_at=None)
    RollEntry.objects.filter(pk=RollEntry.objects.filter(assembly=assembly).first().pk).update(
        present_at=timezone.now()
    )
    with pytest.raises(DomainError, match=r"1 members counted, 2 required"):
        voting_open(assembly=assembly, actor=None)
    assert Assembly.objects.get(pk=assembly.pk).status == Assembly.Status.CONVENED


def test_close_then_tally_counts_each_college_and_weighs_them(
    assembly, django_capture_on_commit_callbacks
):
    voting_open(assembly=assembly, actor=None)
    colleges = by_college(assembly)
    employees, users, supporters = (
        colleges["Salariés"],
        colleges["Bénéficiaires"],
        colleges["Soutiens"],
    )
    cast(assembly, employees[0], "for")
    cast(assembly, employees[1], "against")
    cast(assembly, users[0], "against")
    cast(assembly, supporters[0], "abstain")
    # The bureau counted the other user's hand in the room (the only voice of that college in
    # the room that did not vote on a phone: RULES 32).
    users_college = AssemblyCollege.objects.get(assembly=assembly, name="Bénéficiaires")
    RoomCount.objects.create(
        resolution=assembly.resolutions.get(),
        college=users_college,
        votes_for=1,
        votes_against=0,
        abstentions=0,
        recorded_by=_someone(),
    )

    with django_capture_on_commit_callbacks() as callbacks:
        voting_close(assembly=assembly, actor=None)
    # After commit: the urn's vacuum and the tally task.
    assert len(callbacks) == 2

    (result,) = assembly_tally(assembly=Assembly.objects.get(pk=assembly.pk))
    # Employees 1/2 for (40 %), users 1/2 for (30 %), supporters nothing expressed: rescaled.
    expected = (Fraction(2, 5) * Fraction(1, 2) + Fraction(3, 10) * Fraction(1, 2)) / Fraction(
        7, 10
    )
    assert Fraction(result.weighted_for) == expected
    assert result.adopted is (expected > Fraction(1, 2))
    assert (result.votes_for, result.votes_against, result.abstentions) == (2, 2, 1)
    lines = {line["name"]: line for line in result.colleges}
    assert lines["Bénéficiaires"]["share_for"] == "1/2"
    assert lines["Soutiens"]["share_for"] is None
    assert lines["Salariés"]["counted_weight"] == "4/7"


def _someone():
    from tests.coop.factories import UserFactory

    return UserFactory()


def test_the_tally_runs_once(assembly):
    voting_open(assembly=assembly, actor=None)
    voting_close(assembly=assembly, actor=None)
    assembly_tally(assembly=assembly)
    with pytest.raises(DomainError, match="already been tallied"):
        assembly_tally(assembly=assembly)
    assert ResolutionResult.objects.count() == 1


def test_an_open_vote_is_not_tallied_and_a_closed_one_takes_no_cast(assembly):
    voting_open(assembly=assembly, actor=None)
    with pytest.raises(DomainError, match="Only a closed vote"):
        assembly_tally(assembly=assembly)
    voting_close(assembly=assembly, actor=None)
    with pytest.raises(DomainError, match="closed"):
        cast(assembly, by_college(assembly)["Salariés"][0], "for")


def test_without_colleges_everyone_counts_in_one():
    assembly = opened_assembly(colleges_enabled=False)
    voting_open(assembly=assembly, actor=None)
    colleges = by_college(assembly)
    cast(assembly, colleges["Salariés"][0], "for")
    cast(assembly, colleges["Soutiens"][0], "for")
    cast(assembly, colleges["Bénéficiaires"][0], "against")
    voting_close(assembly=assembly, actor=None)
    (result,) = assembly_tally(assembly=assembly)
    assert result.weighted_for == "2/3"
    assert [line["weight"] for line in result.colleges] == ["1/1"]


def test_the_close_seals_the_urn_and_the_task_counts_once(assembly):
    from django.db import connection

    from governance.models import Ballot, BallotPointer, UrnBallot
    from governance.tasks import assembly_tally_task

    def places() -> dict[str, str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id::text, ctid::text FROM governance_ballot")
            return dict(cursor.fetchall())

    voting_open(assembly=assembly, actor=None)
    for entry in RollEntry.objects.filter(assembly=assembly):
        cast(assembly, entry, "for")
    assert (UrnBallot.objects.count(), BallotPointer.objects.count(), Ballot.objects.count()) == (
        6,
        6,
        0,
    )
    voting_close(assembly=assembly, actor=None)
    assert (UrnBallot.objects.count(), BallotPointer.objects.count(), Ballot.objects.count()) == (
        0,
        0,
        6,
    )
    before = places()

    assert assembly_tally_task(assembly.pk) == "1 resolutions tallied"
    assert assembly_tally_task(assembly.pk) == "already_tallied"
    assert ResolutionResult.objects.get().votes_for == 6
    assert places() == before  # the tally reads the sealed box, it writes nothing there


def test_beat_runs_the_tally_sweep_every_minute(settings):
    import datetime as dt

    from governance.tasks import assembly_tally_sweep

    entry = settings.CELERY_BEAT_SCHEDULE["assembly-tally-sweep"]
    assert entry["task"] == assembly_tally_sweep.name
    assert entry["schedule"] == dt.timedelta(minutes=1)
