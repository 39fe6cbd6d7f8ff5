"""Follow-ups: which ones are due, and the helpers that schedule and close them.

A follow-up is a dated reminder about one freelancer (an alumni check-in three months after an
offboarding, a feedback request, the delivery of a recommendation). This module holds only rules
over the ``followups`` table and a date: it never sends anything. The notifier turns the due ones
into messages and calls :func:`mark_done`. Plain SQL over sqlite-utils is enough here; no
scheduling library is needed for "due date <= today".
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from .dates import day_or_today
from .errors import InvalidState, NotFound
from .models import SILENT_STATUSES, Followup, validate


def _as_date(value: dt.date | str | None) -> dt.date:
    return day_or_today(value)


def due(db: sqlite_utils.Database, today: dt.date | str | None = None) -> list[dict[str, Any]]:
    """Pending follow-ups whose due date is today or earlier, oldest first.

    Each row has ``id``, ``freelancer_id``, ``mission_id``, ``kind``, ``due_date``, plus the
    freelancer's ``name`` and ``opted_out`` (the notifier cancels those instead of sending).
    Freelancers whose data was erased ("forgotten") are left out.
    """
    day = _as_date(today).isoformat()
    placeholders = ", ".join("?" for _ in SILENT_STATUSES)
    return list(
        db.query(
            "SELECT fu.id, fu.freelancer_id, fu.mission_id, fu.kind, fu.due_date, "
            "f.name, f.opted_out_at IS NOT NULL AS opted_out "
            "FROM followups fu JOIN freelancers f ON f.id = fu.freelancer_id "
            f"WHERE fu.status = 'pending' AND fu.due_date <= ? AND f.status NOT IN "
            f"({placeholders}) ORDER BY fu.due_date, fu.id",
            [day, *SILENT_STATUSES],
        )
    )


def upcoming(
    db: sqlite_utils.Database, within: int = 30, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """Pending follow-ups due in the next ``within`` days (not yet due), soonest first."""
    start = _as_date(today)
    return list(
        db.query(
            "SELECT id, freelancer_id, mission_id, kind, due_date FROM followups "
            "WHERE status = 'pending' AND due_date > ? AND due_date <= ? "
            "ORDER BY due_date, id",
            [start.isoformat(), (start + dt.timedelta(days=within)).isoformat()],
        )
    )


def get(db: sqlite_utils.Database, followup_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM followups WHERE id = ?", [followup_id]))
    if not rows:
        raise NotFound("No follow-up #{id}.", field="followup", id=followup_id)
    return rows[0]


def schedule(
    db: sqlite_utils.Database,
    freelancer_id: int,
    kind: str,
    due_date: dt.date | str,
    *,
    mission_id: int | None = None,
) -> int:
    """Schedule a follow-up; return its id.

    Idempotent: when the same freelancer already has a pending follow-up of this kind for this
    mission, its due date is moved instead of adding a second reminder.
    """
    rec = validate(
        Followup,
        {
            "freelancer_id": freelancer_id,
            "mission_id": mission_id,
            "kind": kind,
            "due_date": due_date,
        },
    )
    row = rec.row()
    existing = db.execute(
        "SELECT id FROM followups WHERE freelancer_id = ? AND kind = ? AND status = 'pending' "
        "AND mission_id IS ?",
        [freelancer_id, row["kind"], mission_id],
    ).fetchone()
    with db.atomic():
        if existing:
            db["followups"].update(existing[0], {"due_date": row["due_date"]})
            return existing[0]
        return db["followups"].insert(row | {"status": "pending"}).last_pk


def schedule_alumni_checkin(
    db: sqlite_utils.Database,
    freelancer_id: int,
    mission_id: int | None,
    closed_on: dt.date | str,
    days: int,
) -> int:
    """The alumni check-in ``days`` after an offboarding closed on ``closed_on``."""
    when = _as_date(closed_on) + dt.timedelta(days=days)
    return schedule(db, freelancer_id, "alumni_checkin", when, mission_id=mission_id)


def mark_done(
    db: sqlite_utils.Database, followup_id: int, when: dt.date | str | None = None
) -> dict[str, Any]:
    """Mark a follow-up done (again is harmless); a cancelled one cannot be done."""
    row = get(db, followup_id)
    if row["status"] == "done":
        return row
    if row["status"] == "cancelled":
        raise InvalidState(
            "Follow-up #{id} was cancelled; it cannot be marked done.",
            id=followup_id,
        )
    with db.atomic():
        db["followups"].update(
            followup_id, {"status": "done", "done_at": _as_date(when).isoformat()}
        )
    return get(db, followup_id)


def cancel(db: sqlite_utils.Database, followup_id: int) -> dict[str, Any]:
    """Cancel a pending follow-up (a done one stays done)."""
    row = get(db, followup_id)
    if row["status"] == "pending":
        with db.atomic():
            db["followups"].update(followup_id, {"status": "cancelled"})
    return get(db, followup_id)
