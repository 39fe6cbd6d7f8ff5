"""The e-mail replies already read (table ``_mail_replies``, migration m007).

One row per mail, keyed by :attr:`~fmstoolkit.replies.mail.IncomingMail.key` (a hash of its
Message-ID): recording a reply is done in the transaction that applies it, after
:func:`outcome_of` was read in the same transaction, so the same mail read twice changes nothing
the second time. :func:`counts` gives the manager's digest what came in by e-mail and what is
left for them to read.
"""

from __future__ import annotations

import datetime as dt

import sqlite_utils

from .. import clock

#: What became of a reply: an answer recorded on its poll, an opt-out, or left for the manager.
APPLIED = ("yes", "no", "maybe", "opted_out")
LEFT = ("unreadable", "foreign", "unmatched")
OUTCOMES = APPLIED + LEFT


def outcome_of(db: sqlite_utils.Database, key: str) -> str | None:
    """What was done with the mail of this key, or None when it was never read."""
    row = db.execute("SELECT outcome FROM _mail_replies WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def record(
    db: sqlite_utils.Database,
    key: str,
    outcome: str,
    *,
    outbox_id: int | None = None,
    freelancer_id: int | None = None,
) -> None:
    """Remember that the mail of ``key`` was read and what became of it (once)."""
    db.execute(
        "INSERT INTO _mail_replies (key, outbox_id, freelancer_id, outcome) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (key) DO NOTHING",
        [key, outbox_id, freelancer_id, outcome],
    )


def counts(db: sqlite_utils.Database, since: dt.datetime | str | None = None) -> dict[str, int]:
    """How many replies had each outcome (read since ``since``, a UTC timestamp, if given)."""
    where, params = "", []
    if since is not None:
        stamp = since if isinstance(since, str) else clock.stamp(since)
        where, params = "WHERE read_at >= ?", [stamp]
    found = dict(
        db.execute(f"SELECT outcome, count(*) FROM _mail_replies {where} GROUP BY outcome", params)
    )
    return {outcome: found.get(outcome, 0) for outcome in OUTCOMES}
