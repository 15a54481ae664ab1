"""Casting secret ballots: once per member, in the open window, apart from who voted."""

import datetime as dt

import pytest
from django.utils import timezone

from coop.errors import DomainError
from coop.models import Statutes
from governance.models import Assembly, Ballot, Participation, Proxy, RollEntry, UrnBallot
from governance.services.ballots import (
    ballot_cast,
    receipt_digest,
    receipt_normalise,
)
from tests.governance.factories import (
    convened_assembly,
    draft_assembly,
    members_admitted,
    statutes_and_register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly():
    register = statutes_and_register()
    return convened_assembly(members=members_admitted(register, 4))


def entries(assembly):
    return list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))


def all_for(assembly, choice="for"):
    return dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), choice)


def before_deadline(assembly):
    return assembly.distance_vote_deadline - dt.timedelta(hours=1)


def test_a_cast_writes_participations_and_ballots_that_do_not_name_the_voter(assembly):
    first = entries(assembly)[0]
    choices = all_for(assembly)
    first_resolution = min(choices)
    choices[first_resolution] = "against"

    outcome = ballot_cast(
        assembly=assembly,
        voter=first,
        choices=choices,
        actor=None,
        now=before_deadline(assembly),
    )

    assert outcome.channel == "distance"
    assert Participation.objects.filter(roll_entry=first).count() == 2
    # Into the urn until the vote closes; the sealed box is empty.
    assert not Ballot.objects.exists()
    ballots = UrnBallot.objects.filter(resolution__assembly=assembly)
    assert sorted(b.choice for b in ballots) == ["against", "for"]
    # A ballot carries no member, user or time, in the urn or in the box; its key is random.
    for model in (UrnBallot, Ballot):
        columns = {f.column for f in model._meta.concrete_fields}
        assert columns == {"id", "resolution_id", "college_id", "choice", "receipt"}
    # The voter finds each of their ballots with the receipt; digests differ per resolution.
    digests = {pk: receipt_digest(code=outcome.receipt, resolution_id=pk) for pk in choices}
    assert len(set(digests.values())) == 2
    mine = UrnBallot.objects.get(receipt=digests[first_resolution])
    assert mine.choice == "against"
    assert mine.college_id == first.college_id


def test_receipt_codes_survive_being_copied_by_hand():
    code = "ABCDE-FGHJK-LMNPQ-RSTUV"
    assert receipt_normalise(" abcde fghjk-lmnpq rstuv ") == receipt_normalise(code)
    assert receipt_digest(code=code.lower(), resolution_id=1) == receipt_digest(
        code=code, resolution_id=1
    )


def test_a_second_cast_is_refused_and_changes_nothing(assembly):
    first = entries(assembly)[0]
    now = before_deadline(assembly)
    ballot_cast(assembly=assembly, voter=first, choices=all_for(assembly), actor=None, now=now)

    with pytest.raises(DomainError, match="already been cast") as refused:
        ballot_cast(
            assembly=assembly,
            voter=first,
            choices=all_for(assembly, "against"),
            actor=None,
            now=now,
        )
    assert refused.value.code == "already_voted"
    assert UrnBallot.objects.filter(choice="against").count() == 0


def test_after_the_deadline_distance_votes_are_refused(assembly):
    first = entries(assembly)[0]
    late = assembly.distance_vote_deadline + dt.timedelta(seconds=1)
    with pytest.raises(DomainError, match="Distance voting closed"):
        ballot_cast(assembly=assembly, voter=first, choices=all_for(assembly), actor=None, now=late)
    # At the deadline itself the vote is still accepted.
    ballot_cast(
        assembly=assembly,
        voter=first,
        choices=all_for(assembly),
        actor=None,
        now=assembly.distance_vote_deadline,
    )


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Assembly.Status.DRAFT, "not been convened"),
        (Assembly.Status.CANCELLED, "cancelled"),
        (Assembly.Status.VOTING_CLOSED, "closed"),
    ],
)
def test_nobody_votes_outside_the_window(assembly, status, message):
    Assembly.objects.filter(pk=assembly.pk).update(status=status)
    with pytest.raises(DomainError, match=message):
        ballot_cast(
            assembly=assembly,
            voter=entries(assembly)[0],
            choices=all_for(assembly),
            actor=None,
            now=before_deadline(assembly),
        )


def test_in_the_room_the_vote_is_open_once_the_chair_opens_it(assembly):
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_OPEN, voting_opened_at=timezone.now()
    )
    outcome = ballot_cast(
        assembly=assembly, voter=entries(assembly)[0], choices=all_for(assembly), actor=None
    )
    assert outcome.channel == "room"


def test_every_resolution_needs_a_choice(assembly):
    choices = all_for(assembly)
    choices.pop(min(choices))
    with pytest.raises(DomainError, match="every resolution"):
        ballot_cast(
            assembly=assembly,
            voter=entries(assembly)[0],
            choices=choices,
            actor=None,
            now=before_deadline(assembly),
        )
    with pytest.raises(DomainError, match="every resolution"):
        ballot_cast(
            assembly=assembly,
            voter=entries(assembly)[0],
            choices=all_for(assembly, "maybe"),
            actor=None,
            now=before_deadline(assembly),
        )
    assert not Participation.objects.exists()


def test_someone_not_on_the_roll_cannot_vote(assembly):
    register = statutes_and_register()
    other = convened_assembly(members=members_admitted(register, 1))
    outsider = RollEntry.objects.get(assembly=other)
    with pytest.raises(DomainError, match="not on the roll"):
        ballot_cast(
            assembly=assembly,
            voter=outsider,
            choices=all_for(assembly),
            actor=None,
            now=before_deadline(assembly),
        )


def test_a_holder_votes_for_the_principal_in_the_principals_college(assembly):
    holder, principal, *_ = entries(assembly)
    Proxy.objects.create(assembly=assembly, giver=principal, holder=holder)

    outcome = ballot_cast(
        assembly=assembly,
        voter=holder,
        principal=principal,
        choices=all_for(assembly),
        actor=None,
        now=before_deadline(assembly),
    )

    assert outcome.for_entry == principal
    participation = Participation.objects.filter(roll_entry=principal).first()
    assert participation.cast_by == holder
    ballot = UrnBallot.objects.get(
        receipt=receipt_digest(code=outcome.receipt, resolution_id=participation.resolution_id)
    )
    assert ballot.college_id == principal.college_id
    # The principal gave a proxy: they cannot also vote themselves.
    with pytest.raises(DomainError, match="already been cast"):
        ballot_cast(
            assembly=assembly,
            voter=principal,
            choices=all_for(assembly),
            actor=None,
            now=before_deadline(assembly),
        )


def test_without_colleges_in_the_statutes_a_ballot_has_no_college():
    register = statutes_and_register(colleges_enabled=False)
    member = members_admitted(register, 1)[0]
    assembly = draft_assembly()
    # As the convocation freezes the roll when the statutes have no colleges.
    entry = RollEntry.objects.create(
        assembly=assembly, member=member, college=None, member_number=member.number, name="M"
    )
    assembly.status = Assembly.Status.CONVENED
    assembly.statutes = Statutes.objects.get()
    assembly.convened_at = timezone.now()
    assembly.save()

    outcome = ballot_cast(
        assembly=assembly,
        voter=entry,
        choices=all_for(assembly),
        actor=None,
        now=before_deadline(assembly),
    )

    digests = [receipt_digest(code=outcome.receipt, resolution_id=pk) for pk in all_for(assembly)]
    assert [b.college_id for b in UrnBallot.objects.filter(receipt__in=digests)] == [None, None]


def test_a_holder_cannot_vote_again_for_a_principal_who_voted_first(assembly):
    holder, principal, *_ = entries(assembly)
    ballot_cast(
        assembly=assembly,
        voter=principal,
        choices=all_for(assembly),
        actor=None,
        now=before_deadline(assembly),
    )
    # A proxy given afterwards (through the admin, say) does not open a second vote.
    Proxy.objects.create(assembly=assembly, giver=principal, holder=holder)

    with pytest.raises(DomainError, match=f"already been cast for {principal.name}"):
        ballot_cast(
            assembly=assembly,
            voter=holder,
            principal=principal,
            choices=all_for(assembly, "against"),
            actor=None,
            now=before_deadline(assembly),
        )
    assert Participation.objects.filter(roll_entry=principal).count() == 2
    assert not UrnBallot.objects.filter(choice="against").exists()


def test_a_principal_from_another_assembly_is_refused(assembly):
    holder = entries(assembly)[0]
    register = statutes_and_register()
    other = convened_assembly(members=members_admitted(register, 1))
    stranger = RollEntry.objects.get(assembly=other)
    with pytest.raises(DomainError, match="This member is not on the roll"):
        ballot_cast(
            assembly=assembly,
            voter=holder,
            principal=stranger,
            choices=all_for(assembly),
            actor=None,
            now=before_deadline(assembly),
        )
    assert not Participation.objects.exists()


def test_a_member_who_gave_a_proxy_cannot_vote_unless_they_revoke_it(assembly):
    holder, principal, *_ = entries(assembly)
    proxy = Proxy.objects.create(assembly=assembly, giver=principal, holder=holder)
    with pytest.raises(DomainError, match="revoke the proxy first"):
        ballot_cast(
            assembly=assembly,
            voter=principal,
            choices=all_for(assembly),
            actor=None,
            now=before_deadline(assembly),
        )
    proxy.revoked_at = timezone.now()
    proxy.save(update_fields=["revoked_at"])
    with pytest.raises(DomainError, match="do not hold a proxy"):
        ballot_cast(
            assembly=assembly,
            voter=holder,
            principal=principal,
            choices=all_for(assembly),
            actor=None,
            now=before_deadline(assembly),
        )
    ballot_cast(
        assembly=assembly,
        voter=principal,
        choices=all_for(assembly),
        actor=None,
        now=before_deadline(assembly),
    )


def test_the_audit_log_records_participation_never_the_choice_or_receipt(assembly):
    from coop.models import AuditEvent

    outcome = ballot_cast(
        assembly=assembly,
        voter=entries(assembly)[0],
        choices=all_for(assembly, "against"),
        actor=None,
        now=before_deadline(assembly),
    )
    event = AuditEvent.objects.get(action="assembly.vote_participation")
    text = str(event.data)
    assert "against" not in text
    assert outcome.receipt not in text
    digests = list(UrnBallot.objects.values_list("receipt", flat=True))
    assert digests
    assert not any(d in text for d in digests)
