"""Dates on chart axes in the reader's language.

plotly.js names months in English unless a locale file is registered in the browser, and the
installed plotly (7.x) ships none (``plotly/package_data`` holds only ``plotly.min.js``), while
the apps must work offline. So the axes get their tick labels from Babel, like every other date
on screen: ``tickvals`` / ``ticktext`` for a date axis ("7 déc.", "14 déc."), and month or
quarter labels ("mars 2026", "T1 2026") for the feedback trends' periods.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date as babel_date

from ..i18n import LOCALES, N_, _, current_lang

#: How far apart the ticks of a date axis may be, in days (the first that keeps them few).
STEPS = (1, 2, 7, 14, 28)
QUARTER = N_("Q{n} {year}")


def date_ticks(start: dt.date, end: dt.date, lang: str | None = None,
               most: int = 12) -> dict[str, Any]:  # fmt: skip
    """``tickvals`` and ``ticktext`` for a date axis from ``start`` to ``end``: a tick every
    day, two days, week (on Mondays), fortnight or four weeks, at most ``most`` of them, each
    labelled "7 déc." in ``lang`` (the year added on the first tick and on each January)."""
    lang = current_lang(lang)
    days = (end - start).days + 1
    step = next((s for s in STEPS if days / s <= most), max(STEPS))
    first = start
    if step >= 7:  # weeks start on Mondays
        first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    ticks, day = [], first
    while day <= end:
        ticks.append(day)
        day += dt.timedelta(days=step)
    locale = LOCALES[lang]
    text = []
    for i, d in enumerate(ticks):
        new_year = i == 0 or d.year != ticks[i - 1].year
        text.append(babel_date(d, format="d MMM y" if new_year else "d MMM", locale=locale))
    return {"tickvals": [d.isoformat() for d in ticks], "ticktext": text}


def period_label(period: str, lang: str | None = None) -> str:
    """"2026-03" → "mars 2026"; "2026-Q1" → "T1 2026" (in ``lang``)."""
    lang = current_lang(lang)
    year, _sep, part = period.partition("-")
    if part.startswith("Q"):
        return _(QUARTER, lang).format(n=part[1:], year=year)
    return babel_date(dt.date(int(year), int(part), 1), format="LLL y", locale=LOCALES[lang])
