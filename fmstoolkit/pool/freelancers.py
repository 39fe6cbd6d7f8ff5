"""The freelancers of the pool: add, update, read, list, opt out, and the manager's profile view.

A freelancer's public profile lives in ``freelancers`` and ``freelancer_skills``; their contact
data is written in the same transaction but kept in ``contacts`` (:mod:`.contacts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils

from .. import clock
from ..errors import InvalidInput, NotFound
from ..models import Contact, Freelancer, validate_all
from ..models.enums import OPEN_MISSIONS_SQL
from .contacts import CONTACT_FIELDS, _check_email_free, get_contact
from .skill_catalogue import normalize, parse_skills, resolve_skill

PUBLIC_COLUMNS = ("id", "name", "headline", "city", "seniority", "daily_rate", "status")
FREELANCER_FIELDS = ("name", "headline", "city", "seniority", "daily_rate", "status", "lang")


def _split_fields(data: Mapping[str, Any]) -> tuple[dict, dict, Any]:
    unknown = set(data) - set(FREELANCER_FIELDS) - set(CONTACT_FIELDS) - {"skills"}
    if unknown:
        raise InvalidInput(
            "Unknown field(s): {names}.",
            names=", ".join(sorted(unknown)),
        )
    person = {k: data[k] for k in FREELANCER_FIELDS if k in data}
    contact = {k: data[k] for k in CONTACT_FIELDS if k in data}
    return person, contact, data.get("skills")


def add_freelancer(db: sqlite_utils.Database, **data: Any) -> int:
    """Add a freelancer with their contact data and skills, in one transaction; return the id.

    Fields: name, headline, city, seniority, daily_rate, status, lang; contact fields email,
    phone, telegram_chat_id, preferred_channel; ``skills`` as ``"react:4;seo:2"`` or a mapping.
    """
    person, contact, skills_spec = _split_fields(data)
    parsed, problems = parse_skills(db, skills_spec) if skills_spec else ({}, [])
    freelancer, contact_rec = validate_all((Freelancer, person), (Contact, contact), extra=problems)
    with db.atomic():
        _check_email_free(db, contact_rec.email, None)
        row = freelancer.row() | {"updated_at": clock.stamp()}
        fid = db["freelancers"].insert(row).last_pk
        db["contacts"].insert({"freelancer_id": fid, **contact_rec.row()})
        _replace_skills(db, fid, parsed)
    return fid


def update_freelancer(db: sqlite_utils.Database, freelancer_id: int, **data: Any) -> dict[str, Any]:
    """Change some fields of a freelancer (contact fields and skills included); one transaction.

    ``skills`` replaces the whole set of skills. Returns the updated public profile.
    """
    current = get_freelancer(db, freelancer_id)
    person, contact, skills_spec = _split_fields(data)
    merged = {k: current[k] for k in FREELANCER_FIELDS if k in current} | person
    old_contact = get_contact(db, freelancer_id)
    merged_contact = {k: old_contact.get(k) for k in CONTACT_FIELDS if k in old_contact} | contact
    parsed, problems = parse_skills(db, skills_spec) if skills_spec is not None else (None, [])
    freelancer, contact_rec = validate_all(
        (Freelancer, merged), (Contact, merged_contact), extra=problems
    )
    with db.atomic():
        _check_email_free(db, contact_rec.email, freelancer_id)
        db["freelancers"].update(
            freelancer_id, freelancer.row() | {"updated_at": clock.stamp()}
        )
        db["contacts"].upsert(
            {"freelancer_id": freelancer_id, **contact_rec.row()}, pk="freelancer_id"
        )
        if parsed is not None:
            _replace_skills(db, freelancer_id, parsed)
    return get_freelancer(db, freelancer_id)


def _replace_skills(
    db: sqlite_utils.Database, freelancer_id: int, parsed: Mapping[int, int]
) -> None:
    db.execute("DELETE FROM freelancer_skills WHERE freelancer_id = ?", [freelancer_id])
    if parsed:
        db["freelancer_skills"].insert_all(
            {"freelancer_id": freelancer_id, "skill_id": sid, "level": lvl}
            for sid, lvl in parsed.items()
        )


def freelancer_row(
    db: sqlite_utils.Database, freelancer_id: int, columns: str = "*"
) -> dict[str, Any]:
    """The ``freelancers`` row (those ``columns``), or NotFound naming the freelancer."""
    rows = list(db.query(f"SELECT {columns} FROM freelancers WHERE id = ?", [freelancer_id]))
    if not rows:
        raise NotFound(
            "No freelancer #{id}.", field="freelancer", id=freelancer_id
        )
    return rows[0]


def get_freelancer(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """A freelancer's public profile (no contact data) with their skills, best first."""
    profile = freelancer_row(db, freelancer_id)
    profile["skills"] = freelancer_skills(db, freelancer_id)
    return profile


def freelancer_skills(db: sqlite_utils.Database, freelancer_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT s.id AS skill_id, s.name, s.label_fr, s.label_en, s.category, fs.level "
            "FROM freelancer_skills fs JOIN skills s ON s.id = fs.skill_id "
            "WHERE fs.freelancer_id = ? ORDER BY fs.level DESC, s.name",
            [freelancer_id],
        )
    )


def list_freelancers(
    db: sqlite_utils.Database,
    *,
    skill: str | None = None,
    min_level: int = 1,
    statuses: Iterable[str] = ("active", "alumni"),
    busy_between: tuple[dt.date, dt.date] | None = None,
    query: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Freelancers of the pool (public columns), optionally with a skill at ``min_level`` or more.

    ``busy_between=(start, end)`` leaves out anyone with a planned or active mission, or declared
    unavailability, overlapping those dates (inclusive). ``query`` matches names ignoring case
    and accents. With a skill, the best level comes first; otherwise by name.
    """
    where = [f"f.status IN ({', '.join('?' for _ in statuses)})"]
    params: list[Any] = list(statuses)
    select = "SELECT f.id, f.name, f.headline, f.city, f.seniority, f.daily_rate, f.status"
    join = ""
    order = "f.name"
    if skill:
        s = resolve_skill(db, skill)
        join = "JOIN freelancer_skills fs ON fs.freelancer_id = f.id AND fs.skill_id = ?"
        params.insert(0, s["id"])
        where.append("fs.level >= ?")
        params.append(min_level)
        select += ", fs.level"
        order = "fs.level DESC, f.name"
    if busy_between:
        start, end = (d.isoformat() for d in busy_between)
        where.append(
            "NOT EXISTS (SELECT 1 FROM missions m WHERE m.freelancer_id = f.id "
            f"AND m.status IN {OPEN_MISSIONS_SQL} "
            "AND m.start_date <= ? AND m.end_date >= ?)"
        )
        where.append(
            "NOT EXISTS (SELECT 1 FROM unavailability u WHERE u.freelancer_id = f.id "
            "AND u.start_date <= ? AND u.end_date >= ?)"
        )
        params += [end, start, end, start]
    sql = f"{select} FROM freelancers f {join} WHERE {' AND '.join(where)} ORDER BY {order}"
    rows = list(db.query(sql, params))
    if query:
        key = normalize(query)
        rows = [r for r in rows if key in normalize(r["name"])]
    return rows[:limit] if limit else rows


def set_opt_out(db: sqlite_utils.Database, freelancer_id: int, opted_out: bool = True) -> None:
    """Record that a freelancer wants no more messages (and no more staffing proposals)."""
    get_freelancer(db, freelancer_id)
    db.execute(
        "UPDATE freelancers SET opted_out_at = ? WHERE id = ?",
        [clock.stamp() if opted_out else None, freelancer_id],
    )


def profile(
    db: sqlite_utils.Database, freelancer_id: int, *, with_contact: bool = False
) -> dict[str, Any]:
    """A freelancer as a manager sees them: profile, skills, missions with their notes, lists.

    Contact data is included only when asked for (``with_contact``), never by default.
    """
    data = get_freelancer(db, freelancer_id)
    data["missions"] = list(
        db.query(
            "SELECT m.id, p.name AS project, s.name AS skill, m.start_date, m.end_date, "
            "m.daily_rate, m.status, "
            "(n.quality + n.communication + n.deadlines + n.autonomy) / 4.0 AS rating, "
            "n.would_rehire FROM missions m JOIN projects p ON p.id = m.project_id "
            "LEFT JOIN skills s ON s.id = m.skill_id LEFT JOIN notes n ON n.mission_id = m.id "
            "WHERE m.freelancer_id = ? ORDER BY m.start_date DESC",
            [freelancer_id],
        )
    )
    data["lists"] = [
        r[0]
        for r in db.execute(
            "SELECT l.name FROM list_members lm JOIN lists l ON l.id = lm.list_id "
            "WHERE lm.freelancer_id = ? ORDER BY l.name",
            [freelancer_id],
        )
    ]
    if with_contact:
        data["contact"] = {
            k: v for k, v in get_contact(db, freelancer_id).items() if k in CONTACT_FIELDS
        }
    return data
