"""Room counts (RULES 32): bounded by the voices in the room, corrected before the tally with a
reason, append-only in the database."""

from fractions import Fraction

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coop.errors import DomainError
from governance.models import (
    Assembly,
    AssemblyCollege,
    Participation,
    Proxy,
    ResolutionResult,
    RollEntry,
    RoomCount,
)
from governance.selectors.room_counts import (
    room_count_bound,
    room_count_bounds,
    room_count_chains,
    room_count_sheet,
)
from governance.services.ballots import ballot_cast
from governance.services.room_counts import (
    RoomCountRefused,
    room_count_correct,
    room_count_record,
)
from governance.services.voting import assembly_tally, voting_close
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


def build(**statutes) -> Assembly:
    """Three colleges (40/30/30): 3 employees, 2 beneficiaries, 2 volunteers; 2 resolutions.
    Nobody is checked in yet; the vote is not open."""
    register = statutes_and_register(**statutes)
    members = (
        members_admitted(register, 3, category="employee")
        + members_admitted(register, 2, category="beneficiary")
        + members_admitted(register, 2, category="volunteer")
    )
    return convened_assembly(members=members, resolutions=2)


def open_vote(assembly: Assembly) -> Assembly:
    now = timezone.now()
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_OPEN, meeting_opened_at=now, voting_opened_at=now
    )
    return Assembly.objects.select_related("statutes").get(pk=assembly.pk)


def roll(assembly: Assembly) -> dict[str, list[RollEntry]]:
    result: dict[str, list[RollEntry]] = {}
    for entry in assembly.roll.select_related("college").order_by("member_number"):
        result.setdefault(entry.college.name, []).append(entry)
    return result


def present(*entries: RollEntry) -> None:
    RollEntry.objects.filter(pk__in=[e.pk for e in entries]).update(present_at=timezone.now())


def college(assembly: Assembly, name: str) -> AssemblyCollege:
    return AssemblyCollege.objects.get(assembly=assembly, name=name)


def resolution_ids(assembly: Assembly) -> list[int]:
    return list(assembly.resolutions.order_by("number").values_list("pk", flat=True))


@pytest.fixture
def assembly() -> Assembly:
    return build()


@pytest.fixture
def bureau():
    return UserFactory(roles=["administrator"])


def record(assembly, bureau, *, resolution, college, counts):
    votes_for, votes_against, abstentions = counts
    return room_count_record(
        assembly=assembly,
        resolution_id=resolution,
        college=college,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        actor=bureau,
    )


def correct(assembly, bureau, row, counts, reason="Erreur de saisie"):
    votes_for, votes_against, abstentions = counts
    return room_count_correct(
        assembly=assembly,
        room_count=row,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        reason=reason,
        actor=bureau,
    )


# --- The bound ------------------------------------------------------------------------------


def test_the_bound_accepts_the_voices_in_the_room_and_refuses_one_more(assembly, bureau):
    employees = roll(assembly)["Salariés"]
    present(employees[0], employees[1])  # the third employee did not come
    assembly = open_vote(assembly)
    first, second = resolution_ids(assembly)
    salaries = college(assembly, "Salariés")

    row = record(assembly, bureau, resolution=first, college=salaries, counts=(1, 0, 1))
    assert row.total == 2

    with pytest.raises(RoomCountRefused) as refused:
        record(assembly, bureau, resolution=second, college=salaries, counts=(2, 1, 0))
    assert str(refused.value) == (
        "At most 2 voices can be counted in the room for college Salariés on resolution 2 "
        "(2 present, 0 represented by members present, 0 already voted online); 3 entered."
    )
    assert refused.value.code == "over_bound"
    assert RoomCount.objects.count() == 1  # nothing written


def test_a_college_with_nobody_in_the_room_counts_nothing(assembly, bureau):
    present(*roll(assembly)["Salariés"])
    assembly = open_vote(assembly)
    first, _second = resolution_ids(assembly)
    with pytest.raises(RoomCountRefused, match=r"At most 0 voices .* college Soutiens"):
        record(
            assembly,
            bureau,
            resolution=first,
            college=college(assembly, "Soutiens"),
            counts=(1, 0, 0),
        )
    # An empty count is still a count: the bureau says nobody voted by hand there.
    row = record(
        assembly, bureau, resolution=first, college=college(assembly, "Soutiens"), counts=(0, 0, 0)
    )
    assert row.total == 0


def test_a_proxy_voice_counts_in_the_principals_college(assembly, bureau):
    colleges = roll(assembly)
    holder = colleges["Salariés"][0]
    principal = colleges["Bénéficiaires"][0]
    absent_holder = colleges["Salariés"][1]
    not_represented = colleges["Bénéficiaires"][1]
    present(holder)
    Proxy.objects.create(assembly=assembly, giver=principal, holder=holder)
    # A proxy whose holder did not come represents nobody in the room.
    Proxy.objects.create(assembly=assembly, giver=not_represented, holder=absent_holder)
    # A revoked proxy represents nobody either.
    revoked_giver = colleges["Soutiens"][0]
    Proxy.objects.create(
        assembly=assembly, giver=revoked_giver, holder=holder, revoked_at=timezone.now()
    )
    assembly = open_vote(assembly)
    first, _second = resolution_ids(assembly)

    users = college(assembly, "Bénéficiaires")
    bound = room_count_bound(assembly=assembly, resolution_id=first, college_id=users.pk)
    assert (bound.present, bound.represented, bound.voted, bound.voices) == (0, 1, 0, 1)
    salaries = room_count_bound(
        assembly=assembly, resolution_id=first, college_id=college(assembly, "Salariés").pk
    )
    assert (salaries.present, salaries.represented, salaries.voices) == (1, 0, 1)

    record(assembly, bureau, resolution=first, college=users, counts=(1, 0, 0))
    with pytest.raises(RoomCountRefused) as refused:
        record(
            assembly,
            bureau,
            resolution=first,
            college=college(assembly, "Salariés"),
            counts=(1, 1, 0),  # the holder's own voice, and the principal's counted twice
        )
    assert "(1 present, 0 represented by members present, 0 already voted online)" in str(
        refused.value
    )


def test_members_who_voted_in_the_software_are_subtracted(assembly, bureau):
    colleges = roll(assembly)
    employees = colleges["Salariés"]
    first, second = resolution_ids(assembly)
    # Before the meeting, one employee voted at distance on both resolutions.
    ballot_cast(
        assembly=assembly,
        voter=employees[0],
        choices={first: "for", second: "against"},
        actor=None,
        now=assembly.distance_vote_deadline,
    )
    present(*employees)  # and came anyway, with the two others
    principal = colleges["Bénéficiaires"][0]
    Proxy.objects.create(assembly=assembly, giver=principal, holder=employees[1])
    assembly = open_vote(assembly)
    # In the room, the second employee votes on their phone, for themselves and their principal.
    ballot_cast(
        assembly=assembly, voter=employees[1], choices={first: "for", second: "for"}, actor=None
    )
    ballot_cast(
        assembly=assembly,
        voter=employees[1],
        principal=principal,
        choices={first: "against", second: "abstain"},
        actor=None,
    )
    assert Participation.objects.filter(channel=Participation.Channel.ROOM).count() == 4
    salaries = college(assembly, "Salariés")
    users = college(assembly, "Bénéficiaires")
    bounds = room_count_bounds(assembly=assembly)
    for resolution in (first, second):
        assert bounds[(resolution, salaries.pk)].voices == 1  # 3 present, 2 voted
        assert bounds[(resolution, users.pk)].voices == 0  # 1 represented, who voted

    with pytest.raises(RoomCountRefused) as refused:
        record(assembly, bureau, resolution=first, college=salaries, counts=(1, 1, 0))
    assert str(refused.value) == (
        "At most 1 voice can be counted in the room for college Salariés on resolution 1 "
        "(3 present, 0 represented by members present, 2 already voted online); 2 entered."
    )
    with pytest.raises(RoomCountRefused, match=r"At most 0 voices .* \(0 present, 1 represented"):
        record(assembly, bureau, resolution=first, college=users, counts=(0, 0, 1))
    record(assembly, bureau, resolution=first, college=salaries, counts=(0, 0, 1))


def test_without_colleges_the_room_is_one_count(bureau):
    assembly = build(colleges_enabled=False)
    colleges = roll(assembly)
    present(colleges["Salariés"][0], colleges["Soutiens"][0], colleges["Bénéficiaires"][0])
    assembly = open_vote(assembly)
    first, _second = resolution_ids(assembly)
    assert room_count_bound(assembly=assembly, resolution_id=first, college_id=None).voices == 3

    with pytest.raises(RoomCountRefused, match="votes without colleges"):
        record(
            assembly,
            bureau,
            resolution=first,
            college=college(assembly, "Soutiens"),
            counts=(1, 0, 0),
        )
    with pytest.raises(RoomCountRefused) as refused:
        record(assembly, bureau, resolution=first, college=None, counts=(2, 2, 0))
    assert str(refused.value) == (
        "At most 3 voices can be counted in the room on resolution 1 (3 present, "
        "0 represented by members present, 0 already voted online); 4 entered."
    )
    record(assembly, bureau, resolution=first, college=None, counts=(2, 0, 1))
    with pytest.raises(RoomCountRefused, match="already recorded"):
        record(assembly, bureau, resolution=first, college=None, counts=(1, 0, 0))


def test_the_refusal_is_in_french_for_a_french_bureau(assembly, bureau):
    from django.utils import translation

    present(roll(assembly)["Salariés"][0])
    assembly = open_vote(assembly)
    first, _second = resolution_ids(assembly)
    with translation.override("fr"), pytest.raises(RoomCountRefused) as refused:
        record(
            assembly,
            bureau,
            resolution=first,
            college=college(assembly, "Salariés"),
            counts=(2, 0, 0),
        )
    assert str(refused.value) == (
        "Au plus 1 voix peut être comptée en séance pour le collège Salariés sur la "
        "résolution 1 (présents : 1, représentés par des associés présents : 0, ayant déjà "
        "voté en ligne : 0) ; total saisi : 2."
    )


def test_a_count_is_entered_only_while_the_vote_is_open(assembly, bureau):
    present(*roll(assembly)["Salariés"])
    first, _second = resolution_ids(assembly)
    with pytest.raises(RoomCountRefused, match=r"status of the assembly: convened"):
        record(
            assembly,
            bureau,
            resolution=first,
            college=college(assembly, "Salariés"),
            counts=(1, 0, 0),
        )


# The bound, counted by hand over random rooms: who came, who gave a proxy to whom, who voted in
# the software on which resolution. The service then accepts exactly that many voices.

ROOM_SIZE = 7


@st.composite
def rooms(draw):
    present = draw(st.lists(st.booleans(), min_size=ROOM_SIZE, max_size=ROOM_SIZE))
    holders = []
    for index in range(ROOM_SIZE):
        others = [i for i in range(ROOM_SIZE) if i != index]
        holder = draw(st.none() | st.sampled_from(others)) if not present[index] else None
        holders.append(holder)
    revoked = draw(st.lists(st.booleans(), min_size=ROOM_SIZE, max_size=ROOM_SIZE))
    voted = draw(
        st.lists(st.sets(st.integers(0, 1), max_size=2), min_size=ROOM_SIZE, max_size=ROOM_SIZE)
    )
    target = draw(
        st.tuples(st.integers(0, 1), st.sampled_from(["Salariés", "Bénéficiaires", "Soutiens"]))
    )
    return present, holders, revoked, voted, target


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(room=rooms())
def test_the_bound_is_the_count_by_hand(assembly, bureau, room):
    present_flags, holders, revoked, voted, (res_index, college_name) = room
    entries = list(assembly.roll.select_related("college").order_by("member_number"))
    resolutions = resolution_ids(assembly)
    with transaction.atomic():
        RollEntry.objects.filter(
            pk__in=[e.pk for e, p in zip(entries, present_flags, strict=True) if p]
        ).update(present_at=timezone.now())
        for giver, holder in enumerate(holders):
            if holder is not None:
                Proxy.objects.create(
                    assembly=assembly,
                    giver=entries[giver],
                    holder=entries[holder],
                    revoked_at=timezone.now() if revoked[giver] else None,
                )
        for index, on in enumerate(voted):
            for r in on:
                Participation.objects.create(
                    resolution_id=resolutions[r],
                    roll_entry=entries[index],
                    channel=Participation.Channel.DISTANCE,
                )
        opened = open_vote(assembly)

        # By hand, from the definition of RULES 32.
        in_room = {
            i
            for i in range(ROOM_SIZE)
            if present_flags[i]
            or (holders[i] is not None and not revoked[i] and present_flags[holders[i]])
        }
        expected = sum(
            1
            for i in in_room
            if entries[i].college.name == college_name and res_index not in voted[i]
        )
        target = college(assembly, college_name)
        resolution = resolutions[res_index]
        bound = room_count_bound(assembly=opened, resolution_id=resolution, college_id=target.pk)
        assert bound.voices == expected

        with pytest.raises(RoomCountRefused, match=f"At most {expected} voice"):
            record(
                opened, bureau, resolution=resolution, college=target, counts=(expected + 1, 0, 0)
            )
        record(opened, bureau, resolution=resolution, college=target, counts=(0, expected, 0))
        transaction.set_rollback(True)


# --- Corrections ----------------------------------------------------------------------------


@pytest.fixture
def counted(assembly, bureau):
    """The vote is open, the three employees are in the room, and resolution 1 is counted
    3 for in their college."""
    present(*roll(assembly)["Salariés"])
    assembly = open_vote(assembly)
    first, _second = resolution_ids(assembly)
    row = record(
        assembly, bureau, resolution=first, college=college(assembly, "Salariés"), counts=(3, 0, 0)
    )
    return assembly, row


def test_a_correction_keeps_the_old_value_and_becomes_the_current_count(counted, bureau):
    assembly, row = counted
    fixed = correct(assembly, bureau, row, (1, 2, 0), reason="  Deux mains mal comptées  ")
    assert fixed.corrects_id == row.pk
    assert fixed.reason == "Deux mains mal comptées"
    old = RoomCount.objects.get(pk=row.pk)
    assert (old.votes_for, old.votes_against, old.abstentions) == (3, 0, 0)
    (chain,) = room_count_chains(assembly=assembly).values()
    assert chain.current.pk == fixed.pk
    assert chain.first.pk == row.pk
    assert [(a.pk, b.pk) for a, b in chain.steps] == [(row.pk, fixed.pk)]
    line = next(line for line in room_count_sheet(assembly=assembly) if line.chain)
    assert line.chain.current.pk == fixed.pk
    # Corrected again: a chain of three rows, the last one counts.
    again = correct(assembly, bureau, fixed, (1, 1, 1), reason="Une abstention")
    (chain,) = room_count_chains(assembly=assembly).values()
    assert [r.pk for r in chain.earlier] == [row.pk, fixed.pk]
    assert chain.current.pk == again.pk


def test_a_correction_needs_a_reason(counted, bureau):
    assembly, row = counted
    for reason in ("", "   \n "):
        with pytest.raises(RoomCountRefused, match="Give the reason for the correction"):
            correct(assembly, bureau, row, (1, 2, 0), reason=reason)
    assert RoomCount.objects.count() == 1


def test_a_correction_is_bounded_too_and_must_change_something(counted, bureau):
    assembly, row = counted
    with pytest.raises(RoomCountRefused) as refused:
        correct(assembly, bureau, row, (2, 2, 0))
    assert "At most 3 voices" in str(refused.value) and "4 entered" in str(refused.value)
    with pytest.raises(RoomCountRefused, match="same figures"):
        correct(assembly, bureau, row, (3, 0, 0))
    assert RoomCount.objects.count() == 1


def test_a_corrected_count_cannot_be_corrected_again(counted, bureau):
    assembly, row = counted
    correct(assembly, bureau, row, (2, 1, 0))
    with pytest.raises(RoomCountRefused, match=r"already corrected at .*\(for: 2, against: 1"):
        correct(assembly, bureau, row, (0, 3, 0))
    assert RoomCount.objects.count() == 2


def test_a_count_is_not_corrected_after_the_vote_closed(counted, bureau):
    assembly, row = counted
    voting_close(assembly=assembly, actor=bureau)
    with pytest.raises(RoomCountRefused) as refused:
        correct(assembly, bureau, row, (2, 1, 0))
    assert str(refused.value) == (
        "A count of the room can only be corrected while the vote is open, before the tally "
        "(status of the assembly: voting closed)."
    )
    assert refused.value.code == "not_open"
    assert RoomCount.objects.count() == 1


def test_a_count_of_another_assembly_is_not_corrected_here(counted, bureau):
    _assembly, row = counted
    other = open_vote(convened_assembly(members=members_admitted(statutes_and_register(), 1)))
    with pytest.raises(RoomCountRefused, match="not one of this assembly's"):
        correct(other, bureau, row, (2, 1, 0))


def test_the_tally_counts_only_the_current_counts(counted, bureau):
    assembly, row = counted
    correct(assembly, bureau, row, (1, 2, 0), reason="Mains mal comptées")
    voting_close(assembly=assembly, actor=bureau)
    results = assembly_tally(assembly=Assembly.objects.get(pk=assembly.pk))
    first = next(r for r in results if r.resolution.number == 1)
    assert (first.votes_for, first.votes_against, first.abstentions) == (1, 2, 0)
    assert Fraction(first.weighted_for) == Fraction(1, 3)  # only the employees expressed
    assert first.adopted is False
    assert ResolutionResult.objects.count() == 2


def test_the_audit_keeps_the_count_and_each_correction(counted, bureau):
    from coop.models import AuditEvent

    assembly, row = counted
    correct(assembly, bureau, row, (1, 2, 0), reason="Mains mal comptées")
    recorded, corrected = AuditEvent.objects.filter(
        action__startswith="assembly.room_count"
    ).order_by("pk")
    assert recorded.action == "assembly.room_count"
    assert recorded.data["for"] == 3
    assert corrected.action == "assembly.room_count_corrected"
    assert corrected.data["was"] == {"for": 3, "against": 0, "abstain": 0}
    assert corrected.data["reason"] == "Mains mal comptées"


# --- The database itself --------------------------------------------------------------------


def test_the_database_refuses_to_update_or_delete_a_count(counted):
    _assembly, row = counted
    for statement in (
        "UPDATE governance_roomcount SET votes_for = 0",
        "DELETE FROM governance_roomcount",
    ):
        with (
            pytest.raises(IntegrityError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert RoomCount.objects.get(pk=row.pk).votes_for == 3


def test_the_database_keeps_one_first_count_and_one_correction_per_row(counted, bureau):
    _assembly, row = counted
    same = {"resolution_id": row.resolution_id, "college_id": row.college_id, "recorded_by": bureau}
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomCount.objects.create(votes_for=1, votes_against=0, abstentions=0, **same)
    with pytest.raises(IntegrityError), transaction.atomic():  # a correction needs a reason
        RoomCount.objects.create(votes_for=1, votes_against=0, abstentions=0, corrects=row, **same)
    RoomCount.objects.create(
        votes_for=1, votes_against=0, abstentions=0, corrects=row, reason="Erreur", **same
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomCount.objects.create(
            votes_for=2, votes_against=0, abstentions=0, corrects=row, reason="Encore", **same
        )


def test_the_vote_does_not_close_while_a_count_exceeds_the_room(assembly, bureau):
    """A member counted by hand who then votes on their phone would count twice: the close is
    refused until the bureau corrects the count (RULES 32)."""
    employees = roll(assembly)["Salariés"]
    present(employees[0], employees[1])
    assembly = open_vote(assembly)
    first, _second = resolution_ids(assembly)
    salaries = college(assembly, "Salariés")
    row = record(assembly, bureau, resolution=first, college=salaries, counts=(2, 0, 0))
    ballot_cast(
        assembly=assembly,
        voter=employees[0],
        choices=dict.fromkeys(resolution_ids(assembly), "for"),
        actor=None,
    )
    with pytest.raises(DomainError) as refused:
        voting_close(assembly=assembly, actor=bureau)
    assert str(refused.value) == (
        "The room's count for resolution 1 (Salariés) is 2, more than the voices now in the "
        "room that did not vote in the software (1): correct it before closing the vote."
    )
    assembly.refresh_from_db()
    assert assembly.status == Assembly.Status.VOTING_OPEN
    correct(assembly, bureau, row, (1, 0, 0), reason="Ada a voté sur son téléphone")
    assert voting_close(assembly=assembly, actor=bureau).status == Assembly.Status.VOTING_CLOSED
