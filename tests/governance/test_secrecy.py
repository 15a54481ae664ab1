"""Secret ballots stay secret: after a 1,000-ballot election, nothing links a member to a choice.

The test casts the votes, closes and tallies, publishes, then looks everywhere the software
writes: every table of the database (a row that names a member must not carry a ballot's key
or receipt), the rows' physical order in the ballot table, the audit log, the outbox, the log
lines emitted meanwhile, and the published exports.
"""

import itertools
import logging

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Assembly, Ballot, RollEntry
from governance.services.ballots import ballot_cast
from governance.services.voting import results_publish, vote_count
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = 500  # two resolutions each: 1,000 ballots


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


def test_after_a_thousand_ballots_nothing_links_a_member_to_a_choice(caplog, totp_admin):
    caplog.set_level(logging.DEBUG)
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, MEMBERS), resolutions=2)
    resolutions = list(assembly.resolutions.order_by("number").values_list("pk", flat=True))
    entries = list(RollEntry.objects.filter(assembly=assembly).select_related("member"))
    receipts = []
    for index, entry in enumerate(entries):
        choice = ("for", "against", "abstain")[index % 3]
        outcome = ballot_cast(
            assembly=assembly,
            voter=entry,
            choices=dict.fromkeys(resolutions, choice),
            actor=None,
            now=assembly.distance_vote_deadline,
        )
        receipts.append(outcome.receipt)
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    vote_count(assembly=assembly)
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

    # 3. After the count, the rows' physical order no longer follows the order of the casts.
    #    Each member cast both resolutions together, so in cast order the rows alternate
    #    resolution 1, resolution 2, ...; rewritten in the order of their random keys, a row is
    #    followed by the other resolution about half of the time.
    with connection.cursor() as cursor:
        cursor.execute("SELECT resolution_id FROM governance_ballot ORDER BY ctid")
        physical = [row[0] for row in cursor.fetchall()]
    alternations = sum(a != b for a, b in itertools.pairwise(physical))
    assert alternations / (len(physical) - 1) < 0.75

    # 4. Nothing logged meanwhile carries a receipt or a digest.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(s in logged for s in secrets_of_ballots)

    # 5. The published exports hold ballots without any member.
    member = entries[0]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(totp_admin)
    exported = client.get(reverse("governance:ballot_box_csv", kwargs={"pk": assembly.pk}))
    text = exported.content.decode("utf-8-sig")
    for entry in entries[:50]:
        assert entry.name not in text
        assert entry.member.email not in text
    assert member.member.last_name not in text
