"""One freelancer's personal data: export it all (right of access), erase it (right to erasure),
and purge old message bodies (retention).

``export`` gathers everything the agency holds about a freelancer, contact data included, as
one JSON-ready dictionary (:func:`write_export` writes it readable by its owner only).

``forget`` erases what identifies them and keeps only what the agency must or may keep without
it: missions and invoices (accounting), and the ratings of the collaboration notes, anonymised,
so that the daily-rate benchmarks stay true. The freelancer row stays (as "Freelance
anonymisé·e n° id", status ``forgotten``) so that those records still point somewhere. What is
erased, in one write transaction (no half-forgotten person):

* deleted: contact (e-mail, phone, Telegram chat and link token, and with it the chat form under
  way; IBAN and BIC, also erased from texts in both spellings), skills, unavailability, polls,
  follow-ups, list memberships, recommendations; the feedback's suggestions emptied;
* their messages in the outbox: pending ones cancelled, and every one's subject, bodies,
  payload and error text erased (the row stays: kind, dates, status);
* their contracts and NDAs (:func:`fmstoolkit.contracts.forget_documents`): those never signed
  are deleted with their PDFs (drafts and sent copies hold their name and the mission's
  terms); a signed one is a legal record, like an invoice, and stays (its row and the signed
  copy the freelancer sent back), while the PDF the toolkit made for it is deleted;
* in every text column of every table (notes, end reasons, deliverables, checklists, requests,
  other freelancers' notes, other people's messages...): their full name (either order) in any
  case, with or without accents, their e-mail, phone (any spelling) and chat id. Their first
  name or surname *alone* is replaced where it means them: in the texts of their own missions
  and of the requests they were asked for, and in the texts of other missions of the same
  projects, unless that mission's freelancer has the same first name or surname (see
  :mod:`.erasure_scan`). Elsewhere a first name alone stays (it identifies nobody by itself).

The connection erases with ``PRAGMA secure_delete = ON`` (deleted content overwritten with
zeros, not left in free pages), the WAL is checkpointed and truncated afterwards (old pages
do not stay in ``-wal``), then the notes database is published again when there is one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import sqlite_utils

from . import clock, contracts, pool, publish
from . import db as dbmod
from .config import get_settings
from .erasure import Identity
from .erasure_scan import erase_everywhere
from .errors import InvalidInput, InvalidState
from .models.enums import OPEN_MISSIONS_SQL, FreelancerStatus, OutboxStatus, sql_list

#: Tables whose rows about a freelancer are exported as they are, keyed by freelancer_id.
BY_FREELANCER = ("freelancer_skills", "unavailability", "polls", "followups", "outbox")
#: Tables whose rows hang off the freelancer's missions.
BY_MISSION = ("deliverables", "offboardings", "checklist_items", "invoices", "feedback",
              "recommendations", "notes", "documents")
#: Tables whose rows about the freelancer are deleted outright.
DELETED = ("contacts", "freelancer_skills", "unavailability", "polls", "followups",
           "list_members")
#: Outbox statuses whose messages are purged of their texts after the retention period.
SETTLED_SQL = sql_list((OutboxStatus.sent, OutboxStatus.dead, OutboxStatus.cancelled))
#: Outbox statuses of messages not sent yet (cancelled when their freelancer is forgotten).
UNSENT_SQL = sql_list((OutboxStatus.pending, OutboxStatus.sending))
#: Why a forgotten freelancer's pending messages were cancelled (stored on the message).
FORGOTTEN_REASON = "freelancer forgotten (privacy)"
#: Permissions of files holding personal data: read and write for their owner only.
PRIVATE_MODE = dbmod.PRIVATE_MODE


def anonymous_name(freelancer_id: int) -> str:
    return f"Freelance anonymisé·e n° {freelancer_id}"


def export(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """Everything held about one freelancer, contact data included (for them, not to publish)."""
    profile = pool.get_freelancer(db, freelancer_id)
    profile.pop("skills", None)
    data: dict[str, Any] = {
        "exported_at": clock.stamp(),
        "freelancer": profile,
        "contact": pool.get_contact(db, freelancer_id),
    }
    for table in BY_FREELANCER:
        data[table] = list(
            db.query(f"SELECT * FROM [{table}] WHERE freelancer_id = ?", [freelancer_id])
        )
    data["missions"] = list(
        db.query("SELECT * FROM missions WHERE freelancer_id = ? ORDER BY start_date",
                 [freelancer_id])
    )
    for table in BY_MISSION:
        data[table] = list(
            db.query(
                f"SELECT t.* FROM [{table}] t JOIN missions m ON m.id = t.mission_id "
                "WHERE m.freelancer_id = ?",
                [freelancer_id],
            )
        )
    for note in data["notes"]:
        if isinstance(note.get("tags"), str):
            note["tags"] = json.loads(note["tags"] or "[]")
    data["lists"] = list(
        db.query(
            "SELECT l.name, lm.added_at FROM list_members lm JOIN lists l ON l.id = lm.list_id "
            "WHERE lm.freelancer_id = ?",
            [freelancer_id],
        )
    )
    return data


def write_private(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path``, created (or reset) readable and writable by its owner only."""
    path = Path(path)
    if path.is_dir():
        raise InvalidInput("{path} is a folder: give a file name.", field="out", path=path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # an existing file keeps its mode otherwise
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            fd = -1
            out.write(text)
    finally:
        if fd >= 0:
            os.close(fd)
    return path


def iban_spellings(iban: str | None) -> list[str]:
    """An IBAN as stored (compact) and as printed on paper (groups of four)."""
    if not iban:
        return []
    return [iban, " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))]


def identity_of(profile: dict[str, Any], contact: dict[str, Any] | None) -> Identity:
    """What identifies a freelancer in a text (see :mod:`.erasure`)."""
    name = " ".join(str(profile["name"]).split())
    first, _, rest = name.partition(" ")
    names = [name] + ([f"{rest} {first}"] if rest else [])
    contact = contact or {}
    return Identity(
        label=anonymous_name(profile["id"]),
        names=names,
        short_names=[n for n in (first, rest) if n],
        emails=[contact["email"]] if contact.get("email") else [],
        phones=[contact["phone"]] if contact.get("phone") else [],
        words=[w for w in (contact.get("telegram_chat_id"), contact.get("telegram_link_token"),
                           *iban_spellings(contact.get("iban"))) if w],
    )


def forget(
    db: sqlite_utils.Database, freelancer_id: int, *, republish: bool = True
) -> dict[str, Any]:
    """Erase a freelancer's personal data in one transaction; return what was erased per table
    (``texts``: values rewritten in free text, per ``table.column``), the WAL checkpoint's
    outcome and, when the notes database was published again, its path.

    Refused while a mission of theirs is planned or under way (cancel or finish it first).
    """
    db.execute("PRAGMA secure_delete = ON")
    with db.atomic():
        profile = pool.get_freelancer(db, freelancer_id)
        if profile["status"] == FreelancerStatus.forgotten:
            return {}
        _refuse_open_mission(db, freelancer_id)
        identity = identity_of(profile, pool.get_contact(db, freelancer_id))
        erased = _erase(db, freelancer_id, identity)
    contracts.remove_files(erased.pop("document_files"))  # once the erasure is committed
    erased["wal_checkpoint"] = checkpoint(db)
    if republish and publish.notes_path().exists():
        erased["republished"] = publish.publish(db)["path"]
    return erased


def _refuse_open_mission(db: sqlite_utils.Database, freelancer_id: int) -> None:
    busy = db.execute(
        "SELECT id, start_date, end_date FROM missions WHERE freelancer_id = ? "
        f"AND status IN {OPEN_MISSIONS_SQL} ORDER BY start_date LIMIT 1",
        [freelancer_id],
    ).fetchone()
    if busy:
        raise InvalidState(
            "Freelancer #{fid} has mission #{mid} ({start} to {end}) still open: finish or "
            "cancel it before erasing their data.",
            field="freelancer",
            fid=freelancer_id,
            mid=busy[0],
            start=busy[1],
            end=busy[2],
        )


def _erase(db: sqlite_utils.Database, fid: int, identity: Identity) -> dict[str, Any]:
    # Texts first: the polls, deleted below, tell which requests the person was asked about.
    erased: dict[str, Any] = {"texts": erase_everywhere(db, fid, identity)}
    missions = "SELECT id FROM missions WHERE freelancer_id = ?"
    for table in DELETED:
        erased[table] = db.execute(
            f"DELETE FROM [{table}] WHERE freelancer_id = ?", [fid]
        ).rowcount
    erased["recommendations"] = db.execute(
        f"DELETE FROM recommendations WHERE mission_id IN ({missions})", [fid]
    ).rowcount
    erased["feedback"] = db.execute(
        "UPDATE feedback SET suggestions = NULL WHERE suggestions IS NOT NULL "
        f"AND mission_id IN ({missions})",
        [fid],
    ).rowcount
    documents = contracts.forget_documents(db, fid)
    erased["document_files"] = documents.pop("files")
    erased.update(documents)
    erased["outbox_cancelled"] = db.execute(
        "UPDATE outbox SET status = ?, lease_until = NULL "
        f"WHERE freelancer_id = ? AND status IN {UNSENT_SQL}",
        [OutboxStatus.cancelled.value, fid],
    ).rowcount
    erased["outbox"] = db.execute(
        "UPDATE outbox SET subject = NULL, body = NULL, html = NULL, payload = NULL, "
        "provider_id = NULL, last_error = ? WHERE freelancer_id = ?",
        [FORGOTTEN_REASON, fid],
    ).rowcount
    db.execute(
        "UPDATE freelancers SET name = ?, headline = NULL, city = NULL, lang = NULL, "
        "status = ?, opted_out_at = coalesce(opted_out_at, ?), "
        "availability_confirmed_at = NULL, availability_confirmed_by = NULL, "
        "updated_at = ? WHERE id = ?",
        [identity.label, FreelancerStatus.forgotten.value, clock.today().isoformat(),
         clock.stamp(), fid],
    )
    return erased


def checkpoint(db: sqlite_utils.Database) -> dict[str, int]:
    """Copy the WAL into the database file and truncate it, so that pages holding erased data
    do not stay in ``-wal``. ``busy`` is 1 when a reader kept it from finishing (then the next
    checkpoint, at the latest when the last connection closes, finishes it)."""
    busy, log, done = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return {"busy": busy, "wal_frames": log, "checkpointed": done}


def purge(
    db: sqlite_utils.Database, *, days: int | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Erase the subject, bodies and payload of settled messages (sent, dead, cancelled) older
    than ``days`` (default ``FMS_SENT_BODY_RETENTION_DAYS``); the row stays (kind, dates,
    status). Returns ``{"before": cutoff, "messages": n, "dry_run": ...}``."""
    days = get_settings().sent_body_retention_days if days is None else days
    if days < 0:
        raise InvalidInput(
            "The retention period must be 0 days or more (got {days}).", field="days", days=days
        )
    cutoff = clock.stamp(clock.now() - dt.timedelta(days=days))
    where = (
        f"status IN {SETTLED_SQL} AND coalesce(sent_at, created_at) < ? AND "
        "(subject IS NOT NULL OR body IS NOT NULL OR html IS NOT NULL OR payload IS NOT NULL)"
    )
    if dry_run:
        count = db.execute(f"SELECT count(*) FROM outbox WHERE {where}", [cutoff]).fetchone()[0]
        return {"before": cutoff, "messages": count, "dry_run": True}
    db.execute("PRAGMA secure_delete = ON")
    with db.atomic():
        count = db.execute(
            f"UPDATE outbox SET subject = NULL, body = NULL, html = NULL, payload = NULL "
            f"WHERE {where}",
            [cutoff],
        ).rowcount
    checkpoint(db)
    return {"before": cutoff, "messages": count, "dry_run": False}
