"""The statutory rules (docs/rules.md): limits, validation of a version's parameters, and the
rules governance and capital apply (quorum, majority, proxy limit, college weights)."""

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from math import floor
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from coop.formatting import percent_points
from coop.fractions import parse_fraction
from coop.models import Statutes

# Fields of a version that are not parameters: who recorded it, when, and its date.
_NOT_PARAMETERS = frozenset({"id", "effective_from", "created_at", "created_by"})

#: Every field a new version sets (the decision reference and the statutes parameters).
PARAMETER_FIELDS: tuple[str, ...] = tuple(
    f.name for f in Statutes._meta.concrete_fields if f.name not in _NOT_PARAMETERS
)

# RULES 11: notice periods (days). The minima are the law's; the maximum is a sanity limit.
NOTICE_DAYS_FIRST_MIN = 15
NOTICE_DAYS_SECOND_MIN = 10
NOTICE_DAYS_MAX = 60
# RULES 2, 20, 21, 22.
PUBLIC_BODIES_CAP_MAX = Fraction(1, 2)
PAYING_UP_MINIMUM_MIN = Fraction(1, 4)
PAYING_UP_DELAY_MAX_YEARS = 5
CAPITAL_FLOOR_MIN = Fraction(1, 4)
REPAYMENT_DELAY_MAX_YEARS = 5
# RULES 7: colleges, weights in percent.
COLLEGES_MIN = 3
COLLEGE_WEIGHT_MIN = Fraction(10)
COLLEGE_WEIGHT_MAX = Fraction(50)
COLLEGE_WEIGHTS_TOTAL = Fraction(100)


class AssemblyKind(StrEnum):
    """Kinds of general assembly; governance uses the same values."""

    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"


class Convocation(StrEnum):
    """First or second convocation of an assembly; governance uses the same values."""

    FIRST = "first"
    SECOND = "second"


@dataclass(frozen=True)
class MajorityRule:
    """The majority a resolution needs (RULES 13), as a share of the votes expressed."""

    threshold: Fraction
    strict: bool

    def is_reached(self, share_for: Fraction) -> bool:
        """True when `share_for` (exact) passes: above the threshold, or at it when not strict."""
        return share_for > self.threshold if self.strict else share_for >= self.threshold


@dataclass(frozen=True)
class StatutesTimeline:
    """The versions around a date: the one in force, the future ones, the earlier ones."""

    on: dt.date
    in_force: Statutes | None
    future: list[Statutes] = field(default_factory=list)  # soonest first
    past: list[Statutes] = field(default_factory=list)  # most recent first


# --- Rules used by governance and capital ----------------------------------------------------


def proxy_limit(*, statutes: Statutes, roll_size: int) -> int:
    """How many proxies one holder may hold for an assembly whose roll has `roll_size` members.

    RULES 14: [1] when the roll has fewer than [20] members, otherwise [1/20] of the roll
    rounded down, and never fewer than [1].
    """
    if roll_size < 0:
        raise ValueError("roll_size cannot be negative")
    if roll_size < statutes.proxy_small_roll_threshold:
        return statutes.proxy_limit_small_roll
    share = floor(statutes.ratio("proxy_limit_fraction") * roll_size)
    return max(statutes.proxy_limit_minimum, share)


def quorum_required(
    *, statutes: Statutes, kind: AssemblyKind | str, convocation: Convocation | str
) -> Fraction:
    """RULES 12: the share of the roll that must take part (0 when there is no quorum)."""
    kind, convocation = AssemblyKind(kind), Convocation(convocation)
    return statutes.ratio(f"quorum_{kind.value}_{convocation.value}")


def majority_required(*, statutes: Statutes, kind: AssemblyKind | str) -> MajorityRule:
    """RULES 13: the majority of the votes expressed a resolution needs to pass."""
    kind = AssemblyKind(kind)
    return MajorityRule(
        threshold=statutes.ratio(f"majority_{kind.value}"),
        strict=bool(getattr(statutes, f"majority_{kind.value}_strict")),
    )


# --- Validation ------------------------------------------------------------------------------


class _Errors:
    """Collects per-field errors, then raises them together as one ValidationError."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[ValidationError]] = {}

    def add(self, field_name: str, message: Any, code: str, **params: Any) -> None:
        error = ValidationError(message, code=code, params=params or None)
        self.by_field.setdefault(field_name, []).append(error)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def _fractions(values: Mapping[str, Any], errors: _Errors) -> dict[str, Fraction]:
    """Parse the fraction fields present in `values`; an unreadable one becomes a field error."""
    parsed: dict[str, Fraction] = {}
    for name in Statutes.FRACTION_FIELDS:
        raw = values.get(name)
        if raw is None or raw == "":
            continue
        try:
            parsed[name] = parse_fraction(raw)
        except ValidationError as exc:
            for error in exc.error_list:
                errors.by_field.setdefault(name, []).append(error)
    return parsed


def _present(values: Mapping[str, Any], name: str) -> Any | None:
    value = values.get(name)
    return None if value == "" else value


def _check_notice(values: Mapping[str, Any], errors: _Errors) -> None:
    """RULES 11: legal minimum notice periods, and a sanity maximum."""
    for name, minimum, message in (
        (
            "notice_days_first",
            NOTICE_DAYS_FIRST_MIN,
            _(
                "Notice period, first convocation: at least %(limit)s days before the "
                "meeting, the legal minimum."
            ),
        ),
        (
            "notice_days_second",
            NOTICE_DAYS_SECOND_MIN,
            _(
                "Notice period, second convocation: at least %(limit)s days before the "
                "meeting, the legal minimum."
            ),
        ),
    ):
        days = _present(values, name)
        if days is None:
            continue
        if days < minimum:
            errors.add(name, message, "notice_below_minimum", limit=minimum)
        elif days > NOTICE_DAYS_MAX:
            errors.add(
                name,
                _("Notice period: at most %(limit)s days; a longer notice is surely a mistake."),
                "notice_above_maximum",
                limit=NOTICE_DAYS_MAX,
            )


def _check_quorums(fractions: Mapping[str, Fraction], errors: _Errors) -> None:
    """RULES 12: a share of the roll; never stricter on second convocation than on first."""
    for kind in AssemblyKind:
        first_name = f"quorum_{kind.value}_first"
        second_name = f"quorum_{kind.value}_second"
        for name in (first_name, second_name):
            if name in fractions and not 0 <= fractions[name] <= 1:
                errors.add(
                    name,
                    _("Quorum: a share of the roll between 0 (no quorum) and 1."),
                    "quorum_out_of_range",
                )
        first, second = fractions.get(first_name), fractions.get(second_name)
        if first is not None and second is not None and 0 <= first < second <= 1:
            errors.add(
                second_name,
                _(
                    "Quorum on second convocation: it cannot be higher than the quorum on "
                    "first convocation (%(first)s)."
                ),
                "quorum_second_above_first",
                first=fraction_text(first),
            )


def _check_majorities(
    values: Mapping[str, Any], fractions: Mapping[str, Fraction], errors: _Errors
) -> None:
    """RULES 13: between 1/2 and 1; exactly 1/2 only strictly; extraordinary >= ordinary."""
    rules: dict[AssemblyKind, MajorityRule] = {}
    for kind in AssemblyKind:
        name = f"majority_{kind.value}"
        if name not in fractions:
            continue
        threshold = fractions[name]
        if threshold < Fraction(1, 2):
            errors.add(
                name, _("Majority: at least 1/2 of the votes expressed."), "majority_below_half"
            )
            continue
        if threshold > 1:
            errors.add(
                name, _("Majority: at most 1 (all the votes expressed)."), "majority_above_one"
            )
            continue
        strict_name = f"majority_{kind.value}_strict"
        if strict_name not in values:
            continue
        strict = bool(values[strict_name])
        if threshold == Fraction(1, 2) and not strict:
            errors.add(
                name,
                _(
                    "Majority of exactly 1/2: it must be strictly exceeded (tick “must be "
                    "strictly exceeded”), otherwise a tie would pass."
                ),
                "majority_half_not_strict",
            )
        elif threshold == 1 and strict:
            errors.add(
                name,
                _(
                    "Majority of 1 (all the votes expressed) cannot be strictly exceeded: "
                    "untick “must be strictly exceeded”."
                ),
                "majority_one_strict",
            )
        else:
            rules[kind] = MajorityRule(threshold=threshold, strict=strict)
    ordinary = rules.get(AssemblyKind.ORDINARY)
    extraordinary = rules.get(AssemblyKind.EXTRAORDINARY)
    if ordinary is not None and extraordinary is not None:
        weaker = extraordinary.threshold < ordinary.threshold or (
            extraordinary.threshold == ordinary.threshold
            and ordinary.strict
            and not extraordinary.strict
        )
        if weaker:
            errors.add(
                "majority_extraordinary",
                _(
                    "Majority, extraordinary assembly: it cannot be lower than the majority "
                    "of an ordinary assembly (%(ordinary)s)."
                ),
                "majority_extraordinary_below_ordinary",
                ordinary=fraction_text(ordinary.threshold),
            )


def _check_proxies(
    values: Mapping[str, Any], fractions: Mapping[str, Fraction], errors: _Errors
) -> None:
    """RULES 14: at least one proxy; a share of the roll in (0, 1]; a threshold of 1 or more."""
    for name in ("proxy_limit_small_roll", "proxy_limit_minimum"):
        count = _present(values, name)
        if count is not None and count < 1:
            errors.add(
                name,
                _("Proxies: a holder may always hold at least %(limit)s proxy."),
                "proxy_limit_below_one",
                limit=1,
            )
    share = fractions.get("proxy_limit_fraction")
    if share is not None and not 0 < share <= 1:
        errors.add(
            "proxy_limit_fraction",
            _("Proxies as a share of the roll: more than 0 and at most 1."),
            "proxy_fraction_out_of_range",
        )
    threshold = _present(values, "proxy_small_roll_threshold")
    if threshold is not None and threshold < 1:
        errors.add(
            "proxy_small_roll_threshold",
            _("Proxies: the size of a small roll is at least %(limit)s member."),
            "proxy_threshold_below_one",
            limit=1,
        )


def _check_capital(
    values: Mapping[str, Any], fractions: Mapping[str, Fraction], errors: _Errors
) -> None:
    """RULES 2, 19, 20, 21, 22."""
    floor_ = fractions.get("capital_floor")
    if floor_ is not None and not CAPITAL_FLOOR_MIN <= floor_ <= 1:
        errors.add(
            "capital_floor",
            _(
                "Capital floor: between %(limit)s of the highest capital ever reached (the "
                "legal minimum) and 1."
            ),
            "capital_floor_out_of_range",
            limit=fraction_text(CAPITAL_FLOOR_MIN),
        )
    paying_up = fractions.get("paying_up_minimum")
    if paying_up is not None and not PAYING_UP_MINIMUM_MIN <= paying_up <= 1:
        errors.add(
            "paying_up_minimum",
            _(
                "Paid when subscribing: between %(limit)s of the subscription (the legal "
                "minimum) and 1."
            ),
            "paying_up_minimum_out_of_range",
            limit=fraction_text(PAYING_UP_MINIMUM_MIN),
        )
    cap = fractions.get("public_bodies_capital_cap")
    if cap is not None and not 0 < cap <= PUBLIC_BODIES_CAP_MAX:
        errors.add(
            "public_bodies_capital_cap",
            _(
                "Capital held by public bodies: more than 0 and at most %(limit)s of the "
                "capital (the legal maximum)."
            ),
            "public_bodies_cap_out_of_range",
            limit=fraction_text(PUBLIC_BODIES_CAP_MAX),
        )
    for name, limit, message in (
        (
            "paying_up_delay_years",
            PAYING_UP_DELAY_MAX_YEARS,
            _(
                "Delay to pay the rest of a subscription: between 0 and %(limit)s years, "
                "the legal maximum."
            ),
        ),
        (
            "repayment_delay_years",
            REPAYMENT_DELAY_MAX_YEARS,
            _("Repayment delay after exit: between 0 and %(limit)s years."),
        ),
    ):
        years = _present(values, name)
        if years is not None and not 0 <= years <= limit:
            errors.add(name, message, "delay_out_of_range", limit=limit)
    nominal = _present(values, "nominal_share_value")
    if nominal is not None and nominal <= 0:
        errors.add(
            "nominal_share_value",
            _("Nominal value of a share: more than 0 €."),
            "nominal_value_not_positive",
        )


def _check_financial_year(values: Mapping[str, Any], errors: _Errors) -> None:
    month, day = (
        _present(values, "financial_year_end_month"),
        _present(values, "financial_year_end_day"),
    )
    if month is None or day is None or not 1 <= month <= 12:
        return
    days_in_month = calendar.monthrange(2023, month)[1]  # a common year: no 29 February
    if not 1 <= day <= days_in_month:
        errors.add(
            "financial_year_end_day",
            _("Financial year end: this month has %(limit)s days."),
            "financial_year_end_day_invalid",
            limit=days_in_month,
        )


def statutes_validate(values: Mapping[str, Any]) -> None:
    """Check a version's parameters against docs/rules.md; raise a ValidationError by field.

    Only the fields present in `values` are checked, so that a form can pass the fields it
    could read. Fractions may be given as text ("1/5") or as Fraction.
    """
    errors = _Errors()
    fractions = _fractions(values, errors)
    _check_notice(values, errors)
    _check_quorums(fractions, errors)
    _check_majorities(values, fractions, errors)
    _check_proxies(values, fractions, errors)
    _check_capital(values, fractions, errors)
    _check_financial_year(values, errors)
    errors.raise_if_any()


def college_weights_validate(
    weights: Sequence[Fraction | Decimal], *, names: Sequence[str] | None = None
) -> None:
    """RULES 7: at least 3 colleges, each with 10 % to 50 % of the votes, 100 % in all.

    Weights are percentages (Decimal("33.34"), Fraction(100, 3)), compared exactly. `names`,
    when given, name the colleges in the messages. Raises a ValidationError listing every
    problem.
    """
    problems: list[ValidationError] = []
    exact: list[Fraction] = []
    for position, weight in enumerate(weights, start=1):
        label = names[position - 1] if names is not None else str(position)
        if isinstance(weight, bool) or not isinstance(weight, Fraction | Decimal | int):
            raise TypeError(f"a college weight must be a Fraction or a Decimal, not {weight!r}")
        if isinstance(weight, Decimal) and not weight.is_finite():
            problems.append(
                ValidationError(
                    _("College %(college)s: its weight is not a number."),
                    code="college_weight_invalid",
                    params={"college": label},
                )
            )
            continue
        value = Fraction(weight)
        exact.append(value)
        if not COLLEGE_WEIGHT_MIN <= value <= COLLEGE_WEIGHT_MAX:
            problems.append(
                ValidationError(
                    _(
                        "College %(college)s holds %(weight)s of the votes: each college "
                        "must hold between %(min)s and %(max)s."
                    ),
                    code="college_weight_out_of_range",
                    params={
                        "college": label,
                        "weight": _percent_text(value),
                        "min": _percent_text(COLLEGE_WEIGHT_MIN),
                        "max": _percent_text(COLLEGE_WEIGHT_MAX),
                    },
                )
            )
    if len(weights) < COLLEGES_MIN:
        problems.insert(
            0,
            ValidationError(
                _("At least %(min)s colleges are required; there are %(count)s."),
                code="colleges_too_few",
                params={"min": COLLEGES_MIN, "count": len(weights)},
            ),
        )
    if len(exact) == len(weights) and sum(exact, Fraction(0)) != COLLEGE_WEIGHTS_TOTAL:
        problems.append(
            ValidationError(
                _(
                    "The weights of the colleges must add up to exactly %(total)s; they "
                    "add up to %(sum)s."
                ),
                code="college_weights_total",
                params={
                    "total": _percent_text(COLLEGE_WEIGHTS_TOTAL),
                    "sum": _percent_text(sum(exact, Fraction(0))),
                },
            )
        )
    if problems:
        raise ValidationError(problems)


def fraction_text(value: Fraction) -> str:
    """A fraction as people write it in statutes: "1/4", "0", "1"."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def _percent_text(value: Fraction) -> str:
    """A weight (in points) as a percentage in the reader's language: exact when it has at
    most 4 decimals ("40 %", "33,3333 %"), else rounded and marked ("≈ 33,3333 %")."""
    text = percent_points(Decimal(value.numerator) / Decimal(value.denominator), places=4)
    return text if (value * 10_000).denominator == 1 else f"≈ {text}"
