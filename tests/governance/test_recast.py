"""Changing a vote when the statutes allow it: only the voter's own vote, with its receipt,
until close. The receipt opens the sealed pointer of the voter's own urn ballots; another
member's receipt opens nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from coop.errors import DomainError
from governance.models import (
    Assembly,
    Ballot,
    BallotPointer,
    Participation,
    Proxy,
    RollEntry,
    UrnBallot,
)
from governance.services.ballots import ballot_cast, ballot_recast, receipt_digest
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


def setup(revote_allowed: bool):
    register = statutes_and_register(revote_allowed=revote_allowed)
    assembly = convened_assembly(members=members_admitted(register, 2), resolutions=2)
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    choices = dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), "for")
    return assembly, entries, choices


def test_the_first_vote_is_final_by_default():
    assembly, (me, _other), choices = setup(revote_allowed=False)
    now = assembly.distance_vote_deadline
    outcome = ballot_cast(assembly=assembly, voter=me, choices=choices, actor=None, now=now)
    with pytest.raises(DomainError, match="first vote cast is final"):
        ballot_recast(
            assembly=assembly,
            voter=me,
            choices=dict.fromkeys(choices, "against"),
            previous_receipt=outcome.receipt,
            actor=None,
            now=now,
        )


def test_a_vote_changes_with_its_receipt_and_the_old_receipt_finds_nothing():
    assembly, (me, other), choices = setup(revote_allowed=True)
    now = assembly.distance_vote_deadline
    mine = ballot_cast(assembly=assembly, voter=me, choices=choices, actor=None, now=now)
    theirs = ballot_cast(assembly=assembly, voter=other, choices=choices, actor=None, now=now)

    with pytest.raises(DomainError, match="does not match"):
        ballot_recast(
            assembly=assembly,
            voter=me,
            choices=dict.fromkeys(choices, "against"),
            previous_receipt="AAAAA-BBBBB-CCCCC-DDDDD",
            actor=None,
            now=now,
        )
    changed = ballot_recast(
        assembly=assembly,
        voter=me,
        choices=dict.fromkeys(choices, "against"),
        previous_receipt=mine.receipt,
        actor=None,
        now=now,
    )
    assert UrnBallot.objects.filter(choice="against").count() == 2
    assert UrnBallot.objects.filter(choice="for").count() == 2  # the other member's, untouched
    assert UrnBallot.objects.count() == 4
    first = min(choices)
    assert not UrnBallot.objects.filter(
        receipt=receipt_digest(code=mine.receipt, resolution_id=first)
    )
    assert UrnBallot.objects.get(receipt=receipt_digest(code=changed.receipt, resolution_id=first))
    assert (
        UrnBallot.objects.get(
            receipt=receipt_digest(code=theirs.receipt, resolution_id=first)
        ).choice
        == "for"
    )
    # The new receipt changes the vote again; the old one no longer does.
    with pytest.raises(DomainError, match="does not match"):
        ballot_recast(
            assembly=assembly,
            voter=me,
            choices=dict.fromkeys(choices, "abstain"),
            previous_receipt=mine.receipt,
            actor=None,
            now=now,
        )
    ballot_recast(
        assembly=assembly,
        voter=me,
        choices=dict.fromkeys(choices, "abstain"),
        previous_receipt=changed.receipt,
        actor=None,
        now=now,
    )
    assert UrnBallot.objects.filter(choice="abstain").count() == 2


def _urn_state() -> list[tuple]:
    return sorted(UrnBallot.objects.values_list("id", "choice", "receipt"))


def _pointer_state() -> list[tuple]:
    return sorted(
        (p.roll_entry_id, p.resolution_id, bytes(p.sealed)) for p in BallotPointer.objects.all()
    )


def test_another_members_receipt_changes_nothing():
    """A learns B's receipt: with it, A changes neither their own ballot nor B's."""
    assembly, (member_a, member_b), choices = setup(revote_allowed=True)
    now = assembly.distance_vote_deadline
    ballot_cast(assembly=assembly, voter=member_a, choices=choices, actor=None, now=now)
    of_b = ballot_cast(assembly=assembly, voter=member_b, choices=choices, actor=None, now=now)
    urn, pointers = _urn_state(), _pointer_state()

    with pytest.raises(DomainError, match="does not match") as refused:
        ballot_recast(
            assembly=assembly,
            voter=member_a,
            choices=dict.fromkeys(choices, "against"),
            previous_receipt=of_b.receipt,
            actor=None,
            now=now,
        )
    assert refused.value.code == "wrong_receipt"
    # Naming B as the member voted for needs B's proxy, which A does not hold.
    with pytest.raises(DomainError, match="do not hold a proxy"):
        ballot_recast(
            assembly=assembly,
            voter=member_a,
            principal=member_b,
            choices=dict.fromkeys(choices, "against"),
            previous_receipt=of_b.receipt,
            actor=None,
            now=now,
        )
    assert _urn_state() == urn
    assert _pointer_state() == pointers
    for pk in choices:
        ballot_of_b = UrnBallot.objects.get(
            receipt=receipt_digest(code=of_b.receipt, resolution_id=pk)
        )
        assert ballot_of_b.choice == "for"


def test_a_holder_changes_the_vote_of_a_principal_with_that_votes_receipt():
    assembly, (holder, principal), choices = setup(revote_allowed=True)
    now = assembly.distance_vote_deadline
    Proxy.objects.create(assembly=assembly, giver=principal, holder=holder)
    own = ballot_cast(assembly=assembly, voter=holder, choices=choices, actor=None, now=now)
    for_principal = ballot_cast(
        assembly=assembly, voter=holder, principal=principal, choices=choices, actor=None, now=now
    )
    # The holder's own receipt does not open the principal's pointers.
    with pytest.raises(DomainError, match="does not match"):
        ballot_recast(
            assembly=assembly,
            voter=holder,
            principal=principal,
            choices=dict.fromkeys(choices, "against"),
            previous_receipt=own.receipt,
            actor=None,
            now=now,
        )
    changed = ballot_recast(
        assembly=assembly,
        voter=holder,
        principal=principal,
        choices=dict.fromkeys(choices, "against"),
        previous_receipt=for_principal.receipt,
        actor=None,
        now=now,
    )
    assert changed.for_entry == principal
    assert Participation.objects.filter(roll_entry=principal, cast_by=holder).count() == 2
    against = UrnBallot.objects.filter(choice="against")
    assert {b.college_id for b in against} == {principal.college_id}
    assert against.count() == 2


def test_after_close_the_urn_is_sealed_and_nothing_changes():
    from governance.services.voting import voting_close

    assembly, (me, _other), choices = setup(revote_allowed=True)
    now = assembly.distance_vote_deadline
    outcome = ballot_cast(assembly=assembly, voter=me, choices=choices, actor=None, now=now)
    Assembly.objects.filter(pk=assembly.pk).update(status=Assembly.Status.VOTING_OPEN)
    voting_close(assembly=assembly, actor=None)
    assert not UrnBallot.objects.exists() and not BallotPointer.objects.exists()
    with pytest.raises(DomainError, match="closed"):
        ballot_recast(
            assembly=assembly,
            voter=me,
            choices=dict.fromkeys(choices, "against"),
            previous_receipt=outcome.receipt,
            actor=None,
            now=now,
        )
    assert sorted(Ballot.objects.values_list("choice", flat=True)) == ["for", "for"]


def test_after_the_deadline_no_vote_changes():
    assembly, (me, _other), choices = setup(revote_allowed=True)
    outcome = ballot_cast(
        assembly=assembly,
        voter=me,
        choices=choices,
        actor=None,
        now=assembly.distance_vote_deadline,
    )
    with pytest.raises(DomainError, match="Distance voting closed"):
        ballot_recast(
            assembly=assembly,
            voter=me,
            choices=dict.fromkeys(choices, "against"),
            previous_receipt=outcome.receipt,
            actor=None,
            now=assembly.distance_vote_deadline + dt.timedelta(minutes=1),
        )


def test_the_change_page_asks_for_the_receipt(client):
    assembly, (me, _other), choices = setup(revote_allowed=True)
    user = UserFactory(roles=["member"], email=me.member.email)
    Member.objects.filter(pk=me.member_id).update(user=user)
    client.force_login(user)
    outcome = ballot_cast(assembly=assembly, voter=me, choices=choices, actor=None)
    url = reverse("governance:ballot_change", kwargs={"pk": assembly.pk})
    assert "Receipt of the vote you are changing" in client.get(url).content.decode()
    data = {f"resolution_{pk}": "abstain" for pk in choices}
    wrong = client.post(url, {**data, "voices": [me.pk], "previous_receipt": "ZZZZZ"})
    assert "does not match" in wrong.content.decode()
    right = client.post(url, {**data, "voices": [me.pk], "previous_receipt": outcome.receipt})
    assert "Your vote is changed" in right.content.decode()
    assert UrnBallot.objects.filter(choice="abstain").count() == 2


def test_no_change_page_when_the_statutes_forbid_it(client):
    assembly, (me, _other), _choices = setup(revote_allowed=False)
    user = UserFactory(roles=["member"], email=me.member.email)
    Member.objects.filter(pk=me.member_id).update(user=user)
    client.force_login(user)
    url = reverse("governance:ballot_change", kwargs={"pk": assembly.pk})
    assert client.get(url).status_code == 404
