"""Availability polls: asking a freelancer whether they are free for a request, and the answer.

A poll is idempotent on (request, freelancer), so asking twice, by any channel, keeps one row.
An answer also confirms the freelancer's availability (``availability_confirmed_by='answer'``),
which the matching uses to say how fresh an availability is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from ..db import in_transaction
from ..errors import InvalidInput, NotFound
from ..i18n import N_, Localized
from ..models import Poll, validate
from ._common import _freelancer_row, _iso, _now
from .requests import _request_row


@in_transaction
def record_poll(
    db: sqlite_utils.Database,
    request_id: int,
    freelancer_id: int,
    *,
    channel: str = "manager",
    role_id: int | None = None,
) -> int:
    """Record that a freelancer was asked about a request; return the poll id.

    Idempotent on (request, freelancer): asking again returns the same poll. An open request
    becomes ``polling``. Sending the question is the notifier's job (outbox).
    """
    req = _request_row(db, request_id)
    _freelancer_row(db, freelancer_id)
    rec = validate(
        Poll,
        {
            "request_id": request_id,
            "freelancer_id": freelancer_id,
            "channel": channel,
            "role_id": role_id,
        },
    )
    with db.atomic():
        row = db.execute(
            "SELECT id FROM polls WHERE request_id = ? AND freelancer_id = ?",
            [request_id, freelancer_id],
        ).fetchone()
        if row:
            return row[0]
        poll_id = db["polls"].insert(rec.row() | {"asked_at": _now()}).last_pk
        if req["status"] == "open":
            db.execute("UPDATE requests SET status = 'polling' WHERE id = ?", [request_id])
    return poll_id


def record_poll_channel(db: sqlite_utils.Database, poll_id: int, channel: str) -> None:
    """Record the channel the question of a poll actually went through (once it is sent)."""
    db.execute("UPDATE polls SET channel = ? WHERE id = ?", [channel, poll_id])


#: The answers to a poll, as stored, and their labels (translated when shown).
ANSWERS = {"yes": N_("yes"), "no": N_("no"), "maybe": N_("maybe")}


def normalise_answer(answer: object) -> str:
    """An answer as stored: "Oui" is ``yes``, "peut-être" ``maybe`` (unknown text as it is)."""
    value = str(answer or "").strip().lower()
    return {"oui": "yes", "non": "no", "peut-être": "maybe", "peut-etre": "maybe"}.get(
        value, value
    )


def answer_label(answer: str) -> Localized:
    """The label of a stored answer, put in a sentence in the reader's language."""
    return Localized(ANSWERS.get(answer, answer))


def get_poll(db: sqlite_utils.Database, poll_id: int) -> dict[str, Any]:
    """One poll's row; NotFound when there is none."""
    rows = list(db.query("SELECT * FROM polls WHERE id = ?", [poll_id]))
    if not rows:
        raise NotFound("No poll #{id}.", field="poll", id=poll_id)
    return rows[0]


@in_transaction
def answer_poll(
    db: sqlite_utils.Database,
    poll_id: int,
    answer: str,
    *,
    when: dt.datetime | dt.date | str | None = None,
) -> dict[str, Any]:
    """Record a freelancer's answer (yes / no / maybe) to a poll; return the poll row.

    The answer also confirms the freelancer's availability (``availability_confirmed_at``,
    ``availability_confirmed_by = 'answer'``).
    """
    value = normalise_answer(answer)
    if value not in ANSWERS:
        raise InvalidInput(
            "The answer must be yes, no or maybe (got '{value}').",
            field="answer",
            value=answer,
        )
    rows = list(db.query("SELECT * FROM polls WHERE id = ?", [poll_id]))
    if not rows:
        raise NotFound("No poll #{id}.", field="poll", id=poll_id)
    at = (
        when.isoformat(sep=" ", timespec="seconds")
        if isinstance(when, dt.datetime)
        else (_iso(when) if when else _now())
    )
    with db.atomic():
        db.execute(
            "UPDATE polls SET answer = ?, answered_at = ? WHERE id = ?", [value, at, poll_id]
        )
        db.execute(
            "UPDATE freelancers SET availability_confirmed_at = ?, "
            "availability_confirmed_by = 'answer' WHERE id = ?",
            [at, rows[0]["freelancer_id"]],
        )
    return next(iter(db.query("SELECT * FROM polls WHERE id = ?", [poll_id])))


def polls_for(db: sqlite_utils.Database, request_id: int) -> list[dict[str, Any]]:
    """Who was asked about a request, through which channel, and what they answered."""
    return list(
        db.query(
            "SELECT p.*, f.name AS freelancer FROM polls p "
            "JOIN freelancers f ON f.id = p.freelancer_id WHERE p.request_id = ? "
            "ORDER BY p.asked_at, p.id",
            [request_id],
        )
    )
