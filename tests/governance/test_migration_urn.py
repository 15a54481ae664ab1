"""Migration 0007: ballots of assemblies still voting move into the urn; closed ones stay."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from governance.models import Assembly, Ballot, BallotPointer, UrnBallot
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("governance", "0006_sealed_ballot_box")]


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _insert_ballot(resolution_id: int, college_id: int | None, choice: str) -> str:
    key = uuid.uuid4()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO governance_ballot (id, resolution_id, college_id, choice, receipt) "
            "VALUES (%s, %s, %s, %s, %s)",
            [key, resolution_id, college_id, choice, uuid.uuid4().hex * 2],
        )
    return str(key)


def test_open_ballots_move_into_the_urn_and_closed_ones_stay_in_the_box():
    register = statutes_and_register()
    members = members_admitted(register, 4)
    voting = convened_assembly(members=members[:2], resolutions=1)
    closed = convened_assembly(members=members[2:], resolutions=1)
    Assembly.objects.filter(pk=closed.pk).update(status=Assembly.Status.VOTING_CLOSED)
    (voting_resolution,) = voting.resolutions.all()
    (closed_resolution,) = closed.resolutions.all()
    college = voting.colleges.first()

    _migrate(BEFORE)  # as the database was: ballots written straight into the box
    open_keys = {_insert_ballot(voting_resolution.pk, college.pk, c) for c in ("for", "against")}
    closed_keys = {_insert_ballot(closed_resolution.pk, None, "abstain")}
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert {str(k) for k in UrnBallot.objects.values_list("id", flat=True)} == open_keys
    assert {str(k) for k in Ballot.objects.values_list("id", flat=True)} == closed_keys
    assert sorted(UrnBallot.objects.values_list("choice", flat=True)) == ["against", "for"]
    assert not BallotPointer.objects.exists()  # no receipt was kept: these cannot be changed
