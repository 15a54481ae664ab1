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
import functools
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coop import formatting
from coop.actors import Actor
from coop.audit import AuditAction, audit_fields, audit_record
from coop.errors import DomainError
from coop.prepared import compact_sql, prepared_cursor
from governance.lifecycle import Action, assembly_require
from governance.models import (
    Assembly,
    BallotChoice,
    BallotPointer,
    Participation,
    Resolution,
    RollEntry,
    UrnBallot,
)
from governance.receipts import (  # noqa: F401 - the receipt's functions, where callers look
    RECEIPT_ALPHABET,
    RECEIPT_LENGTH,
    pointer_key,
    pointer_open,
    pointer_seal,
    receipt_code_new,
    receipt_digest,
    receipt_normalise,
)
from governance.services import postal
from governance.services.proxy_notices import holders_voted_notify_on_commit
from governance.voices import voices_sql


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
    with prepared_cursor() as cursor:
        cursor.execute(
            "SELECT status, distance_vote_deadline, EXISTS (SELECT 1 FROM governance_paperform "
            "WHERE assembly_id = a.id AND counted) FROM governance_assembly a WHERE id = %s "
            "FOR SHARE OF a",
            [assembly.pk],
        )
        assembly.status, assembly.distance_vote_deadline, paper = cursor.fetchone()
    # Whether a paper form counts in this assembly: only then does the cast read them (a
    # postal form recorded first is the member's voice; recording one holds the assembly FOR
    # UPDATE, so what this lock sees is final for the cast).
    assembly.paper_forms_counted = paper  # type: ignore[attr-defined]
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
        formatting.interpolate(
            _("You do not hold a proxy from %(member)s for this assembly (or it was revoked)."),
            {"member": principal.name},
        ),
        code="no_proxy",
    )


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


def _already_voted(entry: RollEntry) -> DomainError:
    return DomainError(
        _(
            "A vote has already been cast for %(member)s in this assembly. The first vote cast "
            "is final."
        )
        % {"member": entry.name},
        code="already_voted",
    )


def _refusal(rows: list[dict[str, Any]], entry: RollEntry, voter: RollEntry) -> DomainError:
    """Why a vote may not be cast for `entry`, from the voter's voices (governance.voices)."""
    voice = next((row for row in rows if row["id"] == entry.pk), None)
    if voice is None:
        return _no_proxy(entry)
    if voice["voted"]:
        return _already_voted(entry)
    if voice["proxy_given_to"]:
        return _proxy_given(voice["proxy_given_to"])
    return _already_voted(entry)  # not open and none of the above: cast meanwhile


def _voices_of(*, assembly: Assembly, voter: RollEntry) -> list[dict[str, Any]]:
    with connection.cursor() as cursor:
        cursor.execute(
            voices_sql(voter="%(voter)s", assembly="%(assembly)s"),
            {"voter": voter.pk, "assembly": assembly.pk},
        )
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# The cast in one statement, once the assembly is locked (a statement of its own after the
# lock: in READ COMMITTED it sees every proxy revoked and every vote committed before the lock
# was granted). The voices chosen must all be open (governance.voices) and the choices be for
# every resolution of the assembly, no other; only then are the participations (unique per
# member and resolution: a row already there is skipped, and the cast refused and rolled
# back), the urn ballots with their sealed pointers and the audit events written. It answers
# with the voices, for the refusal's message when something did not hold.
_CAST = """
    WITH voice AS ({voices}),
    verdict AS (
        SELECT (SELECT coalesce(array_agg(id ORDER BY id), '{{}}')
                  FROM governance_resolution WHERE assembly_id = %(assembly)s)
                   = %(resolutions)s::bigint[]
               AND (SELECT count(*) FROM voice
                     WHERE voice.open AND voice.id = ANY (%(entries)s::bigint[]))
                   = cardinality(%(entries)s::bigint[]) AS ok
    ),
    ballot AS (
        SELECT ballot.*, entry.college_id, entry.member_number
          FROM unnest(%(b_ids)s::uuid[], %(b_entries)s::bigint[], %(b_resolutions)s::bigint[],
                      %(b_choices)s::varchar[], %(b_receipts)s::varchar[],
                      %(b_pointers)s::bytea[])
               AS ballot (id, entry_id, resolution_id, choice, receipt, sealed)
          JOIN governance_rollentry AS entry ON entry.id = ballot.entry_id
         WHERE (SELECT ok FROM verdict)
    ),
    participation AS (
        INSERT INTO governance_participation (resolution_id, roll_entry_id, cast_by_id, channel)
        SELECT resolution_id, entry_id,
               CASE WHEN entry_id = %(voter)s THEN NULL ELSE %(voter)s::bigint END, %(channel)s
          FROM ballot
        ON CONFLICT (resolution_id, roll_entry_id) DO NOTHING
        RETURNING 1
    ),
    urn AS (
        INSERT INTO governance_urnballot (id, resolution_id, college_id, choice, receipt)
        SELECT id, resolution_id, college_id, choice, receipt FROM ballot
    ),
    pointer AS (
        INSERT INTO governance_ballotpointer (roll_entry_id, resolution_id, sealed)
        SELECT entry_id, resolution_id, sealed FROM ballot
        ON CONFLICT (roll_entry_id, resolution_id) DO NOTHING
    ),
    audit AS (
        -- Who took part, how and for whom: never what, never the receipt.
        INSERT INTO coop_auditevent
            (occurred_at, actor_id, actor_label, action, target_type, target_id, data)
        SELECT %(occurred_at)s, %(actor_id)s, %(actor_label)s, %(action)s, %(target_type)s,
               %(target_id)s,
               jsonb_build_object(
                   'member_number', min(member_number),
                   'cast_by_holder', CASE WHEN entry_id = %(voter)s THEN NULL
                                          ELSE %(voter_number)s::int END,
                   'channel', %(channel)s::text,
                   'resolutions', count(*))
          FROM ballot GROUP BY entry_id ORDER BY min(member_number)
    )
    SELECT (SELECT ok FROM verdict), (SELECT count(*) FROM participation),
           (SELECT coalesce(json_agg(voice), '[]'::json) FROM voice)
"""


@functools.cache
def _cast_sql() -> str:
    return compact_sql(_CAST.format(voices=voices_sql(voter="%(voter)s", assembly="%(assembly)s")))


@dataclass
class CastResult:
    """The votes cast by one request: a receipt per voice, in the order chosen.

    `mail_queued` says, per receipt, whether its e-mail was queued; it is filled once the
    cast is committed (`ballots_cast`'s after-commit step)."""

    outcomes: list[CastOutcome]
    mail_queued: list[bool] = field(default_factory=list)

    @property
    def mail_failed(self) -> bool:
        return not all(self.mail_queued)


@transaction.atomic
def ballots_cast(
    *,
    assembly: Assembly,
    voter: RollEntry,
    for_entries: Sequence[RollEntry],
    choices: Mapping[int, str],
    actor: Actor,
    receipts_send: Callable[..., list[bool]] | None = None,
    now: dt.datetime | None = None,
) -> CastResult:
    """Record the same choices for each roll entry of `for_entries`: the voter's own voice
    and the voices of the members whose proxies they hold. All or nothing, in one transaction.

    The hot path of an election: the lock, then one statement that checks every voice and
    writes every participation, urn ballot, pointer and audit event, whatever the size of the
    roll or the number of voices. Once committed, `receipts_send` (if given) queues the
    receipt e-mails (called with `outcomes=`); the result says which were queued.
    """
    now = now or timezone.now()
    assembly = _lock_for_casting(assembly)
    channel = voting_channel(assembly=assembly, now=now)
    if voter.assembly_id != assembly.pk:
        raise DomainError(_("You are not on the roll of this assembly."), code="not_on_roll")
    entries = list({entry.pk: entry for entry in for_entries}.values())
    if not entries:
        raise DomainError(_("Choose for whom you cast this vote."), code="no_voice")
    for entry in entries:
        if entry.assembly_id != assembly.pk:
            raise DomainError(
                _("This member is not on the roll of this assembly."), code="not_on_roll"
            )
    if getattr(assembly, "paper_forms_counted", True):
        postal.postal_cast_check_many(for_entries=entries, voter=voter)
    resolution_ids = sorted(choices)  # the assembly's, by id: checked in the statement
    valid = set(BallotChoice.values)
    if any(choice not in valid for choice in choices.values()):
        raise _incomplete()
    codes = [receipt_code_new() for _entry in entries]
    ballots = [
        (uuid.uuid4(), entry.pk, resolution_id, choices[resolution_id], code)
        for entry, code in zip(entries, codes, strict=True)
        for resolution_id in resolution_ids
    ]
    actor_fields = audit_fields(actor=actor, target=assembly)
    with prepared_cursor() as cursor:
        cursor.execute(
            _cast_sql(),
            {
                "assembly": assembly.pk,
                "voter": voter.pk,
                "voter_number": voter.member_number,
                "channel": channel,
                "entries": [entry.pk for entry in entries],
                "resolutions": resolution_ids,
                "b_ids": [ballot[0] for ballot in ballots],
                "b_entries": [ballot[1] for ballot in ballots],
                "b_resolutions": [ballot[2] for ballot in ballots],
                "b_choices": [ballot[3] for ballot in ballots],
                "b_receipts": [
                    receipt_digest(code=code, resolution_id=resolution_id)
                    for _id, _entry, resolution_id, _choice, code in ballots
                ],
                "b_pointers": [
                    pointer_seal(ballot_id=ballot_id, code=code, resolution_id=resolution_id)
                    for ballot_id, _entry, resolution_id, _choice, code in ballots
                ],
                "occurred_at": timezone.now(),
                "action": AuditAction.VOTE_PARTICIPATION.value,
                **actor_fields,
            },
        )
        ok, written, voices = cursor.fetchone()
    if not ok or written != len(ballots):
        # A paper form recorded first says so, even when recorded while this cast waited for
        # the lock (the lock's read could not see it yet): it is the member's voice.
        postal.postal_cast_check_many(for_entries=entries, voter=voter)
    if not ok:
        voices = json.loads(voices) if isinstance(voices, str | bytes) else voices
        _refuse(
            voices, entries=entries, voter=voter, resolution_ids=resolution_ids, assembly=assembly
        )
    if written != len(ballots):
        # Another request cast one of these votes between the check and the insert.
        raise _already_voted(_first_cast_meanwhile(entries))
    outcomes = [
        CastOutcome(receipt=code, for_entry=entry, channel=channel, resolutions=len(resolution_ids))
        for entry, code in zip(entries, codes, strict=True)
    ]
    result = CastResult(outcomes=outcomes)
    # The principals whose holder cast their vote are told once it is committed (never how).
    holders_voted_notify_on_commit(assembly=assembly, voter=voter, for_entries=entries, actor=actor)

    def after_commit() -> None:
        # Everything that follows a committed cast goes here, in this order.
        if receipts_send is not None:
            result.mail_queued[:] = receipts_send(outcomes=outcomes)

    transaction.on_commit(after_commit)
    return result


def _incomplete() -> DomainError:
    return DomainError(
        _("Choose for, against or abstain on every resolution, then cast your vote."),
        code="incomplete",
    )


def _refuse(
    voices: list[dict[str, Any]],
    *,
    entries: list[RollEntry],
    voter: RollEntry,
    resolution_ids: list[int],
    assembly: Assembly,
) -> None:
    """Raise the refusal the cast statement found, the voter's own voice first."""
    open_ids = {voice["id"] for voice in voices if voice["open"]}
    for entry in sorted(entries, key=lambda e: e.pk != voter.pk):
        if entry.pk not in open_ids:
            raise _refusal(voices, entry, voter)
    raise _incomplete()  # every voice was open: the resolutions did not match


def _first_cast_meanwhile(entries: list[RollEntry]) -> RollEntry:
    voted = set(
        Participation.objects.filter(roll_entry__in=entries).values_list("roll_entry", flat=True)
    )
    return next((entry for entry in entries if entry.pk in voted), entries[0])


def ballot_cast(
    *,
    assembly: Assembly,
    voter: RollEntry,
    choices: Mapping[int, str],
    principal: RollEntry | None = None,
    actor: Actor,
    now: dt.datetime | None = None,
) -> CastOutcome:
    """Record one vote: `voter`'s own, or with `principal` the vote of a member they represent
    (`ballots_cast` with one voice)."""
    result = ballots_cast(
        assembly=assembly,
        voter=voter,
        for_entries=[principal or voter],
        choices=choices,
        actor=actor,
        now=now,
    )
    return result.outcomes[0]


@transaction.atomic
def ballot_recast(
    *,
    assembly: Assembly,
    voter: RollEntry,
    choices: Mapping[int, str],
    previous_receipt: str,
    principal: RollEntry | None = None,
    actor: Actor,
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
    if not assembly.frozen_statutes.revote_allowed:
        raise DomainError(
            _("The statutes do not allow changing a vote: the first vote cast is final."),
            code="revote_not_allowed",
        )
    if voter.assembly_id != assembly.pk:
        raise DomainError(_("You are not on the roll of this assembly."), code="not_on_roll")
    if principal is not None and principal.assembly_id != assembly.pk:
        raise DomainError(_("This member is not on the roll of this assembly."), code="not_on_roll")
    for_entry = principal or voter
    voice = next(
        (row for row in _voices_of(assembly=assembly, voter=voter) if row["id"] == for_entry.pk),
        None,
    )
    if voice is None or (not voice["voted"] and voice["proxy_given_to"]):
        raise _refusal([voice] if voice else [], for_entry, voter)
    resolution_ids = list(
        Resolution.objects.filter(assembly=assembly).order_by("number").values_list("pk", flat=True)
    )
    ordered = _ordered_choices(resolution_ids, choices)
    if not voice["voted"]:
        raise DomainError(_("No vote has been cast yet: cast it first."), code="not_voted")
    pointers = {
        pointer.resolution_id: pointer
        for pointer in BallotPointer.objects.select_for_update().filter(roll_entry=for_entry)
    }
    opened = {
        resolution_id: pointer_open(
            sealed=bytes(pointer.sealed), code=previous_receipt, resolution_id=resolution_id
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
