"""The request ledger (what happened to one request, in order) and the fill-rate report.

The ledger says who was asked, who answered what and when, who was assigned, the outcome and
the time it took to staff; the report gives the fill rate and time-to-staff of the requests
starting in a period, and the overdue ones.
"""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import sqlite_utils

from ._common import OPEN_REQUEST_STATUSES, _date, _today
from .polls import polls_for
from .requests import get_request


def _days_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    a = dt.datetime.fromisoformat(str(start).replace("T", " "))
    b = dt.datetime.fromisoformat(str(end).replace("T", " "))
    return round((b - a).total_seconds() / 86400, 2)


def request_ledger(db: sqlite_utils.Database, request_id: int) -> dict[str, Any]:
    """Everything that happened to a request: who was asked, who answered what and when, who
    was assigned, the outcome and the time it took to staff."""
    req = get_request(db, request_id)
    polls = [
        {
            k: p[k]
            for k in (
                "id",
                "freelancer_id",
                "freelancer",
                "role_id",
                "channel",
                "asked_at",
                "answer",
                "answered_at",
            )
        }
        for p in polls_for(db, request_id)
    ]
    assignments = list(
        db.query(
            "SELECT m.role_id, m.id AS mission_id, m.freelancer_id, f.name AS freelancer, "
            "m.created_at AS assigned_at, m.status, m.daily_rate FROM missions m "
            "JOIN freelancers f ON f.id = m.freelancer_id WHERE m.request_id = ? ORDER BY m.id",
            [request_id],
        )
    )
    return {
        "request": req,
        "polls": polls,
        "assignments": assignments,
        "outcome": req["outcome"],
        "time_to_staff_days": _days_between(req["created_at"], req["staffed_at"]),
    }


def requests_report(
    db: sqlite_utils.Database,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Fill rate and time-to-staff of the requests whose start date falls in [start, end].

    ``fill_rate`` = staffed (from the network or outside) / requests that ended staffed or
    unfilled (cancelled needs and still-open requests do not count); ``network_fill_rate`` the
    same for staffing from the network only. ``overdue``: still open with a start date passed.
    """
    day0 = _today(today)
    first = _date(start, "from") if start else None
    last = _date(end, "to") if end else None
    where, params = [], []
    if first:
        where.append("r.start_date >= ?")
        params.append(first.isoformat())
    if last:
        where.append("r.start_date <= ?")
        params.append(last.isoformat())
    sql = (
        "SELECT r.id, p.name AS project, r.start_date, r.status, r.outcome, r.created_at, "
        "r.staffed_at, "
        "(SELECT count(*) FROM request_roles x WHERE x.request_id = r.id) AS roles, "
        "(SELECT count(*) FROM request_roles x WHERE x.request_id = r.id "
        " AND (x.mission_id IS NOT NULL OR x.filled_outside)) AS filled, "
        "(SELECT group_concat(s.name, ', ') FROM request_roles x "
        " JOIN skills s ON s.id = x.skill_id WHERE x.request_id = r.id) AS skills, "
        "(SELECT count(*) FROM polls q WHERE q.request_id = r.id) AS polls, "
        "(SELECT count(*) FROM polls q WHERE q.request_id = r.id AND q.answer IS NOT NULL) "
        " AS answers FROM requests r JOIN projects p ON p.id = r.project_id "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY r.start_date, r.id"
    )
    rows = list(db.query(sql, params))
    counts = {
        k: 0
        for k in (
            "open",
            "polling",
            "staffed",
            "cancelled",
            "network",
            "outside",
            "unfilled",
            "overdue",
        )
    }
    times = []
    by_skill: dict[str, dict[str, Any]] = {}
    for r in rows:
        counts[r["status"]] += 1
        if r["outcome"] in ("network", "outside", "unfilled"):
            counts[r["outcome"]] += 1
        if r["status"] in OPEN_REQUEST_STATUSES and r["start_date"] < day0.isoformat():
            counts["overdue"] += 1
        r["time_to_staff_days"] = _days_between(r["created_at"], r["staffed_at"])
        if r["time_to_staff_days"] is not None:
            times.append(r["time_to_staff_days"])
        for skill in (r["skills"] or "").split(", "):
            if not skill:
                continue
            s = by_skill.setdefault(
                skill, {"skill": skill, "requests": 0, "staffed": 0, "decided": 0}
            )
            s["requests"] += 1
            s["staffed"] += r["outcome"] in ("network", "outside")
            s["decided"] += r["outcome"] in ("network", "outside", "unfilled")
    decided = counts["network"] + counts["outside"] + counts["unfilled"]
    for s in by_skill.values():
        s["fill_rate"] = round(s["staffed"] / s["decided"], 3) if s["decided"] else None
        del s["decided"]
    return {
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
        "requests": len(rows),
        **counts,
        "fill_rate": round((counts["network"] + counts["outside"]) / decided, 3)
        if decided
        else None,
        "network_fill_rate": round(counts["network"] / decided, 3) if decided else None,
        "time_to_staff_days": {
            "median": round(statistics.median(times), 2),
            "mean": round(statistics.fmean(times), 2),
            "max": max(times),
        }
        if times
        else None,
        "by_skill": sorted(by_skill.values(), key=lambda s: (-s["requests"], s["skill"])),
        "rows": rows,
    }
