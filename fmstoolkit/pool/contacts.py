"""A freelancer's contact data (kept apart, in ``contacts``) and the Telegram chat it links.

Personal data: what these functions return is never logged and never published.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .. import clock
from ..errors import Conflict

CONTACT_FIELDS = ("email", "phone", "telegram_chat_id", "preferred_channel")


def get_contact(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """A freelancer's contact data. Personal: never log it, never publish it."""
    rows = list(db.query("SELECT * FROM contacts WHERE freelancer_id = ?", [freelancer_id]))
    return rows[0] if rows else {"freelancer_id": freelancer_id}


def _check_email_free(
    db: sqlite_utils.Database, email: str | None, freelancer_id: int | None
) -> None:
    if not email:
        return
    row = db.execute(
        "SELECT freelancer_id FROM contacts WHERE email = ? COLLATE NOCASE", [email]
    ).fetchone()
    if row and row[0] != freelancer_id:
        raise Conflict(
            "Another freelancer (#{other}) already has this email address.",
            field="email",
            other=row[0],
        )


def same_address(a: str | None, b: str | None) -> bool:
    """Whether two e-mail addresses are the same, compared with Unicode case folding."""
    return bool(a and b) and a.strip().casefold() == b.strip().casefold()


def freelancer_by_email(db: sqlite_utils.Database, address: str | None) -> int | None:
    """The id of the one freelancer whose contact has this e-mail address (Unicode case
    folding), or None (no one, or an ambiguous address)."""
    if not address or "@" not in address:
        return None
    # NOCASE folds ASCII only: it narrows the rows, case folding decides.
    rows = db.execute(
        "SELECT freelancer_id, email FROM contacts WHERE email = ? COLLATE NOCASE "
        "OR email GLOB '*[^ -~]*'",
        [address.strip()],
    ).fetchall()
    found = {fid for fid, email in rows if same_address(email, address)}
    return found.pop() if len(found) == 1 else None


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
        "telegram_link_token = NULL, preferred_channel = 'telegram', updated_at = ? "
        "WHERE freelancer_id = ?",
        [chat_id, clock.stamp(), freelancer_id],
    )


def reopen_telegram_chat(db: sqlite_utils.Database, freelancer_id: int) -> None:
    """The freelancer's Telegram chat is open again (they wrote to the bot after blocking it)."""
    db.execute(
        "UPDATE contacts SET telegram_closed_at = NULL, updated_at = ? WHERE freelancer_id = ?",
        [clock.stamp(), freelancer_id],
    )


def close_telegram_chat(db: sqlite_utils.Database, freelancer_id: int) -> None:
    """The freelancer blocked the bot: their Telegram chat is closed (email is used instead)."""
    now = clock.stamp()
    db.execute(
        "UPDATE contacts SET telegram_closed_at = ?, updated_at = ? WHERE freelancer_id = ?",
        [now, now, freelancer_id],
    )
