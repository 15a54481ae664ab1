"""Business days (jours ouvrés) and the deadline of the written questions (RULES 35).

A business day is a day from Monday to Friday that is not a French public holiday (Code du
travail, L3133-1): the eight fixed holidays and the three that follow Easter (Easter Monday,
Ascension Thursday, Whit Monday). The two holidays kept only in Alsace and Moselle (Good Friday
and 26 December) are not counted.

The questions are accepted until the end of the Nth business day before the day of the
meeting (by default the 4th): for a meeting on Friday 12 June 2026 the 4th business day before
is Monday 8 June, so the last question is accepted on Monday 8 June at 23:59 (Paris time).
"""

import datetime as dt
import zoneinfo
from functools import cache

from django.conf import settings

PARIS = zoneinfo.ZoneInfo(settings.TIME_ZONE)

# Month and day of the holidays that fall on the same date every year.
FIXED_HOLIDAYS = (
    (1, 1),  # jour de l'an
    (5, 1),  # fête du Travail
    (5, 8),  # victoire 1945
    (7, 14),  # fête nationale
    (8, 15),  # Assomption
    (11, 1),  # Toussaint
    (11, 11),  # armistice 1918
    (12, 25),  # Noël
)
# Days after Easter Sunday of the holidays that move with it.
EASTER_HOLIDAYS = (1, 39, 50)  # lundi de Pâques, Ascension, lundi de Pentecôte

DEFAULT_WRITTEN_QUESTIONS_BUSINESS_DAYS = 4


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@cache
def french_public_holidays(year: int) -> frozenset[dt.date]:
    easter = easter_sunday(year)
    return frozenset(
        [dt.date(year, month, day) for month, day in FIXED_HOLIDAYS]
        + [easter + dt.timedelta(days=days) for days in EASTER_HOLIDAYS]
    )


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in french_public_holidays(day.year)


def business_days_before(day: dt.date, count: int) -> dt.date:
    """The `count`th business day before `day` (`day` itself not counted); `day` for 0."""
    current = day
    remaining = count
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def written_questions_last_day(*, meeting_day: dt.date, business_days: int) -> dt.date:
    """The last day on which a written question is accepted."""
    return business_days_before(meeting_day, business_days)


def written_questions_closing(*, starts_at: dt.datetime, business_days: int) -> dt.datetime:
    """The moment written questions stop being accepted: midnight at the end of the last day
    (Paris time), never after the meeting starts. A question is accepted strictly before it."""
    meeting_day = starts_at.astimezone(PARIS).date()
    last_day = written_questions_last_day(meeting_day=meeting_day, business_days=business_days)
    closing = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(0), tzinfo=PARIS)
    return min(closing, starts_at)
