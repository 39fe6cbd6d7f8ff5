"""Named talent lists ("rehire first for React") and their members."""

from __future__ import annotations

from typing import Any

import sqlite_utils

from .. import clock
from ..errors import NotFound
from ..models import TalentList, validate
from .freelancers import get_freelancer


def create_list(db: sqlite_utils.Database, name: str, description: str | None = None) -> int:
    """Create a named talent list ("rehire first for React"); return its id (existing one kept)."""
    rec = validate(TalentList, {"name": name, "description": description})
    row = db.execute("SELECT id FROM lists WHERE name = ? COLLATE NOCASE", [rec.name]).fetchone()
    if row:
        return row[0]
    return db["lists"].insert(rec.row()).last_pk


def add_to_list(db: sqlite_utils.Database, list_name: str, freelancer_id: int) -> int:
    """Add a freelancer to a named list (created when missing); return the list id."""
    get_freelancer(db, freelancer_id)
    with db.atomic():
        list_id = create_list(db, list_name)
        db.execute(
            "INSERT OR IGNORE INTO list_members (list_id, freelancer_id, added_at) "
            "VALUES (?, ?, ?)",
            [list_id, freelancer_id, clock.today().isoformat()],
        )
    return list_id


def remove_from_list(db: sqlite_utils.Database, list_name: str, freelancer_id: int) -> None:
    db.execute(
        "DELETE FROM list_members WHERE freelancer_id = ? AND list_id = "
        "(SELECT id FROM lists WHERE name = ? COLLATE NOCASE)",
        [freelancer_id, list_name],
    )


def list_members(db: sqlite_utils.Database, list_name: str) -> list[dict[str, Any]]:
    row = db.execute("SELECT id FROM lists WHERE name = ? COLLATE NOCASE", [list_name]).fetchone()
    if not row:
        raise NotFound("No list named '{name}'.", name=list_name)
    return list(
        db.query(
            "SELECT f.id, f.name, f.headline, f.city, f.seniority, f.daily_rate, f.status, "
            "lm.added_at FROM list_members lm JOIN freelancers f ON f.id = lm.freelancer_id "
            "WHERE lm.list_id = ? ORDER BY f.name",
            [row[0]],
        )
    )


def talent_lists(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT l.id, l.name, l.description, count(lm.freelancer_id) AS members "
            "FROM lists l LEFT JOIN list_members lm ON lm.list_id = l.id "
            "GROUP BY l.id ORDER BY l.name"
        )
    )
