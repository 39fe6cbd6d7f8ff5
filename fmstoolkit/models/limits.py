"""The bounds of what a manager may type, in one place (the README's "Limits on input" lists
them): dates within a window around today, mission lengths, daily rates, record ids, the size of
a CSV cell. Past a bound the input is refused with a sentence naming the field, instead of being
stored (a mission in 2019, a 100,000-day extension) or crashing later (``9999-12-31`` plus a few
days overflows Python's dates; an id past 2**63 overflows SQLite's integers).

They live in their own module because both the field types of :mod:`.base` and the checks of
:mod:`.validation` use them; :mod:`.validation` re-exports them.
"""

from __future__ import annotations

import datetime as dt

from .. import clock
from ..errors import InvalidInput, Problem
from ..i18n import N_

#: Dates typed for requests, missions (new, moved, extended) and unavailability: from this many
#: years before today...
PAST_YEARS = 2
#: ...to this many years after.
FUTURE_YEARS = 3
#: A mission (or a request) lasts at most this many working days: about two years.
MAX_MISSION_DAYS = 450
#: Daily rates (TJM) in whole euros, from...
MIN_DAILY_RATE = 50
#: ...to.
MAX_DAILY_RATE = 5_000
#: Dates of a query (a report, a schedule window): far enough for any report, far from the ends
#: of Python's calendar (``9999-12-31`` plus a month overflows).
EARLIEST_DAY = dt.date(1970, 1, 1)
LATEST_DAY = dt.date(2199, 12, 31)
#: The largest record id (SQLite's INTEGER is 64-bit signed).
MAX_ID = 2**63 - 1
#: The longest cell of an imported CSV file, in characters (the standard library's default is
#: 131,072; a long text pasted in a spreadsheet cell may pass it). Longer: refused with the line.
MAX_CSV_CELL = 1_048_576

#: The sentences (msgids): a problem of a form, and the error a single value raises.
OUTSIDE_WINDOW = N_("the date {day} is too far from today: give a date from {first} to {last}")
OUTSIDE_WINDOW_ERROR = N_(
    "The date {day} ({where}) is too far from today: give a date from {first} to {last}."
)
TOO_LONG = N_("A mission lasts at most {max} working days (about two years).")
NOT_AN_ID = N_("'{value}' is not a record number: give a whole number from 1 to {max}.")


def date_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day a typed date may name (around ``today``, default the agency's)."""
    today = today or clock.today()

    def years_from(n: int) -> dt.date:
        try:
            return today.replace(year=today.year + n)
        except ValueError:  # 29 February
            return today.replace(year=today.year + n, day=28)

    return years_from(-PAST_YEARS), years_from(FUTURE_YEARS)


def day_problem(day: dt.date, field: str, *, today: dt.date | None = None) -> Problem | None:
    """The problem with ``day`` typed in ``field`` when it is outside :func:`date_window`."""
    first, last = date_window(today)
    if first <= day <= last:
        return None
    return Problem(OUTSIDE_WINDOW, field=field,
                   params={"day": day.isoformat(), "first": first.isoformat(),
                           "last": last.isoformat()})  # fmt: skip


def check_day(day: dt.date, field: str, *, today: dt.date | None = None) -> dt.date:
    """``day`` when it is inside :func:`date_window`; InvalidInput naming ``field`` otherwise."""
    problem = day_problem(day, field, today=today)
    if problem:
        raise InvalidInput(OUTSIDE_WINDOW_ERROR, field=field, where=field, **problem.params)
    return day


def check_mission_days(days: int, field: str = "days") -> int:
    """``days`` when a mission may last that many working days; InvalidInput otherwise."""
    if days > MAX_MISSION_DAYS:
        raise InvalidInput(TOO_LONG, field=field, max=MAX_MISSION_DAYS)
    return days


def check_id(value: object, field: str = "id") -> int:
    """``value`` as a record id (1 to :data:`MAX_ID`); InvalidInput naming ``field`` otherwise."""
    try:
        number = int(str(value).strip())
    except ValueError:
        number = 0
    if isinstance(value, bool) or not 1 <= number <= MAX_ID:
        raise InvalidInput(NOT_AN_ID, field=field, value=value, max=MAX_ID)
    return number
