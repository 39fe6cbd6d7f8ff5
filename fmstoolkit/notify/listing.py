"""Reading the outbox: its messages newest first, and how many there are per status.

Kept apart from :mod:`.outbox` (which re-exports these) so that the queue's module stays about
queuing and recording. Rows carry the freelancer's name, never an address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from .. import clock
from ..errors import InvalidInput
from ..models import OUTBOX_STATUSES
from . import claims

STATUSES = OUTBOX_STATUSES


def list_messages(
    db: sqlite_utils.Database,
    *,
    status: str | None = None,
    freelancer_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Messages, newest first, with the freelancer's name (never an address)."""
    where, params = [], []
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(
                "Unknown status {status}: use one of {choices}.",
                field="status",
                status=status,
                choices=", ".join(STATUSES),
            )
        where.append("o.status = ?")
        params.append(status)
    if freelancer_id is not None:
        where.append("o.freelancer_id = ?")
        params.append(freelancer_id)
    sql = (
        "SELECT o.id, o.recipient, o.freelancer_id, f.name AS freelancer, o.kind, o.channel, "
        "o.status, o.attempts, o.next_attempt_at, o.last_error, o.sent_channel, o.sent_at, "
        "o.subject, o.created_at FROM outbox o LEFT JOIN freelancers f ON f.id = o.freelancer_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY o.id DESC"
        + (f" LIMIT {int(limit)}" if limit else "")
    )
    return list(db.query(sql, params))


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Number of messages per status (every status present, zero included)."""
    found = dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    return {s: found.get(s, 0) for s in STATUSES}


def due_count(db: sqlite_utils.Database, now: dt.datetime | None = None) -> int:
    """How many messages a drain would claim now."""
    return db.execute(
        "SELECT count(*) FROM outbox WHERE " + claims.DUE, {"now": clock.stamp(now)}
    ).fetchone()[0]


