"""Casting every voice chosen at once: all or nothing, under the rule of governance.voices."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from coop.errors import DomainError
from coop.models import AuditEvent
from governance.models import BallotPointer, Participation, Proxy, RollEntry, UrnBallot
from governance.services.ballots import ballots_cast
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def assembly():
    register = statutes_and_register()
    return convened_assembly(members=members_admitted(register, 4), resolutions=3)


def entries(assembly):
    return list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))


def choices(assembly, choice="for"):
    return dict.fromkeys(assembly.resolutions.values_list("pk", flat=True), choice)


def soon(assembly):
    return assembly.distance_vote_deadline - dt.timedelta(hours=1)


def test_the_voices_held_are_cast_together_each_with_its_receipt_and_audit_event(assembly):
    holder, first, second, _other = entries(assembly)
    Proxy.objects.create(assembly=assembly, giver=first, holder=holder)
    Proxy.objects.create(assembly=assembly, giver=second, holder=holder)
    result = ballots_cast(
        assembly=assembly,
        voter=holder,
        for_entries=[holder, first, second],
        choices=choices(assembly),
        actor=None,
        now=soon(assembly),
    )
    assert [o.for_entry.pk for o in result.outcomes] == [holder.pk, first.pk, second.pk]
    assert len({o.receipt for o in result.outcomes}) == 3
    assert Participation.objects.count() == 9
    assert set(Participation.objects.values_list("cast_by_id", flat=True)) == {None, holder.pk}
    assert UrnBallot.objects.count() == BallotPointer.objects.count() == 9
    events = AuditEvent.objects.filter(action="assembly.vote_participation")
    assert sorted(e.data["member_number"] for e in events) == sorted(
        e.member_number for e in (holder, first, second)
    )
    assert {e.data["cast_by_holder"] for e in events} == {None, holder.member_number}
    assert all(e.data["resolutions"] == 3 and "choice" not in e.data for e in events)


def test_the_refusal_elides_before_a_name_starting_with_a_vowel_in_french():
    members = members_admitted(statutes_and_register(), 2)
    members[1].first_name, members[1].last_name = "Émile", "Durand"
    members[1].save(update_fields=["first_name", "last_name"])
    assembly = convened_assembly(members=members, resolutions=1)
    holder, other = entries(assembly)
    with translation.override("fr"), pytest.raises(DomainError) as refused:
        ballots_cast(
            assembly=assembly,
            voter=holder,
            for_entries=[holder, other],
            choices=choices(assembly),
            actor=None,
        )
    assert "Vous ne détenez pas de procuration d\u2019Émile Durand pour cette" in str(refused.value)


def test_one_voice_refused_refuses_them_all_and_writes_nothing(assembly):
    holder, first, second, _other = entries(assembly)
    Proxy.objects.create(assembly=assembly, giver=first, holder=holder)
    Proxy.objects.create(assembly=assembly, giver=second, holder=holder, revoked_at=timezone.now())
    with pytest.raises(DomainError, match=f"do not hold a proxy from {second.name}"):
        ballots_cast(
            assembly=assembly,
            voter=holder,
            for_entries=[holder, first, second],
            choices=choices(assembly),
            actor=None,
            now=soon(assembly),
        )
    assert not Participation.objects.exists()
    assert not UrnBallot.objects.exists()
    assert not BallotPointer.objects.exists()
    assert not AuditEvent.objects.filter(action="assembly.vote_participation").exists()


def test_choices_for_another_assemblys_resolution_are_refused(assembly):
    me, *_ = entries(assembly)
    wrong = choices(assembly)
    wrong[max(wrong) + 1000] = wrong.pop(max(wrong))
    with pytest.raises(DomainError, match="on every resolution"):
        ballots_cast(
            assembly=assembly,
            voter=me,
            for_entries=[me],
            choices=wrong,
            actor=None,
            now=soon(assembly),
        )
    assert not Participation.objects.exists()
