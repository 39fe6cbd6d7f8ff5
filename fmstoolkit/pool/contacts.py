"""A freelancer's contact data (kept apart, in ``contacts``) and the Telegram chat it links.

Personal data: what these functions return is never logged and never published.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import sqlite_utils

from .. import clock
from ..errors import Conflict

CONTACT_FIELDS = ("email", "phone", "telegram_chat_id", "preferred_channel")


def get_contact(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """A freelancer's contact data. Personal: never log it, never publish it."""
    rows = list(db.query("SELECT * FROM contacts WHERE freelancer_id = ?", [freelancer_id]))
    return rows[0] if rows else {"freelancer_id": freelancer_id}


def email_key(email: str | None) -> str:
    """What identifies an e-mail address: Unicode case folding of its NFC form.

    SQLite's ``COLLATE NOCASE`` folds ASCII letters only, so ``ZOÉ@EXÄMPLE.ORG`` and
    ``zoé@exämple.org`` would be two freelancers; Python's ``str.casefold`` is the full Unicode
    case folding (``É``/``é``, ``ß``/``ss``).
    """
    return unicodedata.normalize("NFC", (email or "").strip()).casefold()


def emails_index(db: sqlite_utils.Database) -> dict[str, int]:
    """Every known e-mail address by :func:`email_key` -> its freelancer (one scan; an import
    reads it once, inside its transaction)."""
    return {
        email_key(email): fid
        for fid, email in db.execute(
            "SELECT freelancer_id, email FROM contacts WHERE email IS NOT NULL ORDER BY 1 DESC"
        )
    }


def freelancer_by_email(db: sqlite_utils.Database, email: str | None) -> int | None:
    """The freelancer whose e-mail address is ``email`` in any case, or None."""
    return emails_index(db).get(email_key(email)) if email else None


def _check_email_free(
    db: sqlite_utils.Database, email: str | None, freelancer_id: int | None
) -> None:
    other = freelancer_by_email(db, email)
    if other is not None and other != freelancer_id:
        raise Conflict(
            "Another freelancer (#{other}) already has this email address.",
            field="email",
            other=other,
        )


def same_address(a: str | None, b: str | None) -> bool:
    """Whether two e-mail addresses are the same, compared with Unicode case folding."""
    return bool(a and b) and email_key(a) == email_key(b)


# --- the Telegram chat of a contact -----------------------------------------------------------


def freelancer_by_chat(db: sqlite_utils.Database, chat_id: int) -> dict[str, Any] | None:
    """The freelancer (``id``, ``lang``) whose contact has this Telegram chat, or None."""
    rows = list(
        db.query(
            "SELECT f.id, f.lang FROM contacts c JOIN freelancers f ON f.id = c.freelancer_id "
            "WHERE c.telegram_chat_id = ?",
            [chat_id],
        )
    )
    return rows[0] if rows else None


def freelancer_by_link_token(db: sqlite_utils.Database, token: str) -> int | None:
    """The id of the freelancer whose invitation link carries ``token``, or None."""
    row = db.execute(
        "SELECT freelancer_id FROM contacts WHERE telegram_link_token = ?", [token]
    ).fetchone()
    return row[0] if row else None


def link_telegram_chat(db: sqlite_utils.Database, freelancer_id: int, chat_id: int) -> None:
    """Connect a Telegram chat to a freelancer's contact (and to no one else's): Telegram
    becomes their preferred channel and the one-time link token is used up."""
    db.execute(
        "UPDATE contacts SET telegram_chat_id = NULL, updated_at = ? "
        "WHERE telegram_chat_id = ? AND freelancer_id != ?",
        [clock.stamp(), chat_id, freelancer_id],
    )
    db.execute(
        "UPDATE contacts SET telegram_chat_id = ?, telegram_closed_at = NULL, "
        "telegram_closed_by = NULL, "
        "telegram_link_token = NULL, preferred_channel = 'telegram', updated_at = ? "
        "WHERE freelancer_id = ?",
        [chat_id, clock.stamp(), freelancer_id],
    )


def reopen_telegram_chat(db: sqlite_utils.Database, freelancer_id: int) -> None:
    """The freelancer's Telegram chat is open again (they wrote to the bot after blocking it)."""
    db.execute(
        "UPDATE contacts SET telegram_closed_at = NULL, telegram_closed_by = NULL, "
        "updated_at = ? WHERE freelancer_id = ?",
        [clock.stamp(), freelancer_id],
    )


def close_telegram_chat(
    db: sqlite_utils.Database, freelancer_id: int, by: str = "blocked"
) -> None:
    """The freelancer's Telegram chat is closed (email is used instead): they blocked the bot
    (``by='blocked'``) or sent ``/stop`` (``by='freelancer'``, their consent withdrawn)."""
    if by not in ("blocked", "freelancer"):
        raise ValueError(f"unknown closer of a Telegram chat: {by!r}")
    now = clock.stamp()
    db.execute(
        "UPDATE contacts SET telegram_closed_at = ?, telegram_closed_by = ?, updated_at = ? "
        "WHERE freelancer_id = ?",
        [now, by, now, freelancer_id],
    )
