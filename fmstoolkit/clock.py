"""The one clock of fmstoolkit: what time it is, and which day it is for the agency.

Every writer, default date, notebook, calendar stamp and stored timestamp asks this module;
nothing else calls ``datetime.now()``, ``date.today()`` or SQLite's ``'now'``. That gives one
place for tests to freeze (they travel in time with ``time-machine``, which patches the
standard library underneath this module) and one format for every timestamp stored.

- ``now()``: the current instant, timezone-aware UTC, to the second.
- ``stamp(when=None)``: that instant as stored text, ``YYYY-MM-DD HH:MM:SS`` in UTC (the format
  of SQLite's ``datetime()``, so that text order is time order and SQL date functions read it).
- ``today()``: the agency's calendar day, in ``FMS_TIMEZONE`` (default Europe/Paris): at 00:30
  in Paris it is already tomorrow there while UTC still says yesterday, and a mission "ending
  today" means the agency's today.

The time zone comes from the standard library's ``zoneinfo`` (with the ``tzdata`` package as its
database where the system has none), so no third-party date library is needed here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from .config import get_settings

#: How every timestamp is stored: UTC, to the second, as SQLite's ``datetime()`` writes it.
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def timezone() -> ZoneInfo:
    """The agency's time zone (``FMS_TIMEZONE``)."""
    return ZoneInfo(get_settings().timezone)


def now() -> dt.datetime:
    """The current instant: timezone-aware, in UTC, without microseconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def today() -> dt.date:
    """The agency's calendar day (in ``FMS_TIMEZONE``)."""
    return now().astimezone(timezone()).date()


def as_utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC, aware; a naive datetime is taken to be UTC already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def stamp(when: dt.datetime | None = None) -> str:
    """``when`` (default: now) as the stored timestamp text, in UTC."""
    return as_utc(when or now()).strftime(STAMP_FORMAT)


def parse_stamp(text: str) -> dt.datetime:
    """A stored timestamp (or any ISO 8601 date-time) back as an aware UTC datetime."""
    return as_utc(dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")))


def local(when: dt.datetime | str) -> dt.datetime:
    """A stored or UTC instant in the agency's time zone (for what a user reads)."""
    moment = parse_stamp(when) if isinstance(when, str) else as_utc(when)
    return moment.astimezone(timezone())


def noon(day: dt.date) -> dt.datetime:
    """Noon of the agency's ``day``, as a UTC instant (a command's ``--today`` as a "now")."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone()).astimezone(dt.UTC)


def days_from_today(days: int) -> dt.date:
    """The agency's day ``days`` from today (negative: in the past)."""
    return today() + dt.timedelta(days=days)
