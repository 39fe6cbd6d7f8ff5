"""plotly.js's locale for the reader's language, built from Babel's locale data.

plotly.js writes the months and days of a date axis ("Jan 2025") in English unless a locale
object is registered with ``Plotly.register`` and named by the figure's ``config.locale``; the
``plotly`` package ships ``plotly.min.js`` without any locale file, and the notes site works
offline. So the site serves ``/-/fms/plotly-locale-<lang>.js``, the locale object made from the
same CLDR data that writes every other date of the site (:mod:`fmstoolkit.i18n`): month and day
names, the morning and afternoon marks, the date formats of the ticks, the decimal and
thousands separators ("janv. 2025", "1 234,5").
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from babel import Locale
from babel.dates import get_date_format, get_day_names, get_month_names

from ..i18n import LANGS, LOCALES

#: CLDR date pattern letters -> d3-time-format directives (what plotly.js reads).
PATTERN = {"dd": "%d", "d": "%-d", "MM": "%m", "M": "%-m", "MMM": "%b", "MMMM": "%B",
           "y": "%Y", "yy": "%y", "yyyy": "%Y", "HH": "%H", "mm": "%M", "ss": "%S"}  # fmt: skip
#: plotly's own date formats (the ticks of a date axis) -> the CLDR skeleton of each.
SKELETONS = {"year": "y", "month": "yMMM", "dayMonth": "MMMd", "dayMonthYear": "yMMMd",
             "time": "Hms"}  # fmt: skip


def d3_date(pattern: str) -> str:
    """A CLDR date pattern ("dd/MM/y", "d MMM y") as a d3 format ("%d/%m/%Y", "%-d %b %Y")."""
    return re.sub(r"d+|M+|y+|H+|m+|s+", lambda m: PATTERN.get(m.group(0), m.group(0)), pattern)


@cache
def plotly_locale(lang: str) -> dict[str, Any]:
    """The plotly.js locale object of ``lang`` (``moduleType: "locale"``)."""
    locale = Locale.parse(LOCALES[lang])

    def days(width: str) -> list[str]:  # d3 weeks start on Sunday, Babel's on Monday (0)
        names = get_day_names(width, locale=locale)
        return [names[(i + 6) % 7] for i in range(7)]

    def months(width: str) -> list[str]:
        names = get_month_names(width, locale=locale)
        return [names[i] for i in range(1, 13)]

    symbols = locale.number_symbols.get("latn", locale.number_symbols)
    periods = locale.day_periods["format"]["abbreviated"]
    return {
        "moduleType": "locale",
        "name": lang,
        "dictionary": {},
        "format": {
            "days": days("wide"),
            "shortDays": days("abbreviated"),
            "months": months("wide"),
            "shortMonths": months("abbreviated"),
            "periods": [periods["am"], periods["pm"]],
            "date": d3_date(get_date_format("short", locale=locale).pattern),
            # every format plotly names: "en" replaces plotly's own locale, whose formats the
            # other locales fall back on
            **{key: d3_date(locale.datetime_skeletons[skeleton].pattern)
               for key, skeleton in SKELETONS.items()},
            "dateTime": "%a %-d %b %Y %H:%M:%S",
            "decimal": symbols["decimal"],
            "thousands": symbols["group"],
        },
    }


def locale_script(lang: str) -> bytes:
    """The script registering :func:`plotly_locale` (loaded after ``plotly.min.js``)."""
    if lang not in LANGS:
        raise KeyError(lang)
    return f"Plotly.register({json.dumps(plotly_locale(lang), ensure_ascii=False)});\n".encode()
