"""Casting secret ballots: who voted and what was voted are written apart.

A cast writes, in one transaction, a `Participation` per resolution (roll entry, resolution,
channel: unique, so a member votes once) and a `Ballot` per resolution (resolution, college,
choice, receipt digest: no member, user, time or sequential id). The voter gets a receipt code,
shown once and e-mailed; only its digest is stored, one digest per resolution, so the ballots of
one voter cannot be linked to each other either.

Casts hold the assembly row in SHARE mode: they run side by side, and closing the vote (which
takes the row FOR UPDATE) waits until every cast in flight has committed, so the tally never
runs while a cast is being written.
"""

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from coop.audit import audit_record
from coop.errors import DomainError
from governance.models import Assembly, Ballot, Participation, Proxy, Resolution, RollEntry

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


@dataclass(frozen=True)
class CastOutcome:
    receipt: str  # shown to the voter once; never stored
    for_entry: RollEntry  # whose vote this is (the principal when a holder voted for them)
    channel: str
    resolutions: int


def _lock_for_casting(assembly: Assembly) -> Assembly:
    """Hold the assembly in SHARE mode: casts run together, closing the vote waits for them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM governance_assembly WHERE id = %s FOR SHARE", [assembly.pk])
    return Assembly.objects.get(pk=assembly.pk)


def _when(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def voting_channel(*, assembly: Assembly, now: dt.datetime) -> str:
    """The channel open at `now`, or a DomainError that says why nobody can vote."""
    status = Assembly.Status
    if assembly.status == status.VOTING_OPEN:
        return Participation.Channel.ROOM
    if assembly.status == status.CONVENED:
        if now <= assembly.distance_vote_deadline:
            return Participation.Channel.DISTANCE
        raise DomainError(
            _(
                "Distance voting closed on %(deadline)s. You can still vote in the meeting "
                "once the chair opens the vote."
            )
            % {"deadline": _when(assembly.distance_vote_deadline)},
            code="distance_closed",
        )
    messages = {
        status.DRAFT: _("This assembly has not been convened yet."),
        status.VOTING_CLOSED: _("Voting on this assembly is closed."),
        status.PUBLISHED: _("Voting on this assembly is closed and its results are published."),
        status.CANCELLED: _("This assembly was cancelled."),
    }
    raise DomainError(messages[assembly.status], code="voting_not_open")


def _active_proxy_given(entry: RollEntry) -> Proxy | None:
    return (
        Proxy.objects.select_related("holder").filter(giver=entry, revoked_at__isnull=True).first()
    )


def _entry_voting_for(*, assembly: Assembly, voter: RollEntry, principal: RollEntry | None):
    if voter.assembly_id != assembly.pk:
        raise DomainError(_("You are not on the roll of this assembly."), code="not_on_roll")
    if principal is None or principal.pk == voter.pk:
        given = _active_proxy_given(voter)
        if given is not None:
            raise DomainError(
                _(
                    "You gave a proxy to %(holder)s for this assembly: they vote for you. "
                    "To vote yourself, revoke the proxy first (possible until voting opens)."
                )
                % {"holder": given.holder.name},
                code="proxy_given",
            )
        return voter
    if principal.assembly_id != assembly.pk:
        raise DomainError(_("This member is not on the roll of this assembly."), code="not_on_roll")
    holds = Proxy.objects.filter(
        assembly=assembly, giver=principal, holder=voter, revoked_at__isnull=True
    ).exists()
    if not holds:
        raise DomainError(
            _("You do not hold a proxy from %(member)s for this assembly (or it was revoked).")
            % {"member": principal.name},
            code="no_proxy",
        )
    return principal


def _validated_choices(assembly: Assembly, choices: Mapping[int, str]) -> list[tuple[int, str]]:
    resolution_ids = list(
        Resolution.objects.filter(assembly=assembly).order_by("number").values_list("pk", flat=True)
    )
    valid = set(Ballot.Choice.values)
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
    """Record `voter`'s vote (or, with `principal`, the vote of the member they represent)."""
    now = now or timezone.now()
    assembly = _lock_for_casting(assembly)
    channel = voting_channel(assembly=assembly, now=now)
    if principal is None and Participation.objects.filter(roll_entry=voter).exists():
        raise _already_voted(voter)  # said before "you gave a proxy": the holder used it
    for_entry = _entry_voting_for(assembly=assembly, voter=voter, principal=principal)
    ordered = _validated_choices(assembly, choices)
    if Participation.objects.filter(roll_entry=for_entry).exists():
        raise _already_voted(for_entry)

    code = receipt_code_new()
    try:
        with transaction.atomic():
            Participation.objects.bulk_create(
                Participation(
                    resolution_id=resolution_id,
                    roll_entry=for_entry,
                    cast_by=voter if for_entry.pk != voter.pk else None,
                    channel=channel,
                )
                for resolution_id, _choice in ordered
            )
    except IntegrityError:
        # Another request cast this member's vote between our check and our insert.
        raise _already_voted(for_entry) from None
    Ballot.objects.bulk_create(
        Ballot(
            resolution_id=resolution_id,
            college_id=for_entry.college_id,
            choice=choice,
            receipt=receipt_digest(code=code, resolution_id=resolution_id),
        )
        for resolution_id, choice in ordered
    )
    # Who took part, how and for whom: never what, never the receipt.
    audit_record(
        actor=actor,
        action="assembly.vote_participation",
        target=assembly,
        data={
            "member_number": for_entry.member_number,
            "cast_by_holder": voter.member_number if for_entry.pk != voter.pk else None,
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

    The server cannot tell which ballots are the voter's: the voter proves it with the receipt
    of that vote. The ballots found are given the new choices and a new receipt; the old
    receipt no longer finds anything.
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
    ballots = {
        ballot.resolution_id: ballot
        for ballot in Ballot.objects.select_for_update().filter(
            receipt__in=[
                receipt_digest(code=previous_receipt, resolution_id=pk) for pk, _c in ordered
            ]
        )
    }
    if len(ballots) != len(ordered):
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
    audit_record(
        actor=actor,
        action="assembly.vote_changed",
        target=assembly,
        data={"member_number": for_entry.member_number, "channel": channel},
    )
    return CastOutcome(receipt=code, for_entry=for_entry, channel=channel, resolutions=len(ordered))
