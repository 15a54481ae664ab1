"""Business days and the written questions' deadline (RULES 35): Monday to Friday, French
public holidays (fixed and Easter-based) excepted; the deadline is the end of the Nth business
day before the meeting's day, in Paris time."""

import datetime as dt

import pytest

from governance.business_days import (
    business_days_before,
    easter_sunday,
    french_public_holidays,
    is_business_day,
    written_questions_closing,
    written_questions_last_day,
)
from tests.governance.factories import PARIS


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2024, dt.date(2024, 3, 31)),
        (2025, dt.date(2025, 4, 20)),
        (2026, dt.date(2026, 4, 5)),
        (2027, dt.date(2027, 3, 28)),
        (2285, dt.date(2285, 3, 22)),  # the earliest possible date
        (2038, dt.date(2038, 4, 25)),  # the latest possible date
    ],
)
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter
    assert easter.weekday() == 6


def test_the_eleven_public_holidays_of_2026():
    assert sorted(french_public_holidays(2026)) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 6),  # lundi de Pâques
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 8),
        dt.date(2026, 5, 14),  # Ascension
        dt.date(2026, 5, 25),  # lundi de Pentecôte
        dt.date(2026, 7, 14),
        dt.date(2026, 8, 15),
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 11),
        dt.date(2026, 12, 25),
    ]


@pytest.mark.parametrize(
    ("day", "business"),
    [
        (dt.date(2026, 6, 8), True),  # a Monday
        (dt.date(2026, 6, 12), True),  # a Friday
        (dt.date(2026, 6, 13), False),  # a Saturday
        (dt.date(2026, 6, 14), False),  # a Sunday
        (dt.date(2026, 5, 14), False),  # Ascension, a Thursday
        (dt.date(2026, 4, 3), True),  # Good Friday: a holiday only in Alsace-Moselle
        (dt.date(2026, 12, 26), False),  # a Saturday anyway
        (dt.date(2025, 12, 26), True),  # Saint-Étienne, a Friday: Alsace-Moselle only
    ],
)
def test_is_business_day(day, business):
    assert is_business_day(day) is business


@pytest.mark.parametrize(
    ("meeting_day", "days", "last_day"),
    [
        # Friday: Thursday, Wednesday, Tuesday, Monday.
        (dt.date(2026, 6, 12), 4, dt.date(2026, 6, 8)),
        # Monday: the weekend before does not count.
        (dt.date(2026, 6, 15), 4, dt.date(2026, 6, 9)),
        # Saturday meeting: Friday is the first business day before it.
        (dt.date(2026, 6, 13), 4, dt.date(2026, 6, 9)),
        # Tuesday after Ascension (Thursday 14 May 2026): it is skipped.
        (dt.date(2026, 5, 19), 4, dt.date(2026, 5, 12)),
        # Tuesday after Whit Monday (25 May 2026) and a weekend.
        (dt.date(2026, 5, 26), 4, dt.date(2026, 5, 19)),
        # Monday after Armistice day (Wednesday 11 November 2026).
        (dt.date(2026, 11, 16), 4, dt.date(2026, 11, 9)),
        # Across New Year's Day and the year's end.
        (dt.date(2027, 1, 6), 4, dt.date(2026, 12, 30)),
        # Tuesday after Easter Monday: Good Friday counts as a business day.
        (dt.date(2026, 4, 7), 4, dt.date(2026, 3, 31)),
        # Other statutes: one business day; none (until the meeting itself).
        (dt.date(2026, 6, 15), 1, dt.date(2026, 6, 12)),
        (dt.date(2026, 6, 15), 0, dt.date(2026, 6, 15)),
    ],
)
def test_written_questions_last_day(meeting_day, days, last_day):
    assert written_questions_last_day(meeting_day=meeting_day, business_days=days) == last_day
    assert business_days_before(meeting_day, days) == last_day


def test_the_deadline_is_midnight_at_the_end_of_the_last_day_in_paris():
    meeting = dt.datetime(2026, 6, 12, 18, 0, tzinfo=PARIS)
    closing = written_questions_closing(starts_at=meeting, business_days=4)
    assert closing == dt.datetime(2026, 6, 9, 0, 0, tzinfo=PARIS)
    # Given in UTC, the meeting's day is still the Paris one.
    late_utc = dt.datetime(2026, 6, 11, 22, 30, tzinfo=dt.UTC)  # 12 June, 00:30 in Paris
    assert written_questions_closing(starts_at=late_utc, business_days=4) == closing


def test_no_business_day_means_until_the_meeting_starts():
    meeting = dt.datetime(2026, 6, 12, 18, 0, tzinfo=PARIS)
    assert written_questions_closing(starts_at=meeting, business_days=0) == meeting
