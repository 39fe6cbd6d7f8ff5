"""The manager's own Telegram chat, linked with a manager invitation (table ``_manager_chats``).

``fms manager invite`` makes a one-time token (:func:`new_invitation`) and prints the bot's
``/start`` deep link carrying it; the manager opens it on their phone and the assistant links
that chat (:func:`link`). The token is used once: a second ``/start`` with it is refused. The
chat linked last is the manager's (one manager per agency); an older one is left unlinked.

Where a message to the manager goes (:func:`contact`) is worked out like a freelancer's
contact: the linked chat (Telegram preferred), else ``FMS_MANAGER_EMAIL``. The chat id and the
address are personal: they stay in this table and in the settings, and are read into memory by
the dispatcher at send time only.

Manager tokens start with :data:`TOKEN_PREFIX`, so the assistant tells a manager's ``/start``
from a freelancer's without looking anything up. Domain code: no Telegram library here.
"""

from __future__ import annotations

import secrets
from typing import Any

import sqlite_utils

from . import clock
from .config import get_settings

#: What starts every manager token (Telegram's deep-link payloads allow ``A-Za-z0-9_-``).
TOKEN_PREFIX = "mgr_"


def new_invitation(db: sqlite_utils.Database) -> str:
    """A fresh one-time manager token (stored; the deep link is the caller's to build)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(24)
    with db.atomic():
        db.execute("INSERT INTO _manager_chats (token, created_at) VALUES (?, ?)",
                   [token, clock.stamp()])  # fmt: skip
    return token


def link(db: sqlite_utils.Database, token: str, chat_id: int) -> str:
    """Link ``chat_id`` as the manager's with ``token``: ``"linked"``, ``"used"`` (the token
    was used already) or ``"unknown"`` (no such token)."""
    with db.atomic():
        row = db.execute(
            "SELECT id, linked_at FROM _manager_chats WHERE token = ?", [token]
        ).fetchone()
        if row is None:
            return "unknown"
        if row[1] is not None:
            return "used"
        now = clock.stamp()
        db.execute("UPDATE _manager_chats SET chat_id = NULL WHERE chat_id = ?", [chat_id])
        db.execute(
            "UPDATE _manager_chats SET chat_id = ?, linked_at = ?, closed_at = NULL WHERE id = ?",
            [chat_id, now, row[0]],
        )
    return "linked"


def chat_id(db: sqlite_utils.Database) -> int | None:
    """The manager's linked chat (the one linked last), or None."""
    row = db.execute(
        "SELECT chat_id FROM _manager_chats WHERE chat_id IS NOT NULL "
        "ORDER BY linked_at DESC, id DESC LIMIT 1"
    ).fetchone()
    return row[0] if row else None


def is_manager_chat(db: sqlite_utils.Database, chat: int | None) -> bool:
    """``chat`` is the manager's linked chat."""
    return chat is not None and chat == chat_id(db)


def close(db: sqlite_utils.Database) -> None:
    """Telegram says the manager blocked the bot: their chat is closed (e-mail then)."""
    db.execute(
        "UPDATE _manager_chats SET closed_at = ? WHERE chat_id IS NOT NULL AND closed_at IS NULL",
        [clock.stamp()],
    )


def reopen(db: sqlite_utils.Database, chat: int) -> None:
    """The manager wrote to the bot again: their chat is open again."""
    db.execute("UPDATE _manager_chats SET closed_at = NULL WHERE chat_id = ?", [chat])


def contact(db: sqlite_utils.Database) -> dict[str, Any]:
    """Where the manager is reached, shaped like a freelancer's contact (memory only)."""
    row = db.execute(
        "SELECT chat_id, closed_at FROM _manager_chats WHERE chat_id IS NOT NULL "
        "ORDER BY linked_at DESC, id DESC LIMIT 1"
    ).fetchone()
    chat, closed = row if row else (None, None)
    return {
        "email": get_settings().manager_email,
        "telegram_chat_id": chat,
        "telegram_closed_at": closed,
        "preferred_channel": "telegram" if chat and not closed else "email",
        "opted_out_at": None,
        "status": "active",
    }


def reachable(db: sqlite_utils.Database) -> bool:
    """The manager can be written to (an address set, or a chat linked)."""
    found = contact(db)
    return bool(found["email"] or found["telegram_chat_id"])
