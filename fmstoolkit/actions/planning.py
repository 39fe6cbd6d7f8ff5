"""Planning actions: ask who is available, staff a request, change or cancel a mission.

Each function is what a manager does from the command line, a notebook button or (later) a chat
message: the domain change (:mod:`fmstoolkit.planning`) and the messages it owes the freelancer
(:mod:`fmstoolkit.actions.messages`), written in one transaction so that a mission is never
booked without its confirmation queued, nor a question queued without its poll.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from .. import planning, pool
from ..errors import InvalidInput, InvalidState
from ..i18n import _
from ..models.enums import OPEN_REQUEST_STATUSES
from ..notify import outbox
from . import messages, staffing


def ask_availability(
    db: sqlite_utils.Database,
    request_id: int,
    *,
    freelancer_ids: tuple[int, ...] | list[int] = (),
    top: int = 5,
    role_id: int | None = None,
) -> list[dict[str, Any]]:
    """Ask freelancers whether they are free for a request: a poll each, and the question queued
    through their preferred channel (Yes / Maybe / No buttons on Telegram).

    ``freelancer_ids`` names them; without it, the best ``top`` candidates of the ranking are
    asked. All or nothing: an unknown freelancer or a closed request refuses the whole action.
    Asking someone again queues nothing new. Returns one row per freelancer with the channel,
    the poll and the message (status ``cancelled`` with the reason for one who opted out).
    """
    planning.get_request(db, request_id)
    if freelancer_ids:
        targets = [(fid, role_id) for fid in dict.fromkeys(freelancer_ids)]
    else:
        ranked = planning.rank_candidates(db, request_id, role_id=role_id, top=top)
        targets = [(c.freelancer_id, c.role_id or role_id) for c in ranked]
    rows = []
    with db.atomic():
        for fid, rid in targets:
            person = pool.get_freelancer(db, fid)
            contact = outbox.contact_of(db, fid)
            channel = outbox.choose_channel({"channel": "preferred"}, contact) or "manager"
            poll_id = planning.record_poll(db, request_id, fid, channel=channel, role_id=rid)
            message = outbox.get(db, messages.enqueue_availability_question(db, poll_id))
            rows.append(
                {
                    "freelancer_id": fid,
                    "freelancer": person["name"],
                    "channel": channel,
                    "poll_id": poll_id,
                    "message_id": message["id"],
                    "status": message["status"],
                    "note": message["last_error"],
                }
            )
    return rows


def _confirmed(db: sqlite_utils.Database, mission_id: int, confirm: bool) -> dict[str, Any]:
    """The mission, with the id of its confirmation queued (dates are in its dedupe key, so
    new dates get a new confirmation) unless ``confirm`` is False."""
    mission = planning.get_mission(db, mission_id)
    mission["confirmation_id"] = (
        messages.enqueue_mission_confirmation(db, mission_id) if confirm else None
    )
    return mission


def assign_and_confirm(
    db: sqlite_utils.Database,
    request_id: int,
    freelancer_id: int,
    *,
    role_id: int | None = None,
    daily_rate: int | None = None,
    confirm: bool = True,
) -> dict[str, Any]:
    """Staff a request's role with a freelancer (the mission, with the double-booking checks)
    and queue the mission confirmation (an .ics by email, or Telegram); the other freelancers
    asked about the role are told it is filled (:mod:`.staffing`). Returns the mission with
    ``confirmation_id``, ``told_filled`` (those messages) and the request's new
    ``request_status``."""
    with db.atomic():
        mission_id = planning.assign(
            db, request_id, freelancer_id, role_id=role_id, daily_rate=daily_rate
        )
        mission = _confirmed(db, mission_id, confirm)
        mission["told_filled"] = staffing.enqueue_role_filled(db, mission_id)
    mission["request_status"] = planning.get_request(db, request_id)["status"]
    return mission


def move_mission(
    db: sqlite_utils.Database,
    mission_id: int,
    start: str,
    *,
    ignore_unavailability: bool = False,
    confirm: bool = True,
) -> dict[str, Any]:
    """Move a mission to a new start (same working days) and confirm the new dates."""
    with db.atomic():
        planning.move_mission(db, mission_id, start, ignore_unavailability=ignore_unavailability)
        return _confirmed(db, mission_id, confirm)


def extend_mission(
    db: sqlite_utils.Database,
    mission_id: int,
    *,
    days: int | None = None,
    end: str | None = None,
    ignore_unavailability: bool = False,
    confirm: bool = True,
) -> dict[str, Any]:
    """Lengthen or shorten a mission (by working days or to a new end) and confirm it."""
    with db.atomic():
        planning.extend_mission(
            db, mission_id, days=days, end=end, ignore_unavailability=ignore_unavailability
        )
        return _confirmed(db, mission_id, confirm)


def cancel_mission(
    db: sqlite_utils.Database, mission_id: int, *, reason: str | None = None, notify: bool = True
) -> dict[str, Any]:
    """Cancel a mission (its role is open again): a confirmation not sent yet is withdrawn and,
    unless ``notify`` is False, the freelancer is told (the reason is theirs to read)."""
    with db.atomic():
        mission = planning.cancel_mission(db, mission_id, reason=reason)
        withdrawn = outbox.cancel_pending(
            db,
            "the mission was cancelled",
            dedupe_prefix=messages.mission_dedupe_prefix(mission_id),
        )
        mission["withdrawn_ids"] = withdrawn
        mission["cancellation_id"] = (
            messages.enqueue_mission_cancellation(db, mission_id, reason) if notify else None
        )
    return mission


def answer_poll(
    db: sqlite_utils.Database,
    poll_id: int,
    answer: str,
    *,
    when: str | None = None,
    by_freelancer: bool = False,
) -> dict[str, Any]:
    """Record a freelancer's answer to an availability question (a button, a reply, a phone
    call): it also refreshes the day their availability was last confirmed. A yes is passed
    on to the manager with *Assign* / *Wait* buttons (:mod:`.staffing`), in the same
    transaction.

    ``by_freelancer`` (their own press): an answer is recorded once, and a second press changes
    it only while the request is open or polling; on a staffed or cancelled request it is
    refused (InvalidState) and nothing is written. Pressing the answer already recorded writes
    nothing either. The row comes back with ``changed`` (whether anything was written).
    """
    with db.atomic():
        if by_freelancer:
            row = db.execute(
                "SELECT p.answer, r.status FROM polls p JOIN requests r ON r.id = p.request_id "
                "WHERE p.id = ?",
                [poll_id],
            ).fetchone()
            if row is not None and row[0] is not None:
                if row[0] == planning.normalise_answer(answer):
                    return planning.get_poll(db, poll_id) | {"changed": False}
                if row[1] not in OPEN_REQUEST_STATUSES:
                    raise InvalidState(
                        "This request is closed: your answer ({answer}) stays as it was.",
                        field="answer",
                        answer=planning.answer_label(row[0]),
                    )
        poll = planning.answer_poll(db, poll_id, answer, when=when) | {"changed": True}
        if poll["answer"] == "yes":
            staffing.enqueue_yes_for_manager(db, poll_id)
    return poll


def answer_availability_check(
    db: sqlite_utils.Database, freelancer_id: int, answer: str, month: str
) -> dict[str, Any]:
    """A freelancer's answer to the monthly "still available next month?" (``month``:
    ``YYYY-MM``, the month asked about). Either answer confirms their availability today; "no"
    also declares them away for that month, so the ranking counts them busy then."""
    if answer not in ("yes", "no"):
        raise InvalidInput(
            "The answer must be yes or no (got '{value}').", field="answer", value=answer
        )
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InvalidInput(
            "'{value}' is not a month; write it YYYY-MM.", field="month", value=month
        ) from None
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    with db.atomic():
        period = None
        if answer == "no":
            period = planning.add_unavailability(
                db, freelancer_id, first, last, reason=_("not available (monthly check)"),
                source="freelancer",
            )
        planning.confirm_availability(db, freelancer_id, by="answer")
    return {"freelancer_id": freelancer_id, "answer": answer, "unavailability_id": period}


def declare_unavailability(
    db: sqlite_utils.Database,
    freelancer_id: int,
    start: str,
    end: str,
    *,
    reason: str | None = None,
    source: str = "manager",
) -> int:
    """Record that a freelancer is away from ``start`` to ``end`` (inclusive); the ranking then
    counts them busy on those days. Returns the period's id."""
    return planning.add_unavailability(
        db, freelancer_id, start, end, reason=reason, source=source
    )
