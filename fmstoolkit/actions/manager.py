"""What the assistant does for the manager: the morning digest, the requalification alerts,
and staffing a request from a freelancer's yes (the manager's *Assign* button).

- :func:`queue_digest`: once a day after ``FMS_DIGEST_HOUR``, the digest of
  :mod:`fmstoolkit.digest` (dedupe key ``digest:<day>``); skipped, and the day marked done,
  when it would say nothing;
- :func:`queue_requalification_alerts`: one alert per freelancer per crossing of the limit
  (:mod:`fmstoolkit.requalification`; dedupe key ``requalification:<freelancer>:<day crossed>``);
- :func:`assign_from_poll`: the manager pressed *Assign* under a freelancer's yes: the same
  action as the app (:func:`fmstoolkit.actions.planning.assign_and_confirm`: the mission, the
  double-booking check, the confirmation, the others told the role is filled).

Nothing is queued while the manager cannot be reached (no ``FMS_MANAGER_EMAIL``, no linked
chat): the alerts are then queued once they can be, and the digest waits for the next day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from .. import clock, digest, manager_chat, requalification
from ..db import set_meta
from ..errors import InvalidState, NotFound
from ..notify import outbox
from . import planning as planning_actions


def queue_digest(db: sqlite_utils.Database, now: dt.datetime | None = None) -> int | None:
    """Queue today's digest when it is due and has something to say; return its id (None:
    not due, nothing to say, or no manager to send it to)."""
    now = now or clock.now()
    with db.atomic():
        if not digest.due(db, now) or not manager_chat.reachable(db):
            return None
        content = digest.compute(db, now)
        message_id = None
        if content is not None:
            message_id = outbox.enqueue_for_manager(
                db, dedupe_key=f"digest:{content['day']}", kind="manager_digest", payload=content
            )
        set_meta(db, {digest.DAY_KEY: digest.day_of(now).isoformat(),
                      digest.AT_KEY: clock.stamp(now)})  # fmt: skip
    return message_id


def requalification_key(alert: requalification.Alert) -> str:
    return f"requalification:{alert.freelancer_id}:{alert.crossed_on.isoformat()}"


def queue_requalification_alerts(
    db: sqlite_utils.Database, today: dt.date | None = None
) -> list[int]:
    """Queue an alert for every freelancer over the limit not alerted for this crossing."""
    with db.atomic():
        if not manager_chat.reachable(db):
            return []
        return [
            outbox.enqueue_for_manager(
                db,
                dedupe_key=requalification_key(alert),
                kind="requalification_alert",
                about=alert.freelancer_id,
                payload={
                    "freelancer": alert.name,
                    "months": alert.months,
                    "window_months": alert.window_months,
                    "limit_months": alert.limit_months,
                    "crossed_on": alert.crossed_on.isoformat(),
                },
            )
            for alert in requalification.over_limit(db, today)
        ]


def assign_from_poll(db: sqlite_utils.Database, poll_id: int) -> dict[str, Any]:
    """Staff the poll's role with the freelancer who answered it (the manager's *Assign*).

    Refused (InvalidState) unless the freelancer said yes; a request no longer open, a role
    already filled or a double booking are refused by the planning action with its sentence."""
    with db.atomic():  # the answer is read in the transaction that staffs the role
        row = db.execute(
            "SELECT request_id, freelancer_id, role_id, answer FROM polls WHERE id = ?",
            [poll_id],
        ).fetchone()
        if row is None:
            raise NotFound("No poll #{id}.", field="poll", id=poll_id)
        request_id, freelancer_id, role_id, answer = row
        if answer != "yes":
            raise InvalidState(
                "This freelancer no longer says yes to request #{id}: nothing was assigned.",
                field="poll",
                id=request_id,
            )
        return planning_actions.assign_and_confirm(
            db, request_id, freelancer_id, role_id=role_id
        )
