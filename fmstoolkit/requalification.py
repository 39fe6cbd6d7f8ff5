"""The requalification rule: a freelancer working for the agency most of the time.

When a freelancer's missions with the agency add up to more than ``FMS_REQUALIFICATION_MONTHS``
(default 6) over the last ``FMS_REQUALIFICATION_WINDOW_MONTHS`` (default 12), the relationship
risks being requalified as employment: the manager is alerted, once per *crossing*.

What is counted: the calendar days covered by the freelancer's missions (every status but
cancelled), up to today, each day once even when missions overlap; a month is
:data:`DAYS_PER_MONTH` days (the Gregorian average), so "6 months" is 182.6 days. The crossing is
the first day of the run of days, ending today, on which the rolling total was over the limit:
it does not move while the freelancer stays over, so it names the alert (its dedupe key); once
they fall back under, a later crossing is a new alert.

A pure function of the database and the clock (:func:`over_limit`); the assistant's hourly job
queues the alerts (:mod:`fmstoolkit.actions.manager`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from itertools import accumulate
from typing import NamedTuple

import sqlite_utils

from . import clock
from .config import get_settings

DAYS_PER_MONTH = 365.2425 / 12


class Alert(NamedTuple):
    """A freelancer over the limit: their months in the window ending today, since when."""

    freelancer_id: int
    name: str
    months: float
    crossed_on: dt.date
    window_months: int
    limit_months: float


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day when shorter)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def _busy_days(db: sqlite_utils.Database, until: dt.date) -> dict[int, set[dt.date]]:
    """Every freelancer's mission days up to ``until`` (cancelled missions left out)."""
    rows = db.execute(
        "SELECT freelancer_id, start_date, end_date FROM missions "
        "WHERE status != 'cancelled' AND start_date <= ?",
        [until.isoformat()],
    ).fetchall()
    days: dict[int, set[dt.date]] = {}
    for fid, start, end in rows:
        first = dt.date.fromisoformat(start)
        last = min(dt.date.fromisoformat(end), until)
        taken = days.setdefault(fid, set())
        taken.update(first + dt.timedelta(days=i) for i in range((last - first).days + 1))
    return days


def _crossing(taken: set[dt.date], today: dt.date, limit: float, window: int):
    """(months in the window ending today, the crossing day), or None when under the limit.
    The whole history is scanned, so the crossing of a freelancer over the limit for years
    stays the same day (an alert once, not once a day)."""
    horizon = months_back(min(taken), window)
    size = (today - horizon).days + 1
    prefix = [0, *accumulate(horizon + dt.timedelta(days=i) in taken for i in range(size))]

    def months_on(day: dt.date) -> float:
        start = max(months_back(day, window) + dt.timedelta(days=1), horizon)
        busy = prefix[(day - horizon).days + 1] - prefix[(start - horizon).days]
        return busy / DAYS_PER_MONTH

    months = months_on(today)
    if months <= limit:
        return None
    crossed = today
    while crossed > horizon and months_on(crossed - dt.timedelta(days=1)) > limit:
        crossed -= dt.timedelta(days=1)
    return months, crossed


def over_limit(
    db: sqlite_utils.Database,
    today: dt.date | None = None,
    *,
    limit_months: float | None = None,
    window_months: int | None = None,
) -> list[Alert]:
    """The freelancers whose missions over the window ending ``today`` exceed the limit."""
    settings = get_settings()
    today = today or clock.today()
    limit = settings.requalification_months if limit_months is None else limit_months
    window = settings.requalification_window_months if window_months is None else window_months
    alerts = []
    for fid, taken in sorted(_busy_days(db, today).items()):
        found = _crossing(taken, today, limit, window) if taken else None
        if found is None:
            continue
        name = db.execute("SELECT name FROM freelancers WHERE id = ?", [fid]).fetchone()[0]
        alerts.append(Alert(fid, name, round(found[0], 1), found[1], window, limit))
    return alerts
