"""One freelancer's personal data: export it all (right of access), or erase it (right to erasure).

``export`` gathers everything the agency holds about a freelancer, contact data included, as
one JSON-ready dictionary. ``forget`` erases what identifies them and keeps only what the
agency must or may keep without it: missions and invoices (accounting), and the ratings of the
collaboration notes, anonymised, so that the daily-rate benchmarks stay true. The freelancer row
stays (as "Anonymised freelancer #id", status ``forgotten``) so that those records still point
somewhere; publishing shows it anonymised and follow-ups never reach it again.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from . import clock, pool
from .errors import InvalidState
from .models.enums import OPEN_MISSIONS_SQL

#: Tables whose rows about a freelancer are exported as they are, keyed by freelancer_id.
BY_FREELANCER = ("freelancer_skills", "unavailability", "polls", "followups", "outbox")
#: Tables whose rows hang off the freelancer's missions.
BY_MISSION = ("deliverables", "offboardings", "checklist_items", "invoices", "feedback",
              "recommendations", "notes")


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


def forget(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, int]:
    """Erase a freelancer's personal data in one transaction; return what was erased per table.

    Refused while a mission of theirs is planned or under way (cancel or finish it first).
    """
    profile = pool.get_freelancer(db, freelancer_id)
    if profile["status"] == "forgotten":
        return {}
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
    name = profile["name"]
    label = anonymous_name(freelancer_id)
    erased: dict[str, int] = {}
    missions = "SELECT id FROM missions WHERE freelancer_id = ?"
    with db.atomic():
        for table in ("contacts", "freelancer_skills", "unavailability", "polls", "followups",
                      "outbox", "list_members"):
            erased[table] = db.execute(
                f"DELETE FROM [{table}] WHERE freelancer_id = ?", [freelancer_id]
            ).rowcount
        erased["recommendations"] = db.execute(
            f"DELETE FROM recommendations WHERE mission_id IN ({missions})", [freelancer_id]
        ).rowcount
        erased["feedback"] = db.execute(
            f"UPDATE feedback SET suggestions = NULL WHERE suggestions IS NOT NULL "
            f"AND mission_id IN ({missions})",
            [freelancer_id],
        ).rowcount
        # Notes keep their ratings (the agency's benchmarks) but lose the name in their text.
        erased["notes"] = db.execute(
            f"UPDATE notes SET text = replace(text, ?, ?) WHERE instr(text, ?) > 0 "
            f"AND mission_id IN ({missions})",
            [name, label, name, freelancer_id],
        ).rowcount
        db.execute(
            "UPDATE freelancers SET name = ?, headline = NULL, city = NULL, lang = NULL, "
            "status = 'forgotten', opted_out_at = coalesce(opted_out_at, ?), "
            "availability_confirmed_at = NULL, availability_confirmed_by = NULL, "
            "updated_at = ? WHERE id = ?",
            [label, clock.today().isoformat(), clock.stamp(), freelancer_id],
        )
    return erased
