"""The paper path (RULES 33, 34): the bureau records the postal-vote forms and the paper
proxies that come back by post.

A postal form has three exclusive options: (1) trust the chair, a blank proxy; (2) a vote on
each resolution, a resolution left blank counting as an abstention; (3) a named holder, a
paper proxy under the same rules as one given online (governance.services.proxies, the one
place for eligibility). A last box says what happens to amendments or new resolutions; it is
stored. A paper proxy form has options (1) and (3) only.

One voice per member (RULES 33): the first recorded of post, online and room stands. Recording
takes the assembly's row FOR UPDATE; online casts hold it FOR SHARE
(governance.services.ballots), so a form and a cast of the same member are settled one after
the other, and each sees what the other wrote. The cast then refuses with `postal_cast_check`.

Votes are secret like online votes (docs/secrecy.md): a form's votes are written into the urn
as ballots with the member's college, a random receipt digest (the code is thrown away: the
paper itself is the bureau's record) and no pointer, next to a participation per resolution
(channel "at distance"). When the vote closes the urn is sealed with every other ballot: the
`PaperForm` row says which option was ticked, never what was voted.

Blank proxies are voted when they are recorded, not when the vote closes: the board's
position on each resolution is frozen with the agenda at convocation, so the chair's vote is
already known; written then, the chair's ballots go into the urn and are sealed with the
others, and the participation rows make "one voice per member" a database constraint at
once (an online vote after the proxy is refused). They count as represented for the quorum
(governance.selectors.figures), in the principal's college for the tally.
"""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from coop import formatting
from coop.audit import AuditAction, audit_record
from coop.errors import DomainError
from coop.models import AuditEvent
from governance import receipts
from governance.lifecycle import (
    Action,
    assembly_require,
    postal_form_counts,
    postal_receipt_date_check,
)
from governance.models import (
    Assembly,
    BallotChoice,
    PaperForm,
    Participation,
    Proxy,
    Resolution,
    RollEntry,
    UrnBallot,
)
from governance.selectors.figures import figures_changed
from governance.services.proxies import assembly_lock, proxy_give


class PaperFormRefused(DomainError):
    """A paper form cannot be recorded."""


def _when(value: dt.datetime) -> dict[str, str]:
    local = timezone.localtime(value)
    return {
        "date": date_format(local.date(), "DATE_FORMAT"),
        "time": time_format(local.time(), "TIME_FORMAT"),
    }


def paper_form_refusal(form: PaperForm, entry: RollEntry) -> PaperFormRefused:
    """The member's voice was given on paper first: say so, with the day it was recorded."""
    values = {"member": entry.name, **_when(form.recorded_at)}
    if form.document == PaperForm.Document.PROXY:
        message = _(
            "A paper proxy for %(member)s was recorded on %(date)s at %(time)s: the first "
            "voice recorded stands."
        )
    else:
        message = _(
            "A postal form for %(member)s was recorded on %(date)s at %(time)s: the first "
            "voice recorded stands."
        )
    return PaperFormRefused(formatting.interpolate(message, values), code="paper_form_recorded")


def _vote_refusal(assembly: Assembly, entry: RollEntry) -> PaperFormRefused | None:
    """The member already voted (online, in the meeting or through a holder): who, how, when."""
    participation = Participation.objects.filter(roll_entry=entry).select_related("cast_by").first()
    if participation is None:
        return None
    # Participations have no time (docs/secrecy.md); the audit event of the vote has one.
    event = (
        AuditEvent.objects.filter(
            action=AuditAction.VOTE_PARTICIPATION,
            target_type=assembly._meta.label_lower,
            target_id=str(assembly.pk),
            data__member_number=entry.member_number,
        )
        .order_by("pk")
        .first()
    )
    values = {"member": entry.name, **(_when(event.occurred_at) if event else {})}
    if participation.cast_by is not None:
        values["holder"] = participation.cast_by.name
        message = (
            _(
                "%(holder)s already voted for %(member)s with their proxy on %(date)s at "
                "%(time)s: the first voice recorded stands."
            )
            if event
            else _(
                "%(holder)s already voted for %(member)s with their proxy: the first voice "
                "recorded stands."
            )
        )
    elif participation.channel == Participation.Channel.ROOM:
        message = (
            _(
                "%(member)s already voted in the meeting on %(date)s at %(time)s: the first "
                "voice recorded stands."
            )
            if event
            else _("%(member)s already voted in the meeting: the first voice recorded stands.")
        )
    else:
        message = (
            _(
                "%(member)s already voted online on %(date)s at %(time)s: the first voice "
                "recorded stands."
            )
            if event
            else _("%(member)s already voted online: the first voice recorded stands.")
        )
    return PaperFormRefused(message % values, code="already_voted")


def _first_voice_check(assembly: Assembly, entry: RollEntry) -> None:
    """Refuse unless this form would be the member's first voice (RULES 33)."""
    form = PaperForm.objects.filter(roll_entry=entry).first()
    if form is not None:
        raise paper_form_refusal(form, entry)
    refusal = _vote_refusal(assembly, entry)
    if refusal is not None:
        raise refusal
    if entry.present_at is not None:
        raise PaperFormRefused(
            _(
                "%(member)s was checked in at the meeting on %(date)s at %(time)s: they vote "
                "there, the first voice recorded stands."
            )
            % {"member": entry.name, **_when(entry.present_at)},
            code="present",
        )
    given = Proxy.objects.filter(giver=entry, revoked_at__isnull=True).select_related("holder")
    proxy = given.first()
    if proxy is not None:
        raise PaperFormRefused(
            _(
                "%(member)s gave a proxy to %(holder)s on %(date)s at %(time)s: the first voice "
                "recorded stands."
            )
            % {"member": entry.name, "holder": proxy.holder.name, **_when(proxy.given_at)},
            code="proxy_given",
        )


def _on_roll(assembly: Assembly, entry: RollEntry | None, what: str) -> RollEntry:
    if entry is None or entry.assembly_id != assembly.pk:
        raise PaperFormRefused(
            _("%(what)s is not on the roll of this assembly.")
            % {"what": entry.name if entry is not None else what},
            code="not_on_roll",
        )
    return RollEntry.objects.select_related("member").get(pk=entry.pk)


def _named(assembly: Assembly, entry: RollEntry, named: RollEntry | None) -> RollEntry:
    holder = _on_roll(assembly, named, _("The member named"))
    if holder.pk == entry.pk:
        raise PaperFormRefused(
            _("%(member)s cannot name themselves as holder.") % {"member": entry.name},
            code="proxy_to_self",
        )
    return holder


def _postal_choices(assembly: Assembly, choices: Mapping[int, str | None]) -> list[tuple[int, str]]:
    """The form's votes in agenda order; a resolution left blank is an abstention."""
    resolution_ids = list(
        Resolution.objects.filter(assembly=assembly).order_by("number").values_list("pk", flat=True)
    )
    foreign = set(choices) - set(resolution_ids)
    if foreign:
        raise PaperFormRefused(
            _("The form names a resolution of another assembly: check the letter."),
            code="resolution_of_another_assembly",
        )
    valid = set(BallotChoice.values)
    if any(choice and choice not in valid for choice in choices.values()):
        raise PaperFormRefused(
            _("Tick for, against or abstain, or leave the resolution blank."), code="bad_choice"
        )
    return [(pk, choices.get(pk) or BallotChoice.ABSTAIN) for pk in resolution_ids]


def _chair_choices(assembly: Assembly) -> list[tuple[int, str]]:
    """RULES 34: for what the board approves, against the others (a resolution whose position
    was never stated, written before the paper path, is among the others)."""
    return [
        (pk, BallotChoice.FOR if approves else BallotChoice.AGAINST)
        for pk, approves in Resolution.objects.filter(assembly=assembly)
        .order_by("number")
        .values_list("pk", "board_approves")
    ]


def _into_urn(entry: RollEntry, ordered: list[tuple[int, str]]) -> None:
    """Participations (who) and urn ballots (what), as an online cast writes them, without a
    pointer: a paper vote is not changed. The receipt's code is never kept."""
    try:
        with transaction.atomic():
            Participation.objects.bulk_create(
                Participation(
                    resolution_id=pk,
                    roll_entry=entry,
                    cast_by=None,
                    channel=Participation.Channel.DISTANCE,
                )
                for pk, _choice in ordered
            )
    except IntegrityError as exc:
        raise PaperFormRefused(
            _("A vote has already been recorded for %(member)s.") % {"member": entry.name},
            code="already_voted",
        ) from exc
    code = receipts.receipt_code_new()
    UrnBallot.objects.bulk_create(
        UrnBallot(
            id=uuid.uuid4(),
            resolution_id=pk,
            college_id=entry.college_id,
            choice=choice,
            receipt=receipts.receipt_digest(code=code, resolution_id=pk),
        )
        for pk, choice in ordered
    )


def _record(
    *,
    assembly: Assembly,
    roll_entry: RollEntry,
    document: str,
    received_on: dt.date,
    option: str,
    choices: Mapping[int, str | None] | None,
    holder: RollEntry | None,
    amendments: str,
    amendments_holder: RollEntry | None,
    actor: Any,
    now: dt.datetime,
) -> PaperForm:
    assembly = assembly_lock(assembly)
    assembly_require(assembly, Action.RECORD_POSTAL_FORM, now=now)
    entry = _on_roll(assembly, roll_entry, _("This member"))
    postal_receipt_date_check(assembly, received_on=received_on, now=now)
    _first_voice_check(assembly, entry)
    if option == PaperForm.Option.HOLDER:
        holder = _named(assembly, entry, holder)
    elif holder is not None:
        raise PaperFormRefused(
            _("A holder is named only when the form names one."), code="holder_not_ticked"
        )
    if amendments == PaperForm.Amendments.HOLDER:
        amendments_holder = _named(assembly, entry, amendments_holder)
    elif amendments_holder is not None:
        raise PaperFormRefused(
            _("A member is named for amendments only when that box names one."),
            code="amendments_holder_not_ticked",
        )
    ordered: list[tuple[int, str]] = []
    if option == PaperForm.Option.VOTE:
        ordered = _postal_choices(assembly, choices or {})
    elif option == PaperForm.Option.CHAIR:
        ordered = _chair_choices(assembly)
    counted = postal_form_counts(assembly, now=now)
    proxy = None
    if counted and option == PaperForm.Option.HOLDER and holder is not None:
        # The proxies' own rules: limits, no chains, holder not a giver (RULES 14).
        proxy = proxy_give(assembly=assembly, giver=entry, holder=holder, actor=actor, now=now)
    elif counted:
        _into_urn(entry, ordered)
    try:
        with transaction.atomic():
            form = PaperForm.objects.create(
                assembly=assembly,
                roll_entry=entry,
                document=document,
                option=option,
                holder=holder,
                proxy=proxy,
                amendments=amendments,
                amendments_holder=amendments_holder,
                received_on=received_on,
                recorded_at=now,
                recorded_by=actor,
                counted=counted,
            )
    except IntegrityError as exc:
        raise PaperFormRefused(
            formatting.interpolate(
                _("A paper form for %(member)s was already recorded."), {"member": entry.name}
            ),
            code="paper_form_recorded",
        ) from exc
    # Which option, never what was voted.
    audit_record(
        actor=actor,
        action=AuditAction.PAPER_FORM_RECORDED,
        target=assembly,
        data={
            "member_number": entry.member_number,
            "document": document,
            "option": option,
            "holder": holder.member_number if holder else None,
            "amendments": amendments,
            "received_on": received_on.isoformat(),
            "counted": counted,
        },
    )
    figures_changed(assembly.pk)
    transaction.on_commit(lambda: figures_changed(assembly.pk), robust=True)
    return form


@transaction.atomic
def postal_form_record(
    *,
    assembly: Assembly,
    roll_entry: RollEntry,
    received_on: dt.date,
    option: str,
    amendments: str,
    choices: Mapping[int, str | None] | None = None,
    holder: RollEntry | None = None,
    amendments_holder: RollEntry | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> PaperForm:
    """Record a postal-vote form received on `received_on` (RULES 33). `choices` maps each
    resolution's id to for/against/abstain, or to nothing when left blank (an abstention)."""
    if option not in PaperForm.Option.values:
        raise PaperFormRefused(_("Tick one of the form's three options."), code="no_option")
    if amendments not in PaperForm.Amendments.values:
        raise PaperFormRefused(
            _("Say what the form's box on amendments and new resolutions says."),
            code="no_amendments",
        )
    return _record(
        assembly=assembly,
        roll_entry=roll_entry,
        document=PaperForm.Document.POSTAL,
        received_on=received_on,
        option=option,
        choices=choices,
        holder=holder,
        amendments=amendments,
        amendments_holder=amendments_holder,
        actor=actor,
        now=now or timezone.now(),
    )


@transaction.atomic
def paper_proxy_record(
    *,
    assembly: Assembly,
    roll_entry: RollEntry,
    received_on: dt.date,
    holder: RollEntry | None = None,
    actor: Any,
    now: dt.datetime | None = None,
) -> PaperForm:
    """Record a signed paper proxy: to the named holder, or blank, to the chair (RULES 34)."""
    return _record(
        assembly=assembly,
        roll_entry=roll_entry,
        document=PaperForm.Document.PROXY,
        received_on=received_on,
        option=PaperForm.Option.HOLDER if holder is not None else PaperForm.Option.CHAIR,
        choices=None,
        holder=holder,
        amendments="",
        amendments_holder=None,
        actor=actor,
        now=now or timezone.now(),
    )


def postal_cast_check(*, for_entry: RollEntry, voter: RollEntry) -> None:
    """Refuse an online vote for `for_entry` when a counted paper form was recorded for them,
    unless `voter` is the holder that form names. Called by the cast under its lock."""
    postal_cast_check_many(for_entries=[for_entry], voter=voter)


def postal_cast_check_many(*, for_entries: Sequence[RollEntry], voter: RollEntry) -> None:
    """`postal_cast_check` for every voice of one cast, in one query."""
    by_entry = {entry.pk: entry for entry in for_entries}
    forms = PaperForm.objects.filter(roll_entry__in=list(by_entry), counted=True).select_related(
        "proxy"
    )
    for form in forms:
        if form.option == PaperForm.Option.HOLDER and (
            voter.pk == form.holder_id
            or (form.proxy is not None and form.proxy.revoked_at is not None)
        ):
            # The holder named votes for the member; a paper proxy revoked (RULES 14, until
            # the vote opens) gives the member their voice back.
            continue
        raise paper_form_refusal(form, by_entry[form.roll_entry_id])
