"""The weighted result of a resolution (RULES 8), in exact fractions, with every step kept.

Pure arithmetic: no database. The tally service feeds it the counts per college (from the
ballot box, plus the totals the bureau enters for votes by show of hands or on paper) and
stores what it returns; the results page prints the same steps so anyone can redo them by hand.

For each college c with weight w_c (a share of 1), its share of "for" is for_c / expressed_c,
where expressed = for + against; abstentions are not expressed. The weighted "for" is the sum of
w'_c · for_c / expressed_c over the colleges that expressed at least one vote, where w' is:
- policy "rescale": w_c / (sum of the weights of the colleges that expressed), so the weights
  of silent colleges are shared among the others in proportion to their own;
- policy "zero": w_c itself; a silent college adds nothing, as if it had voted against.
Without colleges, there is one college of weight 1. With no vote expressed at all, there is no
weighted result and the resolution is not adopted.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any

from coop.statutes.rules import MajorityRule


class EmptyCollegePolicy(StrEnum):
    """Values of `Statutes.empty_college_policy`."""

    RESCALE = "rescale"
    ZERO = "zero"


@dataclass(frozen=True)
class CollegeCount:
    """The votes of one college on one resolution."""

    key: str
    name: str
    weight: Fraction  # a share of 1: 40 % is Fraction(2, 5)
    votes_for: int
    votes_against: int
    abstentions: int

    def __post_init__(self) -> None:
        if min(self.votes_for, self.votes_against, self.abstentions) < 0:
            raise ValueError("vote counts cannot be negative")
        if not 0 < self.weight <= 1:
            raise ValueError("a college's weight is a share between 0 (excluded) and 1")

    @property
    def expressed(self) -> int:
        return self.votes_for + self.votes_against


@dataclass(frozen=True)
class CollegeResult:
    """One college's line of the arithmetic."""

    count: CollegeCount
    share_for: Fraction | None  # for / expressed; None when nothing was expressed
    counted_weight: Fraction  # the weight actually applied (after rescaling, or 0 if silent)
    contribution: Fraction  # counted_weight * share_for

    @property
    def expressed(self) -> bool:
        return self.share_for is not None


@dataclass(frozen=True)
class Tally:
    colleges: tuple[CollegeResult, ...]
    policy: EmptyCollegePolicy
    majority: MajorityRule
    weighted_for: Fraction | None  # None when no vote was expressed in any college
    adopted: bool

    @property
    def votes_for(self) -> int:
        return sum(c.count.votes_for for c in self.colleges)

    @property
    def votes_against(self) -> int:
        return sum(c.count.votes_against for c in self.colleges)

    @property
    def abstentions(self) -> int:
        return sum(c.count.abstentions for c in self.colleges)

    @property
    def expressed(self) -> int:
        return self.votes_for + self.votes_against

    @property
    def weighted_against(self) -> Fraction | None:
        return None if self.weighted_for is None else 1 - self.weighted_for

    @property
    def expressing_weight(self) -> Fraction:
        """Sum of the statutory weights of the colleges that expressed (the rescaling base)."""
        return sum((c.count.weight for c in self.colleges if c.expressed), Fraction(0))


def tally_compute(
    *,
    counts: Sequence[CollegeCount],
    policy: EmptyCollegePolicy | str,
    majority: MajorityRule,
) -> Tally:
    """The weighted result of one resolution from its counts per college."""
    policy = EmptyCollegePolicy(policy)
    if not counts:
        raise ValueError("a tally needs at least one college")
    if len({c.key for c in counts}) != len(counts):
        raise ValueError("each college is counted once")
    if sum((c.weight for c in counts), Fraction(0)) != 1:
        raise ValueError("the colleges' weights must add up to 1")

    expressing = sum((c.weight for c in counts if c.expressed), Fraction(0))
    results: list[CollegeResult] = []
    for count in counts:
        if not count.expressed:
            results.append(CollegeResult(count, None, Fraction(0), Fraction(0)))
            continue
        share_for = Fraction(count.votes_for, count.expressed)
        weight = count.weight / expressing if policy is EmptyCollegePolicy.RESCALE else count.weight
        results.append(CollegeResult(count, share_for, weight, weight * share_for))

    if expressing == 0:
        return Tally(tuple(results), policy, majority, None, adopted=False)
    weighted_for = sum((r.contribution for r in results), Fraction(0))
    return Tally(tuple(results), policy, majority, weighted_for, majority.is_reached(weighted_for))


def weight_share(percent: object) -> Fraction:
    """A weight stored in percent (Decimal "33.34") as an exact share of 1."""
    return Fraction(str(percent)) / 100


@dataclass(frozen=True, slots=True)
class TallyLine:
    """One college's line of a tally as it is stored with the result and published: its votes,
    and the exact fractions written as text ("2/5"). `share_for` is None when the college
    expressed no vote."""

    key: str
    name: str
    weight: str
    votes_for: int
    votes_against: int
    abstentions: int
    expressed: int
    share_for: str | None
    counted_weight: str
    contribution: str

    @property
    def votes(self) -> str:
        return f"{self.votes_for} / {self.votes_against} / {self.abstentions}"

    @property
    def figures(self) -> tuple[object, ...]:
        """Everything the line says but the college's name (which may be renamed)."""
        return (
            self.key,
            self.weight,
            self.votes_for,
            self.votes_against,
            self.abstentions,
            self.expressed,
            self.share_for,
            self.counted_weight,
            self.contribution,
        )


# The keys the JSON of a stored line uses for the fields that differ from their names.
_STORED_AS = {"votes_for": "for", "votes_against": "against", "abstentions": "abstain"}
_FIELDS = tuple(TallyLine.__dataclass_fields__)


def tally_lines_dump(lines: Iterable[TallyLine]) -> list[dict[str, object]]:
    """The lines as the JSON stored in ResolutionResult.colleges (the one serialiser)."""
    return [{_STORED_AS.get(name, name): getattr(line, name) for name in _FIELDS} for line in lines]


def tally_lines_load(data: Iterable[Mapping[str, Any]]) -> list[TallyLine]:
    """The lines stored in ResolutionResult.colleges, read back typed."""
    return [
        TallyLine(**{name: item[_STORED_AS.get(name, name)] for name in _FIELDS}) for item in data
    ]
