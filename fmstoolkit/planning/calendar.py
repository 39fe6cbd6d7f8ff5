"""Working days: weekends and public holidays skipped.

Holidays come from the ``holidays`` package (maintained, covers every French public holiday
including Easter Monday and Whit Monday, and other countries through the ``country`` setting)
instead of a hand-kept table; a country's calendar is built once and cached. Everything else
in planning counts days through these three functions, so a request, a mission and a schedule
always agree on what a working day is.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays as holidays_lib

from ..config import get_settings


@lru_cache(maxsize=8)
def _holidays(country: str) -> holidays_lib.HolidayBase:
    return holidays_lib.country_holidays(country)


def is_working_day(day: dt.date, country: str | None = None) -> bool:
    """True on a weekday that is not a public holiday of ``country`` (default: the setting)."""
    return day.weekday() < 5 and day not in _holidays(country or get_settings().country)


def working_days(start: dt.date, end: dt.date, country: str | None = None) -> list[dt.date]:
    """The working days from ``start`` to ``end``, both included."""
    days, day = [], start
    while day <= end:
        if is_working_day(day, country):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def working_period(
    start: dt.date, days: int, country: str | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day of ``days`` working days beginning on ``start`` or the next
    working day after it: ``working_period(monday, 5)`` is that Monday to Friday."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start
    while not is_working_day(day, country):
        day += dt.timedelta(days=1)
    first, count = day, 1
    while count < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, country):
            count += 1
    return first, day
