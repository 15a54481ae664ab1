"""Casting secret ballots: who voted and what was voted are written apart.

A cast writes, in one transaction, a `Participation` per resolution (roll entry, resolution,
channel: unique, so a member votes once) and a ballot per resolution into the urn
(`UrnBallot`: resolution, college, choice, receipt digest: no member, user, time or sequential
id). The voter gets a receipt code, shown once and e-mailed; only its digest is stored, one
digest per resolution, so the ballots of one voter cannot be linked to each other either.

With each urn ballot the cast writes a `BallotPointer` (roll entry, resolution, sealed
pointer): the ballot's key XOR a key derived from the receipt code and the resolution. Only
that receipt opens it, so a re-vote changes the voter's own ballot, never another's, and
nobody without the receipt can tell which urn ballot is whose. When the vote closes the urn is
sealed (`governance.services.urn`): its ballots move into the append-only box, the pointers go.

Casts hold the assembly row in SHARE mode: they run side by side, and closing the vote (which
takes the row FOR UPDATE) waits until every cast in flight has committed, so the seal and the
tally never run while a cast is being written.
"""

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from governance.lifecycle import Action, assembly_require
from governance.models import (
    Assembly,
    BallotChoice,
    BallotPointer,
    Participation,
    Proxy,
    Resolution,
    RollEntry,
    UrnBallot,
)

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or copied by hand
RECEIPT_LENGTH = 20  # 100 bits


def receipt_code_new() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i : i + 5] for i in range(0, RECEIPT_LENGTH, 5))


def receipt_normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in RECEIPT_ALPHABET)


def receipt_digest(*, code: str, resolution_id: int) -> str:
    """The digest stored with the ballot and published in the ballot box."""
    text = f"voliere-ballot:{resolution_id}:{receipt_normalise(code)}"
    return hashlib.sha256(text.encode()).hexdigest()


POINTER_BYTES = 16


def pointer_key(*, code: str, resolution_id: int) -> bytes:
    """The 16 bytes that seal and open the pointer to the ballot of `code` on a resolution.

    Another prefix than the digest's: the published digest says nothing about this key.
    """
    text = f"voliere-pointer:{resolution_id}:{receipt_normalise(code)}"
    return hashlib.sha256(text.encode()).digest()[:POINTER_BYTES]


def pointer_seal(*, ballot_id: uuid.UUID, code: str, resolution_id: int) -> bytes:
    key = pointer_key(code=code, resolution_id=resolution_id)
    return bytes(a ^ b for a, b in zip(ballot_id.bytes, key, strict=True))


def pointer_open(*, sealed: bytes, code: str, resolution_id: int) -> uuid.UUID:
    """The key of the urn ballot a pointer leads to, with this receipt (random bytes with
    another receipt: a key that finds no ballot)."""
    key = pointer_key(code=code, resolution_id=resolution_id)
    return uuid.UUID(bytes=bytes(a ^ b for a, b in zip(bytes(sealed), key, strict=True)))


@dataclass(frozen=True)
class CastOutcome:
    receipt: str  # shown to the voter once; never stored
    for_entry: RollEntry  # whose vote this is (the principal when a holder voted for them)
    channel: str
    resolutions: int


def _lock_for_casting(assembly: Assembly) -> Assembly:
    """Hold the assembly in SHARE mode: casts run together, closing the vote waits for them.

    The status and the deadline are read with the lock, so they are the ones the close (which
    takes the row FOR UPDATE) will see; the rest of the assembly does not change once convened.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, distance_vote_deadline FROM governance_assembly WHERE id = %s "
            "FOR SHARE",
            [assembly.pk],
        )
        assembly.status, assembly.distance_vote_deadline = cursor.fetchone()
    return assembly


def voting_channel(*, assembly: Assembly, now: dt.datetime) -> str:
    """The channel open at `now`, or a DomainError that says why nobody can vote.

    In the meeting once the chair opened the vote; before it, at distance until the deadline
    (governance.lifecycle decides both)."""
    if assembly.status == Assembly.Status.VOTING_OPEN:
        assembly_require(assembly, Action.CAST_ROOM, now=now)
        return Participation.Channel.ROOM
    assembly_require(assembly, Action.CAST_DISTANCE, now=now)
    return Participation.Channel.DISTANCE


def _proxy_given(holder_name: str) -> DomainError:
    return DomainError(
        _(
            "You gave a proxy to %(holder)s for this assembly: they vote for you. "
            "To vote yourself, revoke the proxy first (possible until voting opens)."
        )
        % {"holder": holder_name},
        code="proxy_given",
    )


def _no_proxy(principal: RollEntry) -> DomainError:
    return DomainError(
        _("You do not hold a proxy from %(member)s for this assembly (or it was revoked).")
        % {"member": principal.name},
        code="no_proxy",
    )


def _entry_voting_for(*, assembly: Assembly, voter: RollEntry, principal: RollEntry | None):
    if voter.assembly_id != assembly.pk:
        raise DomainError(_("You are not on the roll of this assembly."), code="not_on_roll")
    if principal is None or principal.pk == voter.pk:
        given = (
            Proxy.objects.select_related("holder")
            .filter(giver=voter, revoked_at__isnull=True)
            .first()
        )
        if given is not None:
            raise _proxy_given(given.holder.name)
        return voter
    if principal.assembly_id != assembly.pk:
        raise DomainError(_("This member is not on the roll of this assembly."), code="not_on_roll")
    holds = Proxy.objects.filter(
        assembly=assembly, giver=principal, holder=voter, revoked_at__isnull=True
    ).exists()
    if not holds:
        raise _no_proxy(principal)
    return principal


def _ordered_choices(
    resolution_ids: list[int], choices: Mapping[int, str]
) -> list[tuple[int, str]]:
    """The choices in the order of the resolutions, refused unless one valid choice each."""
    valid = set(BallotChoice.values)
    if set(choices) != set(resolution_ids) or any(c not in valid for c in choices.values()):
        raise DomainError(
            _("Choose for, against or abstain on every resolution, then cast your vote."),
            code="incomplete",
        )
    return [(pk, choices[pk]) for pk in resolution_ids]


def _validated_choices(assembly: Assembly, choices: Mapping[int, str]) -> list[tuple[int, str]]:
    resolution_ids = list(
        Resolution.objects.filter(assembly=assembly).order_by("number").values_list("pk", flat=True)
    )
    return _ordered_choices(resolution_ids, choices)


def _already_voted(entry: RollEntry) -> DomainError:
    return DomainError(
        _(
            "A vote has already been cast for %(member)s in this assembly. The first vote cast "
            "is final."
        )
        % {"member": entry.name},
        code="already_voted",
    )


# What a cast must know, read in one statement once the assembly is locked (a statement of its
# own: in READ COMMITTED it sees every proxy revoked before the lock was granted).
_CAST_CHECKS = """
    SELECT
        EXISTS (SELECT 1 FROM governance_participation WHERE roll_entry_id = %(voter)s),
        (SELECT holder.name
           FROM governance_proxy AS proxy
           JOIN governance_rollentry AS holder ON holder.id = proxy.holder_id
          WHERE proxy.giver_id = %(voter)s AND proxy.revoked_at IS NULL),
        EXISTS (SELECT 1 FROM governance_proxy
                 WHERE assembly_id = %(assembly)s AND giver_id = %(principal)s
                   AND holder_id = %(voter)s AND revoked_at IS NULL),
        EXISTS (SELECT 1 FROM governance_participation WHERE roll_entry_id = %(principal)s),
        ARRAY (SELECT id FROM governance_resolution
                WHERE assembly_id = %(assembly)s ORDER BY number)
"""

# Once per resolution; a row that is already there (a concurrent cast for the same member that
# committed first) is skipped, and the cast then refused and rolled back as a whole.
_PARTICIPATIONS_INSERT = """
    INSERT INTO governance_participation (resolution_id, roll_entry_id, cast_by_id, channel)
    SELECT resolution_id, %(entry)s::bigint, %(cast_by)s::bigint, %(channel)s
      FROM unnest(%(resolutions)s::bigint[]) AS resolution_id
    ON CONFLICT (resolution_id, roll_entry_id) DO NOTHING
"""

# The urn ballots and their sealed pointers, in one statement.
_URN_INSERT = """
    WITH urn AS (
        INSERT INTO governance_urnballot (id, resolution_id, college_id, choice, receipt)
        SELECT id, resolution_id, %(college)s::bigint, choice, receipt
          FROM unnest(%(ids)s::uuid[], %(resolutions)s::bigint[], %(choices)s::varchar[],
                      %(receipts)s::varchar[]) AS ballot (id, resolution_id, choice, receipt)
    )
    INSERT INTO governance_ballotpointer (roll_entry_id, resolution_id, sealed)
    SELECT %(entry)s::bigint, resolution_id, sealed
      FROM unnest(%(resolutions)s::bigint[], %(pointers)s::bytea[]) AS p (resolution_id, sealed)
"""


@transaction.atomic
def ballot_cast(
    *,
    assembly: Assembly,
    voter: RollEntry,
    choices: Mapping[int, str],
    principal: RollEntry | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> CastOutcome:
    """Record `voter`'s vote (or, with `principal`, the vote of the member they represent).

    The hot path of an election: a fixed handful of statements (lock, checks, two inserts,
    the audit event), whatever the size of the roll.
    """
    now = now or timezone.now()
    assembly = _lock_for_casting(assembly)
    channel = voting_channel(assembly=assembly, now=now)
    if voter.assembly_id != assembly.pk:
        raise DomainError(_("You are not on the roll of this assembly."), code="not_on_roll")
    for_self = principal is None or principal.pk == voter.pk
    if not for_self and principal.assembly_id != assembly.pk:
        raise DomainError(_("This member is not on the roll of this assembly."), code="not_on_roll")
    with connection.cursor() as cursor:
        cursor.execute(
            _CAST_CHECKS,
            {
                "voter": voter.pk,
                "principal": None if for_self else principal.pk,
                "assembly": assembly.pk,
            },
        )
        voter_voted, given_to, holds, principal_voted, resolution_ids = cursor.fetchone()
    if principal is None and voter_voted:
        raise _already_voted(voter)  # said before "you gave a proxy": the holder used it
    if for_self:
        if given_to is not None:
            raise _proxy_given(given_to)
        for_entry, for_entry_voted = voter, voter_voted
    else:
        if not holds:
            raise _no_proxy(principal)
        for_entry, for_entry_voted = principal, principal_voted
    ordered = _ordered_choices(resolution_ids, choices)
    if for_entry_voted:
        raise _already_voted(for_entry)

    code = receipt_code_new()
    resolutions = [resolution_id for resolution_id, _choice in ordered]
    with connection.cursor() as cursor:
        cursor.execute(
            _PARTICIPATIONS_INSERT,
            {
                "entry": for_entry.pk,
                "cast_by": None if for_self else voter.pk,
                "channel": channel,
                "resolutions": resolutions,
            },
        )
        if cursor.rowcount != len(ordered):
            # Another request cast this member's vote between our check and our insert.
            raise _already_voted(for_entry)
        ids = [uuid.uuid4() for _ in ordered]
        cursor.execute(
            _URN_INSERT,
            {
                "entry": for_entry.pk,
                "college": for_entry.college_id,
                "ids": ids,
                "resolutions": resolutions,
                "choices": [choice for _resolution_id, choice in ordered],
                "receipts": [receipt_digest(code=code, resolution_id=pk) for pk in resolutions],
                "pointers": [
                    pointer_seal(ballot_id=ballot_id, code=code, resolution_id=pk)
                    for ballot_id, pk in zip(ids, resolutions, strict=True)
                ],
            },
        )
    # Who took part, how and for whom: never what, never the receipt.
    audit_record(
        actor=actor,
        action=AuditAction.VOTE_PARTICIPATION,
        target=assembly,
        data={
            "member_number": for_entry.member_number,
            "cast_by_holder": None if for_self else voter.member_number,
            "channel": channel,
            "resolutions": len(ordered),
        },
    )
    return CastOutcome(receipt=code, for_entry=for_entry, channel=channel, resolutions=len(ordered))


@transaction.atomic
def ballot_recast(
    *,
    assembly: Assembly,
    voter: RollEntry,
    choices: Mapping[int, str],
    previous_receipt: str,
    principal: RollEntry | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> CastOutcome:
    """Change a vote already cast, when the frozen statutes allow it, until voting closes.

    Needs the voter's own session (`voter`: their roll entry; with `principal`, a member whose
    proxy they hold) and the receipt of that vote: the receipt opens the sealed pointers of
    that member's ballots, and each urn ballot found must carry the receipt's digest. Another
    member's receipt opens nothing: refused, nothing changed. The ballots get the new choices
    and a new receipt, the pointers are sealed again with it; the old receipt finds nothing.
    """
    now = now or timezone.now()
    assembly = _lock_for_casting(assembly)
    channel = voting_channel(assembly=assembly, now=now)
    if not assembly.statutes.revote_allowed:
        raise DomainError(
            _("The statutes do not allow changing a vote: the first vote cast is final."),
            code="revote_not_allowed",
        )
    if principal is None and Participation.objects.filter(roll_entry=voter).exists():
        for_entry = voter
    else:
        for_entry = _entry_voting_for(assembly=assembly, voter=voter, principal=principal)
    ordered = _validated_choices(assembly, choices)
    if not Participation.objects.filter(roll_entry=for_entry).exists():
        raise DomainError(_("No vote has been cast yet: cast it first."), code="not_voted")
    pointers = {
        pointer.resolution_id: pointer
        for pointer in BallotPointer.objects.select_for_update().filter(roll_entry=for_entry)
    }
    opened = {
        resolution_id: pointer_open(
            sealed=pointer.sealed, code=previous_receipt, resolution_id=resolution_id
        )
        for resolution_id, pointer in pointers.items()
    }
    ballots = {
        ballot.resolution_id: ballot
        for ballot in UrnBallot.objects.select_for_update().filter(pk__in=list(opened.values()))
    }
    matches = all(
        resolution_id in ballots
        and ballots[resolution_id].pk == opened.get(resolution_id)
        and ballots[resolution_id].receipt
        == receipt_digest(code=previous_receipt, resolution_id=resolution_id)
        for resolution_id, _choice in ordered
    )
    if not matches:
        raise DomainError(
            _(
                "This receipt does not match the vote cast for %(member)s. Enter the receipt "
                "given when that vote was cast."
            )
            % {"member": for_entry.name},
            code="wrong_receipt",
        )
    code = receipt_code_new()
    for resolution_id, choice in ordered:
        ballot = ballots[resolution_id]
        ballot.choice = choice
        ballot.receipt = receipt_digest(code=code, resolution_id=resolution_id)
        ballot.save(update_fields=["choice", "receipt"])
        pointer = pointers[resolution_id]
        pointer.sealed = pointer_seal(ballot_id=ballot.pk, code=code, resolution_id=resolution_id)
        pointer.save(update_fields=["sealed"])
    audit_record(
        actor=actor,
        action=AuditAction.VOTE_CHANGED,
        target=assembly,
        data={"member_number": for_entry.member_number, "channel": channel},
    )
    return CastOutcome(receipt=code, for_entry=for_entry, channel=channel, resolutions=len(ordered))
