"""RULES 8: the weighted result of a resolution, exact, against a reference written apart."""

import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from coop.statutes.rules import MajorityRule
from governance.tally import CollegeCount, EmptyCollegePolicy, tally_compute, weight_share

SIMPLE = MajorityRule(threshold=Fraction(1, 2), strict=True)
TWO_THIRDS = MajorityRule(threshold=Fraction(2, 3), strict=False)


def college(key, weight_percent, votes_for=0, votes_against=0, abstentions=0):
    return CollegeCount(
        key=key,
        name=key.title(),
        weight=Fraction(weight_percent, 100),
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
    )


def test_worked_example_rescales_the_silent_college():
    counts = [
        college("employees", 40, votes_for=3, votes_against=1),
        college("users", 30, votes_against=2),
        college("supporters", 30, abstentions=5),
    ]
    result = tally_compute(counts=counts, policy="rescale", majority=SIMPLE)
    employees, users, supporters = result.colleges
    assert employees.share_for == Fraction(3, 4)
    assert employees.counted_weight == Fraction(4, 7)
    assert users.share_for == 0
    assert users.counted_weight == Fraction(3, 7)
    assert supporters.share_for is None and supporters.counted_weight == 0
    assert result.expressing_weight == Fraction(7, 10)
    assert result.weighted_for == Fraction(3, 7)
    assert result.weighted_against == Fraction(4, 7)
    assert not result.adopted
    assert (result.votes_for, result.votes_against, result.abstentions) == (3, 3, 5)


def test_policy_zero_counts_the_silent_college_as_nothing():
    counts = [
        college("employees", 40, votes_for=3, votes_against=1),
        college("users", 30, votes_for=1, votes_against=1),
        college("supporters", 30),
    ]
    result = tally_compute(counts=counts, policy="zero", majority=SIMPLE)
    assert result.weighted_for == Fraction(3, 10) + Fraction(3, 20)  # 45 %
    assert not result.adopted
    rescaled = tally_compute(counts=counts, policy="rescale", majority=SIMPLE)
    assert rescaled.weighted_for == Fraction(4, 7) * Fraction(3, 4) + Fraction(3, 7) * Fraction(
        1, 2
    )
    assert rescaled.adopted  # 9/14, about 64 %


def test_simple_majority_is_strictly_more_than_half():
    counts = [college("all", 100, votes_for=5, votes_against=5, abstentions=90)]
    result = tally_compute(counts=counts, policy="rescale", majority=SIMPLE)
    assert result.weighted_for == Fraction(1, 2)
    assert not result.adopted


def test_two_thirds_is_reached_at_exactly_two_thirds():
    counts = [college("all", 100, votes_for=2, votes_against=1)]
    assert tally_compute(counts=counts, policy="rescale", majority=TWO_THIRDS).adopted


def test_nothing_expressed_is_not_adopted():
    counts = [college("a", 50, abstentions=3), college("b", 50)]
    result = tally_compute(counts=counts, policy="rescale", majority=SIMPLE)
    assert result.weighted_for is None
    assert not result.adopted


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ([], "at least one college"),
        ([college("a", 50), college("b", 40)], "add up to 1"),
        ([college("a", 50), college("a", 50)], "counted once"),
    ],
)
def test_malformed_input_is_refused(counts, message):
    with pytest.raises(ValueError, match=message):
        tally_compute(counts=counts, policy="rescale", majority=SIMPLE)


def test_weight_share_is_exact():
    assert weight_share("33.34") == Fraction(3334, 10000)
    assert weight_share(40) == Fraction(2, 5)


# --- Property: the tally equals a reference computed ballot by ballot --------------------------

CHOICES = ("for", "against", "abstain")


@st.composite
def elections(draw):
    """Valid colleges (RULES 7: 3 or more, each 10-50 %, summing to 100 %) and ballots."""
    size = draw(st.integers(min_value=3, max_value=6))
    # Hundredths of a percent: each college starts at 10 %, the rest is shared out, none over 50 %.
    weights = [1000] * size
    remaining = 10000 - 1000 * size
    for index in range(size - 1):
        extra = draw(st.integers(min_value=0, max_value=min(4000, remaining)))
        weights[index] += extra
        remaining -= extra
    assume(remaining <= 4000)
    weights[-1] += remaining
    ballots = draw(
        st.lists(
            st.tuples(st.integers(min_value=0, max_value=size - 1), st.sampled_from(CHOICES)),
            max_size=60,
        )
    )
    policy = draw(st.sampled_from(list(EmptyCollegePolicy)))
    majority = draw(st.sampled_from([SIMPLE, TWO_THIRDS]))
    seed = draw(st.integers(min_value=0, max_value=2**32))
    return weights, ballots, policy, majority, seed


def reference(weights, ballots, policy, majority):
    """RULES 8 written out ballot by ballot, as a scrutineer would with pencil and paper."""
    weighted_sum = Fraction(0)
    base = Fraction(0)
    for index, hundredths in enumerate(weights):
        weight = Fraction(hundredths, 10000)
        yes = sum(1 for c, choice in ballots if c == index and choice == "for")
        no = sum(1 for c, choice in ballots if c == index and choice == "against")
        if yes + no == 0:
            continue
        weighted_sum += weight * Fraction(yes, yes + no)
        base += weight
    if base == 0:
        return None, False
    value = weighted_sum / base if policy == EmptyCollegePolicy.RESCALE else weighted_sum
    passed = value > majority.threshold if majority.strict else value >= majority.threshold
    return value, passed


def counts_from(weights, ballots):
    per_college = Counter(ballots)
    return [
        CollegeCount(
            key=f"c{index}",
            name=f"College {index}",
            weight=Fraction(hundredths, 10000),
            votes_for=per_college[(index, "for")],
            votes_against=per_college[(index, "against")],
            abstentions=per_college[(index, "abstain")],
        )
        for index, hundredths in enumerate(weights)
    ]


@settings(max_examples=300, deadline=None)
@given(elections())
def test_tally_equals_the_reference_and_ignores_ballot_order(election):
    weights, ballots, policy, majority, seed = election
    expected_value, expected_adopted = reference(weights, ballots, policy, majority)

    result = tally_compute(counts=counts_from(weights, ballots), policy=policy, majority=majority)
    assert result.weighted_for == expected_value
    assert result.adopted is expected_adopted
    assert result.votes_for + result.votes_against + result.abstentions == len(ballots)

    shuffled = list(ballots)
    random.Random(seed).shuffle(shuffled)
    again = tally_compute(counts=counts_from(weights, shuffled), policy=policy, majority=majority)
    assert again == result


@settings(max_examples=200, deadline=None)
@given(elections(), st.integers(min_value=0, max_value=5))
def test_one_more_vote_for_never_lowers_the_result(election, college_index):
    weights, ballots, policy, majority, _seed = election
    college_index %= len(weights)
    before = tally_compute(counts=counts_from(weights, ballots), policy=policy, majority=majority)
    after = tally_compute(
        counts=counts_from(weights, [*ballots, (college_index, "for")]),
        policy=policy,
        majority=majority,
    )
    assert after.weighted_for is not None
    if before.weighted_for is not None:
        assert after.weighted_for >= before.weighted_for
    if before.adopted:
        assert after.adopted
