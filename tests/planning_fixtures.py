"""Small hand-built agencies for the planning tests (the right answers are obvious)."""

from __future__ import annotations

import datetime as dt

from fmstoolkit import pool

TODAY = dt.date(2026, 11, 25)  # a Wednesday


def freelancer(db, name: str, *, rate: int | None = 500, level: int = 4,
               skill: str = "web developer", seniority: str = "confirmed", **extra) -> int:
    spec = f"{skill}:{level}" if skill else None
    data = {"name": name, "daily_rate": rate, "seniority": seniority, **extra}
    if spec:
        data["skills"] = spec
    return pool.add_freelancer(db, **data)


def project(db, name: str = "Past project") -> int:
    row = db.execute("SELECT id FROM projects WHERE name = ?", [name]).fetchone()
    return row[0] if row else db["projects"].insert({"name": name}).last_pk


def past_mission(db, freelancer_id: int, start: str, end: str, *, rate: int = 500,
                 skill: str = "web-development", status: str = "offboarded",
                 note: tuple[int, str] | None = None) -> int:
    """A past mission, with a collaboration note (rating for every criterion, would_rehire)."""
    skill_id = db.execute("SELECT id FROM skills WHERE name = ?", [skill]).fetchone()[0]
    mid = db["missions"].insert({
        "freelancer_id": freelancer_id, "project_id": project(db), "skill_id": skill_id,
        "start_date": start, "end_date": end, "days": 5, "daily_rate": rate, "status": status,
    }).last_pk
    if note:
        rating, rehire = note
        db["notes"].insert({
            "mission_id": mid, "author": "officer", "quality": rating, "communication": rating,
            "deadlines": rating, "autonomy": rating, "would_rehire": rehire,
        })
    return mid
