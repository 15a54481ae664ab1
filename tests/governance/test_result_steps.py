"""The hand check of a result: the stored arithmetic, as steps a member can redo on paper."""

from fractions import Fraction

import pytest
from django.test import override_settings
from django.utils import translation

from coop.fractions import format_fraction
from coop.statutes.rules import MajorityRule
from governance.models import ResolutionResult
from governance.selectors.voting import percent_text, result_steps
from governance.services.voting import tally_arithmetic
from governance.tally import CollegeCount, EmptyCollegePolicy, tally_compute, tally_lines_dump


def stored(counts, *, policy, majority) -> ResolutionResult:
    """A result as the tally stores it (not saved: the steps read only these fields)."""
    tally = tally_compute(counts=counts, policy=policy, majority=majority)
    return ResolutionResult(
        majority_threshold=format_fraction(majority.threshold),
        majority_strict=majority.strict,
        weighted_for=format_fraction(tally.weighted_for) if tally.weighted_for is not None else "",
        adopted=tally.adopted,
        colleges=tally_lines_dump(tally_arithmetic(tally)),
    )


COUNTS = [
    CollegeCount("salaries", "Salariés", Fraction(2, 5), 12, 8, 1),
    CollegeCount("usagers", "Usagers", Fraction(3, 10), 0, 0, 4),  # nobody expressed
    CollegeCount("soutiens", "Soutiens", Fraction(3, 10), 1, 2, 0),
]


def test_a_silent_college_shares_its_weight_out_and_the_steps_add_up():
    result = stored(
        COUNTS,
        policy=EmptyCollegePolicy.RESCALE,
        majority=MajorityRule(threshold=Fraction(1, 2), strict=True),
    )

    steps = result_steps(result)

    salaries, usagers, soutiens = steps.colleges
    # Weights that expressed: 2/5 + 3/10 = 7/10; each counted weight is its weight over that.
    assert steps.expressed_weight == "7/10"
    assert (salaries.share, salaries.counted_weight, salaries.rescaled) == ("3/5", "4/7", True)
    assert salaries.contribution == format_fraction(Fraction(4, 7) * Fraction(3, 5))
    assert (usagers.expressed, usagers.counted_weight, usagers.rescaled) == (0, "0/1", False)
    assert (soutiens.share, soutiens.counted_weight) == ("1/3", "3/7")
    # The sum written out is the stored result, and the decision follows from it exactly.
    assert steps.terms == f"{salaries.contribution} + {soutiens.contribution}"
    total = Fraction(salaries.contribution) + Fraction(soutiens.contribution)
    assert steps.total == format_fraction(total) == "17/35"
    assert steps.adopted is False  # 17/35 is not more than 1/2
    assert steps.total_percent == "48.57%"
    assert steps.threshold_percent == "50%"


def test_counted_as_zero_the_weights_are_not_rescaled():
    result = stored(
        COUNTS,
        policy=EmptyCollegePolicy.ZERO,
        majority=MajorityRule(threshold=Fraction(1, 2), strict=False),
    )

    steps = result_steps(result)

    assert [c.rescaled for c in steps.colleges] == [False, False, False]
    assert [c.counted_weight for c in steps.colleges] == ["2/5", "0/1", "3/10"]
    assert steps.total == "17/50"  # 2/5 * 3/5 + 3/10 * 1/3


def test_nobody_expressed_anything():
    silent = [CollegeCount("all", "all members", Fraction(1), 0, 0, 3)]
    result = stored(
        silent,
        policy=EmptyCollegePolicy.RESCALE,
        majority=MajorityRule(threshold=Fraction(1, 2), strict=True),
    )

    steps = result_steps(result)

    assert steps.total is None and steps.terms == "" and not steps.adopted


@pytest.mark.parametrize(("language", "text"), [("en", "66.67%"), ("fr", "66,67\u00a0%")])
def test_percentages_are_read_in_the_pages_language(language, text):
    with override_settings(USE_THOUSAND_SEPARATOR=False), translation.override(language):
        assert percent_text(Fraction(2, 3)) == text


def test_the_stored_lines_read_back_typed_as_they_were_written():
    tally = tally_compute(
        counts=COUNTS,
        policy=EmptyCollegePolicy.RESCALE,
        majority=MajorityRule(threshold=Fraction(1, 2), strict=True),
    )
    lines = tally_arithmetic(tally)
    stored_json = tally_lines_dump(lines)
    # The JSON keeps the keys the results already stored use.
    assert set(stored_json[0]) == {
        "key",
        "name",
        "weight",
        "for",
        "against",
        "abstain",
        "expressed",
        "share_for",
        "counted_weight",
        "contribution",
    }
    result = ResolutionResult(colleges=stored_json)
    assert result.lines == lines
    assert [line.votes_for for line in result.lines] == [c.votes_for for c in COUNTS]
