"""Dates as the toolkit reads them: ``YYYY-MM-DD`` text, dates or datetimes, and "today".

One place for what every module needs (planning, offboarding, follow-ups): a value given as
text is parsed with the standard library's ``date.fromisoformat`` (ISO dates are the only
format stored), and text that is not a date raises :class:`InvalidInput` naming the field,
instead of a bare ``ValueError``.
"""

from __future__ import annotations

import datetime as dt

from . import clock
from .errors import InvalidInput


def parse_date(value: dt.date | dt.datetime | str, field: str = "date") -> dt.date:
    """A date from a date, a datetime or ISO text; InvalidInput naming ``field`` otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidInput(
            "'{value}' is not a date; write it YYYY-MM-DD.",
            field=field,
            value=value,
        ) from None


def day_or_today(value: dt.date | dt.datetime | str | None, field: str = "today") -> dt.date:
    """``value`` as a date, or today's date when it is None (tests and back-dated entries)."""
    return clock.today() if value is None else parse_date(value, field)
