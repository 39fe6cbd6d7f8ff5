"""The outbox: every message to a freelancer goes through this durable queue in SQLite.

A message is queued once (its ``dedupe_key`` is unique: queuing "poll:12" twice stores one
message), rendered at once in every form it may be sent in (subject, plain text, HTML, Telegram
text; see :mod:`.render`), and then moves through the statuses of DESIGN.md:

    pending ──claim──► sending ──► sent
       ▲                  │
       └── retry later ◄──┤ (temporary failure: exponential backoff with jitter, or the
                          │  provider's retry_after)
                          ├──► dead       (permanent failure, or outbox_max_attempts reached)
                          └──► cancelled  (freelancer opted out, or by hand)

A sender *claims* due messages with a lease (``outbox_lease_seconds``): a sender that crashes
leaves them in ``sending`` and they become claimable again when the lease runs out. Claiming is a
single ``UPDATE ... RETURNING`` statement, so two senders never claim the same message.

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
import secrets
from typing import Any

import sqlite_utils

from .. import clock, followups, pool
from ..config import get_settings
from ..errors import DeliveryError, InvalidInput, InvalidState, NotFound
from . import callbacks, render

STATUSES = ("pending", "sending", "sent", "dead", "cancelled")
CHANNELS = ("preferred", "email", "telegram")
KINDS = render.KINDS
#: First retry after about this many seconds, doubling each attempt, capped at BACKOFF_CAP.
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
#: Stands for the personal Telegram connect link in stored bodies (filled in at send time).
CONNECT_URL = "https://t.me/connect-link-added-when-sent"
MAX_ERROR_CHARS = 500

ANSWER_LABELS = {
    "en": (("yes", "Yes"), ("maybe", "Maybe"), ("no", "No")),
    "fr": (("yes", "Oui"), ("maybe", "Peut-être"), ("no", "Non")),
}
FEEDBACK_LABEL = {"en": "Give my feedback", "fr": "Donner mon avis"}


# --- time ----------------------------------------------------------------------------------------


def utcnow() -> dt.datetime:
    """Now, from the one clock (kept as the outbox's name for it)."""
    return clock.now()


#: Timestamps of the outbox are those of the one clock (UTC text, so text order is time order).
stamp = clock.stamp


def backoff(attempts: int, retry_after: float | None = None, rng: random.Random | None = None):
    """Seconds to wait before the next try after ``attempts`` failed ones.

    With ``retry_after`` (Telegram's 429) we wait that long plus up to 10 %; otherwise
    ``BACKOFF_BASE * 2**(attempts-1)`` capped at ``BACKOFF_CAP``, with "equal jitter" (between
    half and all of it) so that messages failed together do not all come back together.
    """
    rng = rng or random
    if retry_after is not None and retry_after > 0:
        return float(retry_after) * rng.uniform(1.0, 1.1)
    delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))
    return delay * rng.uniform(0.5, 1.0)


# --- reading -------------------------------------------------------------------------------------


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["payload"] = json.loads(row["payload"]) if row.get("payload") else {}
    return row


def get(db: sqlite_utils.Database, message_id: int) -> dict[str, Any]:
    """One outbox message (payload decoded)."""
    rows = list(db.query("SELECT * FROM outbox WHERE id = ?", [message_id]))
    if not rows:
        raise NotFound(
            "No message #{id} in the outbox.",
            "Aucun message n° {id} dans la file d'envoi.",
            field="message",
            id=message_id,
        )
    return _decode(rows[0])


def list_messages(
    db: sqlite_utils.Database,
    *,
    status: str | None = None,
    freelancer_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Messages, newest first, with the freelancer's name (never an address)."""
    where, params = [], []
    if status is not None:
        if status not in STATUSES:
            raise InvalidInput(
                "Unknown status {status}: use one of {choices}.",
                "Statut inconnu {status} : utilisez {choices}.",
                field="status",
                status=status,
                choices=", ".join(STATUSES),
            )
        where.append("o.status = ?")
        params.append(status)
    if freelancer_id is not None:
        where.append("o.freelancer_id = ?")
        params.append(freelancer_id)
    sql = (
        "SELECT o.id, o.freelancer_id, f.name AS freelancer, o.kind, o.channel, o.status, "
        "o.attempts, o.next_attempt_at, o.last_error, o.sent_channel, o.sent_at, o.subject, "
        "o.created_at FROM outbox o JOIN freelancers f ON f.id = o.freelancer_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY o.id DESC"
        + (f" LIMIT {int(limit)}" if limit else "")
    )
    return list(db.query(sql, params))


def counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Number of messages per status (every status present, zero included)."""
    found = dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
    return {s: found.get(s, 0) for s in STATUSES}


def due_count(db: sqlite_utils.Database, now: dt.datetime | None = None) -> int:
    """How many messages a drain would claim now."""
    return db.execute(
        "SELECT count(*) FROM outbox WHERE (status = 'pending' AND next_attempt_at <= :now) "
        "OR (status = 'sending' AND lease_until <= :now)",
        {"now": stamp(now)},
    ).fetchone()[0]


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
    if not dedupe_key or not dedupe_key.strip():
        raise InvalidInput(
            "A message needs a dedupe key.",
            "Un message doit avoir une clé de dédoublonnage.",
            field="dedupe_key",
        )
    if channel not in CHANNELS:
        raise InvalidInput(
            "Unknown channel {channel}: use one of {choices}.",
            "Canal inconnu {channel} : utilisez {choices}.",
            field="channel",
            channel=channel,
            choices=", ".join(CHANNELS),
        )
    if kind not in KINDS:
        raise InvalidInput(
            "Unknown kind of message {kind}.",
            "Type de message inconnu {kind}.",
            field="kind",
            kind=kind,
        )
    existing = db.execute("SELECT id FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone()
    if existing:
        return existing[0]
    freelancer = _freelancer(db, freelancer_id)
    lang = lang_of(freelancer, lang)
    payload = dict(payload or {})
    context = {
        "name": freelancer["name"],
        "first_name": freelancer["name"].split()[0],
        "signature": signature(),
    } | payload
    try:
        rendered = render.render(kind, lang, context)
    except ValueError as exc:
        raise InvalidInput(
            "Cannot write this message: {exc}.",
            "Impossible de rédiger ce message : {exc}.",
            field="payload",
            exc=exc,
        ) from None
    reason = silenced_reason(freelancer)
    now = stamp()
    with db.atomic():
        db.execute(
            "INSERT INTO outbox (dedupe_key, freelancer_id, channel, kind, lang, subject, body, "
            "html, payload, status, attempts, next_attempt_at, last_error, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) "
            "ON CONFLICT (dedupe_key) DO NOTHING",
            [
                dedupe_key,
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
        return db.execute("SELECT id FROM outbox WHERE dedupe_key = ?", [dedupe_key]).fetchone()[0]


def _one(db: sqlite_utils.Database, sql: str, params: list[Any], what: str, obj_id: int):
    rows = list(db.query(sql, params))
    if not rows:
        label = {"poll": "Aucun sondage", "mission": "Aucune mission"}.get(what, what)
        raise NotFound(
            "No {what} #{id}.", "{label} n° {id}.", field=what, what=what, label=label, id=obj_id
        )
    return rows[0]


def enqueue_availability_question(db: sqlite_utils.Database, poll_id: int) -> int:
    """Queue the question "are you available?" of a poll, with Yes / Maybe / No buttons."""
    poll = _one(
        db,
        "SELECT p.id, p.request_id, p.role_id, p.freelancer_id, r.start_date, r.end_date, "
        "r.days, pr.name AS project FROM polls p JOIN requests r ON r.id = p.request_id "
        "JOIN projects pr ON pr.id = r.project_id WHERE p.id = ?",
        [poll_id],
        "poll",
        poll_id,
    )
    lang = lang_of(_freelancer(db, poll["freelancer_id"]))
    role = None
    if poll["role_id"]:
        row = db.execute(
            "SELECT rr.label, s.label_en, s.label_fr FROM request_roles rr "
            "JOIN skills s ON s.id = rr.skill_id WHERE rr.id = ?",
            [poll["role_id"]],
        ).fetchone()
        if row:
            role = row[0] or (row[2] if lang == "fr" else row[1])
    key = callbacks.secret_for(db)
    buttons = [
        [
            {"label": label, "callback_data": callbacks.sign("poll", poll_id, value, key=key)}
            for value, label in ANSWER_LABELS[lang]
        ]
    ]
    return enqueue(
        db,
        dedupe_key=f"poll:{poll_id}",
        freelancer_id=poll["freelancer_id"],
        kind="availability_question",
        lang=lang,
        payload={
            "poll_id": poll_id,
            "request_id": poll["request_id"],
            "project": poll["project"],
            "role": role,
            "start_date": poll["start_date"],
            "end_date": poll["end_date"],
            "days": poll["days"],
            "buttons": buttons,
        },
    )


def _mission(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    return _one(
        db,
        "SELECT m.id, m.freelancer_id, m.title, m.start_date, m.end_date, m.days, m.daily_rate, "
        "p.name AS project, p.client, p.lead_name FROM missions m "
        "JOIN projects p ON p.id = m.project_id WHERE m.id = ?",
        [mission_id],
        "mission",
        mission_id,
    )


def enqueue_feedback_request(db: sqlite_utils.Database, mission_id: int) -> int:
    """Queue the request for the freelancer's feedback on a mission (once per mission)."""
    m = _mission(db, mission_id)
    lang = lang_of(_freelancer(db, m["freelancer_id"]))
    return enqueue(
        db,
        dedupe_key=f"feedback:mission:{mission_id}",
        freelancer_id=m["freelancer_id"],
        kind="feedback_request",
        lang=lang,
        payload={
            "mission_id": mission_id,
            "project": m["project"],
            "title": m["title"],
            "start_date": m["start_date"],
            "end_date": m["end_date"],
            "buttons": [
                [
                    {
                        "label": FEEDBACK_LABEL[lang],
                        "callback_data": callbacks.sign(
                            "feedback", mission_id, "start", key=callbacks.secret_for(db)
                        ),
                    }
                ]
            ],
        },
    )


def enqueue_recommendation(db: sqlite_utils.Database, mission_id: int) -> int:
    """Queue the delivery of the recommendation written for a mission (once per mission)."""
    m = _mission(db, mission_id)
    rows = list(db.query("SELECT * FROM recommendations WHERE mission_id = ?", [mission_id]))
    if not rows:
        raise InvalidState(
            "Mission #{id} has no recommendation yet: write it first.",
            "La mission n° {id} n'a pas encore de recommandation : rédigez-la d'abord.",
            field="recommendation",
            id=mission_id,
        )
    return enqueue(
        db,
        dedupe_key=f"recommendation:mission:{mission_id}",
        freelancer_id=m["freelancer_id"],
        kind="recommendation",
        payload={
            "mission_id": mission_id,
            "project": m["project"],
            "recommendation": rows[0]["text"],
            "author": rows[0]["author"],
        },
    )


def mission_ics(m: dict[str, Any]) -> str:
    """The mission as an iCalendar file: one all-day event (DTEND exclusive), stable UID.

    icalendar (already a dependency, used by the planning calendar too) does the escaping and
    line folding RFC 5545 asks for.
    """
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//fmstoolkit//mission confirmation//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"mission-{m['id']}@fmstoolkit")
    event.add("dtstamp", clock.now())
    event.add("dtstart", dt.date.fromisoformat(m["start_date"]))
    event.add("dtend", dt.date.fromisoformat(m["end_date"]) + dt.timedelta(days=1))
    event.add("summary", " · ".join(x for x in (m["project"], m.get("title")) if x))
    event.add("description", f"{m['days']} d x {m['daily_rate']} EUR")
    cal.add_component(event)
    return cal.to_ical().decode()


def enqueue_mission_confirmation(db: sqlite_utils.Database, mission_id: int) -> int:
    """Queue the confirmation of a mission (with an .ics by email). A mission moved to other
    dates gets a new confirmation: the dates are part of the dedupe key."""
    m = _mission(db, mission_id)
    return enqueue(
        db,
        dedupe_key=f"mission:{mission_id}:confirmation:{m['start_date']}:{m['end_date']}",
        freelancer_id=m["freelancer_id"],
        kind="mission_confirmation",
        payload={
            "mission_id": mission_id,
            "project": m["project"],
            "client": m["client"],
            "title": m["title"],
            "start_date": m["start_date"],
            "end_date": m["end_date"],
            "days": m["days"],
            "daily_rate": m["daily_rate"],
            "lead_name": m["lead_name"],
            "ics": mission_ics(m),
        },
    )


def enqueue_alumni_checkins(
    db: sqlite_utils.Database, today: dt.date | str | None = None
) -> list[int]:
    """Queue the alumni check-ins due by ``today``; return the messages' ids.

    The follow-up is marked done when its message is sent; an opted-out freelancer's follow-up
    is cancelled (and so is the message).
    """
    ids = []
    for fu in followups.due(db, today):
        if fu["kind"] != "alumni_checkin":
            continue
        project = None
        if fu["mission_id"]:
            row = db.execute(
                "SELECT p.name FROM missions m JOIN projects p ON p.id = m.project_id "
                "WHERE m.id = ?",
                [fu["mission_id"]],
            ).fetchone()
            project = row[0] if row else None
        ids.append(
            enqueue(
                db,
                dedupe_key=f"followup:{fu['id']}",
                freelancer_id=fu["freelancer_id"],
                kind="alumni_checkin",
                payload={"followup_id": fu["id"], "project": project},
            )
        )
        if fu["opted_out"]:
            followups.cancel(db, fu["id"])
    return ids


def enqueue_telegram_invitation(db: sqlite_utils.Database, freelancer_id: int) -> int:
    """Queue an email inviting a freelancer to connect on Telegram (a personal deep link).

    The link token is made here if the freelancer has none and kept in ``contacts``; the link
    itself is only put into the email when it is sent.
    """
    bot = get_settings().telegram_bot_username
    if not bot:
        raise DeliveryError(
            "Set FMS_TELEGRAM_BOT_USERNAME (the bot's @name) to invite freelancers to Telegram.",
            "Renseignez FMS_TELEGRAM_BOT_USERNAME (le @nom du bot) pour inviter les freelances "
            "sur Telegram.",
            field="telegram_bot_username",
        )
    _freelancer(db, freelancer_id)
    contact = pool.get_contact(db, freelancer_id)
    if not contact.get("email"):
        raise InvalidState(
            "Freelancer #{id} has no email address to send the invitation to.",
            "Le freelance n° {id} n'a pas d'adresse e-mail pour recevoir l'invitation.",
            field="email",
            id=freelancer_id,
        )
    if contact.get("telegram_chat_id") and not contact.get("telegram_closed_at"):
        raise InvalidState(
            "Freelancer #{id} is already connected on Telegram.",
            "Le freelance n° {id} est déjà connecté sur Telegram.",
            field="telegram",
            id=freelancer_id,
        )
    with db.atomic():
        if not contact.get("telegram_link_token"):
            db.execute(
                "UPDATE contacts SET telegram_link_token = ?, updated_at = ? "
                "WHERE freelancer_id = ?",
                [secrets.token_urlsafe(24), stamp(), freelancer_id],
            )
        return enqueue(
            db,
            dedupe_key=f"telegram-invitation:{freelancer_id}",
            freelancer_id=freelancer_id,
            kind="telegram_invitation",
            channel="email",
            payload={"connect_url": CONNECT_URL, "bot": bot.lstrip("@")},
        )


# --- sending: claim, record, retry ---------------------------------------------------------------


def claim(
    db: sqlite_utils.Database,
    *,
    limit: int = 100,
    now: dt.datetime | None = None,
    lease_seconds: float | None = None,
) -> list[dict[str, Any]]:
    """Take up to ``limit`` due messages for sending (status ``sending``, one more attempt).

    Due: pending with ``next_attempt_at`` reached, or left in ``sending`` by a sender whose lease
    ran out. One ``UPDATE ... RETURNING``, so concurrent senders never share a message.
    """
    now = now or utcnow()
    lease = lease_seconds if lease_seconds is not None else get_settings().outbox_lease_seconds
    rows = db.query(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1, lease_until = :lease "
        "WHERE id IN (SELECT id FROM outbox WHERE (status = 'pending' AND next_attempt_at <= "
        ":now) OR (status = 'sending' AND lease_until <= :now) "
        "ORDER BY next_attempt_at, id LIMIT :limit) RETURNING *",
        {
            "now": stamp(now),
            "lease": stamp(now + dt.timedelta(seconds=lease)),
            "limit": int(limit),
        },
    )
    return sorted((_decode(r) for r in rows), key=lambda r: r["id"])


def _clip(reason: str) -> str:
    reason = " ".join(str(reason).split())
    return reason[:MAX_ERROR_CHARS]


def mark_sent(
    db: sqlite_utils.Database,
    message_id: int,
    *,
    channel: str,
    provider_id: str | None = None,
    now: dt.datetime | None = None,
    message: dict[str, Any] | None = None,
) -> None:
    """Record a message as sent, and what that means for the domain (poll channel,
    recommendation delivered, follow-up done). ``message``: the claimed row, if at hand."""
    msg = message or get(db, message_id)
    when = stamp(now)
    with db.atomic():
        db.execute(
            "UPDATE outbox SET status = 'sent', sent_channel = ?, sent_at = ?, provider_id = ?, "
            "lease_until = NULL, last_error = NULL WHERE id = ?",
            [channel, when, provider_id, message_id],
        )
        payload = msg["payload"]
        if msg["kind"] == "availability_question" and payload.get("poll_id"):
            db.execute("UPDATE polls SET channel = ? WHERE id = ?", [channel, payload["poll_id"]])
        if msg["kind"] == "recommendation" and payload.get("mission_id"):
            db.execute(
                "UPDATE recommendations SET delivered_at = ? WHERE mission_id = ? "
                "AND delivered_at IS NULL",
                [when[:10], payload["mission_id"]],
            )
        if payload.get("followup_id"):
            fu = db.execute(
                "SELECT status FROM followups WHERE id = ?", [payload["followup_id"]]
            ).fetchone()
            if fu and fu[0] == "pending":
                followups.mark_done(db, payload["followup_id"], when[:10])


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
) -> str:
    """Record a failed attempt; return the new status (``pending`` again later, or ``dead``).
    ``message``: the claimed row, if at hand (its ``attempts`` counts this one)."""
    msg = message or get(db, message_id)
    now = now or utcnow()
    dead = permanent or msg["attempts"] >= get_settings().outbox_max_attempts
    if dead:
        db.execute(
            "UPDATE outbox SET status = 'dead', lease_until = NULL, last_error = ? WHERE id = ?",
            [_clip(reason), message_id],
        )
        return "dead"
    delay = backoff(msg["attempts"], retry_after, rng)
    db.execute(
        "UPDATE outbox SET status = 'pending', lease_until = NULL, last_error = ?, "
        "next_attempt_at = ? WHERE id = ?",
        [_clip(reason), stamp(now + dt.timedelta(seconds=delay)), message_id],
    )
    return "pending"


def mark_cancelled(db: sqlite_utils.Database, message_id: int, reason: str) -> None:
    db.execute(
        "UPDATE outbox SET status = 'cancelled', lease_until = NULL, last_error = ? WHERE id = ?",
        [_clip(reason), message_id],
    )


def requeue(
    db: sqlite_utils.Database,
    message_id: int,
    channel: str,
    reason: str,
    now: dt.datetime | None = None,
) -> None:
    """Send a message again, now, on another channel (Telegram closed: fall back to email)."""
    db.execute(
        "UPDATE outbox SET status = 'pending', channel = ?, attempts = 0, lease_until = NULL, "
        "last_error = ?, next_attempt_at = ? WHERE id = ?",
        [channel, _clip(reason), stamp(now), message_id],
    )


def _unsent_message(
    db: sqlite_utils.Database, message_id: int, sent_en: str, sent_fr: str
) -> dict[str, Any]:
    """The message, refused (InvalidState) if already sent (``sent_en``/``sent_fr``, with
    ``{id}`` and ``{when}``) or being sent right now."""
    msg = get(db, message_id)
    if msg["status"] == "sent":
        raise InvalidState(sent_en, sent_fr, id=message_id, when=msg["sent_at"])
    if msg["status"] == "sending" and msg["lease_until"] and msg["lease_until"] > stamp():
        raise InvalidState(
            "Message #{id} is being sent right now.",
            "Le message n° {id} est en cours d'envoi.",
            id=message_id,
        )
    return msg


def retry(db: sqlite_utils.Database, message_id: int) -> dict[str, Any]:
    """Send a dead, cancelled or waiting message again as soon as the outbox is drained."""
    _unsent_message(
        db,
        message_id,
        "Message #{id} was already sent ({when}).",
        "Le message n° {id} a déjà été envoyé ({when}).",
    )
    db.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, lease_until = NULL, "
        "next_attempt_at = ? WHERE id = ?",
        [stamp(), message_id],
    )
    return get(db, message_id)


def cancel(db: sqlite_utils.Database, message_id: int, reason: str | None = None) -> dict[str, Any]:
    """Cancel a message that was not sent (cancelling again is harmless)."""
    msg = _unsent_message(
        db,
        message_id,
        "Message #{id} was already sent ({when}); it cannot be cancelled.",
        "Le message n° {id} a déjà été envoyé ({when}) ; il ne peut pas être annulé.",
    )
    if msg["status"] != "cancelled":
        mark_cancelled(db, message_id, reason or "cancelled by hand")
    return get(db, message_id)
