"""The messages of staffing from the phone: the manager hears of a "yes", the others of a
filled role.

- :func:`enqueue_yes_for_manager`: when a freelancer answers yes to an availability question
  (:func:`fmstoolkit.actions.planning.answer_poll`, whether they pressed a Telegram button or
  replied by e-mail), the manager gets the answer with the freelancer's line from the ranking
  and two signed buttons, *Assign* and *Wait* (kind :data:`STAFF`, the poll's id); once per
  poll, whatever the freelancer presses next.
- :func:`enqueue_role_filled`: once a role is staffed, the other freelancers asked about it are
  told (once per poll), except those who said no: they are waiting for nothing.

Both are queued in the caller's transaction, so an answer or a mission is never recorded
without its messages.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .. import planning
from ..config import get_settings
from ..i18n import N_, _
from ..notify import callbacks, outbox

#: The kind of the manager's buttons: ``staff:<poll id>:<assign|wait>`` (signed).
STAFF = "staff"
STAFF_LABELS = (("assign", N_("Assign")), ("wait", N_("Wait")))


def _poll(db: sqlite_utils.Database, poll_id: int) -> dict[str, Any]:
    return next(
        iter(
            db.query(
                "SELECT p.id, p.request_id, p.role_id, p.freelancer_id, p.answer, f.name, "
                "r.start_date, r.end_date, r.status, pr.name AS project FROM polls p "
                "JOIN freelancers f ON f.id = p.freelancer_id "
                "JOIN requests r ON r.id = p.request_id "
                "JOIN projects pr ON pr.id = r.project_id WHERE p.id = ?",
                [poll_id],
            )
        )
    )


def candidate_line(
    db: sqlite_utils.Database, request_id: int, freelancer_id: int, role_id: int | None, lang: str
) -> str | None:
    """The freelancer's line in the request's ranking (score and reasons), or None when the
    ranking leaves them out (the role is filled, they no longer fit)."""
    try:
        ranked = planning.rank_candidates(db, request_id, role_id=role_id, lang=lang)
    except Exception:  # noqa: BLE001 - the line is a help, its absence is not an error
        return None
    for rank, candidate in enumerate(ranked, start=1):
        if candidate.freelancer_id == freelancer_id:
            return _("#{rank}, {score}/100: {why}", lang).format(
                rank=rank, score=round(candidate.score), why=candidate.explanation
            )
    return None


def enqueue_yes_for_manager(db: sqlite_utils.Database, poll_id: int) -> int | None:
    """Queue the freelancer's yes to the manager, with *Assign* / *Wait* (once per poll);
    None when the manager cannot be reached or the request is no longer open."""
    poll = _poll(db, poll_id)
    if poll["status"] not in ("open", "polling"):
        return None
    lang = get_settings().lang
    key = callbacks.secret_for(db)
    return outbox.enqueue_for_manager(
        db,
        dedupe_key=f"staffing:poll:{poll_id}",
        kind="staffing_answer",
        about=poll["freelancer_id"],
        payload={
            "poll_id": poll_id,
            "request_id": poll["request_id"],
            "freelancer": poll["name"],
            "project": poll["project"],
            "start_date": poll["start_date"],
            "end_date": poll["end_date"],
            "candidate": candidate_line(
                db,
                poll["request_id"],
                poll["freelancer_id"],
                poll["role_id"],
                lang,
            ),
            "buttons": [
                [
                    {"label": _(label, lang),
                     "callback_data": callbacks.sign(STAFF, poll_id, value, key=key)}
                    for value, label in STAFF_LABELS
                ]
            ],  # fmt: skip
        },
    )


def enqueue_role_filled(db: sqlite_utils.Database, mission_id: int) -> list[int]:
    """Tell the other freelancers asked about the role of ``mission_id`` that it is filled
    (not those who said no); return the messages' ids."""
    row = db.execute(
        "SELECT request_id, role_id, freelancer_id FROM missions WHERE id = ?", [mission_id]
    ).fetchone()
    if row is None or row[0] is None:
        return []
    request_id, role_id, assigned = row
    others = db.execute(
        "SELECT p.id, p.freelancer_id FROM polls p WHERE p.request_id = ? "
        "AND p.freelancer_id != ? AND (p.role_id IS NULL OR p.role_id = ? OR ? IS NULL) "
        "AND (p.answer IS NULL OR p.answer != 'no') ORDER BY p.id",
        [request_id, assigned, role_id, role_id],
    ).fetchall()
    req = db.execute(
        "SELECT pr.name, r.start_date FROM requests r JOIN projects pr ON pr.id = r.project_id "
        "WHERE r.id = ?",
        [request_id],
    ).fetchone()
    return [
        outbox.enqueue(
            db,
            dedupe_key=f"poll:{poll_id}:filled",
            freelancer_id=fid,
            kind="role_filled",
            payload={"poll_id": poll_id, "project": req[0], "start_date": req[1]},
        )
        for poll_id, fid in others
    ]
