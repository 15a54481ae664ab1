"""Changing a vote when the statutes allow it: only with that vote's receipt, until close."""

import datetime as dt

import pytest
from django.urls import reverse

from coop.errors import DomainError
from governance.models import Ballot, RollEntry
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
    assert Ballot.objects.filter(choice="against").count() == 2
    assert Ballot.objects.filter(choice="for").count() == 2  # the other member's, untouched
    assert Ballot.objects.count() == 4
    first = min(choices)
    assert not Ballot.objects.filter(receipt=receipt_digest(code=mine.receipt, resolution_id=first))
    assert Ballot.objects.get(receipt=receipt_digest(code=changed.receipt, resolution_id=first))
    assert (
        Ballot.objects.get(receipt=receipt_digest(code=theirs.receipt, resolution_id=first)).choice
        == "for"
    )


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
    assert Ballot.objects.filter(choice="abstain").count() == 2


def test_no_change_page_when_the_statutes_forbid_it(client):
    assembly, (me, _other), _choices = setup(revote_allowed=False)
    user = UserFactory(roles=["member"], email=me.member.email)
    Member.objects.filter(pk=me.member_id).update(user=user)
    client.force_login(user)
    url = reverse("governance:ballot_change", kwargs={"pk": assembly.pk})
    assert client.get(url).status_code == 404
