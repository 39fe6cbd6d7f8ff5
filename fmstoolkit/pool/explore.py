"""Reads for the talent pool app: search, one freelancer's notes, skills coverage, who is free
next month, alumni not heard from for long.

Public columns only (the ``freelancers`` table): contact data stays in ``contacts`` and is never
read here. Everything is a read; the app's buttons go through :mod:`fmstoolkit.actions`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from .. import clock
from ..models.enums import OPEN_MISSIONS_SQL
from .freelancers import list_freelancers
from .skill_catalogue import normalize

#: An alumnus is "not contacted for long" after this many days without a message or a mission.
QUIET_DAYS = 180

_COLUMNS = ("f.id, f.name, f.headline, f.city, f.seniority, f.daily_rate, f.status, "
            "f.opted_out_at, f.availability_confirmed_at, f.availability_confirmed_by")  # fmt: skip


def search(
    db: sqlite_utils.Database,
    name: str | None = None,
    *,
    skill: str | int | None = None,
    city: str | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Active and alumni freelancers whose name contains ``name`` and whose city contains
    ``city`` (both ignoring case and accents), with ``skill`` (any of its names or labels, an
    unknown one raises the sentence with the closest known skill) at any level, best level
    first."""
    rows = list_freelancers(db, skill=skill or None, query=name or None)
    if city:
        key = normalize(city)
        rows = [r for r in rows if key in normalize(r["city"] or "")]
    return rows[:limit]


def last_notes(db: sqlite_utils.Database, freelancer_id: int, limit: int = 5) -> list[dict]:
    """The collaboration notes written on a freelancer's missions, newest first."""
    return list(db.query(
        "SELECT n.created_at, n.author, n.would_rehire, n.text, p.name AS project, "
        "(n.quality + n.communication + n.deadlines + n.autonomy) / 4.0 AS rating "
        "FROM notes n JOIN missions m ON m.id = n.mission_id JOIN projects p ON p.id = "
        "m.project_id WHERE m.freelancer_id = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?",
        [freelancer_id, limit]))  # fmt: skip


def coverage(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Per skill of the catalogue: how many active freelancers have it (``people``), at level 4
    or 5 (``experts``), and how many of those are free today (``free_now``); thinnest first."""
    today = clock.today().isoformat()
    return list(db.query(
        "SELECT s.id, s.name, s.label_fr, s.label_en, s.category, "
        "count(f.id) AS people, count(CASE WHEN fs.level >= 4 THEN 1 END) AS experts, "
        "count(CASE WHEN f.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM missions m WHERE "
        f"m.freelancer_id = f.id AND m.status IN {OPEN_MISSIONS_SQL} AND m.start_date <= ? "
        "AND m.end_date >= ?) THEN 1 END) AS free_now "
        "FROM skills s LEFT JOIN freelancer_skills fs ON fs.skill_id = s.id "
        "LEFT JOIN freelancers f ON f.id = fs.freelancer_id AND f.status = 'active' "
        "AND f.opted_out_at IS NULL GROUP BY s.id ORDER BY people, experts, s.label_fr",
        [today, today]))  # fmt: skip


def next_month(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first and last day of the month after ``today`` (the agency's day)."""
    today = today or clock.today()
    first = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def free_next_month(
    db: sqlite_utils.Database, skill: str | int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Active freelancers (not opted out) with no mission and no declared unavailability in
    the whole of next month, optionally with ``skill``; freshest availability first."""
    first, last = next_month()
    ids = [r["id"] for r in list_freelancers(db, skill=skill or None, statuses=("active",),
                                              busy_between=(first, last))]  # fmt: skip
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return list(db.query(
        f"SELECT {_COLUMNS} FROM freelancers f WHERE f.id IN ({marks}) AND f.opted_out_at IS NULL "
        "ORDER BY f.availability_confirmed_at IS NULL, f.availability_confirmed_at DESC, f.name "
        "LIMIT ?", [*ids, limit]))  # fmt: skip


def quiet_alumni(
    db: sqlite_utils.Database, days: int = QUIET_DAYS, limit: int = 50
) -> list[dict[str, Any]]:
    """Alumni (not opted out) whose last message sent and last mission's end are both more than
    ``days`` days ago (``last_contact``: the later of the two, None when never), longest
    silence first."""
    since = (clock.today() - dt.timedelta(days=days)).isoformat()
    return list(db.query(
        f"SELECT * FROM (SELECT {_COLUMNS}, max(coalesce((SELECT max(substr(o.sent_at, 1, 10)) "
        "FROM outbox o WHERE o.freelancer_id = f.id AND o.status = 'sent'), ''), "
        "coalesce((SELECT max(m.end_date) FROM missions m WHERE m.freelancer_id = f.id "
        "AND m.status != 'cancelled'), '')) AS last_contact FROM freelancers f "
        "WHERE f.status = 'alumni' AND f.opted_out_at IS NULL) WHERE last_contact < ? "
        "ORDER BY last_contact, name LIMIT ?", [since, limit]))  # fmt: skip

