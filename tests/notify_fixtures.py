"""Small data for the notifier tests: freelancers with contacts, a request, a poll, a mission.

Rows are inserted directly (freelancers through the pool) so these tests do not depend on the
planning module's API.
"""

from __future__ import annotations

from typing import Any

from fmstoolkit import pool


def make_freelancer(
    db,
    name: str = "Alice Martin",
    *,
    email: str | None = "alice@example.org",
    chat_id: int | None = None,
    preferred: str | None = None,
    lang: str | None = None,
) -> int:
    data: dict[str, Any] = {"name": name, "daily_rate": 500}
    if email:
        data["email"] = email
    if chat_id:
        data["telegram_chat_id"] = chat_id
    data["preferred_channel"] = preferred or ("telegram" if chat_id else "email")
    if lang:
        data["lang"] = lang
    return pool.add_freelancer(db, **data)


def make_project(db, name: str = "Refonte <site> & co") -> int:
    row = db.execute("SELECT id FROM projects WHERE name = ?", [name]).fetchone()
    if row:
        return row[0]
    return db["projects"].insert({"name": name, "client": "ACME", "lead_name": "Claire"}).last_pk


def make_request(db, project: str = "Refonte <site> & co") -> int:
    return (
        db["requests"]
        .insert(
            {
                "project_id": make_project(db, project),
                "start_date": "2026-12-07",
                "end_date": "2026-12-18",
                "days": 10,
                "max_rate": 600,
            }
        )
        .last_pk
    )


def make_poll(db, freelancer_id: int, request_id: int | None = None) -> int:
    request_id = request_id or make_request(db)
    return db["polls"].insert({"request_id": request_id, "freelancer_id": freelancer_id}).last_pk


def make_mission(db, freelancer_id: int, *, start="2026-12-07", end="2026-12-18") -> int:
    return (
        db["missions"]
        .insert(
            {
                "freelancer_id": freelancer_id,
                "project_id": make_project(db),
                "title": "Front-end",
                "start_date": start,
                "end_date": end,
                "days": 10,
                "daily_rate": 550,
                "status": "planned",
            }
        )
        .last_pk
    )


def outbox_text(db) -> str:
    """Everything stored in the outbox, as one string (privacy checks)."""
    return "\n".join(str(v) for row in db.query("SELECT * FROM outbox") for v in row.values())
