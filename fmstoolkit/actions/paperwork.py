"""Sending a mission's contract and NDA to the freelancer, as ``fms contracts send`` does it.

One action spanning the domain and the outbox: the documents asked for that are not made yet
are drafted (:func:`fmstoolkit.contracts.draft`), then one e-mail carrying their PDFs is queued
(:func:`fmstoolkit.actions.messages.enqueue_contract`) and the documents remember that message.
They become ``sent`` when the outbox sends it (the ``on_sent`` hook of the ``contract`` kind),
not before: a message that fails leaves them drafts.

A contract is sent as an e-mail attachment, so a freelancer without an e-mail address (reachable
by Telegram only) is refused with a sentence: record their address first, or hand them the
PDF yourself and record it signed (``fms contracts signed``).
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .. import contracts, planning, pool
from ..errors import InvalidState
from ..models.enums import DocumentState
from .messages import enqueue_contract


def _email_or_refuse(db: sqlite_utils.Database, mission: dict[str, Any]) -> None:
    contact = pool.get_contact(db, mission["freelancer_id"])
    if not contact.get("email"):
        raise InvalidState(
            "Freelancer #{id} ({name}) has no e-mail address: a contract and an NDA are sent as "
            "e-mail attachments. Record their address (fms import, or the pool app), or hand "
            "them the PDF and record it signed with fms contracts signed.",
            field="email", id=mission["freelancer_id"], name=mission["freelancer"],
        )  # fmt: skip


def send_documents(
    db: sqlite_utils.Database,
    mission_id: int,
    kinds: tuple[str, ...] | list[str] = contracts.KINDS,
    lang: str | None = None,
) -> dict[str, Any]:
    """Queue the e-mail carrying the mission's ``kinds`` (default: contract and NDA), drafting
    those not made yet (in ``lang``, default the freelancer's language); return the message id
    and the documents. A document already sent or signed is not sent again (make it again with
    ``fms contracts draft --replace`` first); when none is left to send, one sentence."""
    kinds = [contracts.documents.check_kind(k) for k in dict.fromkeys(kinds)]
    mission = planning.get_mission(db, mission_id)
    _email_or_refuse(db, mission)
    for kind in kinds:
        row = contracts.document(db, mission_id, kind)
        if row is None or (row["state"] == DocumentState.draft and not row["file"]):
            contracts.draft(db, mission_id, kind, lang)
    with db.atomic():
        rows = [contracts.document(db, mission_id, kind) for kind in kinds]
        todo = [r for r in rows if r["state"] == DocumentState.draft and r["file"]]
        if not todo:
            words = contracts.missing_words(kinds)
            raise InvalidState(
                "Nothing to send for mission #{id}: the {kinds} were already sent or signed "
                "(fms contracts list {id}).", field="kind", id=mission_id, kinds=words,
            )  # fmt: skip
        _email_or_refuse(db, mission)
        message_id = enqueue_contract(db, mission_id, todo)
        contracts.attach_message(db, [r["id"] for r in todo], message_id)
    return {"message_id": message_id, "mission_id": mission_id,
            "documents": [contracts.document(db, mission_id, r["kind"]) for r in todo]}  # fmt: skip
