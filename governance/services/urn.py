"""The urn and its seal: ballots are written into the urn during the vote, then sealed.

During the vote a cast writes its ballots into the urn (`governance_urnballot`) and a sealed
pointer per ballot (`governance_ballotpointer`), so that a re-vote can find and change the
voter's ballot with the voter's receipt. Those rows carry the transaction id (xmin) of the
cast, as the participations do, and sit in the order of the casts.

When the vote closes, or the assembly is cancelled, `urn_seal` runs in the caller's
transaction: one statement deletes the assembly's urn ballots and inserts them into the
append-only ballot box (`governance_ballot`) in the order of their random keys; another deletes
the assembly's pointers. Every sealed ballot then has the seal's xmin, and its place in the
table follows its random key. After commit, `urn_vacuum` rewrites the urn and pointer tables
(VACUUM FULL) so that no dead row of a cast is left in them. See docs/secrecy.md.
"""

import logging

from django.db import OperationalError, connection, transaction
from django.utils import timezone

from governance.models import Assembly, UrnSeal

logger = logging.getLogger(__name__)

URN_TABLES = ("governance_urnballot", "governance_ballotpointer")

_SEAL_BALLOTS = """
WITH moved AS (
    DELETE FROM governance_urnballot AS u
    USING governance_resolution AS r
    WHERE u.resolution_id = r.id AND r.assembly_id = %s
    RETURNING u.id, u.resolution_id, u.college_id, u.choice, u.receipt
)
INSERT INTO governance_ballot (id, resolution_id, college_id, choice, receipt)
SELECT id, resolution_id, college_id, choice, receipt FROM moved ORDER BY id
"""

_SEAL_POINTERS = """
DELETE FROM governance_ballotpointer AS p
USING governance_resolution AS r
WHERE p.resolution_id = r.id AND r.assembly_id = %s
"""


def urn_seal(*, assembly: Assembly) -> int:
    """Move the assembly's ballots from the urn into the sealed box; forget the pointers.

    Runs in the caller's transaction (the close or the cancellation, which hold the assembly
    FOR UPDATE, so no cast is in flight). Idempotent: a second seal finds the urn empty and
    moves nothing. Returns the number of ballots moved. The vacuum of the urn is queued for
    after the commit (VACUUM cannot run inside a transaction).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("urn_seal runs inside the transaction that closes the vote")
    with connection.cursor() as cursor:
        cursor.execute(_SEAL_BALLOTS, [assembly.pk])
        moved = cursor.rowcount
        cursor.execute(_SEAL_POINTERS, [assembly.pk])
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        (xid,) = cursor.fetchone()
    seal, created = UrnSeal.objects.get_or_create(
        assembly=assembly,
        defaults={"sealed_at": timezone.now(), "seal_xid": xid, "ballots": moved},
    )
    if not created and moved:
        # Ballots found in an urn already sealed (written by a migration, or before a crash):
        # sealed now, and vacuumed again.
        seal.ballots += moved
        seal.seal_xid = xid
        seal.vacuumed_at = None
        seal.save(update_fields=["ballots", "seal_xid", "vacuumed_at"])
    if created or moved:
        from governance.tasks import urn_vacuum_task

        transaction.on_commit(urn_vacuum_task.delay, robust=True)
    return int(moved)


def urn_needs_vacuum() -> bool:
    return UrnSeal.objects.filter(vacuumed_at__isnull=True).exists()


# A 64-bit transaction id before which every transaction is finished and seen by every
# snapshot, on the whole server: the oldest of the transactions running (the snapshot's
# xmin), of the other sessions' snapshots (autovacuum's ANALYZE included) and of replication
# slots. A row deleted by a transaction from then on may still be visible to someone, and
# VACUUM keeps it. Over every database, not only this one: conservative, and PostgreSQL keeps
# rows for some sessions of other databases too. Reading the other sessions' snapshots needs
# the role pg_read_all_stats (or a superuser); without it only the running transactions count.
_HORIZON = """
SELECT least(
    pg_snapshot_xmin(pg_current_snapshot())::text::bigint,
    (SELECT min(pg_current_xact_id()::text::bigint - age(backend_xmin))
       FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL),
    (SELECT min(pg_current_xact_id()::text::bigint - age(xmin))
       FROM pg_replication_slots WHERE xmin IS NOT NULL),
    (SELECT min(pg_current_xact_id()::text::bigint - age(transaction))
       FROM pg_prepared_xacts)
)
"""


def urn_vacuum(*, lock_timeout_ms: int = 5000) -> bool:
    """Rewrite the urn and pointer tables without their dead rows; mark the seals vacuumed.

    VACUUM FULL, not plain VACUUM: plain VACUUM marks the dead rows' space free inside the
    table's pages but leaves the bytes there until they are overwritten; VACUUM FULL writes a
    new file with the live rows only (the ballots of other assemblies still voting) and drops
    the old one. It locks the two small tables for the few milliseconds of the copy; casts of
    another open assembly wait that long. Outside any transaction (autocommit).

    A dead row that another session's snapshot could still see survives any VACUUM. So a seal
    is marked vacuumed only when its transaction precedes every transaction and snapshot on
    the server when the vacuum started (`_HORIZON`); otherwise the sweep vacuums again a
    minute later. Returns True when every seal is now vacuumed; False when one waits for an
    old snapshot, or the tables could not be locked in time.
    """
    if connection.in_atomic_block:
        raise RuntimeError("VACUUM cannot run inside a transaction")
    pending = list(UrnSeal.objects.filter(vacuumed_at__isnull=True).values_list("pk", "seal_xid"))
    try:
        with connection.cursor() as cursor:
            cursor.execute(_HORIZON)
            (horizon,) = cursor.fetchone()
            cursor.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
            try:
                for table in URN_TABLES:
                    cursor.execute(f"VACUUM (FULL, ANALYZE) {table}")
            finally:
                cursor.execute("RESET lock_timeout")
    except OperationalError as failed:  # a lock not granted in time: the sweep tries again
        logger.warning("The urn could not be vacuumed now: %s", failed)
        return False
    covered = [pk for pk, xid in pending if xid < horizon]
    UrnSeal.objects.filter(pk__in=covered).update(vacuumed_at=timezone.now())
    if len(covered) < len(pending):
        logger.info("The urn is vacuumed again later: an older snapshot may see sealed rows")
        return False
    return True
