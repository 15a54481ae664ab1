"""Numbers, money and percentages written the way the reader's language writes them.

Babel holds the rules of each language (CLDR): French writes "1 750,00 €" and "40 %" (with
no-break spaces, a narrow one between thousands), English "€1,750.00" and "40%". Every page,
e-mail, PDF and CSV that shows an amount, a share of a whole or a count goes through here, in
the language active at the time (the reader's), or the one passed explicitly.

Display only: decisions (quorum, majority, floor) are taken on exact values, never on these
strings.
"""

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from babel import Locale
from babel.numbers import format_currency, format_decimal, format_percent
from django.conf import settings
from django.utils.formats import time_format
from django.utils.functional import Promise
from django.utils.translation import get_language, override, to_locale

Number = int | Decimal | Fraction | float

CURRENCY = "EUR"


def _locale(language: str | None) -> Locale:
    code = language or get_language() or settings.LANGUAGE_CODE
    try:
        return Locale.parse(to_locale(code))
    except (ValueError, TypeError):
        return Locale.parse(to_locale(settings.LANGUAGE_CODE))


def _decimal(value: Number | str) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def money(value: Number | str, *, language: str | None = None) -> str:
    """An amount in euros with its two decimals: "1 750,00 €" / "€1,750.00"."""
    return format_currency(_decimal(value), CURRENCY, locale=_locale(language))


def number(value: Number | str, *, places: int = 0, language: str | None = None) -> str:
    """A number with the language's grouping and decimal mark, up to `places` decimals."""
    locale = _locale(language)
    pattern = locale.decimal_formats[None].pattern.split(";")[0]
    if places:
        pattern = pattern.split(".")[0] + "." + "#" * places
    return format_decimal(_decimal(value), format=pattern, locale=locale)


def percent(value: Number | str, *, places: int = 2, language: str | None = None) -> str:
    """A ratio (0.4, Fraction(2, 5)) as a percentage: "40 %" / "40%", "66,67 %" for 2/3.

    Up to `places` decimals, trailing zeros left out: a whole percentage reads as one.
    """
    locale = _locale(language)
    pattern = locale.percent_formats[None].pattern.split(";")[0]
    if places:
        integer_end = pattern.rindex("0") + 1
        pattern = pattern[:integer_end] + "." + "#" * places + pattern[integer_end:]
    return format_percent(_decimal(value), format=pattern, locale=locale)


def percent_points(value: Number | str, *, places: int = 2, language: str | None = None) -> str:
    """A number already counted in percent (a college's weight of 40) as "40 %" / "40%"."""
    return percent(_decimal(value) / 100, places=places, language=language)


def csv_decimal(value: Number | str | None, *, places: int = 2, language: str | None = None) -> str:
    """A decimal for a spreadsheet: the language's decimal mark, no grouping ("1750,00").

    French spreadsheets read "1750,00" as a number in a ";"-separated file; English ones
    "1750.00" in a ","-separated one. Empty for a missing value.
    """
    if value is None or value == "":
        return ""
    locale = _locale(language)
    quantum = Decimal(1).scaleb(-places)
    amount = _decimal(value).quantize(quantum)
    text = format(amount, "f")
    return text.replace(".", locale.number_symbols["latn"]["decimal"])


def amount(value: Number | str, *, language: str | None = None) -> str:
    """An amount with exactly two decimals and no currency sign, for a column headed "(€)"."""
    locale = _locale(language)
    pattern = locale.decimal_formats[None].pattern.split(";")[0].split(".")[0] + ".00"
    return format_decimal(_decimal(value), format=pattern, locale=locale)


def fraction_with_percent(value: Fraction | str, *, language: str | None = None) -> str:
    """An exact fraction with its percentage beside it: "6/25 (24 %)", "2/3 (66.67%)".

    Accepts a Fraction or its stored text ("6/25", "1"); the fraction is written as stored,
    the percentage only helps reading.
    """
    exact = value if isinstance(value, Fraction) else Fraction(str(value).strip())
    text = f"{exact.numerator}/{exact.denominator}" if exact.denominator != 1 else str(exact)
    return f"{text} ({percent(exact, language=language)})"


def clock(value: dt.time | dt.datetime, *, language: str | None = None) -> str:
    """A time of day in a sentence: "18 h 00" in French (its TIME_FORMAT, coop/formats/fr),
    "18:00" in the other languages.

    A datetime is written as it is: convert it to the reader's time zone first
    (`timezone.localtime`); the template filter of the same name does it.
    """
    code = language or get_language() or settings.LANGUAGE_CODE
    with override(code):
        return time_format(value, "TIME_FORMAT" if code.split("-")[0] == "fr" else "H:i")


# French elides "de", "le", "la", "que"... before a vowel or a mute h: "la question d'Olympe",
# never "de Olympe". The catalogue's own words are elided already; a name or a title put in
# a message is not known in advance, so the elision is made when the message is filled in.
APOSTROPHE = "\u2019"  # the typographic apostrophe the French catalogue uses
_ELIDABLE = re.compile(r"\b(de|De|que|Que|le|Le|la|La|je|Je|ne|Ne) %\((\w+)\)s")
# A "y" before a vowel sounds as a consonant ("de Yann", "de Yolande"), before a consonant as
# a vowel ("d'Yves"). A name's "h" is left alone: mute or aspirated, it cannot be told.
_VOWELS = "AEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜaeiouàâäéèêëîïôöùûüœŒ"
_VOWEL_START = re.compile(rf"^(?:[{_VOWELS}]|[Yy](?![{_VOWELS}Yy]))")


def interpolate(
    message: str | Promise, values: Mapping[str, object], *, language: str | None = None
) -> str:
    """`message % values`, with French elision before the values that start with a vowel.

    "La question de %(name)s" with Olympe gives "La question d'Olympe" (with the typographic
    apostrophe); with Marcel, "La question de Marcel". Other languages are filled in as they
    are.
    """
    message = str(message)  # a lazy translation, in the language active now
    code = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if code == "fr":

        def elide(match: re.Match[str]) -> str:
            value = str(values.get(match.group(2), ""))
            if _VOWEL_START.match(value):
                return f"{match.group(1)[:-1]}{APOSTROPHE}%({match.group(2)})s"
            return match.group(0)

        message = _ELIDABLE.sub(elide, message)
    return message % values
