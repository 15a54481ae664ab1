"""Template filters for amounts, percentages and numbers in the reader's language.

{% load formatting %}
{{ balance.paid|money }}           1 750,00 €      €1,750.00
{{ result.for_share|percent }}     66,67 %         66.67%      (a ratio or a Fraction)
{{ college.weight|percent_points }} 40 %           40%         (already in percent)
{{ report.count|number }}          1 750           1,750
{{ assembly.starts_at|clock }}     18 h 00         18:00       (a time of day in a sentence)
"""

import datetime as dt

from django import template

from coop import formatting

register = template.Library()


def _blank(value: object) -> bool:
    return value is None or value == ""


@register.filter
def money(value: object) -> str:
    return "" if _blank(value) else formatting.money(value)  # type: ignore[arg-type]


@register.filter
def percent(value: object, places: int = 2) -> str:
    return "" if _blank(value) else formatting.percent(value, places=int(places))  # type: ignore[arg-type]


@register.filter
def percent_points(value: object, places: int = 2) -> str:
    if _blank(value):
        return ""
    return formatting.percent_points(value, places=int(places))  # type: ignore[arg-type]


@register.filter
def number(value: object, places: int = 0) -> str:
    return "" if _blank(value) else formatting.number(value, places=int(places))  # type: ignore[arg-type]


@register.filter
def amount(value: object) -> str:
    """Two decimals, no currency sign: for a table column headed "(€)"."""
    return "" if _blank(value) else formatting.amount(value)  # type: ignore[arg-type]


@register.filter
def fraction(value: object) -> str:
    """An exact fraction ("6/25" or a Fraction) with its percentage: "6/25 (24 %)"."""
    if _blank(value):
        return ""
    try:
        return formatting.fraction_with_percent(value)  # type: ignore[arg-type]
    except (ValueError, ZeroDivisionError):
        return str(value)


@register.filter(expects_localtime=True)
def clock(value: object) -> str:
    """A time of day in a sentence, in the page's time zone: "18 h 00" / "18:00"."""
    if not isinstance(value, dt.time | dt.datetime):
        return ""
    return formatting.clock(value)
