"""Exact fractions for statutory ratios (quorum, majority, floor): stored as text like "1/5"."""

import re
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FRACTION_RE = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{1,6})\s*$")


def parse_fraction(value: str | Fraction) -> Fraction:
    """Parse "1/5" (or "0", "1") into an exact Fraction; raise ValidationError otherwise."""
    if isinstance(value, Fraction):
        return value
    text = str(value).strip()
    match = _FRACTION_RE.match(text)
    if match:
        numerator, denominator = int(match.group(1)), int(match.group(2))
        if denominator == 0:
            raise ValidationError(_("A fraction cannot have 0 as denominator."), code="zero")
        return Fraction(numerator, denominator)
    if re.fullmatch(r"\d{1,6}", text):
        return Fraction(int(text))
    raise ValidationError(
        _("Enter a fraction such as 1/5 (a whole number over another)."), code="invalid"
    )


def validate_unit_fraction(value: str) -> None:
    """A ratio between 0 and 1 inclusive."""
    fraction = parse_fraction(value)
    if fraction > 1:
        raise ValidationError(_("This ratio cannot be more than 1 (100 %)."), code="above_one")


def format_fraction(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def percent(value: Fraction) -> str:
    """A human percentage with two decimals, for display only (never for decisions)."""
    return f"{float(value) * 100:.2f} %"
