"""The schedule as an iCalendar file that any calendar application opens.

The ``icalendar`` package writes (and the tests parse back) RFC 5545 text, folding, escaping and
all; missions and unavailability are all-day events, so ``DTEND`` is the day after the last day
(the end is exclusive in iCalendar).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import icalendar

from . import clock


def _summary(row: Mapping[str, Any]) -> str:
    if row["kind"] == "mission":
        return f"{row['lane']} — {row['label']}"
    if row["kind"] == "unavailability":
        return f"{row['lane']} — {row['label']}"
    return f"{row['lane']}: {row['label']}"


def to_ics(rows: Iterable[Mapping[str, Any]], *, name: str = "fmstoolkit schedule") -> bytes:
    """One VEVENT per schedule row (see :func:`fmstoolkit.planning.schedule`)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//fmstoolkit//planning//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = clock.now()
    for row in rows:
        event = icalendar.Event()
        event.add("uid", f"{row['kind']}-{row['id']}@fmstoolkit")
        event.add("dtstamp", stamp)
        event.add("summary", _summary(row))
        event.add("dtstart", dt.date.fromisoformat(row["start"]))
        event.add("dtend", dt.date.fromisoformat(row["end"]) + dt.timedelta(days=1))
        event.add("categories", [row["kind"]])
        if row.get("status"):
            event.add("description", f"{row['kind']} #{row['id']} ({row['status']})")
        event.add("transp", "TRANSPARENT" if row["kind"] == "request" else "OPAQUE")
        cal.add_component(event)
    return cal.to_ical()
