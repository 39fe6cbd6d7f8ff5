"""The schedule: who works where, day by day, its summary, and its iCalendar export.

Rows are missions, unavailability and (optionally) open requests over a period, in the words of
the chosen language. The .ics writing itself lives in :mod:`fmstoolkit.calendars` (the one
iCalendar builder); ``to_ics`` and ``write_ics`` are the planning-side entry points. Named
``agenda`` rather than ``schedule`` so the module does not shadow the :func:`schedule` function
re-exported by the package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import sqlite_utils

from .. import calendars
from ..errors import InvalidInput
from ..i18n import _
from ..models.enums import OPEN_REQUESTS_SQL
from ._common import _date, _lang, _skill_label
from .calendar import working_days


def schedule(
    db: sqlite_utils.Database,
    start: dt.date | str,
    end: dt.date | str,
    *,
    freelancer_ids: Iterable[int] | None = None,
    include_requests: bool = True,
    lang: str | None = None,
) -> list[dict[str, Any]]:
    """Every mission (not cancelled), unavailability and open request role over [start, end].

    One row per bar of a timeline: ``lane`` (the freelancer's name, or the request), ``start``
    and ``end`` inclusive, ``finish`` = end + 1 day (what a Gantt chart's bar end expects).
    """
    lang = _lang(lang)
    first, last = _date(start, "from"), _date(end, "to")
    if last < first:
        raise InvalidInput(
            "The end of the window {end} is before its start {start}.",
            field="to",
            start=first.isoformat(),
            end=last.isoformat(),
        )
    s, e = first.isoformat(), last.isoformat()
    only, params_extra = "", []
    if freelancer_ids is not None:
        ids = list(freelancer_ids)
        only = f" AND x.freelancer_id IN ({', '.join('?' for _id in ids)})"
        params_extra = ids
    rows: list[dict[str, Any]] = []
    for r in db.query(
        "SELECT x.id, x.freelancer_id, f.name AS lane, p.name AS project, s.name AS skill, "
        "s.label_en, s.label_fr, x.status, x.start_date, x.end_date, x.daily_rate, x.request_id "
        "FROM missions x "
        "JOIN freelancers f ON f.id = x.freelancer_id JOIN projects p ON p.id = x.project_id "
        "LEFT JOIN skills s ON s.id = x.skill_id WHERE x.start_date <= ? AND x.end_date >= ? "
        f"AND x.status != 'cancelled'{only}",
        [e, s, *params_extra],
    ):
        rows.append(
            {
                "kind": "mission",
                "id": r["id"],
                "freelancer_id": r["freelancer_id"],
                "lane": r["lane"],
                "label": f"{r['project']}"
                + (f" · {_skill_label(r, lang)}" if r["skill"] else ""),
                "project": r["project"],
                "skill": r["skill"],
                "status": r["status"],
                "start": r["start_date"],
                "end": r["end_date"],
                "daily_rate": r["daily_rate"],
                "request_id": r["request_id"],
            }
        )
    for r in db.query(
        "SELECT x.id, x.freelancer_id, f.name AS lane, x.reason, x.source, x.start_date, "
        "x.end_date FROM unavailability x JOIN freelancers f ON f.id = x.freelancer_id "
        f"WHERE x.start_date <= ? AND x.end_date >= ?{only}",
        [e, s, *params_extra],
    ):
        rows.append(
            {
                "kind": "unavailability",
                "id": r["id"],
                "freelancer_id": r["freelancer_id"],
                "lane": r["lane"],
                "label": r["reason"] or _("unavailable", lang),
                "project": None,
                "skill": None,
                "status": r["source"],
                "start": r["start_date"],
                "end": r["end_date"],
                "daily_rate": None,
                "request_id": None,
            }
        )
    if include_requests:
        for r in db.query(
            "SELECT q.id, q.request_id, r.start_date, r.end_date, r.status, p.name AS project, "
            "s.name AS skill, s.label_en, s.label_fr FROM request_roles q "
            "JOIN requests r ON r.id = q.request_id JOIN projects p ON p.id = r.project_id "
            f"JOIN skills s ON s.id = q.skill_id WHERE r.status IN {OPEN_REQUESTS_SQL} "
            "AND q.mission_id IS NULL AND NOT q.filled_outside "
            "AND r.start_date <= ? AND r.end_date >= ?",
            [e, s],
        ):
            rows.append(
                {
                    "kind": "request",
                    "id": r["id"],
                    "freelancer_id": None,
                    "lane": _("Request #{id}", lang).format(id=r["request_id"]),
                    "label": f"{r['project']} · {_skill_label(r, lang)}",
                    "project": r["project"],
                    "skill": r["skill"],
                    "status": r["status"],
                    "start": r["start_date"],
                    "end": r["end_date"],
                    "daily_rate": None,
                    "request_id": r["request_id"],
                }
            )
    for row in rows:
        row["finish"] = (_date(row["end"]) + dt.timedelta(days=1)).isoformat()
    rows.sort(key=lambda r: (r["kind"] == "request", r["lane"], r["start"], r["id"]))
    return rows


def schedule_summary(
    db: sqlite_utils.Database,
    start: dt.date | str,
    end: dt.date | str,
    *,
    rows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The agency at a glance over a window: who is booked, how many days, what is unstaffed."""
    first, last = _date(start, "from"), _date(end, "to")
    rows = rows if rows is not None else schedule(db, first, last)
    window = {d.isoformat() for d in working_days(first, last)}
    booked_days = 0
    for r in rows:
        if r["kind"] == "mission":
            lo, hi = max(r["start"], first.isoformat()), min(r["end"], last.isoformat())
            booked_days += sum(1 for d in window if lo <= d <= hi)
    requests = {r["request_id"] for r in rows if r["kind"] == "request"}
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "working_days": len(window),
        "freelancers_booked": len({r["freelancer_id"] for r in rows if r["kind"] == "mission"}),
        "missions": sum(r["kind"] == "mission" for r in rows),
        "unavailability": sum(r["kind"] == "unavailability" for r in rows),
        "booked_days": booked_days,
        "open_requests": len(requests),
        "open_roles": sum(r["kind"] == "request" for r in rows),
    }


def to_ics(rows: Iterable[Mapping[str, Any]], *, name: str = "fmstoolkit schedule") -> bytes:
    """The schedule rows as an iCalendar file (see :mod:`fmstoolkit.calendars`)."""
    return calendars.schedule_ics(rows, name=name)


def write_ics(
    db: sqlite_utils.Database, path: str | Path, start: dt.date | str, end: dt.date | str
) -> int:
    """Write the schedule of [start, end] to an .ics file; return the number of events."""
    rows = schedule(db, start, end)
    Path(path).write_bytes(to_ics(rows))
    return len(rows)
