"""Offboarding: the checklist, the feedback interview, the recommendation, the collaboration note
and the closing of a mission.

Lifecycle (DESIGN.md): opened → checklist_done → feedback_in → recommendation_written →
note_written → closed. Each step is saved on its own, in its own transaction, as soon as the
manager enters it (a closed notebook loses nothing); the status is the furthest step reached
with every earlier step complete. Closing is refused, with the exact list of what is missing,
until every required item is done or "not applicable" with a reason.

Working days come from :func:`fmstoolkit.planning.working_days` (the ``holidays`` package), so
the expected invoice amount follows the agency's public holidays. Onboarding-feedback themes
are counted with a small bilingual keyword table: the texts are short and few, and a keyword
table is explainable to the manager in a way a topic model is not.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import sqlite_utils
from pydantic import ValidationError

from . import clock, followups, planning, pool
from .config import get_settings
from .dates import day_or_today
from .errors import InvalidInput, InvalidState, NotFound, Problem
from .models import (
    ChecklistAnswers,
    ClosingAnswers,
    DeliverableVerdict,
    Feedback,
    FeedbackAnswers,
    Note,
    NoteAnswers,
    Recommendation,
    RecommendationAnswers,
    invalid,
    problems_of,
    validate,
    validate_all,
)

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
OPEN_MISSION_STATUSES = ("planned", "active", "ending")

ITEM_LABELS = {
    "objectives": ("objectives met", "objectifs atteints"),
    "deliverables": ("deliverables accepted", "livrables acceptés"),
    "handover": ("knowledge handed over", "passation faite"),
    "accesses": ("accesses revoked", "accès révoqués"),
    "equipment": ("equipment returned", "matériel rendu"),
    "invoice_received": ("final invoice received and checked", "facture finale reçue et vérifiée"),
    "invoice_paid": ("final invoice paid", "facture finale payée"),
    "confidentiality": ("confidentiality reminded", "confidentialité rappelée"),
    "feedback": ("feedback interview", "entretien de feedback"),
    "recommendation": ("recommendation", "recommandation"),
    "note": ("collaboration note", "note de collaboration"),
}
DELIVERABLE_RE = re.compile(r"^deliverable_(\d+)$")


def label(key: str, lang: str | None = None) -> str:
    en, fr = ITEM_LABELS.get(key, (key, key))
    return fr if (lang or get_settings().lang) == "fr" else en


def _today(today: dt.date | str | None) -> dt.date:
    return day_or_today(today)


def _now() -> str:
    return clock.stamp()


def _stamp(today: dt.date | str | None) -> str:
    """A timestamp: now, or the given day (tests and back-dated entries)."""
    return _now() if today is None else _today(today).isoformat()


def _unwrap(section: Any) -> dict[str, Any]:
    """Answers as plain values: ``{"x": {"value": 3, "type": ...}}`` (a filled template) or
    ``{"x": 3}`` both give ``{"x": 3}``."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise InvalidInput(
            "Each section of the answers must be an object of field: value.",
            "Chaque section des réponses doit être un objet champ : valeur.",
        )
    return {
        k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
        for k, v in section.items()
        if not k.startswith("_")
    }


# --- reading -------------------------------------------------------------------------------------


def get_mission(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    """A mission with its freelancer's and project's names."""
    rows = list(
        db.query(
            "SELECT m.*, f.name AS freelancer, f.status AS freelancer_status, "
            "p.name AS project, p.lead_name FROM missions m "
            "JOIN freelancers f ON f.id = m.freelancer_id "
            "JOIN projects p ON p.id = m.project_id WHERE m.id = ?",
            [mission_id],
        )
    )
    if not rows:
        raise NotFound(
            "No mission #{id}.", "Aucune mission n° {id}.", field="mission", id=mission_id
        )
    return rows[0]


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
    from .models import Deliverable

    get_mission(db, mission_id)
    rec = validate(
        Deliverable,
        {"mission_id": mission_id, "title": title, "due_date": due_date, "status": status},
    )
    with db.atomic():
        return db["deliverables"].insert(rec.row()).last_pk


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


def invoice(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any] | None:
    rows = list(
        db.query(
            "SELECT * FROM invoices WHERE mission_id = ? ORDER BY id DESC LIMIT 1", [mission_id]
        )
    )
    return rows[0] if rows else None


def check_invoice(
    mission: dict[str, Any],
    amount: int | None,
    daily_rate: int | None = None,
    last_billed_day: dt.date | str | None = None,
) -> dict[str, Any]:
    """Compare an invoice with the mission: expected amount = working days between the mission
    dates x agreed daily rate. Returns the figures and the warnings (English and French)."""
    start = dt.date.fromisoformat(mission["start_date"])
    end = dt.date.fromisoformat(mission["end_date"])
    days = len(planning.working_days(start, end))
    expected = days * mission["daily_rate"]
    warnings: list[Problem] = []
    if daily_rate is not None and daily_rate != mission["daily_rate"]:
        warnings.append(
            Problem(
                en=f"the invoice's daily rate ({daily_rate} €) differs from the agreed one "
                f"({mission['daily_rate']} €)",
                fr=f"le TJM de la facture ({daily_rate} €) diffère du TJM convenu "
                f"({mission['daily_rate']} €)",
                field="invoice_daily_rate",
            )
        )
    if last_billed_day is not None:
        last = (
            dt.date.fromisoformat(last_billed_day)
            if isinstance(last_billed_day, str)
            else last_billed_day
        )
        if last > end:
            warnings.append(
                Problem(
                    en=f"the invoice bills days after the mission's end ({last} > {end})",
                    fr=f"la facture compte des jours après la fin de mission ({last} > {end})",
                    field="invoice_last_day",
                )
            )
    if amount is not None and amount != expected:
        warnings.append(
            Problem(
                en=f"the amount ({amount} €) differs from the expected {expected} € "
                f"({days} working days x {mission['daily_rate']} €)",
                fr=f"le montant ({amount} €) diffère des {expected} € attendus "
                f"({days} jours ouvrés x {mission['daily_rate']} €)",
                field="invoice_amount",
            )
        )
    return {
        "working_days": days,
        "agreed_rate": mission["daily_rate"],
        "expected_amount": expected,
        "amount": amount,
        "warnings": [w.message() for w in warnings],
    }


def checklist_values(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    """The saved checklist as the flat answers of the checklist form (to pre-fill it)."""
    items = checklist(db, mission_id)
    out: dict[str, Any] = {}
    obj = items["objectives"]
    out["objectives"] = (
        "not_applicable" if obj["status"] == "not_applicable" else obj["value"] or "pending"
    )
    out["objectives_comment"] = obj["comment"]
    out["deliverables_comment"] = items["deliverables"]["comment"]
    for d in deliverables(db, mission_id):
        status = d["status"]
        out[f"deliverable_{d['id']}"] = (
            status if status in DeliverableVerdict.__members__ else "pending"
        )
    hand = items["handover"]
    out["handover"] = hand["status"]
    to, _, doc = (hand["value"] or "").partition(" — ")
    out["handover_to"], out["handover_doc"] = to or None, doc or None
    out["handover_comment"] = hand["comment"]
    out["accesses"] = items["accesses"]["status"]
    out["accesses_systems"] = items["accesses"]["value"]
    out["accesses_comment"] = items["accesses"]["comment"]
    out["equipment"] = items["equipment"]["status"]
    out["equipment_comment"] = items["equipment"]["comment"]
    out["invoice_received"] = items["invoice_received"]["status"]
    out["invoice_comment"] = items["invoice_received"]["comment"]
    inv = invoice(db, mission_id) or {}
    out["invoice_amount"] = inv.get("amount")
    out["invoice_daily_rate"] = inv.get("daily_rate")
    out["invoice_days"] = inv.get("days")
    out["invoice_last_day"] = inv.get("last_billed_day")
    out["invoice_paid"] = items["invoice_paid"]["status"]
    out["invoice_paid_on"] = (inv.get("paid_at") or "")[:10] or None
    out["invoice_paid_comment"] = items["invoice_paid"]["comment"]
    out["confidentiality"] = items["confidentiality"]["status"]
    out["confidentiality_comment"] = items["confidentiality"]["comment"]
    return out


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


def _deliverable_problem(d: dict[str, Any]) -> Problem | None:
    """What blocks closing about one deliverable: sent back for changes, or not accepted yet."""
    if d["status"] == "changes_requested":
        en = (
            f"deliverable '{d['title']}' was sent back for changes; accept it once fixed, or mark "
            "it not applicable"
        )
        fr = (
            f"le livrable « {d['title']} » a été renvoyé pour corrections ; acceptez-le une fois "
            "corrigé, ou marquez-le non applicable"
        )
    elif d["status"] not in ("accepted", "not_applicable"):
        en = f"deliverable '{d['title']}' is not accepted yet"
        fr = f"le livrable « {d['title']} » n'est pas encore accepté"
    else:
        return None
    return Problem(en=en, fr=fr, field=f"deliverable_{d['id']}")


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
                en=f"checklist: {label(item, 'en')} is not done (mark it done, or not "
                "applicable with a reason)",
                fr=f"checklist : {label(item, 'fr')} n'est pas fait (marquez-le fait, ou non "
                "applicable avec une raison)",
                field=item,
            )
        )
    for step, recorded, en, fr in (
        (
            "feedback",
            feedback_of,
            "the feedback interview is not recorded",
            "l'entretien de feedback n'est pas enregistré",
        ),
        (
            "recommendation",
            recommendation_of,
            "the recommendation is not written",
            "la recommandation n'est pas rédigée",
        ),
        (
            "note",
            note_of,
            "the collaboration note is not written",
            "la note de collaboration n'est pas rédigée",
        ),
    ):
        if not recorded(db, mission_id):
            out.append(Problem(en=en, fr=fr, field=step))
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


def _refresh_status(db: sqlite_utils.Database, mission_id: int) -> str:
    row = _offboarding_row(db, mission_id)
    if row and row["status"] == "closed":
        return "closed"
    status = _status_for(db, mission_id)
    db["offboardings"].update(mission_id, {"status": status, "updated_at": _now()})
    return status


def due(
    db: sqlite_utils.Database, within: int = 7, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """Missions ending within ``within`` days, or already ended, and not offboarded; the oldest
    end first, each with ``missing`` (what is still to do)."""
    day = _today(today)
    limit = (day + dt.timedelta(days=within)).isoformat()
    rows = list(
        db.query(
            "SELECT m.id AS mission_id, m.freelancer_id, f.name AS freelancer, "
            "p.name AS project, m.title, m.start_date, m.end_date, m.daily_rate, "
            "m.status AS mission_status, o.status AS offboarding_status "
            "FROM missions m JOIN freelancers f ON f.id = m.freelancer_id "
            "JOIN projects p ON p.id = m.project_id "
            "LEFT JOIN offboardings o ON o.mission_id = m.id "
            "WHERE m.status IN ('planned', 'active', 'ending') AND m.end_date <= ? "
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
    }


# --- writing -------------------------------------------------------------------------------------


def _check_open(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    mission = get_mission(db, mission_id)
    row = _offboarding_row(db, mission_id)
    if (row and row["status"] == "closed") or mission["status"] == "offboarded":
        raise InvalidState(
            "The offboarding of mission #{id} is closed; it can no longer be changed.",
            "L'offboarding de la mission n° {id} est clos ; il ne peut plus être modifié.",
            id=mission_id,
        )
    if mission["status"] == "cancelled":
        raise InvalidState(
            "Mission #{id} was cancelled; there is nothing to offboard.",
            "La mission n° {id} a été annulée ; il n'y a rien à clôturer.",
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
    mission = _check_open(db, mission_id)
    day = _today(today)
    with db.atomic():
        if row is None:
            db["offboardings"].insert(
                {"mission_id": mission_id, "status": "opened", "opened_at": _now()}
            )
        for item in CHECKLIST_ITEMS:
            db.execute(
                "INSERT OR IGNORE INTO checklist_items (mission_id, item, status) "
                "VALUES (?, ?, 'pending')",
                [mission_id, item],
            )
        if mission["status"] in ("planned", "active") and mission["end_date"] <= day.isoformat():
            db["missions"].update(mission_id, {"status": "ending"})
        _refresh_status(db, mission_id)
    return _offboarding_row(db, mission_id)


def _checklist_answers(
    db: sqlite_utils.Database, mission_id: int, values: dict[str, Any]
) -> tuple[ChecklistAnswers, dict[int, str]]:
    """Validate the flat checklist answers (``deliverable_<id>`` fields included)."""
    values = dict(values)
    known = {d["id"]: d for d in deliverables(db, mission_id)}
    verdicts: dict[int, str] = {}
    problems: list[Problem] = []
    for key in [k for k in values if DELIVERABLE_RE.match(k)]:
        value = values.pop(key)
        did = int(DELIVERABLE_RE.match(key).group(1))
        if did not in known:
            problems.append(
                Problem(
                    en=f"mission #{mission_id} has no deliverable #{did}",
                    fr=f"la mission n° {mission_id} n'a pas de livrable n° {did}",
                    field=key,
                )
            )
        elif value is not None and value not in DeliverableVerdict.__members__:
            problems.append(
                Problem(
                    en="choose accepted, changes_requested, not_applicable or pending",
                    fr="choisissez accepted, changes_requested, not_applicable ou pending",
                    field=key,
                )
            )
        elif value is not None:
            verdicts[did] = value
    try:
        answers = ChecklistAnswers.model_validate(values)
    except ValidationError as exc:
        raise invalid(problems + problems_of(exc)) from exc
    problems += answers.problems()
    if problems:
        raise invalid(problems)
    return answers, verdicts


def _write_checklist(
    db: sqlite_utils.Database,
    mission: dict[str, Any],
    a: ChecklistAnswers,
    verdicts: dict[int, str],
    today: dt.date,
) -> None:
    mission_id = mission["id"]
    stamp = _now()
    for did, verdict in verdicts.items():
        db["deliverables"].update(did, {"status": verdict})
    dels = deliverables(db, mission_id)

    def put(item: str, status: str, value: Any = None, comment: str | None = None) -> None:
        db["checklist_items"].upsert(
            {
                "mission_id": mission_id,
                "item": item,
                "status": status,
                "value": value,
                "comment": comment,
                "updated_at": stamp,
            },
            pk=("mission_id", "item"),
        )

    obj = a.objectives
    if obj == "not_applicable":
        put("objectives", "not_applicable", None, a.objectives_comment)
    elif obj == "pending":
        put("objectives", "pending", None, a.objectives_comment)
    else:
        put("objectives", "done", obj, a.objectives_comment)

    counts = Counter(d["status"] for d in dels)
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or None
    if not dels:
        put(
            "deliverables",
            "not_applicable",
            None,
            a.deliverables_comment or "no deliverables recorded / aucun livrable enregistré",
        )
    elif all(d["status"] in ("accepted", "not_applicable") for d in dels):
        put("deliverables", "done", summary, a.deliverables_comment)
    else:
        put("deliverables", "pending", summary, a.deliverables_comment)

    handover = f"{a.handover_to} — {a.handover_doc}" if a.handover_to or a.handover_doc else None
    put("handover", a.handover, handover, a.handover_comment)
    put("accesses", a.accesses, a.accesses_systems, a.accesses_comment)
    put("equipment", a.equipment, None, a.equipment_comment)
    put("invoice_received", a.invoice_received, a.invoice_amount, a.invoice_comment)
    put("invoice_paid", a.invoice_paid, a.invoice_paid_on, a.invoice_paid_comment)
    put("confidentiality", a.confidentiality, None, a.confidentiality_comment)

    if a.invoice_amount is not None:
        inv = invoice(db, mission_id)
        row = {
            "mission_id": mission_id,
            "amount": a.invoice_amount,
            "daily_rate": a.invoice_daily_rate,
            "days": a.invoice_days,
            "last_billed_day": a.invoice_last_day.isoformat() if a.invoice_last_day else None,
            "received_at": (inv or {}).get("received_at") or today.isoformat(),
            "checked_at": today.isoformat() if a.invoice_received == "done" else None,
            "paid_at": (
                (a.invoice_paid_on or today).isoformat() if a.invoice_paid == "done" else None
            ),
        }
        if inv:
            db["invoices"].update(inv["id"], row)
        else:
            db["invoices"].insert(row)


def save_checklist(
    db: sqlite_utils.Database,
    mission_id: int,
    values: dict[str, Any],
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Save the checklist answers (partial answers are fine: "pending" items stay to do).

    Deliverable verdicts (``deliverable_<id>``: accepted / changes_requested / not_applicable)
    update the deliverables. Returns the invoice check (expected amount and warnings) and the
    new status.
    """
    mission = _check_open(db, mission_id)
    answers, verdicts = _checklist_answers(db, mission_id, _unwrap(values))
    day = _today(today)
    with db.atomic():
        open_offboarding(db, mission_id, today=day)
        _write_checklist(db, mission, answers, verdicts, day)
        status = _refresh_status(db, mission_id)
    return {
        "status": status,
        "invoice_check": check_invoice(
            mission, answers.invoice_amount, answers.invoice_daily_rate, answers.invoice_last_day
        ),
    }


def _feedback_record(mission_id: int, values: dict[str, Any]) -> Feedback:
    answers = validate(FeedbackAnswers, values)
    return validate(Feedback, {"mission_id": mission_id, **answers.model_dump()})


def save_feedback(
    db: sqlite_utils.Database, mission_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Save the feedback interview (source ``interview``, typed by the manager, or
    ``freelancer``, sent by them); one per source, saving again replaces it."""
    _check_open(db, mission_id)
    rec = _feedback_record(mission_id, _unwrap(values))
    with db.atomic():
        open_offboarding(db, mission_id)
        _write_feedback(db, rec)
        status = _refresh_status(db, mission_id)
    return {"status": status}


def _write_feedback(db: sqlite_utils.Database, rec: Feedback) -> None:
    row = rec.row()
    db.execute(
        "INSERT INTO feedback (mission_id, source, onboarding, integration, clarity, "
        "suggestions, created_at) VALUES (:mission_id, :source, :onboarding, :integration, "
        ":clarity, :suggestions, :created_at) ON CONFLICT(mission_id, source) DO UPDATE SET "
        "onboarding = excluded.onboarding, integration = excluded.integration, "
        "clarity = excluded.clarity, suggestions = excluded.suggestions",
        row | {"created_at": _now()},
    )


def _recommendation_record(mission_id: int, values: dict[str, Any]) -> Recommendation:
    answers = validate(RecommendationAnswers, values)
    return validate(Recommendation, {"mission_id": mission_id, **answers.model_dump()})


def save_recommendation(
    db: sqlite_utils.Database, mission_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Save the manager's recommendation for the freelancer (saving again replaces it)."""
    _check_open(db, mission_id)
    rec = _recommendation_record(mission_id, _unwrap(values))
    with db.atomic():
        open_offboarding(db, mission_id)
        _write_recommendation(db, rec)
        status = _refresh_status(db, mission_id)
    return {"status": status}


def _write_recommendation(db: sqlite_utils.Database, rec: Recommendation) -> None:
    db.execute(
        "INSERT INTO recommendations (mission_id, author, text, created_at) "
        "VALUES (:mission_id, :author, :text, :created_at) ON CONFLICT(mission_id) DO UPDATE "
        "SET author = excluded.author, text = excluded.text",
        rec.row() | {"created_at": _now()},
    )


def _note_records(mission_id: int, values: dict[str, Any]) -> tuple[Note, str | None]:
    answers = validate(NoteAnswers, values)
    data = answers.model_dump()
    end_reason = data.pop("end_reason")
    return validate(Note, {"mission_id": mission_id, **data}), end_reason


def save_note(
    db: sqlite_utils.Database,
    mission_id: int,
    values: dict[str, Any],
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Save the collaboration note (published later) and the private end reason (never
    published: it stays in ``offboardings.end_reason``)."""
    _check_open(db, mission_id)
    note, end_reason = _note_records(mission_id, _unwrap(values))
    with db.atomic():
        open_offboarding(db, mission_id)
        _write_note(db, note, end_reason, _today(today))
        status = _refresh_status(db, mission_id)
    return {"status": status}


def _write_note(db: sqlite_utils.Database, note: Note, end_reason: str | None, day: dt.date):
    row = note.row() | {"tags": json.dumps(note.tags, ensure_ascii=False)}
    db.execute(
        "INSERT INTO notes (mission_id, author, quality, communication, deadlines, autonomy, "
        "would_rehire, text, tags, created_at) VALUES (:mission_id, :author, :quality, "
        ":communication, :deadlines, :autonomy, :would_rehire, :text, :tags, :created_at) "
        "ON CONFLICT(mission_id) DO UPDATE SET author = excluded.author, "
        "quality = excluded.quality, communication = excluded.communication, "
        "deadlines = excluded.deadlines, autonomy = excluded.autonomy, "
        "would_rehire = excluded.would_rehire, text = excluded.text, tags = excluded.tags",
        row | {"created_at": day.isoformat()},
    )
    db["offboardings"].update(note.mission_id, {"end_reason": end_reason})


def _blocked(problems: list[Problem], mission_id: int) -> InvalidState:
    return InvalidState(
        "The offboarding of mission #{id} cannot be closed yet; still missing:",
        "L'offboarding de la mission n° {id} ne peut pas encore être clos ; il manque :",
        problems=problems,
        id=mission_id,
    )


def _close_in_transaction(
    db: sqlite_utils.Database, mission_id: int, lists: list[str], day: dt.date, stamp: str
) -> dict[str, Any]:
    mission = get_mission(db, mission_id)
    problems = missing(db, mission_id)
    if problems:
        raise _blocked(problems, mission_id)
    db["offboardings"].update(
        mission_id, {"status": "closed", "closed_at": stamp, "updated_at": _now()}
    )
    db["missions"].update(mission_id, {"status": "offboarded"})
    for name in lists:
        pool.add_to_list(db, name, mission["freelancer_id"])
    others = db.execute(
        "SELECT count(*) FROM missions WHERE freelancer_id = ? AND id != ? AND status IN "
        "('planned', 'active', 'ending')",
        [mission["freelancer_id"], mission_id],
    ).fetchone()[0]
    became_alumni = False
    if not others and mission["freelancer_status"] == "active":
        db["freelancers"].update(
            mission["freelancer_id"], {"status": "alumni", "updated_at": day.isoformat()}
        )
        became_alumni = True
    checkin_days = get_settings().alumni_checkin_days
    followup_id = followups.schedule_alumni_checkin(
        db, mission["freelancer_id"], mission_id, day, checkin_days
    )
    return {
        "mission_id": mission_id,
        "status": "closed",
        "lists": lists,
        "alumni": became_alumni,
        "followup_id": followup_id,
        "checkin_date": (day + dt.timedelta(days=checkin_days)).isoformat(),
    }


def republish(db: sqlite_utils.Database) -> dict[str, Any]:
    """Republish the notes database (``fmstoolkit.publish.publish``). Never raises: the outcome
    (stats, or the error) is returned."""
    from . import publish  # imported here: publishing is heavier than closing one mission

    try:
        stats = publish.publish(db)
    except Exception as exc:  # noqa: BLE001 - a failed publish must not undo the close
        return {"status": "failed", "error": str(exc)}
    return {"status": "published", **{k: v for k, v in (stats or {}).items()}}


def _record_publish(db: sqlite_utils.Database, mission_id: int, outcome: dict[str, Any]) -> None:
    with db.atomic():
        if outcome["status"] == "published":
            db["offboardings"].update(mission_id, {"published_at": _now(), "publish_error": None})
        elif outcome["status"] == "failed":
            db["offboardings"].update(mission_id, {"publish_error": outcome["error"]})


def close(
    db: sqlite_utils.Database,
    mission_id: int,
    lists: list[str] | str | None = None,
    *,
    today: dt.date | str | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    """Close an offboarding: mission "offboarded", freelancer added to the named ``lists``,
    "alumni" when no other mission is under way, alumni check-in scheduled
    (``alumni_checkin_days`` later), then the notes database republished.

    Refused with the list of what is missing while a required step is not complete. A failed
    publish does not undo the close: it is returned under ``publish`` and kept in
    ``offboardings.publish_error``.
    """
    _check_open(db, mission_id)
    closing = validate(ClosingAnswers, {"lists": lists})
    day = _today(today)
    with db.atomic():
        result = _close_in_transaction(db, mission_id, closing.lists, day, _stamp(today))
    if publish:
        result["publish"] = republish(db)
        _record_publish(db, mission_id, result["publish"])
    return result


def apply_answers(
    db: sqlite_utils.Database,
    mission_id: int,
    answers: dict[str, Any],
    *,
    today: dt.date | str | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    """Apply a whole offboarding (checklist, feedback, recommendation, note, closing) from
    answers shaped like the forms, and close it.

    Everything is checked first: an incomplete or invalid file raises :class:`InvalidInput`
    listing every problem, and nothing is written. Then everything is written in one
    transaction.
    """
    mission = _check_open(db, mission_id)
    if not isinstance(answers, dict):
        raise InvalidInput(
            "The answers must be a JSON object with the sections checklist, feedback, "
            "recommendation, note and closing.",
            "Les réponses doivent être un objet JSON avec les sections checklist, feedback, "
            "recommendation, note et closing.",
        )
    known = {"checklist", "feedback", "recommendation", "note", "closing", "mission_id"}
    problems = [
        Problem(en="unknown section", fr="section inconnue", field=k)
        for k in answers
        if k not in known and not k.startswith("_")
    ]
    if answers.get("mission_id") not in (None, mission_id):
        problems.append(
            Problem(
                en=f"these answers are for mission #{answers['mission_id']}, not #{mission_id}",
                fr=f"ces réponses concernent la mission n° {answers['mission_id']}, pas la "
                f"n° {mission_id}",
                field="mission_id",
            )
        )
    day = _today(today)
    parsed: dict[str, Any] = {}

    def attempt(section: str, func) -> None:
        try:
            parsed[section] = func(_unwrap(answers.get(section)))
        except InvalidInput as exc:
            for p in exc.problems:
                field = f"{section}.{p.field}" if p.field else section
                problems.append(Problem(en=p.en, fr=p.fr, field=field))

    attempt("checklist", lambda v: _checklist_answers(db, mission_id, v))
    attempt("feedback", lambda v: _feedback_record(mission_id, v))
    attempt("recommendation", lambda v: _recommendation_record(mission_id, v))
    attempt("note", lambda v: _note_records(mission_id, v))
    attempt("closing", lambda v: validate_all((ClosingAnswers, v))[0])
    raw_checklist = (
        _unwrap(answers.get("checklist")) if isinstance(answers.get("checklist"), dict) else {}
    )
    for item in ("objectives", "handover", "accesses", "equipment", "invoice_received",
                 "invoice_paid", "confidentiality"):  # fmt: skip
        if raw_checklist.get(item) in (None, "", "pending"):
            problems.append(
                Problem(
                    en=f"{label(item, 'en')}: still pending (answer it, or mark it "
                    "not_applicable with a reason)",
                    fr=f"{label(item, 'fr')} : encore à faire (répondez, ou marquez "
                    "not_applicable avec une raison)",
                    field=f"checklist.{item}",
                )
            )
    for d in deliverables(db, mission_id):
        verdict = raw_checklist.get(f"deliverable_{d['id']}") or d["status"]
        if verdict not in ("accepted", "not_applicable"):
            problems.append(
                Problem(
                    en=f"deliverable '{d['title']}' must be accepted or not_applicable "
                    f"to close (now: {verdict})",
                    fr=f"le livrable « {d['title']} » doit être accepted ou "
                    f"not_applicable pour clore (actuellement : {verdict})",
                    field=f"checklist.deliverable_{d['id']}",
                )
            )
    if problems:
        raise InvalidInput(
            "The answers for mission #{id} are incomplete or invalid; nothing was written:",
            "Les réponses pour la mission n° {id} sont incomplètes ou invalides ; rien n'a été "
            "écrit :",
            problems=problems,
            id=mission_id,
        )
    with db.atomic():
        open_offboarding(db, mission_id, today=day)
        _write_checklist(db, mission, *parsed["checklist"], day)
        _write_feedback(db, parsed["feedback"])
        _write_recommendation(db, parsed["recommendation"])
        _write_note(db, *parsed["note"], day)
        result = _close_in_transaction(db, mission_id, parsed["closing"].lists, day, _stamp(today))
    if publish:
        result["publish"] = republish(db)
        _record_publish(db, mission_id, result["publish"])
    checklist_a = parsed["checklist"][0]
    result["invoice_check"] = check_invoice(
        mission,
        checklist_a.invoice_amount,
        checklist_a.invoice_daily_rate,
        checklist_a.invoice_last_day,
    )
    return result


# --- onboarding-feedback trends ----------------------------------------------------------------

#: Recurring themes of suggestions: theme -> keywords (accents and case ignored, French and
#: English; a keyword matches the start of a word, so "doc" finds "documentation").
THEMES: dict[str, tuple[str, ...]] = {
    "documentation": ("doc", "wiki", "readme", "notion", "confluence"),
    "accesses": ("acces", "access", "compte", "account", "vpn", "permission", "droits", "badge"),
    "equipment": ("materiel", "ordinateur", "laptop", "equipment", "poste", "ecran"),
    "welcome": ("accueil", "welcome", "onboard", "parrain", "buddy", "integration", "presentation"),
    "brief": (
        "brief",
        "objectif",
        "scope",
        "perimetre",
        "clart",
        "clear",
        "clarif",
        "attente",
        "expectation",
        "cahier",
    ),  # fmt: skip
    "communication": (
        "communic",
        "slack",
        "reunion",
        "meeting",
        "point",
        "daily",
        "feedback",
        "retour",
    ),  # fmt: skip
    "tools": ("environnement", "environment", "setup", "install", "outil", "tool", "ci"),
    "planning": ("planning", "delai", "deadline", "calendrier", "schedule", "charge"),
    "payment": ("paiement", "payment", "facture", "invoice", "factur"),
}
THEME_LABELS = {
    "documentation": ("documentation", "documentation"),
    "accesses": ("accesses and accounts", "accès et comptes"),
    "equipment": ("equipment", "matériel"),
    "welcome": ("welcome and integration", "accueil et intégration"),
    "brief": ("clarity of the brief", "clarté du brief"),
    "communication": ("communication", "communication"),
    "tools": ("tools and setup", "outils et installation"),
    "planning": ("planning and deadlines", "planning et délais"),
    "payment": ("invoicing and payment", "facturation et paiement"),
}


def themes_of(text: str | None) -> set[str]:
    """The themes a suggestion talks about."""
    words = pool.normalize(text or "").split()
    return {
        theme for theme, keys in THEMES.items() if any(w.startswith(k) for w in words for k in keys)
    }


def _period(day: str, by: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    return f"{year}-Q{(month - 1) // 3 + 1}" if by == "quarter" else f"{year}-{month:02d}"


def feedback_trends(db: sqlite_utils.Database, by: str = "month") -> dict[str, Any]:
    """Onboarding feedback over time: average ratings per month (or quarter) and the recurring
    themes of the suggestions, most frequent first, with a few examples each."""
    if by not in ("month", "quarter"):
        raise InvalidInput(
            "Group by month or quarter.", "Regroupez par mois ou par trimestre.", field="by"
        )
    rows = list(
        db.query(
            "SELECT fb.onboarding, fb.integration, fb.clarity, fb.suggestions, fb.source, "
            "COALESCE(substr(fb.created_at, 1, 10), m.end_date) AS day "
            "FROM feedback fb JOIN missions m ON m.id = fb.mission_id ORDER BY day"
        )
    )
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(_period(r["day"], by), []).append(r)
    periods = []
    for period, items in groups.items():
        entry: dict[str, Any] = {"period": period, "responses": len(items)}
        for key in ("onboarding", "integration", "clarity"):
            values = [i[key] for i in items if i[key] is not None]
            entry[key] = round(sum(values) / len(values), 2) if values else None
        periods.append(entry)
    counts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    suggestions = [r["suggestions"] for r in rows if r["suggestions"]]
    for text in suggestions:
        for theme in themes_of(text):
            counts[theme] += 1
            if len(examples.setdefault(theme, [])) < 3:
                examples[theme].append(text)
    lang = get_settings().lang
    themes = [
        {
            "theme": theme,
            "label": THEME_LABELS[theme][1 if lang == "fr" else 0],
            "count": n,
            "examples": examples[theme],
        }
        for theme, n in counts.most_common()
    ]
    return {"by": by, "periods": periods, "themes": themes, "suggestions": len(suggestions)}
