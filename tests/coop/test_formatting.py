"""Amounts, percentages, numbers and plurals as each language writes them (coop.formatting)."""

import datetime as dt
import zoneinfo
from decimal import Decimal
from fractions import Fraction

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext_lazy, ngettext

from coop import formatting

NNBSP = "\u202f"  # narrow no-break space: French thousands
NBSP = "\u00a0"  # no-break space: before "€" and "%" in French, around the "h" of "18 h 00"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


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
        ("Yves", "La question d\u2019Yves est enregistrée."),
        ("Yann", "La question de Yann est enregistrée."),
        ("Yolande", "La question de Yolande est enregistrée."),
    ],
)
def test_french_elides_de_before_a_name_starting_with_a_vowel(name: str, expected: str) -> None:
    message = "La question de %(name)s est enregistrée."
    assert formatting.interpolate(message, {"name": name}, language="fr") == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("La procuration que %(name)s avait donnée", "La procuration qu\u2019Olympe avait donnée"),
        ("Que %(name)s signe", "Qu\u2019Olympe signe"),
        ("Le pouvoir de %(name)s", "Le pouvoir d\u2019Olympe"),
        ("Le %(name)s ouvre à 9 h", "L\u2019Olympe ouvre à 9 h"),
    ],
)
def test_each_word_loses_only_its_last_letter(message: str, expected: str) -> None:
    assert formatting.interpolate(message, {"name": "Olympe"}, language="fr") == expected


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


# Date-times: French letters write "le 6 janvier 2027 à 18 h 00" (coop/formats/fr/formats.py).
MOMENT = dt.datetime(2027, 1, 6, 18, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("fr", "DATETIME_FORMAT", f"6 janvier 2027 à 18{NBSP}h{NBSP}00"),
        ("fr", "SHORT_DATETIME_FORMAT", f"06/01/2027 à 18{NBSP}h{NBSP}00"),
        ("fr", "DATE_FORMAT", "6 janvier 2027"),
        ("en", "DATETIME_FORMAT", "Jan. 6, 2027, 18:00"),
        ("en", "SHORT_DATETIME_FORMAT", "01/06/2027 18:00"),
        ("en", "TIME_FORMAT", "18:00"),
    ],
)
def test_date_times_join_the_time_with_a_in_french_only(
    language: str, name: str, expected: str
) -> None:
    with translation.override(language):
        assert date_format(MOMENT, name) == expected


def test_a_time_of_day_reads_in_hours_and_minutes_in_french() -> None:
    with translation.override("fr"):
        assert time_format(dt.time(9, 5), "TIME_FORMAT") == f"09{NBSP}h{NBSP}05"
    assert formatting.clock(dt.time(23, 59), language="fr") == f"23{NBSP}h{NBSP}59"
    assert formatting.clock(dt.time(23, 59), language="en") == "23:59"


def test_the_clock_filter_writes_the_time_in_the_page_s_time_zone() -> None:
    template = Template("{% load formatting %}{{ moment|clock }}")
    utc = MOMENT.astimezone(dt.UTC)  # 17:00 UTC is 18:00 in Paris in January
    with translation.override("fr"):
        assert template.render(Context({"moment": utc})) == f"18{NBSP}h{NBSP}00"
    with translation.override("en"):
        assert template.render(Context({"moment": utc})) == "18:00"
        assert template.render(Context({"moment": None})) == ""


# {% load elision %}: Django's blocktranslate, filled in with French elision.
ELIDING = Template(
    "{% load i18n elision %}"
    "{% blocktranslate with name=name %}Representative of {{ name }}{% endblocktranslate %}"
)


@pytest.mark.parametrize(
    ("language", "name", "expected"),
    [
        ("fr", "Olympe", "Représentant d\u2019Olympe"),
        ("fr", "Émile & fils", "Représentant d\u2019Émile &amp; fils"),
        ("fr", "Marcel", "Représentant de Marcel"),
        ("en", "Olympe", "Representative of Olympe"),
    ],
)
def test_the_eliding_blocktranslate_elides_before_a_vowel_in_french(
    language: str, name: str, expected: str
) -> None:
    with translation.override(language):
        assert ELIDING.render(Context({"name": name})) == expected


def test_django_s_blocktranslate_does_not_elide_and_the_eliding_one_keeps_plurals() -> None:
    plain = Template(
        "{% load i18n %}"
        "{% blocktranslate with name=name %}Representative of {{ name }}{% endblocktranslate %}"
    )
    counted = Template(
        "{% load i18n elision %}{% blocktranslate count counter=count %}{{ counter }} item"
        "{% plural %}{{ counter }} items{% endblocktranslate %}"
    )
    with translation.override("fr"):
        assert plain.render(Context({"name": "Olympe"})) == "Représentant de Olympe"
        assert counted.render(Context({"count": 1})) == "1 point"
        assert counted.render(Context({"count": 3})) == "3 points"


def test_a_members_exit_e_mail_elides_before_a_cooperative_name_with_a_vowel() -> None:
    """The members' templates fill their messages in with elision too (`{% load elision %}`):
    "de Atelier du Patrimoine" is written "d'Atelier du Patrimoine"; English is untouched."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    member = SimpleNamespace(status="resigned", exited_on=dt.date(2026, 3, 1), exit_ref="AG 2026")
    context = {
        "greeting_name": "Olympe",
        "member": member,
        "cooperative": "Atelier du Patrimoine",
        "repayment_delay_years": 5,
    }
    with translation.override("fr"):
        text = render_to_string("members/email/exit_message.txt", context)
    assert f"d{formatting.APOSTROPHE}Atelier du Patrimoine" in text
    assert "de Atelier" not in text
    with translation.override("en"):
        text = render_to_string("members/email/exit_message.txt", context)
    assert "from Atelier du Patrimoine" in text
