"""Planning: working days, staffing requests, availability, matching, missions and polls.

Working days skip weekends and public holidays. Holidays come from the ``holidays`` package
(maintained, covers every French public holiday including Easter Monday and Whit Monday, and
other countries through the ``country`` setting) instead of a hand-kept table.

Matching is built for an agency of tens of thousands of freelancers and hundreds of thousands of
past missions: a role is ranked with one set-based query (the candidates with the skill, through
``idx_freelancer_skills_skill``; their busy periods over the request's dates, through the
``(freelancer_id, start_date, end_date)`` indexes of missions and unavailability; their
collaboration record from ``collaboration_stats``, a row per freelancer kept exact by triggers)
and the scoring happens in Python, where every point of the score can be explained in words.
Words are only written for the candidates returned (``top``).

Dates are ISO ``YYYY-MM-DD`` text in the database; comparing ISO strings compares dates, so
periods are inclusive on both ends: a mission ending on the 5th and one starting on the 6th do
not overlap.
"""

from __future__ import annotations

import datetime as dt
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import holidays as holidays_lib
import sqlite_utils

from .config import get_settings
from .errors import Conflict, InvalidInput, InvalidState, NotFound, Problem

OPEN_MISSION_STATUSES = ("planned", "active", "ending")
RANKED_STATUSES = ("active", "alumni")
OPEN_REQUEST_STATUSES = ("open", "polling")
SENIORITIES = ("junior", "confirmed", "senior")
#: Availability confirmed more recently than this many days is "fresh".
FRESH_DAYS = 14
STALE_DAYS = 60


@lru_cache(maxsize=8)
def _holidays(country: str) -> holidays_lib.HolidayBase:
    return holidays_lib.country_holidays(country)


def is_working_day(day: dt.date, country: str | None = None) -> bool:
    """True on a weekday that is not a public holiday of ``country`` (default: the setting)."""
    return day.weekday() < 5 and day not in _holidays(country or get_settings().country)


def working_days(start: dt.date, end: dt.date, country: str | None = None) -> list[dt.date]:
    """The working days from ``start`` to ``end``, both included."""
    days, day = [], start
    while day <= end:
        if is_working_day(day, country):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def working_period(
    start: dt.date, days: int, country: str | None = None
) -> tuple[dt.date, dt.date]:
    """The first and last day of ``days`` working days beginning on ``start`` or the next
    working day after it: ``working_period(monday, 5)`` is that Monday to Friday."""
    if days < 1:
        raise ValueError("days must be at least 1")
    day = start
    while not is_working_day(day, country):
        day += dt.timedelta(days=1)
    first, count = day, 1
    while count < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, country):
            count += 1
    return first, day


# --- small helpers ------------------------------------------------------------------------------


def _lang(lang: str | None = None) -> str:
    return lang or get_settings().lang


def _t(lang: str, en: str, fr: str) -> str:
    return fr if lang == "fr" else en


def _today(today: dt.date | str | None = None) -> dt.date:
    if today is None:
        return dt.date.today()
    return _date(today, "today")


def _now() -> str:
    return dt.datetime.now().isoformat(sep=" ", timespec="seconds")


def _date(value: dt.date | dt.datetime | str, field_name: str = "date") -> dt.date:
    """A date from a date, a datetime or ISO text; InvalidInput naming the field otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise InvalidInput(
            "'{value}' is not a date; write it YYYY-MM-DD.",
            "« {value} » n'est pas une date ; écrivez-la AAAA-MM-JJ.",
            field=field_name,
            value=value,
        ) from None


def _iso(day: dt.date | str) -> str:
    return day.isoformat() if isinstance(day, dt.date) else str(day)


def _fmt_date(day: str | dt.date, lang: str) -> str:
    d = _date(day)
    return d.strftime("%d/%m/%Y") if lang == "fr" else d.isoformat()


def _count_working_days(start: str | dt.date, end: str | dt.date) -> int:
    return len(working_days(_date(start), _date(end)))


def _skill(db: sqlite_utils.Database, skill: str | int, field_name: str = "skill") -> dict:
    from . import pool

    if isinstance(skill, int) or (isinstance(skill, str) and skill.strip().isdigit()):
        row = db.execute("SELECT id FROM skills WHERE id = ?", [int(skill)]).fetchone()
        if row:
            return db["skills"].get(row[0])
    if not str(skill or "").strip():
        raise InvalidInput(
            "Say which skill is needed.", "Indiquez la compétence recherchée.", field=field_name
        )
    return pool.resolve_skill(db, str(skill), field=field_name)


def _skill_label(skill: Mapping[str, Any], lang: str) -> str:
    return skill["label_fr"] if lang == "fr" else skill["label_en"]


def _freelancer_row(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM freelancers WHERE id = ?", [freelancer_id]))
    if not rows:
        raise NotFound(
            "No freelancer #{id}.", "Aucun freelance n° {id}.", field="freelancer", id=freelancer_id
        )
    return rows[0]


def _project_id(
    db: sqlite_utils.Database, project: int | str, *, create: bool = True
) -> tuple[int, bool]:
    """The id of the project named or numbered by ``project``; create it by name if missing."""
    text = str(project if project is not None else "").strip()
    if not text:
        raise InvalidInput(
            "Say which project the request is for.",
            "Indiquez le projet concerné.",
            field="project",
        )
    if isinstance(project, int) or text.isdigit():
        row = db.execute("SELECT id FROM projects WHERE id = ?", [int(text)]).fetchone()
        if row:
            return row[0], False
        raise NotFound(
            "No project #{id}. Give its name to create it.",
            "Aucun projet n° {id}. Donnez son nom pour le créer.",
            field="project",
            id=text,
        )
    row = db.execute("SELECT id FROM projects WHERE name = ? COLLATE NOCASE", [text]).fetchone()
    if row:
        return row[0], False
    if not create:
        raise NotFound(
            "No project named '{name}'.", "Aucun projet « {name} ».", field="project", name=text
        )
    return db["projects"].insert(
        {"name": text, "created_at": dt.date.today().isoformat()}
    ).last_pk, True


# --- requests -----------------------------------------------------------------------------------


def _positive_int(
    value: Any, field_name: str, problems: list[Problem], *, low: int = 1, high: int = 10_000
) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        problems.append(
            Problem(
                en=f"a whole number from {low} to {high} is expected (got '{value}')",
                fr=f"un nombre entier de {low} à {high} est attendu (reçu « {value} »)",
                field=field_name,
            )
        )
        return None
    return number


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
    """Check a request without writing anything: the clean values and every problem found."""
    from . import pool

    problems: list[Problem] = []
    out: dict[str, Any] = {}
    # project: an existing id, or any non-empty name (created on save)
    text = str(project if project is not None else "").strip()
    if not text:
        problems.append(
            Problem("say which project the request is for", "indiquez le projet", field="project")
        )
    elif text.isdigit():
        if not db.execute("SELECT 1 FROM projects WHERE id = ?", [int(text)]).fetchone():
            problems.append(
                Problem(
                    f"no project #{text}; give its name to create it",
                    f"aucun projet n° {text} ; donnez son nom pour le créer",
                    field="project",
                )
            )
    out["project"] = text
    # dates
    base = _today(today)
    first: dt.date | None = None
    if start not in (None, "") and in_days not in (None, ""):
        problems.append(
            Problem(
                "give a start date or a number of days from today, not both",
                "donnez une date de début ou un délai en jours, pas les deux",
                field="start",
            )
        )
    elif start not in (None, ""):
        try:
            first = _date(start, "start")
        except InvalidInput:
            problems.append(
                Problem(
                    f"'{start}' is not a date; write it YYYY-MM-DD",
                    f"« {start} » n'est pas une date ; écrivez-la AAAA-MM-JJ",
                    field="start",
                )
            )
    elif in_days not in (None, ""):
        n = _positive_int(in_days, "in_days", problems, low=0, high=3650)
        if n is not None:
            first = base + dt.timedelta(days=n)
    else:
        problems.append(
            Problem(
                "give a start date (or a number of days from today)",
                "donnez une date de début (ou un délai en jours)",
                field="start",
            )
        )
    if first is not None and first < base:
        problems.append(
            Problem(
                f"the start date {first.isoformat()} is in the past",
                f"la date de début {first.isoformat()} est passée",
                field="start",
            )
        )
    n_days = _positive_int(days, "days", problems, high=1000)
    if days in (None, "") and not any(p.field == "days" for p in problems):
        problems.append(
            Problem(
                "say how many working days are needed",
                "indiquez le nombre de jours ouvrés",
                field="days",
            )
        )
    if first is not None and n_days:
        out["start_date"], out["end_date"] = (d.isoformat() for d in working_period(first, n_days))
        out["days"] = n_days
    out["max_rate"] = _positive_int(max_rate, "max_rate", problems)
    # roles
    specs: list[dict[str, Any]] = []
    if skill not in (None, ""):
        specs.append({"skill": skill, "min_level": min_level, "max_rate": None})
    for spec in roles or []:
        specs.append(dict(spec))
    if not specs:
        problems.append(
            Problem("say which skill is needed", "indiquez la compétence recherchée", field="skill")
        )
    aliases = pool.skill_aliases(db)
    clean_roles = []
    for spec in specs:
        name = spec.get("skill")
        skill_id = None
        if isinstance(name, int) or str(name or "").strip().isdigit():
            if db.execute("SELECT 1 FROM skills WHERE id = ?", [int(name)]).fetchone():
                skill_id = int(name)
        elif str(name or "").strip() and pool.normalize(str(name)) in aliases:
            skill_id = aliases[pool.normalize(str(name))]
        if skill_id is None:
            problems.append(pool.unknown_skill_problem(db, str(name or ""), aliases, field="skill"))
        level = _positive_int(spec.get("min_level", 1) or 1, "min_level", problems, high=5)
        rate = _positive_int(spec.get("max_rate"), "max_rate", problems)
        clean_roles.append(
            {
                "skill_id": skill_id,
                "min_level": level or 1,
                "max_rate": rate,
                "label": spec.get("label"),
            }
        )
    out["roles"] = clean_roles
    return out, problems


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
        from .models import invalid

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
    req = _request_row(db, request_id)
    if req["status"] not in OPEN_REQUEST_STATUSES and req["status"] != "staffed":
        raise InvalidState(
            "Request #{id} is {status}: no role can be added.",
            "La demande n° {id} est {status} : impossible d'ajouter un rôle.",
            id=request_id,
            status=req["status"],
        )
    problems: list[Problem] = []
    level = _positive_int(min_level, "min_level", problems, high=5)
    rate = _positive_int(max_rate, "max_rate", problems)
    s = _skill(db, skill)
    if problems:
        from .models import invalid

        raise invalid(problems)
    with db.atomic():
        role_id = (
            db["request_roles"]
            .insert(
                {
                    "request_id": request_id,
                    "skill_id": s["id"],
                    "min_level": level or 1,
                    "max_rate": rate,
                    "label": label,
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
            "No request #{id}.", "Aucune demande n° {id}.", field="request", id=request_id
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
            "L'issue doit être outside, unfilled ou cancelled (reçu « {value} »).",
            field="outcome",
            value=outcome,
        )
    req = _request_row(db, request_id)
    if req["status"] == "cancelled":
        raise InvalidState(
            "Request #{id} is already closed.",
            "La demande n° {id} est déjà close.",
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


# --- availability -------------------------------------------------------------------------------


def _busy_periods(
    db: sqlite_utils.Database,
    freelancer_id: int,
    start: str,
    end: str,
    *,
    exclude_mission_id: int | None = None,
    lang: str | None = None,
) -> list[dict[str, Any]]:
    """Planned/active/ending missions and declared unavailability overlapping [start, end]."""
    lang = _lang(lang)
    rows = db.execute(
        "SELECT 'mission', m.id, m.start_date, m.end_date, p.name, m.status FROM missions m "
        "JOIN projects p ON p.id = m.project_id WHERE m.freelancer_id = ? "
        "AND m.start_date <= ? AND m.end_date >= ? AND m.status IN ('planned', 'active', 'ending') "
        "AND m.id IS NOT ? "
        "UNION ALL SELECT 'unavailability', u.id, u.start_date, u.end_date, u.reason, u.source "
        "FROM unavailability u WHERE u.freelancer_id = ? AND u.start_date <= ? "
        "AND u.end_date >= ? ORDER BY 3",
        [freelancer_id, end, start, exclude_mission_id, freelancer_id, end, start],
    ).fetchall()
    out = []
    for kind, id_, s, e, what, status in rows:
        if kind == "mission":
            label = _t(
                lang,
                f"mission #{id_} ({what}, {s} to {e})",
                f"mission n° {id_} ({what}, du {_fmt_date(s, lang)} au {_fmt_date(e, lang)})",
            )
        else:
            reason = f"{what}, " if what else ""
            label = _t(
                lang,
                f"unavailable ({reason}{s} to {e})",
                f"indisponible ({reason}du {_fmt_date(s, lang)} au {_fmt_date(e, lang)})",
            )
        out.append(
            {
                "kind": kind,
                "id": id_,
                "start_date": s,
                "end_date": e,
                "label": label,
                "status": status,
            }
        )
    return out


def _classify(days: list[str], periods: Iterable[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Split sorted working days (ISO) into free and busy given busy (start, end) periods."""
    taken = [False] * len(days)
    for start, end in periods:
        for i in range(bisect_left(days, start), bisect_right(days, end)):
            taken[i] = True
    free = [d for d, t in zip(days, taken, strict=True) if not t]
    busy = [d for d, t in zip(days, taken, strict=True) if t]
    return free, busy


def _status_of(free: list[str], busy: list[str]) -> str:
    if not busy:
        return "free"
    return "busy" if not free else "partial"


def availability(
    db: sqlite_utils.Database,
    freelancer_id: int,
    start: dt.date | str,
    end: dt.date | str,
    *,
    country: str | None = None,
    exclude_mission_id: int | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Whether a freelancer is free, partly free (which working days) or busy over a period.

    Busy days come from planned, active and ending missions and from declared unavailability;
    a period that only covers a weekend or a holiday takes no working day.
    """
    first, last = _date(start, "start"), _date(end, "end")
    if last < first:
        raise InvalidInput(
            "The end date {end} is before the start date {start}.",
            "La date de fin {end} est avant la date de début {start}.",
            field="end",
            start=first.isoformat(),
            end=last.isoformat(),
        )
    _freelancer_row(db, freelancer_id)
    days = [d.isoformat() for d in working_days(first, last, country)]
    conflicts = _busy_periods(
        db,
        freelancer_id,
        first.isoformat(),
        last.isoformat(),
        exclude_mission_id=exclude_mission_id,
        lang=lang,
    )
    free, busy = _classify(days, [(c["start_date"], c["end_date"]) for c in conflicts])
    return {
        "status": _status_of(free, busy),
        "working_days": days,
        "free_days": free,
        "busy_days": busy,
        "conflicts": conflicts,
    }


def confirm_availability(
    db: sqlite_utils.Database,
    freelancer_id: int,
    *,
    by: str = "manager",
    when: dt.date | str | None = None,
) -> None:
    """Record that a freelancer's availability was just confirmed (answer/declared/manager)."""
    if by not in ("answer", "declared", "manager", "import"):
        raise InvalidInput(
            "Unknown confirmation source '{by}'.",
            "Source de confirmation inconnue « {by} ».",
            field="by",
            by=by,
        )
    _freelancer_row(db, freelancer_id)
    db.execute(
        "UPDATE freelancers SET availability_confirmed_at = ?, availability_confirmed_by = ? "
        "WHERE id = ?",
        [_iso(when) if when else _now(), by, freelancer_id],
    )


def add_unavailability(
    db: sqlite_utils.Database,
    freelancer_id: int,
    start: dt.date | str,
    end: dt.date | str,
    *,
    reason: str | None = None,
    source: str = "manager",
) -> int:
    """Declare that a freelancer is unavailable from ``start`` to ``end`` (inclusive)."""
    from .models import Unavailability, validate

    _freelancer_row(db, freelancer_id)
    rec = validate(
        Unavailability,
        {
            "freelancer_id": freelancer_id,
            "start_date": _iso(start),
            "end_date": _iso(end),
            "reason": reason,
            "source": source,
        },
    )
    with db.atomic():
        uid = db["unavailability"].insert(rec.row() | {"created_at": _now()}).last_pk
        confirm_availability(db, freelancer_id, by="declared")
    return uid


def _check_free(
    db: sqlite_utils.Database,
    freelancer_id: int,
    start: str,
    end: str,
    *,
    exclude_mission_id: int | None = None,
    ignore_unavailability: bool = False,
) -> None:
    """Raise Conflict naming the first mission (or unavailability) overlapping [start, end]."""
    row = db.execute(
        "SELECT m.id, m.start_date, m.end_date, p.name FROM missions m "
        "JOIN projects p ON p.id = m.project_id WHERE m.freelancer_id = ? "
        "AND m.start_date <= ? AND m.end_date >= ? AND m.status IN ('planned', 'active', 'ending') "
        "AND m.id IS NOT ? ORDER BY m.start_date LIMIT 1",
        [freelancer_id, end, start, exclude_mission_id],
    ).fetchone()
    if row:
        name = db.execute("SELECT name FROM freelancers WHERE id = ?", [freelancer_id]).fetchone()
        raise Conflict(
            "Double booking: {name} already has mission #{mid} ({project}) from {s} to {e}, "
            "which overlaps {start} to {end}.",
            "Double réservation : {name} a déjà la mission n° {mid} ({project}) du {s} au {e}, "
            "qui chevauche la période du {start} au {end}.",
            field="freelancer",
            name=name[0],
            mid=row[0],
            project=row[3],
            s=row[1],
            e=row[2],
            start=start,
            end=end,
        )
    if ignore_unavailability:
        return
    row = db.execute(
        "SELECT id, start_date, end_date, coalesce(reason, '') FROM unavailability "
        "WHERE freelancer_id = ? AND start_date <= ? AND end_date >= ? "
        "ORDER BY start_date LIMIT 1",
        [freelancer_id, end, start],
    ).fetchone()
    if row:
        name = db.execute("SELECT name FROM freelancers WHERE id = ?", [freelancer_id]).fetchone()
        raise Conflict(
            "{name} declared being unavailable from {s} to {e} (unavailability #{uid}), "
            "which overlaps {start} to {end}.",
            "{name} s'est déclaré(e) indisponible du {s} au {e} (indisponibilité n° {uid}), "
            "ce qui chevauche la période du {start} au {end}.",
            field="freelancer",
            name=name[0],
            uid=row[0],
            s=row[1],
            e=row[2],
            start=start,
            end=end,
        )


# --- rate benchmark -----------------------------------------------------------------------------


def _rates_by_seniority(
    db: sqlite_utils.Database, skill_id: int, today: dt.date
) -> dict[str, list[int]]:
    """Daily rates paid in past missions of a skill, sorted, per seniority of the freelancer.

    Cached on the ``Database`` object until the database changes (``total_changes()`` for this
    connection, ``PRAGMA data_version`` for the others), so ranking many requests for one skill
    reads the missions of that skill once.
    """
    conn = db.conn
    key = (
        conn.total_changes,
        conn.execute("PRAGMA data_version").fetchone()[0],
        skill_id,
        today.isoformat(),
    )
    cache = db.__dict__.setdefault("_fms_rates_cache", {})
    cached = cache.get(key)
    if cached is not None:
        return cached
    out: dict[str, list[int]] = {s: [] for s in SENIORITIES}
    for seniority, rate in conn.execute(
        "SELECT f.seniority, m.daily_rate FROM missions m "
        "JOIN freelancers f ON f.id = m.freelancer_id "
        "WHERE m.skill_id = ? AND m.start_date <= ? AND m.status != 'cancelled'",
        [skill_id, today.isoformat()],
    ):
        out.setdefault(seniority, []).append(rate)
    for rates in out.values():
        rates.sort()
    if len(cache) > 64:
        cache.clear()
    cache[key] = out
    return out


def _benchmarks_by_seniority(
    db: sqlite_utils.Database, skill_id: int, today: dt.date
) -> dict[str, dict[str, Any]]:
    """The quartiles of :func:`_rates_by_seniority`, cached with them."""
    rates = _rates_by_seniority(db, skill_id, today)
    cache = db.__dict__.setdefault("_fms_bench_cache", {})
    key = id(rates)
    if cache.get(key, (None,))[0] is not rates:
        if len(cache) > 64:
            cache.clear()
        cache[key] = (rates, {s: _quartiles(r) for s, r in rates.items()})
    return cache[key][1]


def _quartiles(rates: list[int]) -> dict[str, Any]:
    if not rates:
        return {"count": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    if len(rates) == 1:
        q1 = med = q3 = float(rates[0])
    else:
        q1, med, q3 = statistics.quantiles(rates, n=4, method="inclusive")
    return {
        "count": len(rates),
        "min": rates[0],
        "q1": round(q1, 1),
        "median": round(med, 1),
        "q3": round(q3, 1),
        "max": rates[-1],
    }


def paid_rates(
    db: sqlite_utils.Database,
    skill: str | int,
    *,
    seniority: str | None = None,
    today: dt.date | str | None = None,
) -> list[int]:
    """The daily rates actually paid in past missions of a skill (one seniority or all)."""
    s = _skill(db, skill)
    by = _rates_by_seniority(db, s["id"], _today(today))
    if seniority:
        _check_seniority(seniority)
        return list(by.get(seniority, []))
    return sorted(r for rates in by.values() for r in rates)


def _check_seniority(seniority: str | None) -> None:
    if seniority is not None and seniority not in SENIORITIES:
        raise InvalidInput(
            "Unknown seniority '{value}'; use junior, confirmed or senior.",
            "Séniorité inconnue « {value} » ; utilisez junior, confirmed ou senior.",
            field="seniority",
            value=seniority,
        )


def rate_benchmark(
    db: sqlite_utils.Database,
    skill: str | int,
    *,
    seniority: str | None = None,
    today: dt.date | str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Quartiles of the daily rates paid for a skill (and seniority) in past missions.

    Past missions: not cancelled, started on or before ``today``. The numbers are None when the
    agency never paid for that skill at that seniority.
    """
    lang = _lang(lang)
    _check_seniority(seniority)
    s = _skill(db, skill)
    rates = paid_rates(db, s["id"], seniority=seniority, today=today)
    return {
        "skill": s["name"],
        "skill_id": s["id"],
        "skill_label": _skill_label(s, lang),
        "seniority": seniority,
    } | _quartiles(rates)


def rate_benchmarks(
    db: sqlite_utils.Database, skill: str | int, *, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """The benchmark of a skill for every seniority, then all seniorities (seniority None)."""
    return [rate_benchmark(db, skill, seniority=s, today=today) for s in (*SENIORITIES, None)]


def _position(rate: int | None, bench: Mapping[str, Any]) -> str | None:
    """below < min <= low < q1 <= typical <= q3 < high <= max < above."""
    if rate is None or not bench.get("count"):
        return None
    if rate < bench["min"]:
        return "below"
    if rate < bench["q1"]:
        return "low"
    if rate <= bench["q3"]:
        return "typical"
    return "high" if rate <= bench["max"] else "above"


_POSITION_WORDS = {
    "below": ("below every rate the agency paid", "sous tous les tarifs payés par l'agence"),
    "low": (
        "in the lower quarter of the agency's rates",
        "dans le quart bas des tarifs de l'agence",
    ),
    "typical": ("typical of the agency's rates", "dans la norme des tarifs de l'agence"),
    "high": (
        "in the upper quarter of the agency's rates",
        "dans le quart haut des tarifs de l'agence",
    ),
    "above": (
        "above every rate the agency paid",
        "au-dessus de tous les tarifs payés par l'agence",
    ),
}


def rate_position(
    db: sqlite_utils.Database,
    skill: str | int,
    seniority: str | None,
    rate: int,
    *,
    today: dt.date | str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Where a quoted daily rate stands against the agency's benchmark for the skill/seniority.

    ``position``: below (under every rate paid), low (lowest quarter), typical (the middle
    half, first to third quartile), high (top quarter), above (over every rate paid); None when
    the agency has no rate for that skill and seniority. ``text`` says it in words.
    """
    lang = _lang(lang)
    problems: list[Problem] = []
    value = _positive_int(rate, "rate", problems)
    if problems:
        from .models import invalid

        raise invalid(problems)
    bench = rate_benchmark(db, skill, seniority=seniority, today=today, lang=lang)
    pos = _position(value, bench)
    who = f"{bench['skill_label']}" + (f", {seniority}" if seniority else "")
    if pos is None:
        text = _t(
            lang,
            f"{value} €/day: no past rate to compare for {who}",
            f"{value} €/j : aucun tarif passé à comparer pour {who}",
        )
    else:
        en, fr = _POSITION_WORDS[pos]
        text = _t(
            lang,
            f"{value} €/day is {en} for {who} (median {bench['median']:g} €, "
            f"{bench['q1']:g}–{bench['q3']:g} € for the middle half, {bench['count']} missions)",
            f"{value} €/j est {fr} pour {who} (médiane {bench['median']:g} €, "
            f"{bench['q1']:g}–{bench['q3']:g} € pour la moitié centrale, "
            f"{bench['count']} missions)",
        )
    return {"rate": value, "position": pos, "text": text, "benchmark": bench}


# --- matching -----------------------------------------------------------------------------------


@dataclass
class Candidate:
    """One freelancer ranked for one role of a request, with the reasons for the rank."""

    freelancer_id: int
    name: str
    score: float
    rate: int | None
    availability: str  # free | partial | busy
    explanation: str
    reasons: list[str] = field(default_factory=list)
    level: int = 0
    seniority: str = "confirmed"
    headline: str | None = None
    city: str | None = None
    role_id: int | None = None
    free_days: list[str] = field(default_factory=list)
    busy_days: list[str] = field(default_factory=list)
    missions: int = 0
    avg_rating: float | None = None
    would_rehire: str | None = None
    last_mission_end: str | None = None
    within_budget: bool | None = None
    rate_position: str | None = None
    confirmed_at: str | None = None
    confirmed_by: str | None = None
    freshness_days: int | None = None
    freshness: str = ""
    poll_answer: str | None = None
    components: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pick_role(req: Mapping[str, Any], role_id: int | None) -> dict[str, Any]:
    roles = req["roles"]
    if not roles:
        raise InvalidState(
            "Request #{id} has no role to staff.",
            "La demande n° {id} n'a aucun rôle.",
            id=req["id"],
        )
    if role_id is None:
        return next((r for r in roles if not r["filled"]), roles[0])
    for role in roles:
        if role["id"] == role_id:
            return role
    raise NotFound(
        "Request #{id} has no role #{role}.",
        "La demande n° {id} n'a pas de rôle n° {role}.",
        field="role",
        id=req["id"],
        role=role_id,
    )


_SKILLED_FROM = (
    "FROM freelancer_skills fs JOIN freelancers f ON f.id = fs.freelancer_id "
    "WHERE fs.skill_id = :skill AND fs.level >= :level AND f.status IN ('active', 'alumni') "
    "AND f.opted_out_at IS NULL"
)
_MISSIONS_OVERLAP = (
    "FROM missions m WHERE m.freelancer_id = f.id AND m.start_date <= :end "
    "AND m.end_date >= :start AND m.status IN ('planned', 'active', 'ending')"
)
_UNAVAILABLE_OVERLAP = (
    "FROM unavailability u WHERE u.freelancer_id = f.id AND u.start_date <= :end "
    "AND u.end_date >= :start"
)
#: The one query of a ranking: the candidates with the skill (idx_freelancer_skills_skill),
#: their busy periods over the request (idx_missions_freelancer_dates and
#: idx_unavailability_freelancer_dates, as "startend" pairs) and their collaboration record
#: (collaboration_stats, kept by triggers).
_CANDIDATES_SQL = (
    "SELECT f.id, f.name, f.headline, f.city, f.seniority, f.daily_rate, "
    "f.availability_confirmed_at, f.availability_confirmed_by, fs.level, "
    "(SELECT group_concat(m.start_date || m.end_date) " + _MISSIONS_OVERLAP + "), "
    "(SELECT group_concat(u.start_date || u.end_date) " + _UNAVAILABLE_OVERLAP + "), "
    "s.missions, s.last_end, s.rating_avg, s.notes, s.rehire_yes, s.rehire_maybe, s.rehire_no "
    + _SKILLED_FROM.replace(
        " WHERE ", " LEFT JOIN collaboration_stats s ON s.freelancer_id = f.id WHERE ", 1
    )
)

#: Baseline of the benchmark: the single indexed query finding the free freelancers with a skill.
AVAILABLE_SQL = (
    "SELECT f.id, f.name, fs.level "
    + _SKILLED_FROM
    + " AND NOT EXISTS (SELECT 1 "
    + _MISSIONS_OVERLAP
    + ") AND NOT EXISTS (SELECT 1 "
    + _UNAVAILABLE_OVERLAP
    + ")"
)


def _periods(*packed: str | None) -> list[tuple[str, str]]:
    """ "2026-12-012026-12-04,..." (group_concat of start || end) -> [(start, end), ...]."""
    out = []
    for text in packed:
        if text:
            out += [(p[:10], p[10:20]) for p in text.split(",")]
    return out


def _ago(days: int, lang: str) -> str:
    if days <= 0:
        return "aujourd'hui" if lang == "fr" else "today"
    if days == 1:
        return "hier" if lang == "fr" else "yesterday"
    if days < 60:
        return f"il y a {days} jours" if lang == "fr" else f"{days} days ago"
    months = round(days / 30.4)
    if months < 24:
        return f"il y a {months} mois" if lang == "fr" else f"{months} months ago"
    return f"il y a {days // 365} ans" if lang == "fr" else f"{days // 365} years ago"


def _freshness(
    confirmed_at: str | None, by: str | None, today: dt.date, lang: str
) -> tuple[int | None, str]:
    if not confirmed_at:
        return (
            None,
            "disponibilité jamais confirmée" if lang == "fr" else "availability never confirmed",
        )
    days = (today - _date(confirmed_at)).days
    how = {
        "answer": "par sa réponse" if lang == "fr" else "by their answer",
        "declared": "par une période déclarée" if lang == "fr" else "by a declared period",
        "manager": "par un manager" if lang == "fr" else "by a manager",
        "import": "par un import" if lang == "fr" else "by an import",
    }.get(by or "", "")
    when = _ago(days, lang)
    if days > STALE_DAYS:
        text = (
            f"disponibilité ancienne : confirmée {when}"
            if lang == "fr"
            else f"availability stale: last confirmed {when}"
        )
    else:
        text = (
            f"disponibilité confirmée {when}" if lang == "fr" else f"availability confirmed {when}"
        )
    return (days, f"{text} {how}".strip())


def rank_candidates(
    db: sqlite_utils.Database,
    request_id: int,
    *,
    role_id: int | None = None,
    top: int | None = None,
    today: dt.date | str | None = None,
    min_level: int | None = None,
    free_only: bool = False,
    under_budget: bool = False,
    lang: str | None = None,
) -> list[Candidate]:
    """The freelancers who could fill a role of a request, best first, each with its reasons.

    The score (0-100) adds four parts:

    * skill, up to 30: the level in the role's skill (level / 5);
    * availability, up to 25: the share of the request's working days that are free
      (a "no" to this request's poll counts as not available);
    * collaboration, up to 25: average collaboration-note rating, would-rehire answers, number
      of past missions and how recent the last one is (a newcomer gets a neutral 8);
    * rate, up to 20: within the budget (role or request maximum) and where the rate stands in
      the agency's benchmark for the skill and the freelancer's seniority.

    Opted-out, inactive and forgotten freelancers never appear. ``role_id`` defaults to the
    first unfilled role. ``min_level`` raises the role's minimum; ``free_only`` keeps the fully
    free; ``under_budget`` keeps those whose known rate is within the budget.
    """
    lang = _lang(lang)
    day0 = _today(today)
    req = get_request(db, request_id, lang=lang)
    role = _pick_role(req, role_id)
    budget = role["max_rate"] or req["max_rate"]
    level = max(role["min_level"], min_level or 1)
    params = {
        "skill": role["skill_id"],
        "level": level,
        "start": req["start_date"],
        "end": req["end_date"],
    }
    conn = db.conn
    people = conn.execute(_CANDIDATES_SQL, params).fetchall()
    if not people:
        return []
    polls = dict(
        conn.execute(
            "SELECT freelancer_id, answer FROM polls WHERE request_id = ?", [request_id]
        ).fetchall()
    )
    days = [d.isoformat() for d in working_days(_date(req["start_date"]), _date(req["end_date"]))]
    benches = _benchmarks_by_seniority(db, role["skill_id"], day0)
    label = role["skill_label"]

    # First pass: numbers only (cheap), for every candidate.
    scored: list[tuple] = []
    n_days = len(days)
    recency: dict[str | None, float] = {}
    for person in people:
        fid, name, _h, _c, seniority, rate, _ca, _cb, lvl, m_busy, u_busy = person[:11]
        if m_busy or u_busy:
            periods = _periods(m_busy, u_busy)
            free, busy_days = _classify(days, periods)
        else:
            free, busy_days = days, []
        if free_only and busy_days:
            continue
        within = None if budget is None or rate is None else rate <= budget
        if under_budget and within is False:
            continue
        answer = polls.get(fid) if polls else None
        skill_pts = 6.0 * lvl
        avail_pts = 25.0 * len(free) / n_days if n_days else 25.0
        if answer == "no":
            avail_pts = 0.0
        elif answer == "maybe":
            avail_pts *= 0.8
        hist = person[11:] if person[11] else None
        if hist is None:
            collab_pts = 8.0
        else:
            n_missions, last_end, avg_rating, n_notes, yes, maybe, no = hist
            yes, maybe, no = yes or 0, maybe or 0, no or 0
            rating_pts = 2.5 * (avg_rating - 1) if avg_rating is not None else 5.0
            if n_notes:
                rehire_pts = (6.0 * (yes + 0.5 * maybe) - 10.0 * no) / n_notes
            else:
                rehire_pts = 3.0
            count_pts = min(n_missions, 5)
            recency_pts = recency.get(last_end)
            if recency_pts is None:
                age = (day0 - dt.date.fromisoformat(last_end)).days if last_end else 9999
                recency_pts = recency[last_end] = 4.0 * max(0.0, 1 - max(age, 0) / 730)
            collab_pts = max(0.0, min(25.0, rating_pts + rehire_pts + count_pts + recency_pts))
        bench = benches.get(seniority) or _NO_BENCH
        pos = _position(rate, bench)
        if rate is None:
            rate_pts = 8.0
        else:
            if within is False:
                budget_pts = max(0.0, 10.0 - 50.0 * (rate - budget) / budget)
            else:
                budget_pts = 10.0
            rate_pts = budget_pts + _POSITION_POINTS.get(pos, 5.0)
        score = round(skill_pts + avail_pts + collab_pts + rate_pts, 1)
        parts = (skill_pts, avail_pts, collab_pts, rate_pts)
        scored.append((-score, name, fid, person, free, busy_days, within, pos, parts))
    scored.sort(key=lambda s: s[:3])
    if top:
        scored = scored[:top]

    # Second pass: words, only for the candidates returned.
    out: list[Candidate] = []
    for neg_score, name, fid, person, free, busy_days, within, pos, parts in scored:
        _f, _n, headline, city, seniority, rate, conf_at, conf_by, lvl = person[:9]
        answer = polls.get(fid)
        hist = person[11:] if person[11] else None
        bench = benches.get(seniority) or _NO_BENCH
        reasons = _reasons(
            lang,
            label=label,
            lvl=lvl,
            days=days,
            free=free,
            busy_days=busy_days,
            answer=answer,
            hist=hist,
            day0=day0,
            rate=rate,
            budget=budget,
            within=within,
            pos=pos,
            seniority=seniority,
            bench=bench,
        )
        fresh_days, fresh = _freshness(conf_at, conf_by, day0, lang)
        reasons.append(fresh)
        sentence = _t(lang, "; ", " ; ").join(reasons)
        n_missions, last_end, avg_rating = (hist or (0, None, None))[:3]
        rehire = None
        if hist and hist[3]:
            rehire = "no" if hist[6] else ("yes" if hist[4] else "maybe")
        out.append(
            Candidate(
                freelancer_id=fid,
                name=name,
                score=-neg_score,
                rate=rate,
                availability=_status_of(free, busy_days),
                explanation=sentence[0].upper() + sentence[1:] + ".",
                reasons=reasons,
                level=lvl,
                seniority=seniority,
                headline=headline,
                city=city,
                role_id=role["id"],
                free_days=list(free),
                busy_days=busy_days,
                missions=n_missions,
                avg_rating=round(avg_rating, 2) if avg_rating else None,
                would_rehire=rehire,
                last_mission_end=last_end,
                within_budget=within,
                rate_position=pos,
                confirmed_at=conf_at,
                confirmed_by=conf_by,
                freshness_days=fresh_days,
                freshness=fresh,
                poll_answer=answer,
                components={
                    k: round(v, 1)
                    for k, v in zip(
                        ("skill", "availability", "collaboration", "rate"), parts, strict=True
                    )
                },
            )
        )
    return out


_NO_BENCH: dict[str, Any] = {"count": 0, "median": None}
_POSITION_POINTS = {"below": 10.0, "low": 9.0, "typical": 6.0, "high": 3.0, "above": 0.0}


def _reasons(
    lang: str,
    *,
    label: str,
    lvl: int,
    days: list[str],
    free: list[str],
    busy_days: list[str],
    answer: str | None,
    hist: tuple | None,
    day0: dt.date,
    rate: int | None,
    budget: int | None,
    within: bool | None,
    pos: str | None,
    seniority: str,
    bench: Mapping[str, Any],
) -> list[str]:
    """The facts behind a candidate's score, in words (see :func:`rank_candidates`)."""
    reasons = [f"niveau {lvl}/5 en {label}" if lang == "fr" else f"level {lvl}/5 in {label}"]
    status = _status_of(free, busy_days)
    if status == "free":
        reasons.append(
            f"libre les {len(days)} jours ouvrés"
            if lang == "fr"
            else f"free on all {len(days)} working days"
        )
    elif status == "partial":
        shown = ", ".join(busy_days[:3]) + ("…" if len(busy_days) > 3 else "")
        reasons.append(
            f"libre {len(free)} jours ouvrés sur {len(days)} (occupé {shown})"
            if lang == "fr"
            else f"free {len(free)} of {len(days)} working days (busy {shown})"
        )
    else:
        reasons.append(
            "occupé tous les jours ouvrés de la demande"
            if lang == "fr"
            else "busy on every working day of the request"
        )
    if answer == "no":
        reasons.append(
            "a répondu non à cette demande" if lang == "fr" else "answered no to this request"
        )
    elif answer == "yes":
        reasons.append(
            "a répondu oui à cette demande" if lang == "fr" else "answered yes to this request"
        )
    elif answer == "maybe":
        reasons.append(
            "a répondu peut-être à cette demande"
            if lang == "fr"
            else "answered maybe to this request"
        )
    if hist is None:
        reasons.append(
            "aucune mission passée avec l'agence"
            if lang == "fr"
            else "no past mission with the agency"
        )
    else:
        n_missions, last_end, avg_rating, n_notes, yes, maybe, no = hist
        yes, no = (yes or 0, no or 0)
        plural = "s" if n_missions > 1 else ""
        words = (
            f"{n_missions} mission{plural} passée{plural}"
            if lang == "fr"
            else f"{n_missions} past mission{plural}"
        )
        if avg_rating is not None:
            words += (
                f" notée{plural} {avg_rating:.1f}/5"
                if lang == "fr"
                else f" rated {avg_rating:.1f}/5"
            )
        if n_notes and no:
            words += (
                f", à ne pas reprendre ({no} note{('s' if no > 1 else '')} sur {n_notes})"
                if lang == "fr"
                else f", would not rehire ({no} of {n_notes} notes)"
            )
        elif n_notes and yes:
            words += (
                f", à reprendre ({yes} note{('s' if yes > 1 else '')} sur {n_notes})"
                if lang == "fr"
                else f", would rehire ({yes} of {n_notes} notes)"
            )
        if last_end and last_end >= day0.isoformat():
            words += (
                f", en mission jusqu'au {_fmt_date(last_end, lang)}"
                if lang == "fr"
                else f", on a mission until {last_end}"
            )
        else:
            ago = _ago((day0 - _date(last_end)).days if last_end else 9999, lang)
            words += f", dernière finie {ago}" if lang == "fr" else f", last ended {ago}"
        reasons.append(words)
    if rate is None:
        reasons.append("tarif journalier inconnu" if lang == "fr" else "daily rate unknown")
        return reasons
    if budget is None:
        words = f"{rate} €/j" if lang == "fr" else f"{rate} €/day"
    elif within:
        words = (
            f"{rate} €/j, dans le budget de {budget} €"
            if lang == "fr"
            else f"{rate} €/day, within the {budget} € budget"
        )
    else:
        words = (
            f"{rate} €/j, {rate - budget} € au-dessus du budget de {budget} €"
            if lang == "fr"
            else f"{rate} €/day, {rate - budget} € over the {budget} € budget"
        )
    if pos:
        en, fr = _POSITION_WORDS[pos]
        words += (
            f", {fr} pour un profil {seniority} (médiane {bench['median']:g} €)"
            if lang == "fr"
            else f", {en} for a {seniority} (median {bench['median']:g} €)"
        )
    reasons.append(words)
    return reasons


def rank_roles(
    db: sqlite_utils.Database,
    request_id: int,
    *,
    top: int | None = None,
    today: dt.date | str | None = None,
    lang: str | None = None,
) -> dict[int, list[Candidate]]:
    """The ranked candidates of every role of a request, by role id."""
    req = get_request(db, request_id)
    return {
        r["id"]: rank_candidates(db, request_id, role_id=r["id"], top=top, today=today, lang=lang)
        for r in req["roles"]
    }


# --- missions -----------------------------------------------------------------------------------


def get_mission(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    """A mission with its freelancer, project and skill names."""
    rows = list(
        db.query(
            "SELECT m.*, f.name AS freelancer, p.name AS project, s.name AS skill "
            "FROM missions m JOIN freelancers f ON f.id = m.freelancer_id "
            "JOIN projects p ON p.id = m.project_id LEFT JOIN skills s ON s.id = m.skill_id "
            "WHERE m.id = ?",
            [mission_id],
        )
    )
    if not rows:
        raise NotFound(
            "No mission #{id}.", "Aucune mission n° {id}.", field="mission", id=mission_id
        )
    return rows[0]


def _bookable(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    person = _freelancer_row(db, freelancer_id)
    if person["status"] not in RANKED_STATUSES or person["opted_out_at"]:
        why = "opted out" if person["opted_out_at"] else person["status"]
        raise InvalidState(
            "{name} cannot be booked ({why}).",
            "{name} ne peut pas être réservé(e) ({why}).",
            field="freelancer",
            name=person["name"],
            why=why,
        )
    return person


def create_mission(
    db: sqlite_utils.Database,
    *,
    freelancer_id: int,
    project: int | str,
    start: dt.date | str,
    days: int | None = None,
    end: dt.date | str | None = None,
    daily_rate: int | None = None,
    skill: str | int | None = None,
    title: str | None = None,
    status: str = "planned",
    request_id: int | None = None,
    role_id: int | None = None,
    ignore_unavailability: bool = False,
) -> int:
    """Book a freelancer on a project; refuse a double booking. Return the mission id.

    Give ``days`` (working days from ``start``) or ``end``. The daily rate defaults to the
    freelancer's. Raises :class:`Conflict` naming the overlapping mission and its dates.
    """
    from .models import Mission, validate

    person = _bookable(db, freelancer_id)
    first = _date(start, "start")
    if days is not None:
        first, last = working_period(first, int(days))
        n_days = int(days)
    elif end is not None:
        last = _date(end, "end")
        n_days = max(1, _count_working_days(first, last)) if last >= first else 1
    else:
        raise InvalidInput(
            "Give the number of working days or the end date.",
            "Donnez le nombre de jours ouvrés ou la date de fin.",
            field="days",
        )
    rate = daily_rate if daily_rate is not None else person["daily_rate"]
    if rate is None:
        raise InvalidInput(
            "{name} has no daily rate on file: give the mission's daily rate.",
            "{name} n'a pas de tarif journalier : indiquez celui de la mission.",
            field="daily_rate",
            name=person["name"],
        )
    with db.atomic():
        project_id, _ = _project_id(db, project)
        skill_id = _skill(db, skill)["id"] if skill not in (None, "") else None
        rec = validate(
            Mission,
            {
                "freelancer_id": freelancer_id,
                "project_id": project_id,
                "request_id": request_id,
                "role_id": role_id,
                "skill_id": skill_id,
                "title": title,
                "start_date": first.isoformat(),
                "end_date": last.isoformat(),
                "days": n_days,
                "daily_rate": rate,
                "status": status,
            },
        )
        _check_free(
            db,
            freelancer_id,
            first.isoformat(),
            last.isoformat(),
            ignore_unavailability=ignore_unavailability,
        )
        return db["missions"].insert(rec.row() | {"created_at": _now()}).last_pk


def assign(
    db: sqlite_utils.Database,
    request_id: int,
    freelancer_id: int,
    *,
    role_id: int | None = None,
    daily_rate: int | None = None,
    title: str | None = None,
    ignore_unavailability: bool = False,
) -> int:
    """Staff a role of a request with a freelancer: create the mission, fill the role.

    The request becomes staffed (outcome ``network``) when every role is filled. A double
    booking is refused with the conflicting mission and its dates. Returns the mission id.
    """
    req = get_request(db, request_id)
    if req["status"] not in OPEN_REQUEST_STATUSES:
        raise InvalidState(
            "Request #{id} is {status}: it cannot be staffed.",
            "La demande n° {id} est {status} : impossible de la pourvoir.",
            field="request",
            id=request_id,
            status=req["status"],
        )
    role = _pick_role(req, role_id)
    if role["filled"]:
        who = role["freelancer"] or _t(_lang(), "outside the network", "hors réseau")
        raise Conflict(
            "Role #{role} of request #{id} is already filled ({who}).",
            "Le rôle n° {role} de la demande n° {id} est déjà pourvu ({who}).",
            field="role",
            role=role["id"],
            id=request_id,
            who=who,
        )
    with db.atomic():
        mission_id = create_mission(
            db,
            freelancer_id=freelancer_id,
            project=req["project_id"],
            start=req["start_date"],
            days=req["days"],
            daily_rate=daily_rate,
            skill=role["skill_id"],
            title=title or role["label"],
            request_id=request_id,
            role_id=role["id"],
            ignore_unavailability=ignore_unavailability,
        )
        db.execute("UPDATE request_roles SET mission_id = ? WHERE id = ?", [mission_id, role["id"]])
        _refresh_request_status(db, request_id)
    return mission_id


def _open_mission(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    m = get_mission(db, mission_id)
    if m["status"] not in OPEN_MISSION_STATUSES:
        raise InvalidState(
            "Mission #{id} is {status}: it can no longer be changed.",
            "La mission n° {id} est {status} : elle ne peut plus être modifiée.",
            field="mission",
            id=mission_id,
            status=m["status"],
        )
    return m


def _reschedule(
    db: sqlite_utils.Database,
    m: Mapping[str, Any],
    first: dt.date,
    last: dt.date,
    n_days: int,
    ignore_unavailability: bool,
) -> dict[str, Any]:
    with db.atomic():
        _check_free(
            db,
            m["freelancer_id"],
            first.isoformat(),
            last.isoformat(),
            exclude_mission_id=m["id"],
            ignore_unavailability=ignore_unavailability,
        )
        db.execute(
            "UPDATE missions SET start_date = ?, end_date = ?, days = ? WHERE id = ?",
            [first.isoformat(), last.isoformat(), n_days, m["id"]],
        )
    return get_mission(db, m["id"])


def move_mission(
    db: sqlite_utils.Database,
    mission_id: int,
    start: dt.date | str,
    *,
    ignore_unavailability: bool = False,
) -> dict[str, Any]:
    """Move a mission to a new start, keeping its number of working days.

    Refused (:class:`Conflict`) when it would overlap another mission of the freelancer or,
    unless ``ignore_unavailability``, a period they declared unavailable.
    """
    m = _open_mission(db, mission_id)
    first, last = working_period(_date(start, "start"), m["days"])
    return _reschedule(db, m, first, last, m["days"], ignore_unavailability)


def extend_mission(
    db: sqlite_utils.Database,
    mission_id: int,
    *,
    days: int | None = None,
    end: dt.date | str | None = None,
    ignore_unavailability: bool = False,
) -> dict[str, Any]:
    """Lengthen (or shorten) a mission by ``days`` extra working days or to a new ``end``,
    with the same checks as :func:`move_mission`."""
    m = _open_mission(db, mission_id)
    first = _date(m["start_date"])
    if (days is None) == (end is None):
        raise InvalidInput(
            "Give either extra working days or a new end date.",
            "Donnez soit des jours ouvrés en plus, soit une nouvelle date de fin.",
            field="days",
        )
    if days is not None:
        total = m["days"] + int(days)
        if total < 1:
            raise InvalidInput(
                "A mission lasts at least one working day.",
                "Une mission dure au moins un jour ouvré.",
                field="days",
            )
        first, last = working_period(first, total)
    else:
        last = _date(end, "end")
        if last < first:
            raise InvalidInput(
                "The new end {end} is before the start {start}.",
                "La nouvelle fin {end} est avant le début {start}.",
                field="end",
                end=last.isoformat(),
                start=first.isoformat(),
            )
        total = max(1, _count_working_days(first, last))
    return _reschedule(db, m, first, last, total, ignore_unavailability)


def cancel_mission(
    db: sqlite_utils.Database, mission_id: int, *, reason: str | None = None
) -> dict[str, Any]:
    """Cancel a mission; its role becomes unfilled and its request open again."""
    m = _open_mission(db, mission_id)
    with db.atomic():
        db.execute(
            "UPDATE missions SET status = 'cancelled', cancel_reason = ? WHERE id = ?",
            [reason, mission_id],
        )
        db.execute("UPDATE request_roles SET mission_id = NULL WHERE mission_id = ?", [mission_id])
        if m["request_id"]:
            _refresh_request_status(db, m["request_id"])
    return get_mission(db, mission_id)


# --- polls --------------------------------------------------------------------------------------


def record_poll(
    db: sqlite_utils.Database,
    request_id: int,
    freelancer_id: int,
    *,
    channel: str = "manager",
    role_id: int | None = None,
) -> int:
    """Record that a freelancer was asked about a request; return the poll id.

    Idempotent on (request, freelancer): asking again returns the same poll. An open request
    becomes ``polling``. Sending the question is the notifier's job (outbox).
    """
    from .models import Poll, validate

    req = _request_row(db, request_id)
    _freelancer_row(db, freelancer_id)
    rec = validate(
        Poll,
        {
            "request_id": request_id,
            "freelancer_id": freelancer_id,
            "channel": channel,
            "role_id": role_id,
        },
    )
    with db.atomic():
        row = db.execute(
            "SELECT id FROM polls WHERE request_id = ? AND freelancer_id = ?",
            [request_id, freelancer_id],
        ).fetchone()
        if row:
            return row[0]
        poll_id = db["polls"].insert(rec.row() | {"asked_at": _now()}).last_pk
        if req["status"] == "open":
            db.execute("UPDATE requests SET status = 'polling' WHERE id = ?", [request_id])
    return poll_id


def answer_poll(
    db: sqlite_utils.Database,
    poll_id: int,
    answer: str,
    *,
    when: dt.datetime | dt.date | str | None = None,
) -> dict[str, Any]:
    """Record a freelancer's answer (yes / no / maybe) to a poll; return the poll row.

    The answer also confirms the freelancer's availability (``availability_confirmed_at``,
    ``availability_confirmed_by = 'answer'``).
    """
    value = str(answer or "").strip().lower()
    value = {"oui": "yes", "non": "no", "peut-être": "maybe", "peut-etre": "maybe"}.get(
        value, value
    )
    if value not in ("yes", "no", "maybe"):
        raise InvalidInput(
            "The answer must be yes, no or maybe (got '{value}').",
            "La réponse doit être oui, non ou peut-être (reçu « {value} »).",
            field="answer",
            value=answer,
        )
    rows = list(db.query("SELECT * FROM polls WHERE id = ?", [poll_id]))
    if not rows:
        raise NotFound("No poll #{id}.", "Aucune sollicitation n° {id}.", field="poll", id=poll_id)
    at = (
        when.isoformat(sep=" ", timespec="seconds")
        if isinstance(when, dt.datetime)
        else (_iso(when) if when else _now())
    )
    with db.atomic():
        db.execute(
            "UPDATE polls SET answer = ?, answered_at = ? WHERE id = ?", [value, at, poll_id]
        )
        db.execute(
            "UPDATE freelancers SET availability_confirmed_at = ?, "
            "availability_confirmed_by = 'answer' WHERE id = ?",
            [at, rows[0]["freelancer_id"]],
        )
    return next(iter(db.query("SELECT * FROM polls WHERE id = ?", [poll_id])))


def polls_for(db: sqlite_utils.Database, request_id: int) -> list[dict[str, Any]]:
    """Who was asked about a request, through which channel, and what they answered."""
    return list(
        db.query(
            "SELECT p.*, f.name AS freelancer FROM polls p "
            "JOIN freelancers f ON f.id = p.freelancer_id WHERE p.request_id = ? "
            "ORDER BY p.asked_at, p.id",
            [request_id],
        )
    )


# --- the request ledger and the fill-rate report ------------------------------------------------


def _days_between(start: str | None, end: str | None) -> float | None:
    if not start or not end:
        return None
    a = dt.datetime.fromisoformat(str(start).replace("T", " "))
    b = dt.datetime.fromisoformat(str(end).replace("T", " "))
    return round((b - a).total_seconds() / 86400, 2)


def request_ledger(db: sqlite_utils.Database, request_id: int) -> dict[str, Any]:
    """Everything that happened to a request: who was asked, who answered what and when, who
    was assigned, the outcome and the time it took to staff."""
    req = get_request(db, request_id)
    polls = [
        {
            k: p[k]
            for k in (
                "id",
                "freelancer_id",
                "freelancer",
                "role_id",
                "channel",
                "asked_at",
                "answer",
                "answered_at",
            )
        }
        for p in polls_for(db, request_id)
    ]
    assignments = list(
        db.query(
            "SELECT m.role_id, m.id AS mission_id, m.freelancer_id, f.name AS freelancer, "
            "m.created_at AS assigned_at, m.status, m.daily_rate FROM missions m "
            "JOIN freelancers f ON f.id = m.freelancer_id WHERE m.request_id = ? ORDER BY m.id",
            [request_id],
        )
    )
    return {
        "request": req,
        "polls": polls,
        "assignments": assignments,
        "outcome": req["outcome"],
        "time_to_staff_days": _days_between(req["created_at"], req["staffed_at"]),
    }


def requests_report(
    db: sqlite_utils.Database,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    today: dt.date | str | None = None,
) -> dict[str, Any]:
    """Fill rate and time-to-staff of the requests whose start date falls in [start, end].

    ``fill_rate`` = staffed (from the network or outside) / requests that ended staffed or
    unfilled (cancelled needs and still-open requests do not count); ``network_fill_rate`` the
    same for staffing from the network only. ``overdue``: still open with a start date passed.
    """
    day0 = _today(today)
    first = _date(start, "from") if start else None
    last = _date(end, "to") if end else None
    where, params = [], []
    if first:
        where.append("r.start_date >= ?")
        params.append(first.isoformat())
    if last:
        where.append("r.start_date <= ?")
        params.append(last.isoformat())
    sql = (
        "SELECT r.id, p.name AS project, r.start_date, r.status, r.outcome, r.created_at, "
        "r.staffed_at, "
        "(SELECT count(*) FROM request_roles x WHERE x.request_id = r.id) AS roles, "
        "(SELECT count(*) FROM request_roles x WHERE x.request_id = r.id "
        " AND (x.mission_id IS NOT NULL OR x.filled_outside)) AS filled, "
        "(SELECT group_concat(s.name, ', ') FROM request_roles x "
        " JOIN skills s ON s.id = x.skill_id WHERE x.request_id = r.id) AS skills, "
        "(SELECT count(*) FROM polls q WHERE q.request_id = r.id) AS polls, "
        "(SELECT count(*) FROM polls q WHERE q.request_id = r.id AND q.answer IS NOT NULL) "
        " AS answers FROM requests r JOIN projects p ON p.id = r.project_id "
        + (f"WHERE {' AND '.join(where)} " if where else "")
        + "ORDER BY r.start_date, r.id"
    )
    rows = list(db.query(sql, params))
    counts = {
        k: 0
        for k in (
            "open",
            "polling",
            "staffed",
            "cancelled",
            "network",
            "outside",
            "unfilled",
            "overdue",
        )
    }
    times = []
    by_skill: dict[str, dict[str, Any]] = {}
    for r in rows:
        counts[r["status"]] += 1
        if r["outcome"] in ("network", "outside", "unfilled"):
            counts[r["outcome"]] += 1
        if r["status"] in OPEN_REQUEST_STATUSES and r["start_date"] < day0.isoformat():
            counts["overdue"] += 1
        r["time_to_staff_days"] = _days_between(r["created_at"], r["staffed_at"])
        if r["time_to_staff_days"] is not None:
            times.append(r["time_to_staff_days"])
        for skill in (r["skills"] or "").split(", "):
            if not skill:
                continue
            s = by_skill.setdefault(
                skill, {"skill": skill, "requests": 0, "staffed": 0, "decided": 0}
            )
            s["requests"] += 1
            s["staffed"] += r["outcome"] in ("network", "outside")
            s["decided"] += r["outcome"] in ("network", "outside", "unfilled")
    decided = counts["network"] + counts["outside"] + counts["unfilled"]
    for s in by_skill.values():
        s["fill_rate"] = round(s["staffed"] / s["decided"], 3) if s["decided"] else None
        del s["decided"]
    return {
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
        "requests": len(rows),
        **counts,
        "fill_rate": round((counts["network"] + counts["outside"]) / decided, 3)
        if decided
        else None,
        "network_fill_rate": round(counts["network"] / decided, 3) if decided else None,
        "time_to_staff_days": {
            "median": round(statistics.median(times), 2),
            "mean": round(statistics.fmean(times), 2),
            "max": max(times),
        }
        if times
        else None,
        "by_skill": sorted(by_skill.values(), key=lambda s: (-s["requests"], s["skill"])),
        "rows": rows,
    }


# --- the schedule -------------------------------------------------------------------------------


def schedule(
    db: sqlite_utils.Database,
    start: dt.date | str,
    end: dt.date | str,
    *,
    freelancer_ids: Iterable[int] | None = None,
    include_requests: bool = True,
    lang: str | None = None,
) -> list[dict[str, Any]]:
    """Every mission (not cancelled), unavailability and open request role over [start, end].

    One row per bar of a timeline: ``lane`` (the freelancer's name, or the request), ``start``
    and ``end`` inclusive, ``finish`` = end + 1 day (what a Gantt chart's bar end expects).
    """
    lang = _lang(lang)
    first, last = _date(start, "from"), _date(end, "to")
    if last < first:
        raise InvalidInput(
            "The end of the window {end} is before its start {start}.",
            "La fin de la période {end} est avant son début {start}.",
            field="to",
            start=first.isoformat(),
            end=last.isoformat(),
        )
    s, e = first.isoformat(), last.isoformat()
    only, params_extra = "", []
    if freelancer_ids is not None:
        ids = list(freelancer_ids)
        only = f" AND x.freelancer_id IN ({', '.join('?' for _ in ids)})"
        params_extra = ids
    rows: list[dict[str, Any]] = []
    for r in db.query(
        "SELECT x.id, x.freelancer_id, f.name AS lane, p.name AS project, s.name AS skill, "
        "x.status, x.start_date, x.end_date, x.daily_rate, x.request_id FROM missions x "
        "JOIN freelancers f ON f.id = x.freelancer_id JOIN projects p ON p.id = x.project_id "
        "LEFT JOIN skills s ON s.id = x.skill_id WHERE x.start_date <= ? AND x.end_date >= ? "
        f"AND x.status != 'cancelled'{only}",
        [e, s, *params_extra],
    ):
        rows.append(
            {
                "kind": "mission",
                "id": r["id"],
                "freelancer_id": r["freelancer_id"],
                "lane": r["lane"],
                "label": f"{r['project']}" + (f" · {r['skill']}" if r["skill"] else ""),
                "project": r["project"],
                "skill": r["skill"],
                "status": r["status"],
                "start": r["start_date"],
                "end": r["end_date"],
                "daily_rate": r["daily_rate"],
                "request_id": r["request_id"],
            }
        )
    for r in db.query(
        "SELECT x.id, x.freelancer_id, f.name AS lane, x.reason, x.source, x.start_date, "
        "x.end_date FROM unavailability x JOIN freelancers f ON f.id = x.freelancer_id "
        f"WHERE x.start_date <= ? AND x.end_date >= ?{only}",
        [e, s, *params_extra],
    ):
        rows.append(
            {
                "kind": "unavailability",
                "id": r["id"],
                "freelancer_id": r["freelancer_id"],
                "lane": r["lane"],
                "label": r["reason"] or _t(lang, "unavailable", "indisponible"),
                "project": None,
                "skill": None,
                "status": r["source"],
                "start": r["start_date"],
                "end": r["end_date"],
                "daily_rate": None,
                "request_id": None,
            }
        )
    if include_requests:
        for r in db.query(
            "SELECT q.id, q.request_id, r.start_date, r.end_date, r.status, p.name AS project, "
            "s.name AS skill, s.label_en, s.label_fr FROM request_roles q "
            "JOIN requests r ON r.id = q.request_id JOIN projects p ON p.id = r.project_id "
            "JOIN skills s ON s.id = q.skill_id WHERE r.status IN ('open', 'polling') "
            "AND q.mission_id IS NULL AND NOT q.filled_outside "
            "AND r.start_date <= ? AND r.end_date >= ?",
            [e, s],
        ):
            rows.append(
                {
                    "kind": "request",
                    "id": r["id"],
                    "freelancer_id": None,
                    "lane": _t(
                        lang, f"Request #{r['request_id']}", f"Demande n° {r['request_id']}"
                    ),
                    "label": f"{r['project']} · {_skill_label(r, lang)}",
                    "project": r["project"],
                    "skill": r["skill"],
                    "status": r["status"],
                    "start": r["start_date"],
                    "end": r["end_date"],
                    "daily_rate": None,
                    "request_id": r["request_id"],
                }
            )
    for row in rows:
        row["finish"] = (_date(row["end"]) + dt.timedelta(days=1)).isoformat()
    rows.sort(key=lambda r: (r["kind"] == "request", r["lane"], r["start"], r["id"]))
    return rows


def schedule_summary(
    db: sqlite_utils.Database,
    start: dt.date | str,
    end: dt.date | str,
    *,
    rows: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The agency at a glance over a window: who is booked, how many days, what is unstaffed."""
    first, last = _date(start, "from"), _date(end, "to")
    rows = rows if rows is not None else schedule(db, first, last)
    window = {d.isoformat() for d in working_days(first, last)}
    booked_days = 0
    for r in rows:
        if r["kind"] == "mission":
            lo, hi = max(r["start"], first.isoformat()), min(r["end"], last.isoformat())
            booked_days += sum(1 for d in window if lo <= d <= hi)
    requests = {r["request_id"] for r in rows if r["kind"] == "request"}
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "working_days": len(window),
        "freelancers_booked": len({r["freelancer_id"] for r in rows if r["kind"] == "mission"}),
        "missions": sum(r["kind"] == "mission" for r in rows),
        "unavailability": sum(r["kind"] == "unavailability" for r in rows),
        "booked_days": booked_days,
        "open_requests": len(requests),
        "open_roles": sum(r["kind"] == "request" for r in rows),
    }


def to_ics(rows: Iterable[Mapping[str, Any]], *, name: str = "fmstoolkit schedule") -> bytes:
    """The schedule rows as an iCalendar file (see :mod:`fmstoolkit.schedule_ics`)."""
    from .schedule_ics import to_ics as _to_ics

    return _to_ics(rows, name=name)


def write_ics(
    db: sqlite_utils.Database, path: str | Path, start: dt.date | str, end: dt.date | str
) -> int:
    """Write the schedule of [start, end] to an .ics file; return the number of events."""
    rows = schedule(db, start, end)
    Path(path).write_bytes(to_ics(rows))
    return len(rows)
