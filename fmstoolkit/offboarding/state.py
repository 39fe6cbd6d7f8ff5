"""Where an offboarding stands: the mission, the saved records of each step, what is still
missing, the status, the missions due, and opening an offboarding.

The status is the furthest step reached with every earlier step complete (DESIGN.md:
opened → checklist_done → feedback_in → recommendation_written → note_written → closed). It is
computed from the saved records, which is why their readers live here, below the modules that
write them (:mod:`.steps`, :mod:`.closing`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import sqlite_utils

from .. import clock, contracts
from ..dates import day_or_today
from ..errors import InvalidState, Problem
from ..i18n import N_, Localized, _
from ..models import Deliverable, validate
from ..models.enums import OPEN_MISSIONS_SQL
from ..planning.missions import get_mission
from .invoice import check_invoice, invoice

#: The checklist items, in the order a manager goes through them (contract shared with demo.py).
CHECKLIST_ITEMS = (
    "objectives",
    "deliverables",
    "handover",
    "accesses",
    "equipment",
    "invoice_received",
    "invoice_paid",
    "confidentiality",
)
#: Items that block closing until done or "not applicable" with a reason (all of them).
REQUIRED_ITEMS = CHECKLIST_ITEMS
STEPS = ("checklist", "feedback", "recommendation", "note")
STATUS_AFTER = {
    "checklist": "checklist_done",
    "feedback": "feedback_in",
    "recommendation": "recommendation_written",
    "note": "note_written",
}

ITEM_LABELS = {
    "objectives": N_("objectives met"),
    "deliverables": N_("deliverables accepted"),
    "handover": N_("knowledge handed over"),
    "accesses": N_("accesses revoked"),
    "equipment": N_("equipment returned"),
    "invoice_received": N_("final invoice received and checked"),
    "invoice_paid": N_("final invoice paid"),
    "confidentiality": N_("confidentiality reminded"),
    "feedback": N_("feedback interview"),
    "recommendation": N_("recommendation"),
    "note": N_("collaboration note"),
}


def label(key: str, lang: str | None = None) -> str:
    """The label of a checklist item or step, in ``lang`` (default: the settings' language)."""
    return _(ITEM_LABELS[key], lang) if key in ITEM_LABELS else key


def label_params(key: str) -> dict[str, Localized]:
    """``{label}`` for a sentence naming the item ``key``: written in the sentence's language
    when it is shown (a problem is translated then, in the reader's language)."""
    return {"label": Localized(ITEM_LABELS[key]) if key in ITEM_LABELS else Localized(
        by_lang={"en": key})}


# --- the mission -------------------------------------------------------------------------------


def deliverables(db: sqlite_utils.Database, mission_id: int) -> list[dict[str, Any]]:
    return list(
        db.query("SELECT * FROM deliverables WHERE mission_id = ? ORDER BY id", [mission_id])
    )


def add_deliverable(
    db: sqlite_utils.Database,
    mission_id: int,
    title: str,
    *,
    due_date: dt.date | str | None = None,
    status: str = "pending",
) -> int:
    """Record a deliverable of a mission; return its id."""
    get_mission(db, mission_id)
    rec = validate(
        Deliverable,
        {"mission_id": mission_id, "title": title, "due_date": due_date, "status": status},
    )
    with db.atomic():
        return db["deliverables"].insert(rec.row()).last_pk


# --- the saved records ---------------------------------------------------------------------------


def _offboarding_row(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM offboardings WHERE mission_id = ?", [mission_id]))
    return rows[0] if rows else None


def checklist(db: sqlite_utils.Database, mission_id: int) -> dict[str, dict[str, Any]]:
    """The checklist items of a mission, by key (every key present, pending when not saved)."""
    rows = {
        r["item"]: r
        for r in db.query("SELECT * FROM checklist_items WHERE mission_id = ?", [mission_id])
    }
    return {
        item: rows.get(item) or {"item": item, "status": "pending", "value": None, "comment": None}
        for item in CHECKLIST_ITEMS
    }


def feedback_of(db: sqlite_utils.Database, mission_id: int) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM feedback WHERE mission_id = ? ORDER BY id", [mission_id]))


def recommendation_of(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM recommendations WHERE mission_id = ?", [mission_id]))
    return rows[0] if rows else None


def note_of(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any] | None:
    rows = list(db.query("SELECT * FROM notes WHERE mission_id = ?", [mission_id]))
    if not rows:
        return None
    note = rows[0]
    note["tags"] = json.loads(note["tags"]) if note["tags"] else []
    return note


# --- what is missing, the status -----------------------------------------------------------------


def _deliverable_problem(d: dict[str, Any]) -> Problem | None:
    """What blocks closing about one deliverable: sent back for changes, or not accepted yet."""
    if d["status"] == "changes_requested":
        text = N_(
            "deliverable '{title}' was sent back for changes; accept it once fixed, or mark it "
            "not applicable"
        )
    elif d["status"] not in ("accepted", "not_applicable"):
        text = N_("deliverable '{title}' is not accepted yet")
    else:
        return None
    field = f"deliverable_{d['id']}"
    return Problem(text, field=field, params={"title": d["title"]})


def missing(db: sqlite_utils.Database, mission_id: int) -> list[Problem]:
    """Everything that still blocks closing, one problem per item (field = the item's key)."""
    out: list[Problem] = []
    items = checklist(db, mission_id)
    dels = deliverables(db, mission_id)
    for item in REQUIRED_ITEMS:
        if items[item]["status"] != "pending":
            continue
        if item == "deliverables" and dels:
            out += [p for p in map(_deliverable_problem, dels) if p is not None]
            continue
        out.append(
            Problem(
                "checklist: {label} is not done (mark it done, or not applicable with a reason)",
                field=item,
                params=label_params(item),
            )
        )
    for step, recorded, text in (
        ("feedback", feedback_of, N_("the feedback interview is not recorded")),
        ("recommendation", recommendation_of, N_("the recommendation is not written")),
        ("note", note_of, N_("the collaboration note is not written")),
    ):
        if not recorded(db, mission_id):
            out.append(Problem(text, field=step))
    return out


def missing_keys(db: sqlite_utils.Database, mission_id: int) -> list[str]:
    """What is missing, as short keys (checklist items, then feedback/recommendation/note)."""
    keys: list[str] = []
    for p in missing(db, mission_id):
        key = "deliverables" if p.field and p.field.startswith("deliverable_") else p.field
        if key not in keys:
            keys.append(key)
    return keys


def steps_done(db: sqlite_utils.Database, mission_id: int) -> dict[str, bool]:
    """Which of the four steps are complete."""
    keys = set(missing_keys(db, mission_id))
    return {
        "checklist": not keys & set(CHECKLIST_ITEMS),
        "feedback": "feedback" not in keys,
        "recommendation": "recommendation" not in keys,
        "note": "note" not in keys,
    }


def _status_for(db: sqlite_utils.Database, mission_id: int) -> str:
    status = "opened"
    for step, done in steps_done(db, mission_id).items():
        if not done:
            break
        status = STATUS_AFTER[step]
    return status


def refresh_status(db: sqlite_utils.Database, mission_id: int) -> str:
    """Store the status the saved records reach (a closed offboarding stays closed); called
    inside the transaction of the step that was saved."""
    row = _offboarding_row(db, mission_id)
    if row and row["status"] == "closed":
        return "closed"
    status = _status_for(db, mission_id)
    db["offboardings"].update(mission_id, {"status": status, "updated_at": clock.stamp()})
    return status


# --- the manager's views -------------------------------------------------------------------------


def due(
    db: sqlite_utils.Database, within: int = 7, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """Missions ending within ``within`` days, or already ended, and not offboarded; the oldest
    end first, each with ``missing`` (what is still to do)."""
    day = day_or_today(today)
    limit = (day + dt.timedelta(days=within)).isoformat()
    rows = list(
        db.query(
            "SELECT m.id AS mission_id, m.freelancer_id, f.name AS freelancer, "
            "p.name AS project, m.title, m.start_date, m.end_date, m.daily_rate, "
            "m.status AS mission_status, o.status AS offboarding_status "
            "FROM missions m JOIN freelancers f ON f.id = m.freelancer_id "
            "JOIN projects p ON p.id = m.project_id "
            "LEFT JOIN offboardings o ON o.mission_id = m.id "
            f"WHERE m.status IN {OPEN_MISSIONS_SQL} AND m.end_date <= ? "
            "AND (o.status IS NULL OR o.status != 'closed') "
            "ORDER BY m.end_date, m.id",
            [limit],
        )
    )
    for row in rows:
        row["days_left"] = (dt.date.fromisoformat(row["end_date"]) - day).days
        row["missing"] = missing_keys(db, row["mission_id"])
    return rows


def get_offboarding(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    """Everything about a mission's offboarding (the private end reason included: this is the
    manager's view; publishing never reads it)."""
    mission = get_mission(db, mission_id)
    row = _offboarding_row(db, mission_id)
    inv = invoice(db, mission_id)
    return {
        "mission": mission,
        "status": row["status"] if row else None,
        "opened_at": row["opened_at"] if row else None,
        "closed_at": row["closed_at"] if row else None,
        "published_at": row["published_at"] if row else None,
        "publish_error": row["publish_error"] if row else None,
        "checklist": checklist(db, mission_id),
        "deliverables": deliverables(db, mission_id),
        "invoice": inv,
        "invoice_check": check_invoice(
            mission,
            inv["amount"] if inv else None,
            inv["daily_rate"] if inv else None,
            inv["last_billed_day"] if inv else None,
        ),
        "feedback": feedback_of(db, mission_id),
        "recommendation": recommendation_of(db, mission_id),
        "note": note_of(db, mission_id),
        "end_reason": row["end_reason"] if row else None,
        "missing": [p.message() for p in missing(db, mission_id)],
        "steps": steps_done(db, mission_id),
        # the confidentiality item shows the mission's NDA (state, signed day, file)
        "nda": contracts.document(db, mission_id, "nda"),
    }


# --- opening -------------------------------------------------------------------------------------


def check_open(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    """The mission, when its offboarding can still change; InvalidState when it is closed (or
    the mission offboarded) or the mission was cancelled."""
    mission = get_mission(db, mission_id)
    row = _offboarding_row(db, mission_id)
    if (row and row["status"] == "closed") or mission["status"] == "offboarded":
        raise InvalidState(
            "The offboarding of mission #{id} is closed; it can no longer be changed.",
            id=mission_id,
        )
    if mission["status"] == "cancelled":
        raise InvalidState(
            "Mission #{id} was cancelled; there is nothing to offboard.",
            id=mission_id,
        )
    return mission


def open_offboarding(
    db: sqlite_utils.Database, mission_id: int, today: dt.date | str | None = None
) -> dict[str, Any]:
    """Open (or resume) the offboarding of a mission: its row and its pending checklist.

    A mission whose end date is reached becomes "ending". Opening again changes nothing.
    """
    row = _offboarding_row(db, mission_id)
    if row and row["status"] == "closed":
        return row
    mission = check_open(db, mission_id)
    day = day_or_today(today)
    with db.atomic():
        if row is None:
            db["offboardings"].insert(
                {"mission_id": mission_id, "status": "opened", "opened_at": clock.stamp()}
            )
        for item in CHECKLIST_ITEMS:
            db.execute(
                "INSERT OR IGNORE INTO checklist_items (mission_id, item, status) "
                "VALUES (?, ?, 'pending')",
                [mission_id, item],
            )
        if mission["status"] in ("planned", "active") and mission["end_date"] <= day.isoformat():
            db["missions"].update(mission_id, {"status": "ending"})
        refresh_status(db, mission_id)
    return _offboarding_row(db, mission_id)
