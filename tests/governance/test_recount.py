"""Anyone on the roll recounts the published ballot box and finds the published result."""

import io
import json
from collections import Counter
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from governance.models import Assembly, AssemblyCollege, Ballot, RollEntry, RoomCount
from governance.services.ballots import ballot_cast
from governance.services.voting import assembly_tally, results_publish
from members.models import Member
from tests.coop.factories import UserFactory
from tests.governance.ballot_box import ballot_box_download
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db


def test_the_published_box_recounted_by_hand_gives_the_published_result(totp_admin):
    register = statutes_and_register()
    members = (
        members_admitted(register, 5, category="employee")
        + members_admitted(register, 3, category="beneficiary")
        + members_admitted(register, 4, category="volunteer")
    )
    assembly = convened_assembly(members=members, resolutions=2)
    resolutions = list(assembly.resolutions.order_by("number").values_list("pk", flat=True))
    pattern = ["for", "against", "abstain", "for", "for", "against"]
    entries = list(RollEntry.objects.filter(assembly=assembly).order_by("member_number"))
    for index, entry in enumerate(entries[:-1]):  # one member does not vote
        ballot_cast(
            assembly=assembly,
            voter=entry,
            choices={pk: pattern[(index + n) % len(pattern)] for n, pk in enumerate(resolutions)},
            actor=None,
            now=assembly.distance_vote_deadline,
        )
    RoomCount.objects.create(
        resolution_id=resolutions[0],
        college=AssemblyCollege.objects.get(assembly=assembly, name="Soutiens"),
        votes_for=0,
        votes_against=3,
        abstentions=1,
        recorded_by=totp_admin,
    )
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    assembly_tally(assembly=assembly)
    results_publish(assembly=assembly, actor=totp_admin)

    # A member on the roll downloads the box and recounts it with pencil-and-paper arithmetic.
    user = UserFactory(roles=["member"])
    Member.objects.filter(pk=entries[-1].member_id).update(user=user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    box = json.loads(ballot_box_download(client, assembly, "json"))
    weights = {c.name: Fraction(str(c.weight)) / 100 for c in assembly.colleges.all()}
    for published in box["tally"]:
        counts: Counter = Counter()
        for ballot in box["ballots"]:
            if ballot["resolution"] == published["resolution"]:
                counts[(ballot["college"], ballot["choice"])] += 1
        for room in box["room_counts"]:
            if room["resolution"] == published["resolution"]:
                for choice in ("for", "against", "abstain"):
                    counts[(room["college"], choice)] += room[choice]
        weighted, base = Fraction(0), Fraction(0)
        for name, weight in weights.items():
            yes, no = counts[(name, "for")], counts[(name, "against")]
            if yes + no:
                weighted += weight * Fraction(yes, yes + no)
                base += weight
        expected = weighted / base
        assert Fraction(published["weighted_for"]) == expected
        assert published["adopted"] is (expected > Fraction(1, 2))
        assert published["for"] == sum(v for (_c, ch), v in counts.items() if ch == "for")


def _tallied_assembly(totp_admin):
    register = statutes_and_register()
    members = members_admitted(register, 4, category="employee") + members_admitted(
        register, 3, category="volunteer"
    )
    assembly = convened_assembly(members=members, resolutions=2)
    resolutions = list(assembly.resolutions.order_by("number").values_list("pk", flat=True))
    for index, entry in enumerate(RollEntry.objects.filter(assembly=assembly)):
        ballot_cast(
            assembly=assembly,
            voter=entry,
            choices=dict.fromkeys(resolutions, ("for", "against", "for")[index % 3]),
            actor=None,
            now=assembly.distance_vote_deadline,
        )
    RoomCount.objects.create(
        resolution_id=resolutions[0],
        college=AssemblyCollege.objects.get(assembly=assembly, name="Soutiens"),
        votes_for=1,
        votes_against=0,
        abstentions=2,
        recorded_by=totp_admin,
    )
    Assembly.objects.filter(pk=assembly.pk).update(
        status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
    )
    assembly_tally(assembly=assembly)
    return assembly, resolutions


def test_recount_prints_both_figures_and_succeeds_when_they_agree(totp_admin):
    assembly, _resolutions = _tallied_assembly(totp_admin)
    out = io.StringIO()
    call_command("recount", str(assembly.pk), stdout=out)
    text = out.getvalue()
    assert "The recount gives the stored results." in text
    assert "DIFFERENT" not in text
    assert "Resolution 1" in text and "Resolution 2" in text
    # Side by side: on resolution 1, the volunteers' 2 ballots for and 1 against plus the room's
    # 1 / 0 / 2, stored and recomputed.
    soutiens = next(line for line in text.splitlines() if "Soutiens" in line)
    assert soutiens.split() == ["Soutiens", "3", "/", "1", "/", "2", "3", "/", "1", "/", "2"]


def test_recount_exits_non_zero_on_a_ballot_slipped_into_the_box(totp_admin):
    assembly, resolutions = _tallied_assembly(totp_admin)
    employees = AssemblyCollege.objects.get(assembly=assembly, name="Salariés")
    # A ballot inserted straight into the sealed box after the tally (INSERT is not refused).
    Ballot.objects.create(
        resolution_id=resolutions[1], college=employees, choice="against", receipt="f" * 64
    )
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"differs from the stored results on [0-9]+ lines"):
        call_command("recount", str(assembly.pk), stdout=out)
    lines = out.getvalue().splitlines()
    different = [line for line in lines if "DIFFERENT" in line]
    assert any("Salariés" in line for line in different)
    assert any("total for / against / abstentions" in line for line in different)
    # Resolution 1 is untouched: its lines all agree.
    first = lines[lines.index("Resolution 1") : lines.index("Resolution 2")]
    assert not any("DIFFERENT" in line for line in first)


def test_recount_refuses_an_assembly_not_tallied():
    register = statutes_and_register()
    assembly = convened_assembly(members=members_admitted(register, 2), resolutions=1)
    with pytest.raises(CommandError, match="has not been tallied"):
        call_command("recount", str(assembly.pk), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No assembly has the id"):
        call_command("recount", "999999", stdout=io.StringIO())
