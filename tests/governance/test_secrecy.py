"""Secret ballots stay secret, and the secrecy lasts (RULES 36).

The first test casts 1,000 ballots, closes, tallies and publishes, then looks everywhere the
software writes: every table of the database (a row that names a member must not carry a
ballot's key or receipt), the log lines emitted meanwhile and the published exports. The others
check, on the real PostgreSQL, what an administrator of the database could read after a close
or a cancellation: the rows' transaction ids (xmin), their physical order (ctid), timestamps,
the urn and its dead rows; and that the votes' tables are append-only in the database itself.
"""

import itertools
import logging

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from governance.models import (
    Assembly,
    Ballot,
    BallotPointer,
    Participation,
    ResolutionResult,
    RollEntry,
    UrnBallot,
    UrnSeal,
)
from governance.services.ballots import ballot_cast, ballot_recast
from governance.services.convocation import assembly_cancel
from governance.services.urn import urn_vacuum
from governance.services.voting import assembly_tally, results_publish, voting_close
from tests.coop.conftest import wait_until
from tests.governance.ballot_box import ballot_box_download
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = 500  # two resolutions each: 1,000 ballots


@pytest.fixture(autouse=True)
def _box_with_no_free_space():
    """The box as production has it: append-only, no row ever deleted or updated, so no free
    space inside its file. Tests that ran before in a transaction rolled back left dead rows
    there, and autovacuum, when it passes, frees their space: the seal's rows would then fill
    those holes first and their physical order (check 2 below) would depend on when autovacuum
    ran. The file is rewritten empty first (these tests start from an empty database)."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM FULL governance_ballot")


def _all_rows() -> dict[str, list[str]]:
    """Every row of every table of the database, as text."""
    tables = connection.introspection.table_names()
    rows: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in tables:
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT t::text FROM {quoted} AS t")  # noqa: S608 - catalogue names
            rows[table] = [row[0] for row in cursor.fetchall()]
    return rows


def _fetch(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _cast_everyone(assembly: Assembly, *, revote: bool = False) -> list[str]:
    resolutions = list(assembly.resolutions.order_by("number").values_list("pk", flat=True))
    receipts = []
    now = assembly.distance_vote_deadline
    for index, entry in enumerate(RollEntry.objects.filter(assembly=assembly)):
        choice = ("for", "against", "abstain")[index % 3]
        outcome = ballot_cast(
            assembly=assembly,
            voter=entry,
            choices=dict.fromkeys(resolutions, choice),
            actor=None,
            now=now,
        )
        if revote and index % 2:
            outcome = ballot_recast(
                assembly=assembly,
                voter=entry,
                choices=dict.fromkeys(resolutions, "abstain"),
                previous_receipt=outcome.receipt,
                actor=None,
                now=now,
            )
        receipts.append(outcome.receipt)
    return receipts


def _close(assembly: Assembly) -> None:
    """The chair closes the vote (opening the meeting is tested elsewhere)."""
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.VOTING_OPEN)
    voting_close(assembly=assembly, actor=None)


def _assert_nothing_links_participations_to_ballots(assembly: Assembly) -> None:
    """What a database administrator could join on, after the seal and the vacuum."""
    box = Ballot.objects.filter(resolution__assembly=assembly)
    participations = Participation.objects.filter(resolution__assembly=assembly)
    assert box.count() == participations.count() > 0

    # 1. xmin: every ballot of the box was written by the seal's one transaction, which wrote
    #    no participation.
    box_xmins = {
        x
        for (x,) in _fetch(
            "SELECT DISTINCT b.xmin::text FROM governance_ballot b "
            "JOIN governance_resolution r ON r.id = b.resolution_id WHERE r.assembly_id = %s",
            [assembly.pk],
        )
    }
    assert len(box_xmins) == 1
    participation_xmins = {
        x
        for (x,) in _fetch(
            "SELECT DISTINCT p.xmin::text FROM governance_participation p "
            "JOIN governance_resolution r ON r.id = p.resolution_id WHERE r.assembly_id = %s",
            [assembly.pk],
        )
    }
    assert not box_xmins & participation_xmins

    # 2. Physical order: the box's rows lie in the order of their random keys.
    physical = [
        key
        for (key,) in _fetch(
            "SELECT b.id FROM governance_ballot b JOIN governance_resolution r "
            "ON r.id = b.resolution_id WHERE r.assembly_id = %s ORDER BY b.ctid",
            [assembly.pk],
        )
    ]
    assert physical == sorted(physical)

    # 3. Timestamps: neither table has a column of time to compare.
    with connection.cursor() as cursor:
        for table in ("governance_ballot", "governance_participation"):
            description = connection.introspection.get_table_description(cursor, table)
            kinds = {connection.introspection.get_field_type(c.type_code, c) for c in description}
            assert not kinds & {"DateTimeField", "DateField", "TimeField"}, table

    # 4. The urn and the pointers are empty, and vacuumed: no dead row of a cast is left in
    #    their files (VACUUM FULL writes new, empty ones). A snapshot older than the seal held
    #    by another session (autovacuum's ANALYZE, say) keeps dead rows: vacuumed again, as the
    #    sweep does each minute, until the seal is marked vacuumed.
    assert not UrnBallot.objects.exists()
    assert not BallotPointer.objects.exists()
    wait_until(urn_vacuum, timeout=120, interval=0.5, what="the urn to be vacuumed")
    for table in ("governance_urnballot", "governance_ballotpointer"):
        ((size,),) = _fetch("SELECT pg_relation_size(%s)", [table])
        assert size == 0, table
    assert UrnSeal.objects.get(assembly=assembly).vacuumed_at is not None


def test_after_a_thousand_ballots_nothing_links_a_member_to_a_choice(caplog, totp_admin):
    caplog.set_level(logging.DEBUG)
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, MEMBERS), resolutions=2)
    entries = list(RollEntry.objects.filter(assembly=assembly).select_related("member"))
    receipts = _cast_everyone(assembly)
    _close(assembly)
    assembly_tally(assembly=assembly)
    results_publish(assembly=assembly, actor=totp_admin)
    assert Ballot.objects.count() == 2 * MEMBERS

    ballot_keys = {str(pk) for pk in Ballot.objects.values_list("id", flat=True)}
    digests = set(Ballot.objects.values_list("receipt", flat=True))
    secrets_of_ballots = ballot_keys | digests | set(receipts)

    # 1. No row anywhere holds a ballot's key, digest or receipt code, except the ballot itself.
    for table, rows in _all_rows().items():
        if table == "governance_ballot":
            continue
        for row in rows:
            leaked = [s for s in secrets_of_ballots if s in row]
            assert not leaked, f"{table} holds a ballot's key or receipt: {row[:200]}"

    # 2. The ballot table has no column that could point back to a voter or a moment.
    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "governance_ballot")
        }
    assert columns == {"id", "resolution_id", "college_id", "choice", "receipt"}

    # 3. The rows' physical order no longer follows the order of the casts. Each member cast
    #    both resolutions together, so in cast order the rows would alternate resolution 1,
    #    resolution 2, ...; in the order of their random keys, a row is followed by the other
    #    resolution about half of the time.
    physical = [r for (r,) in _fetch("SELECT resolution_id FROM governance_ballot ORDER BY ctid")]
    alternations = sum(a != b for a, b in itertools.pairwise(physical))
    assert alternations / (len(physical) - 1) < 0.75
    _assert_nothing_links_participations_to_ballots(assembly)

    # 4. Nothing logged meanwhile carries a receipt or a digest.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(s in logged for s in secrets_of_ballots)

    # 5. The published exports hold ballots without any member.
    member = entries[0]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(totp_admin)
    text = ballot_box_download(client, assembly, "csv").decode("utf-8-sig")
    for entry in entries[:50]:
        assert entry.name not in text
        assert entry.member.email not in text
    assert member.member.last_name not in text


def test_after_close_with_changed_votes_nothing_links_a_participation_to_a_ballot():
    register = statutes_and_register(revote_allowed=True)
    assembly = convened_assembly(members=members_admitted(register, 12), resolutions=2)
    _cast_everyone(assembly, revote=True)
    # While the vote is open, the urn's rows carry the casts' transaction ids: that is why it
    # is sealed.
    assert UrnBallot.objects.count() == BallotPointer.objects.count() == 24
    _close(assembly)
    # 4 chose to abstain, 6 changed to it (2 of them had chosen it): 8 members, 2 resolutions.
    assert Ballot.objects.filter(choice="abstain").count() == 2 * 8
    _assert_nothing_links_participations_to_ballots(assembly)
    (result, _second) = assembly_tally(assembly=assembly)
    assert result.votes_for + result.votes_against + result.abstentions == 12


def test_after_cancellation_the_distance_votes_are_sealed_and_unlinkable(totp_admin):
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 9), resolutions=2)
    _cast_everyone(assembly)
    assembly_cancel(assembly=assembly, reason="Salle indisponible", actor=totp_admin)
    assert Assembly.objects.get(pk=assembly.pk).status == Assembly.Status.CANCELLED
    _assert_nothing_links_participations_to_ballots(assembly)


def test_the_seal_is_idempotent_and_only_moves_its_own_assembly():
    from governance.services.urn import urn_seal

    register = statutes_and_register()
    members = members_admitted(register, 6)
    closing = convened_assembly(members=members[:3], resolutions=1)
    still_open = convened_assembly(members=members[3:], resolutions=1)
    _cast_everyone(closing)
    _cast_everyone(still_open)
    _close(closing)
    with transaction.atomic():
        assert urn_seal(assembly=closing) == 0  # sealed already
    assert Ballot.objects.filter(resolution__assembly=closing).count() == 3
    assert UrnBallot.objects.filter(resolution__assembly=still_open).count() == 3
    assert BallotPointer.objects.count() == 3
    # The vacuum keeps the other assembly's urn as it is.
    wait_until(urn_vacuum, timeout=120, interval=0.5, what="the urn to be vacuumed")
    assert UrnBallot.objects.count() == 3 == BallotPointer.objects.count()


APPEND_ONLY = {
    "governance_ballot": "UPDATE governance_ballot SET choice = 'for'",
    "governance_participation": "UPDATE governance_participation SET channel = 'room'",
    "governance_resolutionresult": "UPDATE governance_resolutionresult SET adopted = true",
}


@pytest.mark.parametrize("table", sorted(APPEND_ONLY))
def test_the_votes_tables_refuse_update_and_delete_in_the_database(table):
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 3), resolutions=1)
    _cast_everyone(assembly)
    _close(assembly)
    assembly_tally(assembly=assembly)
    count = _fetch(f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 - fixed names
    assert count > 0
    for statement in (APPEND_ONLY[table], f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            _fetch(statement)
    assert _fetch(f"SELECT count(*) FROM {table}")[0][0] == count  # noqa: S608
    assert ResolutionResult.objects.get().votes_for == 1
