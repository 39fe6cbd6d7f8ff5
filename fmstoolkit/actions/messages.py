"""The messages the toolkit sends, one builder per kind, and what sending each one means.

Each ``enqueue_*`` function reads what its message is about (a poll, a mission, a
recommendation, a follow-up) and queues it in the outbox with its dedupe key; the ``on_sent``
hooks below record, in the transaction that marks a message sent, what that changes for the
domain: the channel a poll went through, the day a recommendation was delivered, a follow-up
done. The outbox (:mod:`fmstoolkit.notify.outbox`) stays a queue that knows nothing of polls or
recommendations.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import sqlite_utils

from .. import calendars, contracts, followups, offboarding, planning, pool
from ..config import get_settings
from ..errors import DeliveryError, InvalidState, NotFound
from ..i18n import N_, _, format_month
from ..notify import callbacks
from ..notify.outbox import CONNECT_URL, enqueue, lang_of, on_sent, stamp

#: The answer buttons of an availability question: the answer each one sends (what
#: :func:`fmstoolkit.planning.answer_poll` understands) and its label, translated in the
#: freelancer's language when the message is queued.
ANSWER_LABELS = (("yes", N_("Yes")), ("maybe", N_("Maybe")), ("no", N_("No")))
#: The label of the button that starts the feedback conversation.
FEEDBACK_LABEL = N_("Give my feedback")
#: The buttons of the monthly "still available next month?" check.
CHECK_LABELS = (("yes", N_("Yes, I am available")), ("no", N_("No, not next month")))


def dedupe_key(rule: str, subject_id: int, period: str | None = None) -> str:
    """The dedupe key of the message a follow-up rule queues (see
    :mod:`fmstoolkit.followup_rules`): one definition, used by the builders below and by the
    rules' dry run to tell what is already queued."""
    keys = {
        "feedback_request": f"feedback:mission:{subject_id}",
        "availability_reminder": f"poll:{subject_id}:reminder",
        "alumni_checkin": f"followup:{subject_id}",
        "availability_check": f"availability-check:{subject_id}:{period}",
    }
    return keys[rule]


def _freelancer(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    return pool.freelancer_row(db, freelancer_id, "id, name, lang, status, opted_out_at")


def _one(db: sqlite_utils.Database, sql: str, params: list[Any], what: str, obj_id: int):
    rows = list(db.query(sql, params))
    if not rows:
        if what == "poll":
            raise NotFound("No poll #{id}.", field=what, id=obj_id)
        raise NotFound("No mission #{id}.", field=what, id=obj_id)
    return rows[0]


def enqueue_availability_question(
    db: sqlite_utils.Database, poll_id: int, *, reminder: bool = False
) -> int:
    """Queue the question "are you available?" of a poll, with Yes / Maybe / No buttons
    (``reminder``: the one reminder of a question left unanswered, same buttons)."""
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
            role = row[0] or pool.skill_label({"label_en": row[1], "label_fr": row[2]}, lang)
    key = callbacks.secret_for(db)
    buttons = [
        [
            {
                "label": _(label, lang),
                "callback_data": callbacks.sign("poll", poll_id, value, key=key),
            }
            for value, label in ANSWER_LABELS
        ]
    ]
    return enqueue(
        db,
        dedupe_key=dedupe_key("availability_reminder", poll_id) if reminder else f"poll:{poll_id}",
        freelancer_id=poll["freelancer_id"],
        kind="availability_question",
        lang=lang,
        payload={
            "poll_id": poll_id,
            "reminder": reminder,
            "request_id": poll["request_id"],
            "project": poll["project"],
            "role": role,
            "start_date": poll["start_date"],
            "end_date": poll["end_date"],
            "days": poll["days"],
            "buttons": buttons,
        },
    )


def enqueue_feedback_request(db: sqlite_utils.Database, mission_id: int) -> int:
    """Queue the request for the freelancer's feedback on a mission (once per mission)."""
    m = planning.get_mission(db, mission_id)
    lang = lang_of(_freelancer(db, m["freelancer_id"]))
    return enqueue(
        db,
        dedupe_key=dedupe_key("feedback_request", mission_id),
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
                        "label": _(FEEDBACK_LABEL, lang),
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
    m = planning.get_mission(db, mission_id)
    rows = list(db.query("SELECT * FROM recommendations WHERE mission_id = ?", [mission_id]))
    if not rows:
        raise InvalidState(
            "Mission #{id} has no recommendation yet: write it first.",
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


def enqueue_mission_confirmation(db: sqlite_utils.Database, mission_id: int) -> int:
    """Queue the confirmation of a mission (with an .ics by email). A mission moved to other
    dates gets a new confirmation: the dates are part of the dedupe key."""
    m = planning.get_mission(db, mission_id)
    return enqueue(
        db,
        dedupe_key=f"{mission_dedupe_prefix(mission_id)}{m['start_date']}:{m['end_date']}",
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
            "ics": calendars.mission_ics(m).decode(),
        },
    )


def mission_dedupe_prefix(mission_id: int) -> str:
    """The start of the dedupe keys of every confirmation of a mission (one per dates)."""
    return f"mission:{mission_id}:confirmation:"


def enqueue_mission_cancellation(
    db: sqlite_utils.Database, mission_id: int, reason: str | None = None
) -> int:
    """Queue the notice that a mission is cancelled (once per mission)."""
    m = planning.get_mission(db, mission_id)
    return enqueue(
        db,
        dedupe_key=f"mission:{mission_id}:cancellation",
        freelancer_id=m["freelancer_id"],
        kind="mission_cancellation",
        payload={
            "mission_id": mission_id,
            "project": m["project"],
            "title": m["title"],
            "start_date": m["start_date"],
            "end_date": m["end_date"],
            "reason": reason,
        },
    )


def enqueue_alumni_checkin(db: sqlite_utils.Database, followup_id: int) -> int:
    """Queue the check-in of an alumni follow-up (marked done when the message is sent); an
    opted-out freelancer's follow-up is cancelled (and so is the message)."""
    fu = followups.get(db, followup_id)
    row = db.execute(
        "SELECT p.name FROM missions m JOIN projects p ON p.id = m.project_id WHERE m.id = ?",
        [fu["mission_id"]],
    ).fetchone()
    message_id = enqueue(
        db,
        dedupe_key=dedupe_key("alumni_checkin", followup_id),
        freelancer_id=fu["freelancer_id"],
        kind="alumni_checkin",
        payload={"followup_id": followup_id, "project": row[0] if row else None},
    )
    if _freelancer(db, fu["freelancer_id"])["opted_out_at"]:
        followups.cancel(db, followup_id)
    return message_id


def enqueue_availability_check(db: sqlite_utils.Database, freelancer_id: int, month: str) -> int:
    """Queue the monthly "still available next month?" (``month``: the month it is sent,
    ``YYYY-MM``; the question is about the next one), with Yes / No buttons."""
    lang = lang_of(_freelancer(db, freelancer_id))
    first = dt.date.fromisoformat(f"{month}-01")
    following = (first + dt.timedelta(days=32)).replace(day=1)
    key = callbacks.secret_for(db)
    return enqueue(
        db,
        dedupe_key=dedupe_key("availability_check", freelancer_id, month),
        freelancer_id=freelancer_id,
        kind="availability_check",
        lang=lang,
        payload={
            "month": following.strftime("%Y-%m"),
            "month_name": format_month(following, lang),
            "buttons": [
                [
                    {
                        "label": _(label, lang),
                        "callback_data": callbacks.sign(
                            "avail", freelancer_id, f"{value}{following:%Y%m}", key=key
                        ),
                    }
                    for value, label in CHECK_LABELS
                ]
            ],
        },
    )


def enqueue_telegram_invitation(db: sqlite_utils.Database, freelancer_id: int) -> int:
    """Queue an email inviting a freelancer to connect on Telegram (a personal deep link).

    The link token is made here if the freelancer has none and kept in ``contacts``; the link
    itself is only put into the email when it is sent.
    """
    bot = get_settings().telegram_bot_username
    if not bot:
        raise DeliveryError(
            "Set FMS_TELEGRAM_BOT_USERNAME (the bot's @name) to invite freelancers to Telegram.",
            field="telegram_bot_username",
        )
    _freelancer(db, freelancer_id)
    contact = pool.get_contact(db, freelancer_id)
    if not contact.get("email"):
        raise InvalidState(
            "Freelancer #{id} has no email address to send the invitation to.",
            field="email",
            id=freelancer_id,
        )
    if contact.get("telegram_chat_id") and not contact.get("telegram_closed_at"):
        raise InvalidState(
            "Freelancer #{id} is already connected on Telegram.",
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


def enqueue_contract(
    db: sqlite_utils.Database, mission_id: int, documents: list[dict[str, Any]]
) -> int:
    """Queue, by e-mail only, the mission's documents to sign (their PDFs attached, read from
    the documents folder when the e-mail is built). One message per set of files: a draft made
    again gets a new message."""
    m = planning.get_mission(db, mission_id)
    lang = lang_of(_freelancer(db, m["freelancer_id"]), documents[0]["lang"])
    names = contracts.documents.ATTACHMENT_NAMES[lang]
    files = [
        {"document_id": d["id"], "file": d["file"], "type": "application/pdf",
         "filename": f"{names[d['kind']]}-{mission_id}.pdf"}
        for d in documents
    ]  # fmt: skip
    words = [_(ATTACHED[d["kind"]], lang) for d in documents]
    attached = _("{first} and {second}", lang).format(first=words[0], second=words[1]) if len(
        words) == 2 else words[0]  # fmt: skip
    return enqueue(
        db,
        dedupe_key="contract:" + ":".join(f["file"] for f in files),
        freelancer_id=m["freelancer_id"],
        kind="contract",
        channel="email",
        lang=lang,
        payload={
            "mission_id": mission_id,
            "project": m["project"],
            "start_date": m["start_date"],
            "end_date": m["end_date"],
            "attached": attached,
            "files": files,
        },
    )


#: How the e-mail names each document it carries.
ATTACHED = {"contract": N_("the services agreement"), "nda": N_("the non-disclosure agreement")}


# --- what "sent" means for the domain ------------------------------------------------------------


@on_sent("availability_question")
def _poll_asked(db: sqlite_utils.Database, msg: dict[str, Any], channel: str, when: str) -> None:
    if msg["payload"].get("poll_id"):
        planning.record_poll_channel(db, msg["payload"]["poll_id"], channel)


@on_sent("recommendation")
def _recommendation_delivered(db, msg: dict[str, Any], channel: str, when: str) -> None:
    if msg["payload"].get("mission_id"):
        offboarding.mark_recommendation_delivered(db, msg["payload"]["mission_id"], when[:10])


@on_sent("alumni_checkin")
def _checkin_done(db: sqlite_utils.Database, msg: dict[str, Any], channel: str, when: str) -> None:
    followup_id = msg["payload"].get("followup_id")
    if followup_id and followups.get(db, followup_id)["status"] == "pending":
        followups.mark_done(db, followup_id, when[:10])


@on_sent("contract")
def _documents_sent(db, msg: dict[str, Any], channel: str, when: str) -> None:
    files = msg["payload"].get("files") or []
    contracts.mark_sent(db, {f["document_id"]: f["file"] for f in files}, when)
