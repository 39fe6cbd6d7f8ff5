"""The four steps of an offboarding: the checklist, the feedback interview, the recommendation
and the collaboration note, as the forms give them and as the forms are pre-filled.

Each step is saved on its own, in its own transaction, as soon as the manager enters it (a
closed notebook loses nothing). Each one is validated (``*_answers`` / ``*_record``) apart from
its writing (``write_*``), so that :func:`fmstoolkit.offboarding.closing.apply_answers` can check
every step first and then write them all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import sqlite_utils
from pydantic import ValidationError

from .. import clock
from ..dates import day_or_today
from ..errors import InvalidInput, Problem
from ..i18n import _
from ..models import (
    ChecklistAnswers,
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
)
from .invoice import check_invoice, invoice, write_invoice
from .state import check_open, checklist, deliverables, open_offboarding, refresh_status

DELIVERABLE_RE = re.compile(r"^deliverable_(\d+)$")


def unwrap(section: Any) -> dict[str, Any]:
    """Answers as plain values: ``{"x": {"value": 3, "type": ...}}`` (a filled template) or
    ``{"x": 3}`` both give ``{"x": 3}``."""
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise InvalidInput(
            "Each section of the answers must be an object of field: value.",
        )
    return {
        k: (v.get("value") if isinstance(v, dict) and "value" in v else v)
        for k, v in section.items()
        if not k.startswith("_")
    }


# --- checklist -----------------------------------------------------------------------------------


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
    to, _sep, doc = (hand["value"] or "").partition(" — ")
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


def checklist_answers(
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
                    "mission #{mission} has no deliverable #{id}",
                    field=key,
                    params={"mission": mission_id, "id": did},
                )
            )
        elif value is not None and value not in DeliverableVerdict.__members__:
            problems.append(
                Problem(
                    "choose accepted, changes_requested, not_applicable or pending",
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


def write_checklist(
    db: sqlite_utils.Database,
    mission: dict[str, Any],
    a: ChecklistAnswers,
    verdicts: dict[int, str],
    today: dt.date,
) -> None:
    """Write validated checklist answers (inside the caller's transaction)."""
    mission_id = mission["id"]
    stamp = clock.stamp()
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
            a.deliverables_comment or _("no deliverables recorded"),
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
    write_invoice(db, mission_id, a, today)


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
    mission = check_open(db, mission_id)
    answers, verdicts = checklist_answers(db, mission_id, unwrap(values))
    day = day_or_today(today)
    with db.atomic():
        open_offboarding(db, mission_id, today=day)
        write_checklist(db, mission, answers, verdicts, day)
        status = refresh_status(db, mission_id)
    return {
        "status": status,
        "invoice_check": check_invoice(
            mission, answers.invoice_amount, answers.invoice_daily_rate, answers.invoice_last_day
        ),
    }


# --- feedback ------------------------------------------------------------------------------------


def feedback_record(mission_id: int, values: dict[str, Any]) -> Feedback:
    answers = validate(FeedbackAnswers, values)
    return validate(Feedback, {"mission_id": mission_id, **answers.model_dump()})


def save_feedback(
    db: sqlite_utils.Database, mission_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Save the feedback interview (source ``interview``, typed by the manager, or
    ``freelancer``, sent by them); one per source, saving again replaces it."""
    check_open(db, mission_id)
    rec = feedback_record(mission_id, unwrap(values))
    with db.atomic():
        open_offboarding(db, mission_id)
        write_feedback(db, rec)
        status = refresh_status(db, mission_id)
    return {"status": status}


def write_feedback(db: sqlite_utils.Database, rec: Feedback) -> None:
    row = rec.row()
    db.execute(
        "INSERT INTO feedback (mission_id, source, onboarding, integration, clarity, "
        "suggestions, created_at) VALUES (:mission_id, :source, :onboarding, :integration, "
        ":clarity, :suggestions, :created_at) ON CONFLICT(mission_id, source) DO UPDATE SET "
        "onboarding = excluded.onboarding, integration = excluded.integration, "
        "clarity = excluded.clarity, suggestions = excluded.suggestions",
        row | {"created_at": clock.stamp()},
    )


# --- recommendation ------------------------------------------------------------------------------


def recommendation_record(mission_id: int, values: dict[str, Any]) -> Recommendation:
    answers = validate(RecommendationAnswers, values)
    return validate(Recommendation, {"mission_id": mission_id, **answers.model_dump()})


def save_recommendation(
    db: sqlite_utils.Database, mission_id: int, values: dict[str, Any]
) -> dict[str, Any]:
    """Save the manager's recommendation for the freelancer (saving again replaces it)."""
    check_open(db, mission_id)
    rec = recommendation_record(mission_id, unwrap(values))
    with db.atomic():
        open_offboarding(db, mission_id)
        write_recommendation(db, rec)
        status = refresh_status(db, mission_id)
    return {"status": status}


def write_recommendation(db: sqlite_utils.Database, rec: Recommendation) -> None:
    db.execute(
        "INSERT INTO recommendations (mission_id, author, text, created_at) "
        "VALUES (:mission_id, :author, :text, :created_at) ON CONFLICT(mission_id) DO UPDATE "
        "SET author = excluded.author, text = excluded.text",
        rec.row() | {"created_at": clock.stamp()},
    )


def mark_recommendation_delivered(db: sqlite_utils.Database, mission_id: int, day: str) -> None:
    """Record the day the recommendation reached the freelancer (the first delivery counts)."""
    db.execute(
        "UPDATE recommendations SET delivered_at = ? WHERE mission_id = ? "
        "AND delivered_at IS NULL",
        [day, mission_id],
    )


# --- collaboration note --------------------------------------------------------------------------


def note_records(mission_id: int, values: dict[str, Any]) -> tuple[Note, str | None]:
    """The note and the private end reason typed with it."""
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
    check_open(db, mission_id)
    note, end_reason = note_records(mission_id, unwrap(values))
    with db.atomic():
        open_offboarding(db, mission_id)
        write_note(db, note, end_reason, day_or_today(today))
        status = refresh_status(db, mission_id)
    return {"status": status}


def write_note(db: sqlite_utils.Database, note: Note, end_reason: str | None, day: dt.date) -> None:
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
