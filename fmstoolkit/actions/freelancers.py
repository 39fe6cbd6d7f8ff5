"""Actions on a freelancer's relation with the agency: opting out, their Telegram chat, their
language.

Opting out is both a domain fact and a stop on the outbox (the messages still waiting are
cancelled at once); linking a chat and closing it change where messages go. The CLI, the
notebooks, the dispatcher and the Telegram assistant call these.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .. import clock, followups, pool
from ..errors import InvalidInput, InvalidState
from ..i18n import LANGS
from ..notify import outbox
from . import messages


def opt_out(db: sqlite_utils.Database, freelancer_id: int, opted_out: bool = True) -> dict:
    """Record that a freelancer wants no more messages nor staffing proposals (or, with
    ``opted_out=False``, agrees to hear from us again). Opting out cancels the messages still
    waiting for them, whose ids come back under ``cancelled``."""
    with db.atomic():
        pool.set_opt_out(db, freelancer_id, opted_out)
        cancelled = (
            outbox.cancel_pending(db, "opted out: nothing is sent", freelancer_id=freelancer_id)
            if opted_out
            else []
        )
    return {"freelancer_id": freelancer_id, "opted_out": opted_out, "cancelled": cancelled}


def queue_checkin(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """A manager asks for news of a freelancer now (the pool app's "Queue a check-in"): an alumni
    check-in follow-up due today, about their last mission, and its message queued in the outbox
    (the follow-up is marked done when it is sent). Pressing again the same day queues nothing
    new. An opted-out freelancer is never written to: the sentence says so."""
    with db.atomic():
        who = pool.freelancer_row(db, freelancer_id)
        if who.get("opted_out_at"):
            raise InvalidState("{name} opted out: the agency no longer writes to them.",
                               name=who["name"])  # fmt: skip
        last = db.execute(
            "SELECT id FROM missions WHERE freelancer_id = ? AND status != 'cancelled' "
            "ORDER BY end_date DESC LIMIT 1", [freelancer_id]).fetchone()  # fmt: skip
        followup_id = followups.schedule(db, freelancer_id, "alumni_checkin", clock.today(),
                                         mission_id=last[0] if last else None)  # fmt: skip
        message_id = messages.enqueue_alumni_checkin(db, followup_id)
    return {"freelancer_id": freelancer_id, "followup_id": followup_id, "message_id": message_id}


def link_telegram_chat(
    db: sqlite_utils.Database, token: str | None, chat_id: int
) -> dict[str, Any] | None:
    """``/start <token>`` from an invitation link: connect this chat to the freelancer whose
    link token it is (Telegram becomes their preferred channel). Returns the freelancer (``id``,
    ``lang``) or None when the token is unknown or already used."""
    freelancer_id = pool.freelancer_by_link_token(db, token) if token else None
    if freelancer_id is None:
        return None
    with db.atomic():
        pool.link_telegram_chat(db, freelancer_id, chat_id)
    return pool.freelancer_by_chat(db, chat_id)


def reopen_telegram_chat(db: sqlite_utils.Database, chat_id: int) -> dict[str, Any] | None:
    """A known freelancer wrote to the bot again (after blocking it): their chat is open
    again. Returns the freelancer (``id``, ``lang``) or None for an unknown chat."""
    freelancer = pool.freelancer_by_chat(db, chat_id)
    if freelancer is not None:
        pool.reopen_telegram_chat(db, freelancer["id"])
    return freelancer


def close_telegram_chat(
    db: sqlite_utils.Database, freelancer_id: int, *, by: str = "blocked"
) -> None:
    """Their Telegram chat is closed, messages then go by email, until they write ``/start``
    to the bot again: Telegram says they blocked the bot (``by='blocked'``), or they sent
    ``/stop`` (``by='freelancer'``: their consent to Telegram messages withdrawn, with the
    time, in ``contacts``). E-mail stays unless they opt out."""
    with db.atomic():
        pool.close_telegram_chat(db, freelancer_id, by=by)


def set_language(db: sqlite_utils.Database, freelancer_id: int, lang: str) -> dict[str, Any]:
    """The language a freelancer reads the agency's messages in (``fr`` or ``en``, as
    ``/langue``, ``/language`` or a manager sets it). Returns the freelancer's profile."""
    value = str(lang or "").strip().lower()
    if value not in LANGS:
        raise InvalidInput(
            "'{value}' is not a language of the agency: choose fr or en.",
            field="lang",
            value=value[:20],
        )
    with db.atomic():
        return pool.update_freelancer(db, freelancer_id, lang=value)
