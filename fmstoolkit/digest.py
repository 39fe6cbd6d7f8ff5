"""The manager's morning digest: what needs them today, as a pure function of the data and the
clock.

Once a day, after ``FMS_DIGEST_HOUR`` (default 8:00, the agency's time), the assistant sends the
manager (``FMS_MANAGER_EMAIL`` or their linked chat) short lists:

- **offboardings overdue**: missions ended before today whose offboarding is not closed;
- **open requests without a yes**: requests still open or polling where nobody said yes;
- **answers received** since the last digest: availability answers (yes / maybe / no, by any
  channel) and the e-mail replies read from the mailbox (:func:`fmstoolkit.replies.ledger.counts`),
  with those left for the manager to read;
- **messages dead**: messages to freelancers that could not be sent (``fms outbox list --status
  dead``);
- **invoices unpaid** more than ``FMS_INVOICE_PAYMENT_DAYS`` (default 30) after their receipt
  (:func:`fmstoolkit.payments.overdue`): mission number, project, invoice number, amount, days;
- **contracts to sign**: missions starting within ``FMS_CONTRACT_WARNING_DAYS`` days without a
  signed contract or NDA (:func:`fmstoolkit.contracts.due`, as ``fms contracts due``).

When they are all empty the day's digest is skipped: a digest that says "nothing" every morning
teaches the manager not to open it. The digest names projects and mission numbers, never a
freelancer (a forgotten freelancer must not live on in old digests), and no contact data.

:func:`due` says whether today's digest is still to be made; the day it was made (or skipped)
and when are kept in ``_meta`` (``manager_digest_day``, ``manager_digest_at``), so answers are
counted once, and the next digest starts where the last one stopped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from . import clock, contracts, offboarding, payments
from .config import get_settings
from .db import get_meta
from .models.enums import OPEN_REQUESTS_SQL
from .replies import ledger

DAY_KEY = "manager_digest_day"
AT_KEY = "manager_digest_at"
#: The first digest (or one after a long pause) counts answers of at most this far back.
LOOKBACK = dt.timedelta(days=1)
#: At most this many lines per list (the rest is counted).
SHOWN = 10


def day_of(now: dt.datetime | None = None) -> dt.date:
    """The agency's day of ``now``."""
    return clock.local(now or clock.now()).date()


def due(db: sqlite_utils.Database, now: dt.datetime | None = None) -> bool:
    """Today's digest is still to be made: it is past the digest hour and it was not made."""
    now = now or clock.now()
    if clock.local(now).hour < get_settings().digest_hour:
        return False
    return get_meta(db, DAY_KEY) != day_of(now).isoformat()


def since(db: sqlite_utils.Database, now: dt.datetime | None = None) -> str:
    """From when answers are counted: the last digest, else a day ago (a UTC stamp)."""
    now = now or clock.now()
    oldest = clock.stamp(now - LOOKBACK)
    last = get_meta(db, AT_KEY)
    return last if last and last > oldest else oldest


def _open_requests_without_yes(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT r.id AS request_id, p.name AS project, r.start_date, "
            "count(pl.id) AS asked, count(pl.answer) AS answered "
            "FROM requests r JOIN projects p ON p.id = r.project_id "
            "LEFT JOIN polls pl ON pl.request_id = r.id "
            f"WHERE r.status IN {OPEN_REQUESTS_SQL} "
            "AND NOT EXISTS (SELECT 1 FROM polls y WHERE y.request_id = r.id AND y.answer = 'yes') "
            "GROUP BY r.id ORDER BY r.start_date, r.id"
        )
    )


def _answers(db: sqlite_utils.Database, start: str) -> dict[str, int]:
    found = dict(
        db.execute(
            "SELECT answer, count(*) FROM polls WHERE answered_at >= ? AND answer IS NOT NULL "
            "GROUP BY answer",
            [start],
        ).fetchall()
    )
    return {a: found.get(a, 0) for a in ("yes", "maybe", "no")}


def compute(db: sqlite_utils.Database, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """Today's digest as data (the template's context), or None when there is nothing to say.

    ``overdue``: ``{mission_id, project, title, end_date, days}``; ``requests``:
    ``{request_id, project, start_date, asked, answered}``; ``answers``: ``{yes, maybe, no}``;
    ``mails``: replies read by e-mail ``{applied, left}``; ``dead``: messages that could not
    be sent; ``unpaid``: invoices unpaid past ``unpaid_days`` after their receipt
    ``{mission_id, project, invoice_number, amount, days}``; ``contracts``: missions starting
    soon without a signed contract or NDA ``{mission_id, project, start_date, days, missing}``;
    ``*_more``: lines left out of a list past :data:`SHOWN`."""
    now = now or clock.now()
    today = day_of(now)
    # Stamps are to the second: what the last digest counted (its second included) is left out.
    start = clock.stamp(clock.parse_stamp(since(db, now)) + dt.timedelta(seconds=1))
    overdue = [
        {
            "mission_id": row["mission_id"],
            "project": row["project"],
            "title": row["title"],
            "end_date": row["end_date"],
            "days": -row["days_left"],
        }
        for row in offboarding.due(db, within=-1, today=today)
    ]
    requests = _open_requests_without_yes(db)
    answers = _answers(db, start)
    mails = ledger.counts(db, start)
    applied = sum(mails[o] for o in ledger.APPLIED)
    left = sum(mails[o] for o in ledger.LEFT)
    dead = db.execute(
        "SELECT count(*) FROM outbox WHERE status = 'dead' AND recipient = 'freelancer'"
    ).fetchone()[0]
    unpaid = [{k: row[k] for k in ("mission_id", "project", "invoice_number", "amount", "days")}
              for row in payments.overdue(db, today)]  # fmt: skip
    unsigned = _contracts_due(db, today)
    lists = (overdue, requests, any(answers.values()), applied, left, dead, unpaid, unsigned)
    if not any(lists):
        return None
    return {
        "day": today.isoformat(),
        "since": start,
        "overdue": overdue[:SHOWN],
        "overdue_more": max(0, len(overdue) - SHOWN),
        "requests": requests[:SHOWN],
        "requests_more": max(0, len(requests) - SHOWN),
        "answers": answers,
        "answers_total": sum(answers.values()),
        "mails": {"applied": applied, "left": left},
        "dead": dead,
        "unpaid": unpaid[:SHOWN],
        "unpaid_more": max(0, len(unpaid) - SHOWN),
        "unpaid_days": get_settings().invoice_payment_days,
        "contracts": unsigned[:SHOWN],
        "contracts_more": max(0, len(unsigned) - SHOWN),
    }


def _contracts_due(db: sqlite_utils.Database, today: dt.date) -> list[dict[str, Any]]:
    """The digest's list of missions starting soon without a signed contract or NDA: the
    kinds missing in the agency's language (``missing``), no freelancer named."""
    return [{"mission_id": r["mission_id"], "project": r["project"],
             "start_date": r["start_date"], "days": r["days_left"],
             "missing": contracts.missing_words(r["missing"], get_settings().lang)}
            for r in contracts.due(db, today=today)]  # fmt: skip
