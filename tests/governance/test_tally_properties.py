"""Random elections with abstentions and proxies, cast and tallied through the services: the
stored result equals a reference computed apart with fractions (RULES 8, 9, 14)."""

from fractions import Fraction

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.models import Assembly, Proxy, ResolutionResult, RollEntry
from governance.services.ballots import ballot_cast
from governance.services.voting import assembly_tally
from tests.governance.factories import convened_assembly, members_admitted, statutes_and_register

pytestmark = pytest.mark.django_db

CATEGORIES = ("employee", "beneficiary", "volunteer")  # colleges of 40, 30 and 30 %
WEIGHTS = {
    "employee": Fraction(40, 100),
    "beneficiary": Fraction(30, 100),
    "volunteer": Fraction(30, 100),
}
CHOICES = ("for", "against", "abstain", None)  # None: does not vote


@st.composite
def elections(draw):
    sizes = [draw(st.integers(min_value=0, max_value=3)) for _ in CATEGORIES]
    members = [
        (c, draw(st.sampled_from(CHOICES)))
        for c, n in zip(CATEGORIES, sizes, strict=True)
        for _ in range(n)
    ]
    # Some who do not vote give a proxy to someone who votes (one proxy each, as the statutes
    # allow on a small roll; no chains: a giver never votes, a holder always does).
    voters = [i for i, (_c, choice) in enumerate(members) if choice is not None]
    silent = [i for i, (_c, choice) in enumerate(members) if choice is None]
    proxies = {}
    free_holders = list(voters)
    for giver in silent:
        if free_holders and draw(st.booleans()):
            holder = draw(st.sampled_from(free_holders))
            free_holders.remove(holder)
            proxies[giver] = holder
    return members, proxies


def reference(members, proxies):
    """Per college, for and against; a proxy counts in the principal's college with the
    holder's choice (a proxy without instructions follows the holder, RULES 14)."""
    counted = {c: {"for": 0, "against": 0} for c in CATEGORIES}
    for index, (college, choice) in enumerate(members):
        effective = members[proxies[index]][1] if index in proxies else choice
        if effective in ("for", "against"):
            counted[college][effective] += 1
    weighted, base = Fraction(0), Fraction(0)
    for college, votes in counted.items():
        expressed = votes["for"] + votes["against"]
        if expressed:
            weighted += WEIGHTS[college] * Fraction(votes["for"], expressed)
            base += WEIGHTS[college]
    return (weighted / base) if base else None


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(elections())
def test_the_stored_tally_equals_the_reference(election):
    members, proxies = election
    with transaction.atomic():
        register = statutes_and_register()
        people = [members_admitted(register, 1, category=c)[0] for c, _choice in members]
        if not people:
            people = members_admitted(register, 1)
            members = [("volunteer", None)]
        assembly = convened_assembly(members=people, resolutions=1)
        resolution = assembly.resolutions.get()
        entries = {e.member_id: e for e in RollEntry.objects.filter(assembly=assembly)}
        roll = [entries[p.pk] for p in people]
        for giver, holder in proxies.items():
            Proxy.objects.create(assembly=assembly, giver=roll[giver], holder=roll[holder])
        now = assembly.distance_vote_deadline
        for index, (_college, choice) in enumerate(members):
            if choice is None:
                continue
            ballot_cast(
                assembly=assembly,
                voter=roll[index],
                choices={resolution.pk: choice},
                actor=None,
                now=now,
            )
            for giver, holder in proxies.items():
                if holder == index:
                    ballot_cast(
                        assembly=assembly,
                        voter=roll[index],
                        principal=roll[giver],
                        choices={resolution.pk: choice},
                        actor=None,
                        now=now,
                    )
        Assembly.objects.filter(pk=assembly.pk).update(
            status=Assembly.Status.VOTING_CLOSED, voting_closed_at=timezone.now()
        )
        (result,) = assembly_tally(assembly=assembly)
        expected = reference(members, proxies)
        stored = ResolutionResult.objects.get(pk=result.pk)
        assert (Fraction(stored.weighted_for) if stored.weighted_for else None) == expected
        assert stored.adopted is (expected is not None and expected > Fraction(1, 2))
        transaction.set_rollback(True)
