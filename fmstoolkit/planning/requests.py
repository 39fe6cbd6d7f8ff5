"""Staffing requests and their roles: validate, create, read, list and close.

A request is a project's need for people over dates, with one or more roles (a skill, a
minimum level, a budget). Its status is recomputed from its roles and polls
(``_refresh_request_status``: open, polling, or staffed once every role is filled from the
network or outside; cancelled stays cancelled), so missions and polls keep it in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import sqlite_utils
from pydantic import ValidationError

from .. import pool
from ..errors import InvalidInput, InvalidState, NotFound, Problem
from ..models import RequestAnswers, RoleAnswers, invalid, problems_of, validate
from ..models.validation import (
    MAX_ID,
    day_problem,
)
from ._common import (
    OPEN_REQUEST_STATUSES,
    _lang,
    _now,
    _project_id,
    _skill,
    _skill_label,
    _today,
)
from .calendar import working_period


def _prepare_request(
    db: sqlite_utils.Database,
    *,
    project: int | str | None,
    skill: str | int | None = None,
    min_level: int | str | None = 1,
    max_rate: int | str | None = None,
    start: dt.date | str | None = None,
    in_days: int | str | None = None,
    days: int | str | None = None,
    roles: list[Mapping[str, Any]] | None = None,
    today: dt.date | str | None = None,
) -> tuple[dict[str, Any], list[Problem]]:
    """Check a request without writing anything: the clean values and every problem found.

    The values are validated by the request's one model (:class:`~fmstoolkit.models.
    RequestAnswers`: types, bounds, the rules between fields); then what needs the database
    and the clock: the project (an id must exist; a new name is created on save), each skill
    in the catalogue (the closest one suggested), a start that is not in the past nor too far.
    """
    data = {
        "project": "" if project is None else str(project),
        "skill": skill,
        "min_level": min_level,
        "start": start.isoformat() if isinstance(start, dt.date) else start,
        "in_days": in_days,
        "days": days,
        "max_rate": max_rate,
        "roles": [dict(r) for r in roles or []],
    }
    try:
        answers = RequestAnswers.model_validate(data)
        problems = answers.problems()
    except ValidationError as exc:
        # Every problem at once: the model's, the rules between fields and the catalogue's,
        # on the values as typed.
        problems = problems_of(exc)
        reported = {p.field for p in problems}
        try:
            rules = RequestAnswers.model_construct(**data).problems()
        except (AttributeError, TypeError, ValueError):
            rules = []
        names = [skill] + [r.get("skill") for r in data["roles"]]
        typed = [str(n).strip() for n in names if isinstance(n, (str, int)) and str(n).strip()]
        found = [p for p in rules if p.field not in reported]
        found += _project_problems(db, data["project"].strip()) if "project" not in reported else []
        found += _skill_problems(db, typed)[1] if "skill" not in reported else []
        return {}, problems + found
    out: dict[str, Any] = {"project": answers.project, "max_rate": answers.max_rate}
    problems += _project_problems(db, answers.project)
    base = _today(today)
    first = answers.start
    if answers.in_days is not None and answers.start is None:
        first = base + dt.timedelta(days=answers.in_days)
    if first is not None and first < base:
        problems.append(
            Problem(
                "the start date {day} is in the past",
                field="start",
                params={"day": first.isoformat()},
            )
        )
    elif first is not None and (late := day_problem(first, "start", today=base)):
        problems.append(late)
    elif first is not None:
        out["start_date"], out["end_date"] = (
            d.isoformat() for d in working_period(first, answers.days)
        )
        out["days"] = answers.days
    roles = answers.all_roles()
    ids, unknown = _skill_problems(db, [role.skill for role in roles])
    problems += unknown
    out["roles"] = [
        {
            "skill_id": skill_id,
            "min_level": role.min_level,
            "max_rate": role.max_rate,
            "label": role.label,
        }
        for role, skill_id in zip(roles, ids, strict=True)
    ]
    return out, problems


def _project_problems(db: sqlite_utils.Database, project: str) -> list[Problem]:
    """A project given by number must exist (a name is created when the request is saved)."""
    if project.isdecimal() and (
        int(project) > MAX_ID
        or not db.execute("SELECT 1 FROM projects WHERE id = ?", [int(project)]).fetchone()
    ):
        return [
            Problem(
                "no project #{id}; give its name to create it",
                field="project",
                params={"id": project},
            )
        ]
    return []


def _skill_problems(
    db: sqlite_utils.Database, names: list[str]
) -> tuple[list[int | None], list[Problem]]:
    """The catalogue's id of each skill named (None when unknown), and a problem with the
    closest skill suggested for each unknown one."""
    aliases = pool.skill_aliases(db)
    ids = [_skill_id(db, name, aliases) for name in names]
    unknown = [
        pool.unknown_skill_problem(db, name, aliases, field="skill")
        for name, skill_id in zip(names, ids, strict=True)
        if skill_id is None
    ]
    return ids, unknown


def _skill_id(db: sqlite_utils.Database, name: str, aliases: Mapping[str, int]) -> int | None:
    """The id of the skill ``name`` names (its id as text, a name, a label or an alias)."""
    if name.isdecimal():
        if int(name) > MAX_ID:
            return None
        row = db.execute("SELECT id FROM skills WHERE id = ?", [int(name)]).fetchone()
        return row[0] if row else None
    return aliases.get(pool.normalize(name))


def validate_request(db: sqlite_utils.Database, **kwargs: Any) -> list[Problem]:
    """Every problem of a request form as typed so far (empty when it can be saved).

    Takes the keyword arguments of :func:`create_request` (except notes); writes nothing, so
    a form can call it on every keystroke.
    """
    kwargs.pop("notes", None)
    kwargs.pop("requested_by", None)
    return _prepare_request(db, **kwargs)[1]


def create_request(
    db: sqlite_utils.Database,
    *,
    project: int | str,
    skill: str | int | None = None,
    min_level: int = 1,
    max_rate: int | None = None,
    start: dt.date | str | None = None,
    in_days: int | None = None,
    days: int,
    roles: list[Mapping[str, Any]] | None = None,
    notes: str | None = None,
    requested_by: str | None = None,
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Record a staffing request and its role(s); return it (see :func:`get_request`).

    "A web developer in 6 days for a week" is ``create_request(db, project="Site",
    skill="web developer", in_days=6, days=5)``: the start is moved to the first working day
    and the end is the last of ``days`` working days. ``project`` is an id or a name (a new
    name creates the project: ``project_created`` says so).
    """
    clean, problems = _prepare_request(
        db,
        project=project,
        skill=skill,
        min_level=min_level,
        max_rate=max_rate,
        start=start,
        in_days=in_days,
        days=days,
        roles=roles,
        today=today,
    )
    if problems:
        raise invalid(problems)
    with db.atomic():
        project_id, created = _project_id(db, clean["project"])
        request_id = (
            db["requests"]
            .insert(
                {
                    "project_id": project_id,
                    "start_date": clean["start_date"],
                    "end_date": clean["end_date"],
                    "days": clean["days"],
                    "max_rate": clean["max_rate"],
                    "status": "open",
                    "notes": (notes or "").strip() or None,
                    "requested_by": (requested_by or "").strip() or None,
                    "created_at": _now(),
                }
            )
            .last_pk
        )
        for role in clean["roles"]:
            db["request_roles"].insert({"request_id": request_id, **role})
    return get_request(db, request_id) | {"project_created": created}


def add_role(
    db: sqlite_utils.Database,
    request_id: int,
    skill: str | int,
    *,
    min_level: int = 1,
    max_rate: int | None = None,
    label: str | None = None,
) -> int:
    """Add a role (a skill at a minimum level) to an open request; return the role id."""
    role = validate(
        RoleAnswers,
        {"skill": skill, "min_level": min_level, "max_rate": max_rate, "label": label},
    )
    s = _skill(db, skill)
    with db.atomic():  # the status that allows the new role is read inside its transaction
        req = _request_row(db, request_id)
        if req["status"] not in OPEN_REQUEST_STATUSES and req["status"] != "staffed":
            raise InvalidState(
                "Request #{id} is {status}: no role can be added.",
                id=request_id,
                status=req["status"],
            )
        role_id = (
            db["request_roles"]
            .insert(
                {
                    "request_id": request_id,
                    "skill_id": s["id"],
                    "min_level": role.min_level,
                    "max_rate": role.max_rate,
                    "label": role.label,
                }
            )
            .last_pk
        )
        if req["status"] == "staffed":  # a new role to fill: the request is open again
            db.execute(
                "UPDATE requests SET status = 'open', outcome = NULL, staffed_at = NULL "
                "WHERE id = ?",
                [request_id],
            )
    return role_id


def _request_row(db: sqlite_utils.Database, request_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM requests WHERE id = ?", [request_id]))
    if not rows:
        raise NotFound(
            "No request #{id}.", field="request", id=request_id
        )
    return rows[0]


def get_request(
    db: sqlite_utils.Database, request_id: int, *, lang: str | None = None
) -> dict[str, Any]:
    """A request with its project name and its roles (who fills each one, if anyone)."""
    lang = _lang(lang)
    req = _request_row(db, request_id)
    req["project"] = db.execute(
        "SELECT name FROM projects WHERE id = ?", [req["project_id"]]
    ).fetchone()[0]
    roles = list(
        db.query(
            "SELECT r.*, s.name AS skill, s.label_en, s.label_fr, m.freelancer_id, "
            "f.name AS freelancer FROM request_roles r JOIN skills s ON s.id = r.skill_id "
            "LEFT JOIN missions m ON m.id = r.mission_id "
            "LEFT JOIN freelancers f ON f.id = m.freelancer_id "
            "WHERE r.request_id = ? ORDER BY r.id",
            [request_id],
        )
    )
    for role in roles:
        role["skill_label"] = _skill_label(role, lang)
        del role["label_en"], role["label_fr"]
        role["filled_outside"] = bool(role["filled_outside"])
        role["filled"] = bool(role["mission_id"]) or role["filled_outside"]
    req["roles"] = roles
    return req


def list_requests(
    db: sqlite_utils.Database, *, status: str | Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Requests (newest start first) with their project, number of roles and roles filled."""
    where, params = "", []
    if status:
        statuses = [status] if isinstance(status, str) else list(status)
        where = f"WHERE r.status IN ({', '.join('?' for _ in statuses)})"
        params = statuses
    return list(
        db.query(
            "SELECT r.*, p.name AS project, "
            "(SELECT count(*) FROM request_roles x WHERE x.request_id = r.id) AS roles, "
            "(SELECT count(*) FROM request_roles x WHERE x.request_id = r.id "
            " AND (x.mission_id IS NOT NULL OR x.filled_outside)) AS filled, "
            "(SELECT group_concat(s.name, ', ') FROM request_roles x "
            " JOIN skills s ON s.id = x.skill_id WHERE x.request_id = r.id) AS skills "
            f"FROM requests r JOIN projects p ON p.id = r.project_id {where} "
            "ORDER BY r.start_date DESC, r.id DESC",
            params,
        )
    )


def _refresh_request_status(db: sqlite_utils.Database, request_id: int) -> str:
    """Staffed when every role is filled, open/polling otherwise (cancelled stays cancelled)."""
    req = _request_row(db, request_id)
    if req["status"] == "cancelled":
        return "cancelled"
    counts = db.execute(
        "SELECT count(*), sum(mission_id IS NOT NULL), sum(filled_outside) "
        "FROM request_roles WHERE request_id = ?",
        [request_id],
    ).fetchone()
    total, network, outside = counts[0], counts[1] or 0, counts[2] or 0
    if total and network + outside >= total:
        outcome = "network" if network else "outside"
        if req["status"] != "staffed" or req["outcome"] != outcome:
            db.execute(
                "UPDATE requests SET status = 'staffed', outcome = ?, "
                "staffed_at = coalesce(staffed_at, ?), closed_at = coalesce(closed_at, ?) "
                "WHERE id = ?",
                [outcome, _now(), _now(), request_id],
            )
        return "staffed"
    polled = db.execute("SELECT 1 FROM polls WHERE request_id = ? LIMIT 1", [request_id]).fetchone()
    status = "polling" if polled else "open"
    if req["status"] != status:
        db.execute(
            "UPDATE requests SET status = ?, outcome = NULL, staffed_at = NULL, closed_at = NULL "
            "WHERE id = ?",
            [status, request_id],
        )
    return status


def close_request(
    db: sqlite_utils.Database, request_id: int, outcome: str, *, role_id: int | None = None
) -> dict[str, Any]:
    """End a request that the network did not (fully) staff.

    ``outside``: the role (or every unfilled role) was staffed outside the network; the
    request is staffed once every role is filled. ``unfilled``: nobody was found;
    ``cancelled``: the need went away. Both set the status to cancelled with that outcome.
    """
    if outcome not in ("outside", "unfilled", "cancelled"):
        raise InvalidInput(
            "The outcome must be outside, unfilled or cancelled (got '{value}').",
            field="outcome",
            value=outcome,
        )
    req = _request_row(db, request_id)
    if req["status"] == "cancelled":
        raise InvalidState(
            "Request #{id} is already closed.",
            id=request_id,
        )
    with db.atomic():
        if outcome == "outside":
            sql = (
                "UPDATE request_roles SET filled_outside = 1 WHERE request_id = ? "
                "AND mission_id IS NULL"
            )
            params: list[Any] = [request_id]
            if role_id is not None:
                sql += " AND id = ?"
                params.append(role_id)
            db.execute(sql, params)
            _refresh_request_status(db, request_id)
        else:
            now = _now()
            db.execute(
                "UPDATE requests SET status = 'cancelled', outcome = ?, closed_at = ? WHERE id = ?",
                [outcome, now, request_id],
            )
    return get_request(db, request_id)
