"""Anyone on the roll recounts the published ballot box and finds the published result."""

import json
from collections import Counter
from fractions import Fraction

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from governance.models import Assembly, AssemblyCollege, RollEntry, RoomCount
from governance.services.ballots import ballot_cast
from governance.services.voting import assembly_tally, results_publish
from members.models import Member
from tests.coop.factories import UserFactory
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
    box = json.loads(
        client.get(reverse("governance:ballot_box_json", kwargs={"pk": assembly.pk})).content
    )
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
