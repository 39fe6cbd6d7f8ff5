"""A freelancer's e-mail reply, applied through the same actions as a Telegram press.

:func:`apply_reply` takes one raw e-mail from the agency's mailbox and, in one write transaction:

1. skips it when the ledger already knows it (a mail read twice records nothing twice);
2. finds the message of ours it answers: a Message-ID the outbox gave (``In-Reply-To``, then
   ``References``) that is the one stored with that outbox message when it was sent by email;
   a mail answering none of ours but whose subject asks to unsubscribe (what the
   ``List-Unsubscribe`` mailto sends) is matched by its sender's address instead;
3. checks that it comes from that freelancer's own address (the contact's e-mail, compared
   with Unicode case folding): anyone else's reply is ``foreign``, left for the manager;
4. reads the answer above the quoted text (:func:`fmstoolkit.replies.read_answer`): an
   unsubscribe request opts the freelancer out (:func:`.freelancers.opt_out`, which cancels
   what still waits for them); yes / no / maybe to an availability question answers its poll
   (:func:`.planning.answer_poll`, the action a Telegram button calls); anything else, or an
   automatic reply, is ``unreadable``, left for the manager;
5. records the outcome in the ledger.

The result holds ids and the outcome only: no address, no name, no text of the mail.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .. import pool, replies
from ..errors import Conflict, InvalidInput, InvalidState, NotFound
from ..notify import outbox
from ..replies import ledger
from . import freelancers, planning

#: The outbox message kind whose reply can answer a poll.
#: The monthly "still available next month?" (yes or no by reply, as with its buttons).
CHECK_KIND = "availability_check"
QUESTION_KIND = "availability_question"
#: Errors of an answer the poll cannot take (closed, gone): the reply is left for the manager.
_REFUSED = (Conflict, InvalidInput, InvalidState, NotFound)


def _answered_message(
    db: sqlite_utils.Database, mail: replies.IncomingMail
) -> dict[str, Any] | None:
    """The outbox message (sent by email to a freelancer) the mail answers, or None: a reply
    to a message to the manager (their digest) answers no one's poll, and opts no one out."""
    for outbox_id, message_id in replies.referenced_outbox_ids(mail):
        row = db.execute(
            "SELECT id FROM outbox WHERE id = ? AND sent_channel = 'email' "
            "AND recipient = 'freelancer' AND lower(provider_id) = lower(?)",
            [outbox_id, message_id],
        ).fetchone()
        if row:
            return outbox.get(db, row[0])
    return None


def _outcome(
    db: sqlite_utils.Database, mail: replies.IncomingMail
) -> tuple[str, dict[str, Any]]:
    """What to do with a mail not read before: (outcome, ids for the result)."""
    msg = _answered_message(db, mail)
    if msg is None:
        asks_out = replies.read_answer("", mail.subject) == replies.UNSUBSCRIBE
        fid = pool.freelancer_by_email(db, mail.sender) if asks_out and not mail.auto else None
        if fid is None:
            return "unmatched", {}
        done = freelancers.opt_out(db, fid)
        return "opted_out", {"freelancer_id": fid, "cancelled": len(done["cancelled"])}
    fid = msg["freelancer_id"]
    ids: dict[str, Any] = {"outbox_id": msg["id"], "freelancer_id": fid}
    if not pool.same_address(pool.get_contact(db, fid).get("email"), mail.sender):
        return "foreign", ids
    answer = replies.read_answer(mail.text, mail.subject, original=msg.get("body"))
    if mail.auto:
        return "unreadable", ids
    if answer == replies.UNSUBSCRIBE:
        done = freelancers.opt_out(db, fid)
        return "opted_out", {**ids, "cancelled": len(done["cancelled"])}
    poll_id = (msg.get("payload") or {}).get("poll_id")
    if answer in (replies.YES, replies.NO, replies.MAYBE) and msg["kind"] == QUESTION_KIND:
        if poll_id:
            try:  # as a press on the button: a second answer only while the request is open
                planning.answer_poll(db, poll_id, answer, by_freelancer=True)
            except _REFUSED:
                return "unmatched", {**ids, "poll_id": poll_id}
            return answer, {**ids, "poll_id": poll_id}
    month = (msg.get("payload") or {}).get("month")
    if answer in (replies.YES, replies.NO) and msg["kind"] == CHECK_KIND and month:
        planning.answer_availability_check(db, fid, answer, month)
        return answer, ids
    return "unreadable", ids


def apply_reply(db: sqlite_utils.Database, raw: bytes) -> dict[str, Any]:
    """Apply one e-mail reply (raw RFC 5322 bytes); return what became of it.

    ``{"outcome": ..., "duplicate": bool, "outbox_id"?, "freelancer_id"?, "poll_id"?,
    "cancelled"?}``, where the outcome is one of :data:`fmstoolkit.replies.ledger.OUTCOMES`;
    a mail already read comes back with its first outcome and ``duplicate`` true, and
    changes nothing. A busy database raises (the caller reads the mail again later).
    """
    mail = replies.parse_mail(raw)
    with db.atomic():
        known = ledger.outcome_of(db, mail.key)
        if known is not None:
            return {"outcome": known, "duplicate": True}
        outcome, ids = _outcome(db, mail)
        ledger.record(
            db,
            mail.key,
            outcome,
            outbox_id=ids.get("outbox_id"),
            freelancer_id=ids.get("freelancer_id"),
        )
    return {"outcome": outcome, "duplicate": False, **ids}
