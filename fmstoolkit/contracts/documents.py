"""The contract and the NDA of a mission: made as drafts, sent, signed; and which are missing.

One document per mission and kind (``contract``, ``nda``), in table ``documents``, with its
state::

    draft ──(the e-mail carrying it is sent)──► sent ──(the signed copy comes back)──► signed

- :func:`draft` makes the PDF from the agency's template (:mod:`.render`) with the mission's
  values and stores it in the documents folder (``FMS_DOCUMENTS_DIR``), readable by its owner
  only. A draft can be made again as often as needed (the mission's dates or rate changed):
  the new PDF replaces the old one, except while its e-mail is queued (cancel that message
  first). A document already sent is made again only when asked (``replace``: the freelancer
  then gets the new one); a signed one never is.
- "sent" is what the outbox says: the message that carries the PDFs is queued by
  :mod:`fmstoolkit.actions.paperwork`, and when it is sent the hook of
  :mod:`fmstoolkit.actions.messages` calls :func:`mark_sent` (a draft made again meanwhile is
  not marked: the freelancer did not get that one).
- :func:`record_signed` attaches the signed copy (a PDF, copied into the documents folder,
  0600). Signing does not require "sent": a contract handed over in person, or made outside
  the toolkit (no draft at all), is recorded signed all the same; its ``sent_at`` then stays
  empty.
- :func:`due`: missions starting within ``FMS_CONTRACT_WARNING_DAYS`` days (default 7, today
  included) whose contract or NDA is not signed: the warning of ``fms contracts due``, of the
  home app and of the manager's digest. A mission already under way is not warned about.

A forgotten freelancer (``fms privacy forget``, :func:`forget_documents`): drafts and sent
documents never signed are deleted with their files; a signed one is a legal record, like an
invoice, and stays: its row and the signed copy, while the generated PDF is deleted.
"""

from __future__ import annotations

import datetime as dt
import io
import secrets
from pathlib import Path
from typing import Any

import sqlite_utils
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from .. import clock, planning, pool
from ..config import get_settings
from ..dates import day_or_today
from ..errors import InvalidInput, InvalidState
from ..files import read_given, write_private
from ..i18n import N_, Localized, _, format_date
from ..models.enums import OPEN_MISSIONS_SQL, DocumentKind, DocumentState, MissionStatus
from . import render

KINDS = render.KINDS
#: What each kind is called in a sentence, and at the start of an attachment's name.
KIND_WORDS = {DocumentKind.contract: N_("contract"), DocumentKind.nda: N_("NDA")}
ATTACHMENT_NAMES = {
    "fr": {DocumentKind.contract: "contrat-prestation", DocumentKind.nda: "accord-confidentialite"},
    "en": {DocumentKind.contract: "services-agreement", DocumentKind.nda: "nda"},
}
#: A message that still carries a draft (cancel it before making the draft again).
QUEUED = ("pending", "sending")


def kind_word(kind: str, lang: str | None = None) -> str:
    return _(KIND_WORDS[DocumentKind(kind)], lang)


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput("Unknown kind of document {kind}: use contract or nda.", field="kind",
                           kind=kind)  # fmt: skip
    return kind


def folder() -> Path:
    return get_settings().documents_dir


def path_of(name: str) -> Path:
    """Where a document's file is (a name of ``documents.file`` or ``signed_file``)."""
    return folder() / name


def _store(data: bytes, name: str) -> Path:
    """Write a new file of the documents folder, readable by its owner only."""
    return write_private(path_of(name), data, new=True)


def remove_files(names: list[str | None]) -> None:
    for name in names:
        if name:
            path_of(name).unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------------


def document(db: sqlite_utils.Database, mission_id: int, kind: str) -> dict[str, Any] | None:
    """The mission's document of ``kind``, or None when there is none yet."""
    rows = list(db.query("SELECT * FROM documents WHERE mission_id = ? AND kind = ?",
                         [mission_id, check_kind(kind)]))  # fmt: skip
    return rows[0] if rows else None


def list_documents(db: sqlite_utils.Database, mission_id: int | None = None) -> list[dict]:
    """Documents (of one mission, or all), soonest mission first, with the mission, the
    freelancer's name, the project and the status of the message that carries them."""
    where, params = ("WHERE d.mission_id = ?", [mission_id]) if mission_id else ("", [])
    return list(db.query(
        "SELECT d.*, m.start_date, m.end_date, f.name AS freelancer, p.name AS project, "
        "o.status AS message_status FROM documents d JOIN missions m ON m.id = d.mission_id "
        "JOIN freelancers f ON f.id = m.freelancer_id JOIN projects p ON p.id = m.project_id "
        f"LEFT JOIN outbox o ON o.id = d.outbox_id {where} "
        "ORDER BY m.start_date, d.mission_id, d.kind", params,
    ))  # fmt: skip


def due(
    db: sqlite_utils.Database, within: int | None = None, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """Missions (planned or under way) starting from today to ``within`` days later (default
    ``FMS_CONTRACT_WARNING_DAYS``) whose contract or NDA is not signed, soonest first:
    ``mission_id, freelancer, project, start_date, days_left, contract, nda`` (each kind's
    state, None when not made) and ``missing`` (the kinds not signed)."""
    within = get_settings().contract_warning_days if within is None else within
    if within < 0:
        raise InvalidInput("The number of days must be 0 or more (got {days}).", field="days",
                           days=within)  # fmt: skip
    day = day_or_today(today)
    rows = list(db.query(
        "SELECT m.id AS mission_id, f.name AS freelancer, p.name AS project, m.start_date, "
        "c.state AS contract, n.state AS nda FROM missions m "
        "JOIN freelancers f ON f.id = m.freelancer_id JOIN projects p ON p.id = m.project_id "
        "LEFT JOIN documents c ON c.mission_id = m.id AND c.kind = 'contract' "
        "LEFT JOIN documents n ON n.mission_id = m.id AND n.kind = 'nda' "
        f"WHERE m.status IN {OPEN_MISSIONS_SQL} AND m.start_date BETWEEN ? AND ? "
        "AND (c.state IS NOT 'signed' OR n.state IS NOT 'signed') "
        "ORDER BY m.start_date, m.id",
        [day.isoformat(), (day + dt.timedelta(days=within)).isoformat()],
    ))  # fmt: skip
    for row in rows:
        row["days_left"] = (dt.date.fromisoformat(row["start_date"]) - day).days
        row["missing"] = [k for k in KINDS if row[k] != DocumentState.signed]
    return rows


def missing_words(kinds: list[str], lang: str | None = None) -> str:
    """"contract, NDA" in the reader's language."""
    return ", ".join(kind_word(k, lang) for k in kinds)


def nda_sentence(row: dict[str, Any] | None, lang: str | None = None) -> str:
    """What the offboarding's confidentiality item says of the mission's NDA."""
    if row is None:
        return _("No NDA signed for this mission.", lang)
    if row["state"] == DocumentState.signed:
        name = row["signed_file"] or row["file"]
        said = _("NDA signed on {day}", lang).format(day=format_day(row["signed_at"], lang))
        return f"{said} ({name})." if name else f"{said}."
    if row["state"] == DocumentState.sent:
        return _("NDA sent on {day}, not signed yet: no NDA signed for this mission.",
                 lang).format(day=format_day(row["sent_at"], lang))  # fmt: skip
    return _("NDA drafted, not sent yet: no NDA signed for this mission.", lang)


def format_day(value: str | None, lang: str | None) -> str:
    """A day or a UTC stamp as the agency's day, in words."""
    if not value:
        return ""
    day = clock.local(clock.parse_stamp(value)).date() if len(value) > 10 else value
    return format_date(day, lang)


# --- the context of a template -----------------------------------------------------------------


def _siret(db: sqlite_utils.Database, freelancer_id: int) -> str | None:
    """The freelancer's SIRET, when an invoice of theirs gave it (the latest one)."""
    row = db.execute(
        "SELECT i.seller_siret FROM invoices i JOIN missions m ON m.id = i.mission_id "
        "WHERE m.freelancer_id = ? AND i.seller_siret IS NOT NULL ORDER BY i.id DESC LIMIT 1",
        [freelancer_id],
    ).fetchone()
    return row[0] if row else None


def document_lang(db: sqlite_utils.Database, mission: dict[str, Any], lang: str | None) -> str:
    """The language asked, else the freelancer's, else the agency's (``FMS_LANG``)."""
    if lang:
        if lang not in render.LANGS:
            raise InvalidInput("Unknown language {lang}: use fr or en.", field="lang", lang=lang)
        return lang
    person = pool.freelancer_row(db, mission["freelancer_id"], "lang")
    return person["lang"] or get_settings().lang


def context(db: sqlite_utils.Database, mission: dict[str, Any], kind: str) -> dict[str, Any]:
    """What a template is given: ``agency``, ``freelancer``, ``mission``, ``deliverables``,
    ``made_on`` (today) and ``reference``."""
    agency = get_settings().agency_name
    if not agency:
        raise InvalidInput("Set FMS_AGENCY_NAME: the agency's name is a party to the contract "
                           "and the NDA.", field="agency_name")  # fmt: skip
    deliverables = list(db.query(
        "SELECT title, due_date FROM deliverables WHERE mission_id = ? ORDER BY id",
        [mission["id"]]))  # fmt: skip
    keys = ("id", "project", "client", "title", "skill", "start_date", "end_date", "days",
            "daily_rate", "lead_name")  # fmt: skip
    return {
        "agency": {"name": agency},
        "freelancer": {"name": mission["freelancer"],
                       "siret": _siret(db, mission["freelancer_id"])},  # fmt: skip
        "mission": {k: mission[k] for k in keys}
        | {"total": mission["days"] * mission["daily_rate"]},
        "deliverables": deliverables,
        "made_on": clock.today().isoformat(),
        "reference": f"{kind.upper()}-M{mission['id']}-{clock.today():%Y%m%d}",
    }


def make_pdf(db: sqlite_utils.Database, mission: dict[str, Any], kind: str, lang: str) -> bytes:
    """The PDF of the mission's document ``kind`` in ``lang``."""
    ctx = context(db, mission, kind)
    return render.html_to_pdf(render.render_html(kind, lang, ctx), ctx["reference"])


# --- writing -------------------------------------------------------------------------------------


def _stamp_name(mission_id: int, kind: str, tail: str) -> str:
    """A new file's name: kind, mission, language or "signed", when, and a random tail (two
    drafts in the same second do not collide). It names no person."""
    return f"{kind}-m{mission_id}-{tail}-{clock.now():%Y%m%dT%H%M%S}-{secrets.token_hex(3)}.pdf"


def _check_redraft(db, mission_id: int, kind: str, row: dict | None, replace: bool) -> None:
    if row is None:
        return
    word = Localized(KIND_WORDS[DocumentKind(kind)])
    if row["state"] == DocumentState.signed:
        raise InvalidState("The {kind} of mission #{id} is signed ({day}): it is not made again.",
                           field="kind", kind=word, id=mission_id,
                           day=row["signed_at"])  # fmt: skip
    if row["state"] == DocumentState.sent and not replace:
        raise InvalidState("The {kind} of mission #{id} was already sent ({when}): make it again "
                           "with --replace to send the freelancer a new one.", field="kind",
                           kind=word, id=mission_id, when=row["sent_at"])  # fmt: skip
    status = row["outbox_id"] and db.execute(
        "SELECT status FROM outbox WHERE id = ?", [row["outbox_id"]]).fetchone()  # fmt: skip
    if status and status[0] in QUEUED:
        raise InvalidState("The {kind} of mission #{id} is waiting to be sent (message #{msg}): "
                           "cancel that message first (fms outbox cancel {msg}).", field="kind",
                           kind=word, id=mission_id, msg=row["outbox_id"])  # fmt: skip


def _mission(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    mission = planning.get_mission(db, mission_id)
    if mission["status"] == MissionStatus.cancelled:
        raise InvalidState("Mission #{id} is cancelled: no contract or NDA is made for it.",
                           field="mission", id=mission_id)  # fmt: skip
    return mission


def draft(
    db: sqlite_utils.Database,
    mission_id: int,
    kind: str,
    lang: str | None = None,
    *,
    replace: bool = False,
) -> dict[str, Any]:
    """Make (or make again) the mission's document ``kind`` as a draft; return its row.

    The PDF is made before the write transaction (WeasyPrint takes a moment: no lock is held
    meanwhile), and the checks are read again inside it; on any error the new file is removed
    and nothing is written. The PDF it replaces is removed once the new one is recorded."""
    check_kind(kind)
    mission = _mission(db, mission_id)
    lang = document_lang(db, mission, lang)
    _check_redraft(db, mission_id, kind, document(db, mission_id, kind), replace)
    stored = _store(make_pdf(db, mission, kind, lang), _stamp_name(mission_id, kind, lang))
    now = clock.stamp()
    try:
        with db.atomic():
            _mission(db, mission_id)
            old = document(db, mission_id, kind)
            _check_redraft(db, mission_id, kind, old, replace)
            values = {"lang": lang, "state": DocumentState.draft.value, "file": stored.name,
                      "updated_at": now, "sent_at": None, "outbox_id": None}  # fmt: skip
            if old:
                db["documents"].update(old["id"], values)
            else:
                db["documents"].insert({"mission_id": mission_id, "kind": kind,
                                        "created_at": now, **values})  # fmt: skip
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    if old and old["file"] and old["file"] != stored.name:
        remove_files([old["file"]])
    return document(db, mission_id, kind)


def attach_message(db: sqlite_utils.Database, document_ids: list[int], outbox_id: int) -> None:
    """Record the message that carries these documents (in the caller's transaction)."""
    for doc_id in document_ids:
        db.execute("UPDATE documents SET outbox_id = ? WHERE id = ?", [outbox_id, doc_id])


def mark_sent(db: sqlite_utils.Database, files: dict[int, str], when: str) -> int:
    """The e-mail carrying ``files`` (document id -> the PDF it carried) was sent at ``when``:
    those documents are ``sent``, unless made again since (another file) or already signed
    (then only ``sent_at`` is filled). Runs in the outbox's transaction; returns how many."""
    done = 0
    for doc_id, name in files.items():
        done += db.execute(
            "UPDATE documents SET sent_at = coalesce(sent_at, ?), updated_at = ?, "
            "state = CASE WHEN state = 'draft' THEN 'sent' ELSE state END "
            "WHERE id = ? AND file = ?",
            [when, when, int(doc_id), name],
        ).rowcount
    return done


def check_pdf(data: bytes, name: str) -> None:
    """Refuse, in one sentence naming the file ``name``, bytes that are not a readable PDF."""
    if not data.lstrip()[:5] == b"%PDF-":
        raise InvalidInput("{name} is not a PDF file: give the signed copy as a PDF (a scan or "
                           "an electronically signed file).", field="file",
                           name=name)  # fmt: skip
    try:
        pages = len(PdfReader(io.BytesIO(data)).pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInput("{name} is a damaged PDF file: it cannot be read.", field="file",
                           name=name) from exc  # fmt: skip
    if not pages:
        raise InvalidInput("{name} has no page.", field="file", name=name)


def record_signed(
    db: sqlite_utils.Database,
    mission_id: int,
    kind: str,
    file: str | Path,
    on: dt.date | str | None = None,
) -> dict[str, Any]:
    """:func:`record_signed_copy` with the signed copy read from the file at ``file``
    (``fms contracts signed``)."""
    return record_signed_copy(db, mission_id, kind, read_given(file), Path(file).name, on)


def record_signed_copy(
    db: sqlite_utils.Database,
    mission_id: int,
    kind: str,
    data: bytes,
    name: str,
    on: dt.date | str | None = None,
) -> dict[str, Any]:
    """Record the mission's document ``kind`` signed on ``on`` (default today, never later),
    with the signed copy the freelancer sent back: ``data``, the bytes of a PDF (``name``, its
    file's name, for the messages), kept in the documents folder. The paperwork app's upload
    calls it with the bytes it received. Allowed from a draft, a sent document or none at all
    (signed outside the toolkit); refused when it is already signed."""
    check_kind(kind)
    day = day_or_today(on, "on")
    if day > clock.today():
        raise InvalidInput("The day of signing ({day}) is after today.", field="on",
                           day=day.isoformat())  # fmt: skip
    check_pdf(data, name)
    mission = _mission(db, mission_id)
    stored = _store(data, _stamp_name(mission_id, kind, "signed"))
    now = clock.stamp()
    try:
        with db.atomic():
            row = document(db, mission_id, kind)
            if row and row["state"] == DocumentState.signed:
                raise InvalidState("The {kind} of mission #{id} is already recorded signed on "
                                   "{day}.", field="kind", id=mission_id, day=row["signed_at"],
                                   kind=Localized(KIND_WORDS[DocumentKind(kind)]))  # fmt: skip
            values = {"state": DocumentState.signed.value, "signed_file": stored.name,
                      "signed_at": day.isoformat(), "updated_at": now}  # fmt: skip
            if row:
                db["documents"].update(row["id"], values)
            else:
                db["documents"].insert({"mission_id": mission_id, "kind": kind, "created_at": now,
                                        "lang": document_lang(db, mission, None), **values})
    except BaseException:
        stored.unlink(missing_ok=True)
        raise
    return document(db, mission_id, kind)


def forget_documents(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """Inside the erasure's transaction: delete the freelancer's documents never signed, and
    the generated PDF of the signed ones (the signed copy stays, a legal record). Returns the
    counts and ``files``: the names to remove once the transaction committed."""
    mine = "mission_id IN (SELECT id FROM missions WHERE freelancer_id = ?)"
    unsigned = list(db.query(
        f"SELECT id, file FROM documents WHERE {mine} AND state != 'signed'", [freelancer_id]))
    generated = list(db.query(
        f"SELECT id, file FROM documents WHERE {mine} AND state = 'signed' AND file IS NOT NULL",
        [freelancer_id]))  # fmt: skip
    db.execute(f"DELETE FROM documents WHERE {mine} AND state != 'signed'", [freelancer_id])
    db.execute(f"UPDATE documents SET file = NULL WHERE {mine} AND state = 'signed'",
               [freelancer_id])  # fmt: skip
    return {"documents_deleted": len(unsigned), "documents_kept_signed": len(generated),
            "files": [r["file"] for r in unsigned + generated if r["file"]]}  # fmt: skip
