"""Who a message reaches, and how: the recipients' contacts, read in memory at send time.

A freelancer's contact comes from ``contacts``; the manager's from
:func:`fmstoolkit.manager_chat.contact` (their linked chat, else ``FMS_MANAGER_EMAIL``). Both
have the same shape, so choosing the channel is one function for everyone. Personal: what these
return is never stored nor logged. :mod:`.outbox` re-exports them.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from .. import manager_chat


def contact_of(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """Where to reach a freelancer, and whether we may: personal, keep it in memory only."""
    return contacts_of(db, [freelancer_id]).get(freelancer_id, {})


def contacts_of(db: sqlite_utils.Database, ids: list[int]) -> dict[int, dict[str, Any]]:
    """:func:`contact_of` for many freelancers in one query (a sender's batch), by id."""
    rows = db.query(
        "SELECT f.id, c.email, c.telegram_chat_id, c.telegram_closed_at, c.telegram_link_token, "
        "c.preferred_channel, f.opted_out_at, f.status FROM freelancers f LEFT JOIN contacts c "
        "ON c.freelancer_id = f.id WHERE f.id IN (SELECT value FROM json_each(?))",
        [json.dumps(sorted(set(ids)))],
    )
    return {row.pop("id"): row for row in rows}


def telegram_open(contact: dict[str, Any]) -> bool:
    """The freelancer's Telegram chat is linked and not closed (they did not block the bot)."""
    return bool(contact.get("telegram_chat_id")) and not contact.get("telegram_closed_at")


def choose_channel(
    msg: dict[str, Any], contact: dict[str, Any], telegram_available: bool = True
) -> str | None:
    """The channel a message goes through now, or None when the freelancer cannot be reached."""
    wanted = msg["channel"]
    if wanted == "preferred":
        wanted = contact.get("preferred_channel") or "email"
    if wanted == "telegram" and telegram_available and telegram_open(contact):
        return "telegram"
    if contact.get("email"):
        return "email"
    return None


def recipients_of(
    db: sqlite_utils.Database, batch: list[dict[str, Any]]
) -> dict[tuple[str, int | None], dict[str, Any]]:
    """The contact of every message of a sender's batch, by ``(recipient, freelancer_id)``
    (see :func:`recipient_key`): freelancers in one query, the manager once."""
    ids = [m["freelancer_id"] for m in batch if m.get("recipient", "freelancer") == "freelancer"]
    found = {("freelancer", fid): c for fid, c in contacts_of(db, ids).items()}
    if any(m.get("recipient") == "manager" for m in batch):
        manager = manager_chat.contact(db)
        for m in batch:
            if m.get("recipient") == "manager":
                found[recipient_key(m)] = manager
    return found


def recipient_key(msg: dict[str, Any]) -> tuple[str, int | None]:
    """Whose contact a message needs: the freelancer's, or the manager's."""
    recipient = msg.get("recipient") or "freelancer"
    return recipient, msg["freelancer_id"]
