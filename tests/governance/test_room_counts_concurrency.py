"""A count of the room is corrected once: two scrutineers correcting the same count at the same
moment, each in their own connection, make exactly one correction."""

import pytest
from django.utils import timezone

from governance.models import Assembly, AssemblyCollege, RollEntry, RoomCount
from governance.services.room_counts import (
    RoomCountRefused,
    room_count_correct,
    room_count_record,
)
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register
from tests.threads import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_corrections_of_the_same_count_at_once_make_one():
    register = statutes_and_register()
    assembly = convened_assembly(
        members=members_admitted(register, 4, category="employee"), resolutions=1
    )
    RollEntry.objects.filter(assembly=assembly).update(present_at=timezone.now())
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_OPEN,
        meeting_opened_at=timezone.now(),
        voting_opened_at=timezone.now(),
    )
    assembly = Assembly.objects.get(pk=assembly.pk)
    scrutineers = [UserFactory(roles=["administrator"]) for _ in range(2)]
    row = room_count_record(
        assembly=assembly,
        resolution_id=assembly.resolutions.get().pk,
        college=AssemblyCollege.objects.get(assembly=assembly, name="Salariés"),
        votes_for=4,
        votes_against=0,
        abstentions=0,
        actor=scrutineers[0],
    )

    def correction(actor, counts):
        def run():
            room_count_correct(
                assembly=assembly,
                room_count=row,
                votes_for=counts[0],
                votes_against=counts[1],
                abstentions=counts[2],
                reason=f"Recompté par {actor.email}",
                actor=actor,
            )

        return run

    errors = run_in_threads(
        [correction(scrutineers[0], (3, 1, 0)), correction(scrutineers[1], (2, 2, 0))]
    )

    assert len(errors) == 1, errors
    (refused,) = errors
    assert isinstance(refused, RoomCountRefused)
    assert refused.code == "already_corrected"
    assert "This count was already corrected at" in str(refused)
    (fixed,) = RoomCount.objects.filter(corrects=row)
    assert RoomCount.objects.count() == 2
    assert (fixed.votes_for, fixed.votes_against) in {(3, 1), (2, 2)}
    # The refusal names the correction that won.
    assert f"for: {fixed.votes_for}, against: {fixed.votes_against}" in str(refused)
