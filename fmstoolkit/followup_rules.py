"""The follow-up rules: what the assistant should send today, as pure functions of the data and
the clock.

Each rule reads the database (never writes) and returns one :class:`Due` per message it calls
for; :mod:`fmstoolkit.actions.followups` queues them, each with a dedupe key, so applying the
rules twice sends nothing twice. The rules, in the order the README lists them:

- ``feedback_request``: the freelancer is asked for their feedback the working day after their
  mission's end, unless feedback on that mission is already in (missions that ended more than
  :data:`FEEDBACK_WINDOW_DAYS` ago are left alone: a first run on an old database must not ask
  about last year's missions);
- ``availability_reminder``: one reminder for an availability question still unanswered
  ``FMS_POLL_REMINDER_HOURS`` after it was sent, while its request is open;
- ``alumni_checkin``: the check-ins scheduled when offboardings closed (:mod:`.followups`);
- ``availability_check``: once a month, "still free next month?" to the active freelancers
  whose availability was not confirmed for ``FMS_AVAILABILITY_CHECK_DAYS`` days.

No scheduling library: each rule is a query with a date in it, and the assistant's job queue
(python-telegram-bot's, APScheduler underneath) runs them every hour.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import sqlite_utils

from . import clock, followups
from .config import get_settings
from .i18n import N_
from .models.enums import OPEN_MISSIONS_SQL, OPEN_REQUESTS_SQL, SILENT_STATUSES, sql_list
from .planning.calendar import is_working_day

#: Missions that ended longer ago than this are not asked for feedback by the rule.
FEEDBACK_WINDOW_DAYS = 14
#: Every rule, in the order they are applied and listed, with what it sends in words.
RULE_LABELS = {
    "feedback_request": N_("feedback requests (the working day after a mission's end)"),
    "availability_reminder": N_("reminders of unanswered availability questions"),
    "alumni_checkin": N_("alumni check-ins"),
    "availability_check": N_("monthly availability checks"),
}
RULES = tuple(RULE_LABELS)


class Due(NamedTuple):
    """One message a rule calls for: which rule, to whom, about what (a mission, a poll, a
    follow-up or the freelancer themself, per rule) and for which period (the month of an
    availability check, else None)."""

    rule: str
    freelancer_id: int
    subject_id: int
    period: str | None = None


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after ``day`` (weekends and the country's holidays skipped)."""
    day += dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _reachable(alias: str = "f") -> str:
    """SQL: the freelancer can be written to (not opted out, not forgotten or inactive)."""
    return f"{alias}.opted_out_at IS NULL AND {alias}.status NOT IN {sql_list(SILENT_STATUSES)}"


def feedback_requests(db: sqlite_utils.Database, today: dt.date | None = None) -> list[Due]:
    """Missions whose end was before the last working day, with no feedback yet."""
    today = today or clock.today()
    since = today - dt.timedelta(days=FEEDBACK_WINDOW_DAYS)
    rows = db.execute(
        "SELECT m.id, m.freelancer_id, m.end_date FROM missions m "
        "JOIN freelancers f ON f.id = m.freelancer_id "
        f"WHERE (m.status IN {OPEN_MISSIONS_SQL} OR m.status = 'offboarded') "
        "AND m.end_date >= ? AND m.end_date < ? AND " + _reachable() + " "
        "AND NOT EXISTS (SELECT 1 FROM feedback fb WHERE fb.mission_id = m.id) "
        "ORDER BY m.end_date, m.id",
        [since.isoformat(), today.isoformat()],
    ).fetchall()
    return [
        Due("feedback_request", fid, mid)
        for mid, fid, end in rows
        if next_working_day(dt.date.fromisoformat(end)) <= today
    ]


def availability_reminders(
    db: sqlite_utils.Database, now: dt.datetime | None = None
) -> list[Due]:
    """Unanswered availability questions of open requests, sent more than the set hours ago."""
    now = now or clock.now()
    hours = get_settings().poll_reminder_hours
    rows = db.execute(
        "SELECT p.id, p.freelancer_id FROM polls p "
        "JOIN requests r ON r.id = p.request_id JOIN freelancers f ON f.id = p.freelancer_id "
        "JOIN outbox o ON o.kind = 'availability_question' AND o.status = 'sent' "
        "AND json_extract(o.payload, '$.poll_id') = p.id "
        f"WHERE p.answer IS NULL AND r.status IN {OPEN_REQUESTS_SQL} AND o.sent_at <= ? AND "
        + _reachable()
        + " AND r.start_date >= ? ORDER BY p.id",
        [clock.stamp(now - dt.timedelta(hours=hours)), clock.local(now).date().isoformat()],
    ).fetchall()
    return [Due("availability_reminder", fid, pid) for pid, fid in dict(rows).items()]


def alumni_checkins(db: sqlite_utils.Database, today: dt.date | None = None) -> list[Due]:
    """The alumni check-ins whose day has come (an opted-out freelancer's too: queuing it
    stores it cancelled and closes the follow-up)."""
    return [
        Due("alumni_checkin", fu["freelancer_id"], fu["id"])
        for fu in followups.due(db, today or clock.today())
        if fu["kind"] == "alumni_checkin"
    ]


def availability_checks(db: sqlite_utils.Database, today: dt.date | None = None) -> list[Due]:
    """Active freelancers whose availability is older than the set days (once a month)."""
    today = today or clock.today()
    days = get_settings().availability_check_days
    before = clock.stamp(
        dt.datetime.combine(today - dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)
    )
    rows = db.execute(
        "SELECT f.id FROM freelancers f WHERE f.status = 'active' AND "
        + _reachable()
        + " AND (f.availability_confirmed_at IS NULL OR f.availability_confirmed_at < ?) "
        "ORDER BY f.id",
        [before],
    ).fetchall()
    month = today.strftime("%Y-%m")
    return [Due("availability_check", fid, fid, month) for (fid,) in rows]


def due(
    db: sqlite_utils.Database, rules: tuple[str, ...] = RULES, now: dt.datetime | None = None
) -> list[Due]:
    """Everything the rules call for now, rule by rule (in :data:`RULES` order)."""
    now = now or clock.now()
    today = clock.local(now).date()
    found: list[Due] = []
    for rule in rules:
        if rule == "feedback_request":
            found += feedback_requests(db, today)
        elif rule == "availability_reminder":
            found += availability_reminders(db, now)
        elif rule == "alumni_checkin":
            found += alumni_checkins(db, today)
        elif rule == "availability_check":
            found += availability_checks(db, today)
    return found
