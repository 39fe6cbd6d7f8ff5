"""Senders' hold on outbox messages: claims with a token, leases renewed while sending.

A sender *claims* due messages: one ``UPDATE ... RETURNING`` statement moves them to
``sending``, counts one more attempt, and stamps them with a fresh random **claim token** and a
**lease** (``lease_until``, ``outbox_lease_seconds`` ahead, 20 s by default). While it works the
sender *renews* the lease of its token every quarter of the lease (:func:`renew_every`), so a
batch that outlasts the lease, say behind a slow SMTP server, is never taken by a second
sender. A sender that dies (``kill -9``, a crash, a reboot) stops renewing: its messages become
due again when the lease runs out, a few seconds later, and the next sender claims them with a
new token.

The token is the fence: what a sender records afterwards (sent, failed, moved to email,
cancelled) takes effect only while the row is still ``sending`` under *its* token
(:data:`HELD`). A sender that was paused past its lease and came back, or whose message was
retried or cancelled by hand meanwhile, changes nothing.

Renewing a lease (rather than claiming one message at a time) keeps a claim one statement per
batch, and keeps a hung sender from holding messages longer than its lease: the lease is short
because it is renewed. What a crash can cost is bounded by what was *in flight* when it
happened: an email accepted by the server but not yet recorded as sent is sent again by the
next sender (at most the 16 email results a sender records together, and the Telegram messages
sent concurrently: the bound is stated and measured in :mod:`.dispatcher`).

Here too: the backoff after a failed attempt, and the helpers with which the outbox records a
result under a token. Domain code: no SMTP, no Telegram; the clock is the one clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import random
import secrets
from typing import Any

import sqlite_utils

from .. import clock
from ..config import get_settings

#: First retry after about this many seconds, doubling each attempt, capped at BACKOFF_CAP.
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
#: Refused records are logged under the outbox's name (ids only, never an address).
log = logging.getLogger("fmstoolkit.notify.outbox")

#: The SQL condition "still held by the claim whose token is the parameter".
HELD = "status = 'sending' AND claim_token = ?"
#: The SQL condition "due now" (parameter ``:now``): waiting and due, or left by a dead sender.
DUE = (
    "(status = 'pending' AND next_attempt_at <= :now) "
    "OR (status = 'sending' AND lease_until <= :now)"
)


def decode(row: dict[str, Any]) -> dict[str, Any]:
    """A stored outbox row with its JSON payload decoded."""
    row = dict(row)
    row["payload"] = json.loads(row["payload"]) if row.get("payload") else {}
    return row


def lease_length(value: float | None = None) -> float:
    """The lease of a claim: ``value`` or the ``outbox_lease_seconds`` setting."""
    return float(value if value is not None else get_settings().outbox_lease_seconds)


def renew_every(lease: float | None = None) -> float:
    """How often a sender renews its lease: a quarter of it, so that three renewals may be
    late (a busy database, a slow event loop) before anyone else may take the messages.
    Timestamps are stored to the second, hence the floor below one second of margin."""
    lease = lease_length(lease)
    return max(0.2, min(lease / 4, lease - 1.0))


def lease_live(msg: dict[str, Any], now: dt.datetime | None = None) -> bool:
    """A sender holds ``msg`` right now (it is ``sending`` and its lease has not run out)."""
    return (
        msg.get("status") == "sending"
        and bool(msg.get("lease_until"))
        and msg["lease_until"] > clock.stamp(now)
    )


def claim(
    db: sqlite_utils.Database,
    *,
    limit: int = 100,
    now: dt.datetime | None = None,
    lease_seconds: float | None = None,
) -> list[dict[str, Any]]:
    """Take up to ``limit`` due messages for sending; return them (payload decoded), by id.

    Due: pending with ``next_attempt_at`` reached, or left in ``sending`` by a sender whose
    lease ran out. They become ``sending`` with one more attempt, a lease, and one new
    ``claim_token`` shared by the whole claim (the rows carry it; pass it to :func:`renew`).
    One statement, so concurrent senders never share a message.
    """
    now = now or clock.now()
    lease = lease_length(lease_seconds)
    rows = db.query(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = :lease, "
        "claim_token = :token WHERE id IN (SELECT id FROM outbox WHERE " + DUE + " "
        "ORDER BY next_attempt_at, id LIMIT :limit) RETURNING *",
        {
            "now": clock.stamp(now),
            "lease": clock.stamp(now + dt.timedelta(seconds=lease)),
            "token": secrets.token_hex(16),
            "limit": int(limit),
        },
    )
    return sorted((decode(r) for r in rows), key=lambda r: r["id"])


def renew(
    db: sqlite_utils.Database,
    token: str,
    *,
    now: dt.datetime | None = None,
    lease_seconds: float | None = None,
) -> int:
    """Extend the lease of every message still held under ``token``; return how many.

    Messages already recorded (sent, failed...) or taken from this sender are not touched.
    """
    until = clock.stamp((now or clock.now()) + dt.timedelta(seconds=lease_length(lease_seconds)))
    with db.atomic():
        return db.execute(
            "UPDATE outbox SET lease_until = ? WHERE " + HELD, [until, token]
        ).rowcount


def writing(db: sqlite_utils.Database):
    """A write transaction (``BEGIN IMMEDIATE``), or the caller's when one is open: a sender
    recording many outcomes in one transaction does not pay a savepoint for each."""
    return contextlib.nullcontext() if db.conn.in_transaction else db.atomic()


def holder(db: sqlite_utils.Database, message_id: int) -> str | None:
    """The token of the claim holding a message now (None when nobody does)."""
    row = db.execute(
        "SELECT claim_token FROM outbox WHERE id = ? AND status = 'sending'", [message_id]
    ).fetchone()
    return row[0] if row else None


def token_for(db, message_id: int, token: str | None, message: dict[str, Any] | None) -> str | None:
    """The claim token a record is made under: the one given, the claimed row's, or (for a
    caller acting by hand without a claim at hand) whoever holds the message now."""
    if token:
        return token
    if message and message.get("claim_token"):
        return message["claim_token"]
    return holder(db, message_id)


def not_held(message_id: int, what: str) -> None:
    """Log that a sender's record was refused (ids only: no personal data)."""
    log.warning(
        "outbox message #%s: this sender no longer holds it (its lease was taken over, or it "
        "was retried or cancelled by hand): %s not recorded",
        message_id,
        what,
    )


def backoff(
    attempts: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
    *,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
) -> float:
    """Seconds to wait before the next try after ``attempts`` failed ones.

    With ``retry_after`` (Telegram's 429) we wait that long plus up to 10 %; otherwise
    ``base * 2**(attempts-1)`` capped at ``cap`` (the outbox's ``BACKOFF_BASE`` and
    ``BACKOFF_CAP`` unless told), with "equal jitter" (between half and all of it) so that
    messages failed together do not all come back together. The assistant's mailbox reader
    waits by the same rule.
    """
    rng = rng or random
    if retry_after is not None and retry_after > 0:
        return float(retry_after) * rng.uniform(1.0, 1.1)
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay * rng.uniform(0.5, 1.0)
