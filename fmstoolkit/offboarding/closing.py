"""Closing an offboarding: by itself once every step is saved (:func:`close`), or the whole
offboarding at once from answers shaped like the forms (:func:`apply_answers`).

Closing is refused, with the exact list of what is missing, until every required item is done
or "not applicable" with a reason. It happens in one transaction, which every guard is read in.
Republishing the notes database and queuing the recommendation for the freelancer are not the
domain's business: :mod:`fmstoolkit.actions.offboarding` does them after the close and records
the publish's outcome here (:func:`record_publish`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlite_utils

from .. import clock, followups, pool
from ..config import get_settings
from ..dates import day_or_today
from ..errors import InvalidInput, InvalidState, NotFound, Problem
from ..models import ClosingAnswers, validate, validate_all
from ..models.enums import OPEN_MISSIONS_SQL
from .invoice import check_invoice
from .state import (
    check_open,
    deliverables,
    get_mission,
    label_params,
    missing,
    open_offboarding,
)
from .steps import (
    checklist_answers,
    feedback_record,
    note_records,
    recommendation_record,
    unwrap,
    write_checklist,
    write_feedback,
    write_note,
    write_recommendation,
)

SECTIONS = ("checklist", "feedback", "recommendation", "note", "closing")


def _stamp(today: dt.date | str | None) -> str:
    """When the offboarding closed: now, or the given day (tests and back-dated entries)."""
    return clock.stamp() if today is None else day_or_today(today).isoformat()


def _blocked(problems: list[Problem], mission_id: int) -> InvalidState:
    return InvalidState(
        "The offboarding of mission #{id} cannot be closed yet; still missing:",
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
        mission_id, {"status": "closed", "closed_at": stamp, "updated_at": clock.stamp()}
    )
    db["missions"].update(mission_id, {"status": "offboarded"})
    for name in lists:
        pool.add_to_list(db, name, mission["freelancer_id"])
    others = db.execute(
        "SELECT count(*) FROM missions WHERE freelancer_id = ? AND id != ? AND status IN "
        + OPEN_MISSIONS_SQL,
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


def close(
    db: sqlite_utils.Database,
    mission_id: int,
    lists: list[str] | str | None = None,
    *,
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Close an offboarding, in one transaction: mission "offboarded", freelancer added to the
    named ``lists``, "alumni" when no other mission is under way, alumni check-in scheduled
    (``alumni_checkin_days`` later).

    Refused with the list of what is missing while a required step is not complete, and once
    closed. Publishing is not done here: close through
    :func:`fmstoolkit.actions.offboarding.close_offboarding`.
    """
    day = day_or_today(today)
    with db.atomic():
        check_open(db, mission_id)
        closing = validate(ClosingAnswers, {"lists": lists})
        return _close_in_transaction(db, mission_id, closing.lists, day, _stamp(today))


def _answer_problems(
    db: sqlite_utils.Database, mission_id: int, answers: dict[str, Any], parsed: dict[str, Any]
) -> list[Problem]:
    """Validate every section of ``answers`` into ``parsed``; return every problem found."""
    known = {*SECTIONS, "mission_id"}
    problems = [
        Problem("unknown section", field=k)
        for k in answers
        if k not in known and not k.startswith("_")
    ]
    if answers.get("mission_id") not in (None, mission_id):
        problems.append(
            Problem(
                "these answers are for mission #{given}, not #{id}",
                field="mission_id",
                params={"given": answers["mission_id"], "id": mission_id},
            )
        )

    def attempt(section: str, func) -> None:
        try:
            parsed[section] = func(unwrap(answers.get(section)))
        except InvalidInput as exc:
            for p in exc.problems:
                field = f"{section}.{p.field}" if p.field else section
                problems.append(p.located(field=field))

    attempt("checklist", lambda v: checklist_answers(db, mission_id, v))
    attempt("feedback", lambda v: feedback_record(mission_id, v))
    attempt("recommendation", lambda v: recommendation_record(mission_id, v))
    attempt("note", lambda v: note_records(mission_id, v))
    attempt("closing", lambda v: validate_all((ClosingAnswers, v))[0])
    raw_checklist = (
        unwrap(answers.get("checklist")) if isinstance(answers.get("checklist"), dict) else {}
    )
    for item in ("objectives", "handover", "accesses", "equipment", "invoice_received",
                 "invoice_paid", "confidentiality"):  # fmt: skip
        if raw_checklist.get(item) in (None, "", "pending"):
            problems.append(
                Problem(
                    "{label}: still pending (answer it, or mark it not applicable with a "
                    "reason)",
                    field="checklist." + item,
                    params=label_params(item),
                )
            )
    for d in deliverables(db, mission_id):
        key = f"deliverable_{d['id']}"
        verdict = raw_checklist.get(key) or d["status"]
        if verdict not in ("accepted", "not_applicable"):
            problems.append(
                Problem(
                    "deliverable '{title}' must be accepted or not_applicable to close (now: "
                    "{verdict})",
                    field="checklist." + key,
                    params={"title": d["title"], "verdict": verdict},
                )
            )
    return problems


def apply_answers(
    db: sqlite_utils.Database,
    mission_id: int,
    answers: dict[str, Any],
    *,
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Apply a whole offboarding (checklist, feedback, recommendation, note, closing) from
    answers shaped like the forms, and close it, in one transaction.

    Everything is checked first: an incomplete or invalid file raises :class:`InvalidInput`
    listing every problem, and nothing is written. Publishing is not done here: apply through
    :func:`fmstoolkit.actions.offboarding.apply_offboarding_answers`.
    """
    day = day_or_today(today)
    with db.atomic():
        mission = check_open(db, mission_id)
        if not isinstance(answers, dict):
            raise InvalidInput(
                "The answers must be a JSON object with the sections checklist, feedback, "
                "recommendation, note and closing.",
            )
        parsed: dict[str, Any] = {}
        problems = _answer_problems(db, mission_id, answers, parsed)
        if problems:
            raise InvalidInput(
                "The answers for mission #{id} are incomplete or invalid; nothing was written:",
                problems=problems,
                id=mission_id,
            )
        open_offboarding(db, mission_id, today=day)
        write_checklist(db, mission, *parsed["checklist"], day)
        write_feedback(db, parsed["feedback"])
        write_recommendation(db, parsed["recommendation"])
        write_note(db, *parsed["note"], day)
        result = _close_in_transaction(db, mission_id, parsed["closing"].lists, day, _stamp(today))
    checklist_a = parsed["checklist"][0]
    result["invoice_check"] = check_invoice(
        mission,
        checklist_a.invoice_amount,
        checklist_a.invoice_daily_rate,
        checklist_a.invoice_last_day,
    )
    return result


def record_publish(
    db: sqlite_utils.Database,
    mission_id: int,
    published_at: str | dt.datetime | None = None,
    error: str | None = None,
) -> None:
    """Record on the offboarding how republishing the notes database went after its close:
    ``error`` (why it failed; the last successful publish is kept), or else the success at
    ``published_at`` (default: now), which clears the previous error."""
    if not db.execute("SELECT 1 FROM offboardings WHERE mission_id = ?", [mission_id]).fetchone():
        raise NotFound(
            "Mission #{id} has no offboarding.",
            field="mission",
            id=mission_id,
        )
    if error is not None:
        values = {"publish_error": error}
    else:
        when = published_at if isinstance(published_at, str) else clock.stamp(published_at)
        values = {"published_at": when, "publish_error": None}
    with db.atomic():
        db["offboardings"].update(mission_id, values)
