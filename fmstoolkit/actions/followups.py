"""Apply the follow-up rules: queue what they call for, each message once.

The rules (:mod:`fmstoolkit.followup_rules`) say what is due; this action queues it through the
message builders of :mod:`.messages`, in one write transaction, each message with its dedupe
key, so that applying the rules twice (the assistant every hour, a manager by hand with
``fms followups run``) sends nothing twice. ``dry_run`` shows what would be queued and writes
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import sqlite_utils

from .. import followup_rules
from ..followup_rules import RULES, Due
from . import messages


def _queue(db: sqlite_utils.Database, due: Due) -> int:
    if due.rule == "feedback_request":
        return messages.enqueue_feedback_request(db, due.subject_id)
    if due.rule == "availability_reminder":
        return messages.enqueue_availability_question(db, due.subject_id, reminder=True)
    if due.rule == "alumni_checkin":
        return messages.enqueue_alumni_checkin(db, due.subject_id)
    return messages.enqueue_availability_check(db, due.freelancer_id, due.period)


def _queued(db: sqlite_utils.Database, key: str) -> bool:
    return db.execute("SELECT 1 FROM outbox WHERE dedupe_key = ?", [key]).fetchone() is not None


def run_rules(
    db: sqlite_utils.Database,
    *,
    rules: tuple[str, ...] = RULES,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Queue what the ``rules`` call for now and is not queued yet.

    Returns ``{"dry_run", "counts": {rule: n}, "messages": [{rule, freelancer_id, subject_id,
    message_id}]}`` (``message_id`` is None in a dry run). No name or address: this summary is
    what the assistant logs.
    """
    with db.atomic():
        todo = [
            d
            for d in followup_rules.due(db, rules, now)
            if not _queued(db, messages.dedupe_key(d.rule, d.subject_id, d.period))
        ]
        queued = [None if dry_run else _queue(db, d) for d in todo]
    counts = Counter(d.rule for d in todo)
    return {
        "dry_run": dry_run,
        "counts": {rule: counts.get(rule, 0) for rule in rules},
        "messages": [
            {
                "rule": d.rule,
                "freelancer_id": d.freelancer_id,
                "subject_id": d.subject_id,
                "message_id": mid,
            }
            for d, mid in zip(todo, queued, strict=True)
        ],
    }
