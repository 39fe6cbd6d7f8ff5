"""A period of absence as a freelancer types it: ``2026-12-20 2027-01-03 congés``,
``20/12 au 03/01``, ``20/12-03/01 vacances``, ``24/12`` (one day), ``du 20 décembre au 3
janvier``, ``from 20 Dec to 3 Jan``, ``du 20 au 23 décembre``.

A small explicit grammar rather than ``dateparser``: dateparser is heavy (regex tables for 200
languages, and ``regex`` as a dependency), guesses where a freelancer's absence must not be
guessed (it reads "03/01" as 1 March in English and picks past dates by default), and answers
None without saying what was wrong. Here the accepted forms are few and documented, the month
names come from Babel's CLDR data (already a dependency through :mod:`fmstoolkit.i18n`), in
French and English, wide and abbreviated, with or without accents; anything else is refused
with a sentence that says how to write it.

Rules: a date without a year is its next occurrence (today counts); an end without a year is
the next occurrence on or after the start, so a range crossing new year ends the next year. The
dates must fall inside the window of :mod:`fmstoolkit.models.limits`, the period must not be
over, and it lasts at most :data:`MAX_PERIOD_DAYS`. What follows the dates is the reason.
:func:`parse_period` never raises anything but :class:`~fmstoolkit.errors.InvalidInput`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from babel.dates import get_month_names

from .. import clock
from ..errors import InvalidInput
from ..i18n import N_
from ..models.limits import date_window

#: The longest text read (a chat message can be 4,096 characters; an absence needs few).
MAX_TEXT = 300
#: The longest reason kept with the period.
MAX_REASON = 200
#: A period lasts at most this many days (six months): "20/12 au 19/12" is a typing mistake
#: more often than a year away, and a longer absence is a talk with the agency, not a command.
MAX_PERIOD_DAYS = 184
#: How much of the freelancer's text a refusal quotes (the reply must stay short).
QUOTE = 40
#: The Babel locales whose month names are read.
LOCALES = ("fr_FR", "en_GB")

FIELD = "period"
NOT_READ = N_(
    "I could not read dates in '{value}': write them 20/12, 20/12/2026, 2026-12-20 or 20 December."
)
NOT_A_DATE = N_("'{value}' is not a date of the calendar.")
END_BEFORE = N_("The end {end} is before the start {start}.")
FAR = N_("The date {day} is too far from today: give dates from {first} to {last}.")
OVER = N_("This period is already over ({end}): give dates from today on.")
TOO_LONG = N_("This period lasts {days} days: give at most {max} days.")
TEXT_TOO_LONG = N_(
    "This text is too long: write the dates and a short reason (at most {max} characters)."
)
REASON_TOO_LONG = N_("The reason is too long: at most {max} characters.")


@dataclass(frozen=True)
class Period:
    """The first and last day away (inclusive) and the reason typed after the dates."""

    start: dt.date
    end: dt.date
    reason: str | None = None


def _fold(text: str) -> str:
    """``text`` lower-cased without accents, one character for one (so positions match)."""
    return "".join(unicodedata.normalize("NFD", c.lower() or c)[:1] or c for c in text)


@cache
def month_names() -> dict[str, int]:
    """Every month name read, folded and without its dot: "decembre", "dec", "december"..."""
    names: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale).items():
                    names[_fold(str(name)).rstrip(".")] = number
    for number, name in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                   "sep", "oct", "nov", "dec"), start=1):  # fmt: skip
        names.setdefault(name, number)
    return names


def _date_pattern(p: str, *, bare: bool) -> str:
    month = "|".join(sorted(map(re.escape, month_names()), key=len, reverse=True))
    month = rf"(?:{month})\.?(?![a-z])"
    suffix = r"(?:er|st|nd|rd|th)?"
    forms = [
        rf"(?P<{p}iy>\d{{4}})-(?P<{p}im>\d{{1,2}})-(?P<{p}id>\d{{1,2}})",
        rf"(?P<{p}nd>\d{{1,2}})[/.](?P<{p}nm>\d{{1,2}})(?:[/.](?P<{p}ny>\d{{4}}|\d{{2}}))?",
        rf"(?P<{p}wd>\d{{1,2}}){suffix}\s+(?P<{p}wm>{month})(?:\s+(?P<{p}wy>\d{{4}}))?",
        rf"(?P<{p}md>{month})\s+(?P<{p}mdd>\d{{1,2}}){suffix}(?:,?\s+(?P<{p}mdy>\d{{4}}))?",
    ]
    if bare:
        forms.append(rf"(?P<{p}bd>\d{{1,2}}){suffix}")
    return "(?:" + "|".join(f"(?:{f})" for f in forms) + r")(?![\d/])"


_SEPARATOR = r"(?:\s*(?:au|a|to|until|till|jusqu'au|jusqu’au|-|–|—|→|>)\s*|\s+)"
_PREFIX = r"^\s*(?:(?:du|from(?:\s+the)?|le|on(?:\s+the)?|the)\s+)?"


@cache
def _grammar() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A range (start, separator, end) and a single date, each followed by the reason."""
    rest = r"(?=$|[\s,;:!?)])"
    range_ = re.compile(
        _PREFIX + _date_pattern("a", bare=True) + _SEPARATOR + _date_pattern("b", bare=False) + rest
    )
    single = re.compile(_PREFIX + _date_pattern("a", bare=False) + rest)
    return range_, single


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


def _parts(m: re.Match[str], p: str) -> tuple[int | None, int | None, int | None, str] | None:
    """(year, month, day, the text of the date) of the date ``p`` of a match, or None."""
    g = m.groupdict()
    names = month_names()
    for d, mo, y in (("id", "im", "iy"), ("nd", "nm", "ny"), ("wd", "wm", "wy"),
                     ("mdd", "md", "mdy"), ("bd", None, None)):  # fmt: skip
        if g.get(p + d) is None:
            continue
        month = g.get(p + mo) if mo else None
        if month is not None and not month.isdigit():
            month = names[month.rstrip(".")]
        year = g.get(p + y) if y else None
        if year is not None and len(year) == 2:
            year = "20" + year
        start, end = m.span(p + d)
        for key in (mo, y):
            if key and m.group(p + key) is not None:
                start, end = min(start, m.start(p + key)), max(end, m.end(p + key))
        return (
            int(year) if year else None,
            int(month) if month is not None else None,
            int(g[p + d]),
            m.string[start:end],
        )
    return None


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidInput(NOT_A_DATE, field=FIELD, value=_quote(text)) from None


def _next(month: int, day: int, after: dt.date, text: str) -> dt.date:
    """The first ``day``/``month`` on or after ``after`` (29 February: the next leap year)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise InvalidInput(NOT_A_DATE, field=FIELD, value=_quote(text))
    for year in range(after.year, after.year + 9):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= after:
            return candidate
    raise InvalidInput(NOT_A_DATE, field=FIELD, value=_quote(text))


def _resolve(parts: tuple, after: dt.date) -> dt.date:
    year, month, day, text = parts
    return _make(year, month, day, text) if year else _next(month, day, after, text)


def parse_period(text: str, today: dt.date | None = None) -> Period:
    """The period of absence written in ``text`` (see the module's forms and rules), or
    :class:`InvalidInput` with a sentence saying what is wrong."""
    today = today or clock.today()
    text = str(text or "")
    if len(text) > MAX_TEXT:
        raise InvalidInput(TEXT_TOO_LONG, field=FIELD, max=MAX_TEXT)
    folded = _fold(text)
    range_, single = _grammar()
    m = range_.match(folded)
    if m:
        first, second = _parts(m, "a"), _parts(m, "b")
        if first[1] is None:  # "du 20 au 23 décembre": the start's month is the end's
            end = _resolve(second, today)
            year, month = (end.year, end.month) if first[2] <= end.day else _previous_month(end)
            start = _make(year, month, first[2], first[3])
        else:
            start = _resolve(first, today)
            end = _resolve(second, start)
    else:
        m = single.match(folded)
        if not m:
            raise InvalidInput(NOT_READ, field=FIELD, value=_quote(text))
        start = end = _resolve(_parts(m, "a"), today)
    reason = text[m.end() :].strip(" \t\n,;:-–—") or None
    if reason and len(reason) > MAX_REASON:
        raise InvalidInput(REASON_TOO_LONG, field=FIELD, max=MAX_REASON)
    return _checked(Period(start, end, reason), today)


def _previous_month(day: dt.date) -> tuple[int, int]:
    return (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)


def _checked(period: Period, today: dt.date) -> Period:
    """The period when it is in order, inside the window and not over; InvalidInput else."""
    if period.end < period.start:
        raise InvalidInput(
            END_BEFORE, field=FIELD, start=period.start.isoformat(), end=period.end.isoformat()
        )
    if period.end < today:
        raise InvalidInput(OVER, field=FIELD, end=period.end.isoformat())
    first, last = date_window(today)
    for day in (period.start, period.end):
        if not first <= day <= last:
            raise InvalidInput(
                FAR, field=FIELD, day=day.isoformat(), first=first.isoformat(),
                last=last.isoformat(),
            )  # fmt: skip
    days = (period.end - period.start).days + 1
    if days > MAX_PERIOD_DAYS:
        raise InvalidInput(TOO_LONG, field=FIELD, days=days, max=MAX_PERIOD_DAYS)
    return period
