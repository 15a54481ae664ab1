"""Amounts, percentages, numbers and plurals as each language writes them (coop.formatting)."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext

from coop import formatting

NNBSP = "\u202f"  # narrow no-break space: French thousands
NBSP = "\u00a0"  # no-break space: before "€" and "%" in French


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("fr", Decimal("1750"), f"1{NNBSP}750,00{NBSP}€"),
        ("en", Decimal("1750"), "€1,750.00"),
        ("fr", Decimal("0.5"), f"0,50{NBSP}€"),
        ("en", Decimal("1234567.891"), "€1,234,567.89"),
        ("fr", Fraction(1, 3), f"0,33{NBSP}€"),
        ("fr", Decimal("-25"), f"-25,00{NBSP}€"),
        ("en", "20.00", "€20.00"),
    ],
)
def test_money(language: str, value: object, expected: str) -> None:
    assert formatting.money(value, language=language) == expected


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("fr", Fraction(2, 5), f"40{NBSP}%"),
        ("en", Fraction(2, 5), "40%"),
        ("fr", Fraction(2, 3), f"66,67{NBSP}%"),
        ("en", Fraction(2, 3), "66.67%"),
        ("fr", Decimal("1"), f"100{NBSP}%"),
        ("en", Decimal("0.125"), "12.5%"),
        ("fr", 0, f"0{NBSP}%"),
    ],
)
def test_percent(language: str, value: object, expected: str) -> None:
    assert formatting.percent(value, language=language) == expected


def test_percent_points_takes_a_value_already_in_percent() -> None:
    assert formatting.percent_points(40, language="fr") == f"40{NBSP}%"
    assert formatting.percent_points(Decimal("12.5"), language="en") == "12.5%"
    assert formatting.percent_points(Decimal("33.3"), places=0, language="en") == "33%"


def test_fraction_keeps_the_exact_value_and_adds_its_percentage() -> None:
    assert formatting.fraction_with_percent("6/25", language="fr") == f"6/25 (24{NBSP}%)"
    assert formatting.fraction_with_percent(Fraction(2, 3), language="en") == "2/3 (66.67%)"
    assert formatting.fraction_with_percent("1", language="en") == "1 (100%)"


@pytest.mark.parametrize(
    ("language", "value", "places", "expected"),
    [
        ("fr", 1750, 0, f"1{NNBSP}750"),
        ("en", 1750, 0, "1,750"),
        ("fr", Decimal("1750.5"), 2, f"1{NNBSP}750,5"),
        ("en", Decimal("1750.5"), 2, "1,750.5"),
    ],
)
def test_number(language: str, value: object, places: int, expected: str) -> None:
    assert formatting.number(value, places=places, language=language) == expected


def test_amount_has_two_decimals_and_no_currency_sign() -> None:
    assert formatting.amount(Decimal("1750.5"), language="fr") == f"1{NNBSP}750,50"
    assert formatting.amount(Decimal("1750.5"), language="en") == "1,750.50"


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("fr", Decimal("1750"), "1750,00"),
        ("en", Decimal("1750"), "1750.00"),
        ("fr", Decimal("-0.5"), "-0,50"),
        ("fr", None, ""),
    ],
)
def test_csv_decimal_has_the_decimal_mark_and_no_grouping(
    language: str, value: object, expected: str
) -> None:
    assert formatting.csv_decimal(value, language=language) == expected


def test_the_active_language_is_the_default() -> None:
    with translation.override("fr"):
        assert formatting.money(20) == f"20,00{NBSP}€"
    with translation.override("en"):
        assert formatting.money(20) == "€20.00"


def test_template_filters_in_both_languages() -> None:
    template = Template(
        "{% load formatting %}{{ paid|money }}|{{ share|percent }}|{{ weight|percent_points }}"
        "|{{ count|number }}|{{ cell|amount }}|{{ ratio|fraction }}|{{ missing|money }}"
    )
    context = Context(
        {
            "paid": Decimal("1750"),
            "share": Fraction(2, 5),
            "weight": 40,
            "count": 12000,
            "cell": Decimal("20"),
            "ratio": "2/3",
            "missing": None,
        }
    )
    with translation.override("fr"):
        assert template.render(context) == (
            f"1{NNBSP}750,00{NBSP}€|40{NBSP}%|40{NBSP}%|12{NNBSP}000|20,00|2/3 (66,67{NBSP}%)|"
        )
    with translation.override("en"):
        assert template.render(context) == "€1,750.00|40%|40%|12,000|20.00|2/3 (66.67%)|"


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("fr", 0, "Total : 0 part, 0,00\u00a0€."),
        ("fr", 1, "Total : 1 part, 20,00\u00a0€."),
        ("fr", 2, "Total : 2 parts, 40,00\u00a0€."),
        ("en", 1, "Total: 1 share, €20.00."),
        ("en", 2, "Total: 2 shares, €40.00."),
    ],
)
def test_plurals_of_shares(language: str, count: int, expected: str) -> None:
    """French puts 0 and 1 in the singular, English only 1 (the catalogue's plural forms)."""
    with translation.override(language):
        text = ngettext(
            "Total: %(shares)s share, %(amount)s.", "Total: %(shares)s shares, %(amount)s.", count
        ) % {"shares": count, "amount": formatting.money(20 * count)}
    assert text == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Olympe", "La question d\u2019Olympe est enregistrée."),
        ("Émile", "La question d\u2019Émile est enregistrée."),
        ("Marcel", "La question de Marcel est enregistrée."),
    ],
)
def test_french_elides_de_before_a_name_starting_with_a_vowel(name: str, expected: str) -> None:
    message = "La question de %(name)s est enregistrée."
    assert formatting.interpolate(message, {"name": name}, language="fr") == expected


def test_other_languages_and_other_words_are_filled_in_as_they_are() -> None:
    message = "The question of %(name)s is recorded."
    assert formatting.interpolate(message, {"name": "Olympe"}, language="en") == (
        "The question of Olympe is recorded."
    )
    # "de" ending another word stays as it is.
    assert formatting.interpolate("Mode %(name)s", {"name": "Olympe"}, language="fr") == (
        "Mode Olympe"
    )


def test_a_lazy_message_is_filled_in_the_active_language() -> None:
    with translation.override("fr"):
        text = formatting.interpolate(
            gettext_lazy("Representative of %(name)s"), {"name": "Association Olympe"}
        )
    assert text == "Représentant d\u2019Association Olympe"
