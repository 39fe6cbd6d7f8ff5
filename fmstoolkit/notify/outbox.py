"""The outbox: every message to a freelancer, or to the manager, goes through this durable queue
in SQLite.

A message is queued once (its ``dedupe_key`` is unique: queuing "poll:12" twice stores one
message), rendered at once in every form it may be sent in (subject, plain text, HTML, Telegram
text; see :mod:`.render`), and then moves through the statuses of DESIGN.md:

    pending ──claim──► sending ──► sent
       ▲                  │
       └── retry later ◄──┤ (temporary failure: exponential backoff with jitter, or the
                          │  provider's retry_after)
                          ├──► dead       (permanent failure, or outbox_max_attempts reached;
                          │               a server that cannot be reached at all counts no
                          │               attempt: its messages wait for it)
                          └──► cancelled  (freelancer opted out, or by hand)

A sender *claims* due messages with a token and a short lease that it renews while it works
(:mod:`.claims`): a sender that crashes leaves them in ``sending`` and they become claimable
again seconds later, when its lease runs out. What a sender records (:func:`mark_sent`,
:func:`mark_failed`, :func:`mark_cancelled`, :func:`requeue`) takes effect only while it still
holds the message under its token; otherwise nothing changes and a line is logged (ids only).

Who reads a message is its ``recipient``: ``freelancer`` (``freelancer_id``) or ``manager``
(:func:`enqueue_for_manager`: the digest, alerts, a freelancer's "yes"; ``freelancer_id`` then
names the freelancer the message is about, if any, so that forgetting them erases it too). The
manager is reached through their linked chat or ``FMS_MANAGER_EMAIL``
(:func:`fmstoolkit.manager_chat.contact`), whatever the freelancer it is about decided.

Privacy: rows hold what is said and to whom by freelancer id, never an address. Recipient
addresses are looked up in ``contacts`` by the dispatcher, in memory, at send time. The Telegram
connect link (a personal token) is likewise put in by the dispatcher: the stored body holds
:data:`CONNECT_URL` in its place.

This module is domain code: it never imports SMTP or Telegram libraries.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
from collections.abc import Callable
from typing import Any

import sqlite_utils

from .. import clock, manager_chat, pool
from ..config import get_settings
from ..errors import InvalidInput, InvalidState, NotFound
from ..i18n import N_
from ..models import OUTBOX_STATUSES
from . import claims, render
from .claims import HELD
from .listing import counts, due_count, list_messages  # noqa: F401 - re-exported
from .recipients import (  # noqa: F401 - re-exported
    choose_channel,
    contact_of,
    contacts_of,
    recipient_key,
    recipients_of,
    telegram_open,
)

STATUSES = OUTBOX_STATUSES
CHANNELS = ("preferred", "email", "telegram")
KINDS = render.ALL_KINDS
#: Stands for the personal Telegram connect link in stored bodies (filled in at send time).
CONNECT_URL = "https://t.me/connect-link-added-when-sent"
MAX_ERROR_CHARS = 500
#: Seconds a message waits when its channel's server could not be reached at all (no mail
#: server listening): the attempt is not counted (:func:`mark_failed` with ``counted=False``).
SERVER_DOWN_RETRY = 60.0


# --- time ----------------------------------------------------------------------------------------


def utcnow() -> dt.datetime:
    """Now, from the one clock (kept as the outbox's name for it)."""
    return clock.now()


#: Timestamps of the outbox are those of the one clock (UTC text, so text order is time order).
stamp = clock.stamp


# --- reading -------------------------------------------------------------------------------------


def get(db: sqlite_utils.Database, message_id: int) -> dict[str, Any]:
    """One outbox message (payload decoded)."""
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [message_id]))
    if not rows:
        raise NotFound(
            "No message #{id} in the outbox.",
            field="message",
            id=message_id,
        )
    return claims.decode(rows[0])


# --- queuing -------------------------------------------------------------------------------------


def _freelancer(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    return pool.freelancer_row(db, freelancer_id, "id, name, lang, status, opted_out_at")


def lang_of(freelancer: dict[str, Any], lang: str | None = None) -> str:
    return lang or freelancer.get("lang") or get_settings().lang


def silenced_reason(freelancer: dict[str, Any]) -> str | None:
    """Why nothing may be sent to this freelancer (opted out, data erased), or None."""
    if freelancer.get("opted_out_at"):
        return f"opted out on {freelancer['opted_out_at']}: nothing is sent"
    if freelancer.get("status") == "forgotten":
        return "personal data erased: nothing is sent"
    return None


def signature() -> str:
    """Who signs the messages: the display name of ``FMS_MAIL_FROM``."""
    name, _ = email.utils.parseaddr(get_settings().mail_from)
    return name or "fmstoolkit"


def _check(dedupe_key: str, channel: str, kind: str) -> None:
    if not dedupe_key or not dedupe_key.strip():
        raise InvalidInput(
            "A message needs a dedupe key.",
            field="dedupe_key",
        )
    if channel not in CHANNELS:
        raise InvalidInput(
            "Unknown channel {channel}: use one of {choices}.",
            field="channel",
            channel=channel,
            choices=", ".join(CHANNELS),
        )
    if kind not in KINDS:
        raise InvalidInput(
            "Unknown kind of message {kind}.",
            field="kind",
            kind=kind,
        )


def _existing(db: sqlite_utils.Database, dedupe_key: str) -> int | None:
    row = db.execute("SELECT id FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone()
    return row[0] if row else None


def _store(
    db: sqlite_utils.Database,
    *,
    dedupe_key: str,
    recipient: str,
    freelancer_id: int | None,
    kind: str,
    channel: str,
    lang: str,
    payload: dict[str, Any],
    context: dict[str, Any],
    reason: str | None,
) -> int:
    """Render ``kind`` and store it once (``reason``: why it is stored ``cancelled``)."""
    try:
        rendered = render.render(kind, lang, context | payload)
    except ValueError as exc:
        raise InvalidInput(
            "Cannot write this message: {exc}.",
            field="payload",
            exc=exc,
        ) from None
    now = stamp()
    with db.atomic():
        db.execute(
            "INSERT INTO outbox (dedupe_key, recipient, freelancer_id, channel, kind, lang, "
            "subject, body, html, payload, status, attempts, next_attempt_at, last_error, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            [
                dedupe_key,
                recipient,
                freelancer_id,
                channel,
                kind,
                lang,
                rendered.subject,
                rendered.text,
                rendered.html,
                json.dumps(payload | {"telegram": rendered.telegram}, ensure_ascii=False),
                "cancelled" if reason else "pending",
                now,
                reason,
                now,
            ],
        )
        return _existing(db, dedupe_key)


def enqueue(
    db: sqlite_utils.Database,
    *,
    dedupe_key: str,
    freelancer_id: int,
    kind: str,
    channel: str = "preferred",
    payload: dict[str, Any] | None = None,
    lang: str | None = None,
) -> int:
    """Queue message ``kind`` for a freelancer; return its id.

    ``payload`` is the templates' context (plus ``buttons`` for Telegram and ``ics`` for a
    calendar attachment); it must be JSON-serialisable and hold no contact data. Queuing the same
    ``dedupe_key`` again returns the first message's id and changes nothing. A freelancer who
    opted out gets the message stored as ``cancelled`` with the reason: it is never sent.
    """
    _check(dedupe_key, channel, kind)
    if (existing := _existing(db, dedupe_key)) is not None:
        return existing
    freelancer = _freelancer(db, freelancer_id)
    context = {
        "name": freelancer["name"],
        "first_name": freelancer["name"].split()[0],
        "signature": signature(),
    }
    return _store(
        db,
        dedupe_key=dedupe_key,
        recipient="freelancer",
        freelancer_id=freelancer_id,
        kind=kind,
        channel=channel,
        lang=lang_of(freelancer, lang),
        payload=dict(payload or {}),
        context=context,
        reason=silenced_reason(freelancer),
    )


#: Why a message to the manager is stored ``cancelled`` at once.
NO_MANAGER = "no manager to write to: set FMS_MANAGER_EMAIL or link the manager's chat"


def enqueue_for_manager(
    db: sqlite_utils.Database,
    *,
    dedupe_key: str,
    kind: str,
    about: int | None = None,
    payload: dict[str, Any] | None = None,
) -> int:
    """Queue message ``kind`` for the manager, in the agency's language (``FMS_LANG``); return
    its id. ``about``: the freelancer it is about, if any (kept in ``freelancer_id``). Stored
    ``cancelled`` when the manager cannot be reached (no address, no linked chat)."""
    _check(dedupe_key, "preferred", kind)
    if (existing := _existing(db, dedupe_key)) is not None:
        return existing
    return _store(
        db,
        dedupe_key=dedupe_key,
        recipient="manager",
        freelancer_id=about,
        kind=kind,
        channel="preferred",
        lang=get_settings().lang,
        payload=dict(payload or {}),
        context={"signature": signature()},
        reason=None if manager_chat.reachable(db) else NO_MANAGER,
    )


def cancel_pending(
    db: sqlite_utils.Database,
    reason: str,
    *,
    freelancer_id: int | None = None,
    dedupe_prefix: str | None = None,
) -> list[int]:
    """Cancel the messages not yet claimed by a sender (``pending``) of a freelancer, or whose
    dedupe key starts with ``dedupe_prefix``; return their ids. A message being sent right now
    is left to its sender."""
    if freelancer_id is None and dedupe_prefix is None:
        raise ValueError("cancel_pending needs a freelancer or a dedupe prefix")
    where, params = ["status = 'pending'"], []
    if freelancer_id is not None:  # their own messages, not the manager's about them
        where.append("freelancer_id = ? AND recipient = 'freelancer'")
        params.append(freelancer_id)
    if dedupe_prefix is not None:
        where.append("substr(dedupe_key, 1, ?) = ?")
        params += [len(dedupe_prefix), dedupe_prefix]
    rows = db.execute(
        "UPDATE outbox SET status = 'cancelled', last_error = ?, lease_until = NULL "
        f"WHERE {' AND '.join(where)} RETURNING id",
        [_clip(reason), *params],
    ).fetchall()
    return sorted(r[0] for r in rows)


# --- sending: record what happened (fenced by the claim token), retry, cancel -------------------


def _clip(reason: str) -> str:
    reason = " ".join(str(reason).split())
    return reason[:MAX_ERROR_CHARS]


#: What "sent" means for the domain, per message kind: ``hook(db, message, channel, when)``,
#: run in the transaction that records the message as sent. Registered by the layer above
#: (:mod:`fmstoolkit.actions.messages`): the outbox itself knows nothing of polls or
#: recommendations.
_ON_SENT: dict[str, Callable[[sqlite_utils.Database, dict[str, Any], str, str], None]] = {}


def on_sent(kind: str):
    """Decorator: register what sending a message of ``kind`` means for the domain."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of message {kind!r}")

    def register(hook):
        _ON_SENT[kind] = hook
        return hook

    return register


def mark_sent(
    db: sqlite_utils.Database,
    message_id: int,
    *,
    channel: str,
    provider_id: str | None = None,
    now: dt.datetime | None = None,
    message: dict[str, Any] | None = None,
    token: str | None = None,
) -> bool:
    """Record a message as sent, and run what that means for the domain (the hook registered
    for its kind with :func:`on_sent`), in one transaction; return whether it was recorded.

    ``message``: the claimed row, if at hand (its ``claim_token`` is the holder's). Nothing is
    recorded, and False returned, when the message is no longer ``sending`` under that token.
    """
    msg = message or get(db, message_id)
    when = stamp(now)
    with claims.writing(db):
        held = claims.token_for(db, message_id, token, message)
        done = held is not None and db.execute(
            "UPDATE outbox SET status = 'sent', sent_channel = ?, sent_at = ?, provider_id = ?, "
            "lease_until = NULL, claim_token = NULL, last_error = NULL WHERE id = ? AND " + HELD,
            [channel, when, provider_id, message_id, held],
        ).rowcount
        if done:
            hook = _ON_SENT.get(msg["kind"])
            if hook is not None:
                hook(db, msg, channel, when)
    if not done:
        claims.not_held(message_id, "sent")
    return bool(done)


def mark_failed(
    db: sqlite_utils.Database,
    message_id: int,
    reason: str,
    *,
    permanent: bool = False,
    retry_after: float | None = None,
    now: dt.datetime | None = None,
    rng: random.Random | None = None,
    message: dict[str, Any] | None = None,
    token: str | None = None,
    counted: bool = True,
) -> str | None:
    """Record a failed attempt; return the new status (``pending`` again later, or ``dead``),
    or None when this sender no longer holds the message (nothing recorded).
    ``message``: the claimed row, if at hand (its ``attempts`` counts this one).
    ``counted=False``: the server could not be reached at all, so the attempt is given back
    and the message waits :data:`SERVER_DOWN_RETRY` seconds (or ``retry_after``), never dying
    of a server that is away."""
    msg = message or get(db, message_id)
    now = now or utcnow()
    dead = counted and (permanent or msg["attempts"] >= get_settings().outbox_max_attempts)
    if counted:
        delay = claims.backoff(msg["attempts"], retry_after, rng)
    else:
        delay = claims.backoff(0, retry_after or SERVER_DOWN_RETRY, rng)
    with db.atomic():
        held = claims.token_for(db, message_id, token, message)
        if dead:
            sql, params = "status = 'dead'", []
        else:
            sql, params = "status = 'pending', next_attempt_at = ?", [
                stamp(now + dt.timedelta(seconds=delay))
            ]
            if not counted:
                sql += ", attempts = max(attempts - 1, 0)"
        done = held is not None and db.execute(
            f"UPDATE outbox SET {sql}, lease_until = NULL, claim_token = NULL, last_error = ? "
            "WHERE id = ? AND " + HELD,
            [*params, _clip(reason), message_id, held],
        ).rowcount
    if not done:
        claims.not_held(message_id, "failure")
        return None
    return "dead" if dead else "pending"


def mark_cancelled(
    db: sqlite_utils.Database,
    message_id: int,
    reason: str,
    *,
    message: dict[str, Any] | None = None,
    token: str | None = None,
) -> bool:
    """A sender settles a claimed message without sending it (the freelancer opted out)."""
    with db.atomic():
        held = claims.token_for(db, message_id, token, message)
        done = held is not None and db.execute(
            "UPDATE outbox SET status = 'cancelled', lease_until = NULL, claim_token = NULL, "
            "last_error = ? WHERE id = ? AND " + HELD,
            [_clip(reason), message_id, held],
        ).rowcount
    if not done:
        claims.not_held(message_id, "cancellation")
    return bool(done)


def requeue(
    db: sqlite_utils.Database,
    message_id: int,
    channel: str,
    reason: str,
    now: dt.datetime | None = None,
    *,
    message: dict[str, Any] | None = None,
    token: str | None = None,
) -> bool:
    """Send a message again, now, on another channel (Telegram closed: fall back to email)."""
    with db.atomic():
        held = claims.token_for(db, message_id, token, message)
        done = held is not None and db.execute(
            "UPDATE outbox SET status = 'pending', channel = ?, attempts = 0, "
            "lease_until = NULL, claim_token = NULL, last_error = ?, next_attempt_at = ? "
            "WHERE id = ? AND " + HELD,
            [channel, _clip(reason), stamp(now), message_id, held],
        ).rowcount
    if not done:
        claims.not_held(message_id, "move to another channel")
    return bool(done)


def _unsent_message(db: sqlite_utils.Database, message_id: int, sent: str) -> dict[str, Any]:
    """The message, refused (InvalidState) if already sent (``sent``: a msgid with ``{id}``
    and ``{when}``) or held by a sender right now (a live lease). Call it inside the write
    transaction that acts on the message, so that no sender claims it in between."""
    msg = get(db, message_id)
    if msg["status"] == "sent":
        raise InvalidState(sent, id=message_id, when=msg["sent_at"])
    if claims.lease_live(msg):
        raise InvalidState(
            "Message #{id} is being sent right now.",
            id=message_id,
        )
    return msg


def retry(db: sqlite_utils.Database, message_id: int) -> dict[str, Any]:
    """Send a dead, cancelled or waiting message again as soon as the outbox is drained.

    A message left ``sending`` by a sender whose lease ran out (it crashed) is released too:
    its token is dropped, so that sender can no longer record anything on it."""
    with db.atomic():
        _unsent_message(db, message_id, N_("Message #{id} was already sent ({when})."))
        db.execute(
            "UPDATE outbox SET status = 'pending', attempts = 0, lease_until = NULL, "
            "claim_token = NULL, next_attempt_at = ? WHERE id = ?",
            [stamp(), message_id],
        )
    return get(db, message_id)


def cancel(db: sqlite_utils.Database, message_id: int, reason: str | None = None) -> dict[str, Any]:
    """Cancel a message that was not sent (cancelling again is harmless); like :func:`retry`,
    this releases a message whose sender's lease ran out."""
    with db.atomic():
        msg = _unsent_message(
            db, message_id, N_("Message #{id} was already sent ({when}); it cannot be cancelled.")
        )
        if msg["status"] != "cancelled":
            db.execute(
                "UPDATE outbox SET status = 'cancelled', lease_until = NULL, claim_token = NULL, "
                "last_error = ? WHERE id = ?",
                [_clip(reason or "cancelled by hand"), message_id],
            )
    return get(db, message_id)
