"""Missions: book a freelancer (directly or on a request's role), move, extend, cancel.

A freelancer must be bookable (active or alumni, not opted out) and free over the dates (a
double booking is refused with the conflicting mission); each change runs in one transaction,
and a request's status follows its roles being filled or freed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import sqlite_utils

from ..db import in_transaction
from ..errors import Conflict, InvalidInput, InvalidState, NotFound
from ..i18n import N_, _
from ..models import Mission, validate
from ..models.validation import check_day, check_mission_days
from ._common import (
    OPEN_MISSION_STATUSES,
    OPEN_REQUEST_STATUSES,
    RANKED_STATUSES,
    _count_working_days,
    _date,
    _freelancer_row,
    _now,
    _project_id,
    _skill,
)
from .calendar import working_period
from .free_busy import _check_free
from .matching import _pick_role
from .requests import _refresh_request_status, get_request


def get_mission(db: sqlite_utils.Database, mission_id: int) -> dict[str, Any]:
    """A mission with its freelancer's name and status, its project's name, client and lead, and its
    skill: the one mission lookup of planning, offboarding and the actions."""
    rows = list(
        db.query(
            "SELECT m.*, f.name AS freelancer, f.status AS freelancer_status, p.name AS project, "
            "p.client, p.lead_name, s.name AS skill "
            "FROM missions m JOIN freelancers f ON f.id = m.freelancer_id "
            "JOIN projects p ON p.id = m.project_id LEFT JOIN skills s ON s.id = m.skill_id "
            "WHERE m.id = ?",
            [mission_id],
        )
    )
    if not rows:
        raise NotFound(
            "No mission #{id}.", field="mission", id=mission_id
        )
    return rows[0]


def _bookable(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    person = _freelancer_row(db, freelancer_id)
    if person["status"] not in RANKED_STATUSES or person["opted_out_at"]:
        why = "opted out" if person["opted_out_at"] else person["status"]
        raise InvalidState(
            "{name} cannot be booked ({why}).",
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
    first = check_day(_date(start, "start"), "start")
    if days is not None:
        n_days = check_mission_days(int(days))
        first, last = working_period(first, n_days) if n_days > 0 else (first, first)
    elif end is not None:
        last = check_day(_date(end, "end"), "end")
        n_days = max(1, _count_working_days(first, last)) if last >= first else 1
        check_mission_days(n_days, "end")
    else:
        raise InvalidInput(
            "Give the number of working days or the end date.",
            field="days",
        )
    with db.atomic():  # who is bookable, and when, is read inside the booking's transaction
        person = _bookable(db, freelancer_id)
        rate = daily_rate if daily_rate is not None else person["daily_rate"]
        if rate is None:
            raise InvalidInput(
                "{name} has no daily rate on file: give the mission's daily rate.",
                field="daily_rate",
                name=person["name"],
            )
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


def _require_status(
    record: Mapping[str, Any],
    allowed: tuple[str, ...],
    message: str,
    *,
    field: str,
    record_id: int,
) -> None:
    """Raise InvalidState (``message``, with ``{id}`` and ``{status}``) unless the record's
    status is one of ``allowed``."""
    if record["status"] not in allowed:
        raise InvalidState(message, field=field, id=record_id, status=record["status"])


@in_transaction
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
    with db.atomic():  # the role is read free inside the transaction that fills it
        req = get_request(db, request_id)
        _require_status(
            req,
            OPEN_REQUEST_STATUSES,
            N_("Request #{id} is {status}: it cannot be staffed."),
            field="request",
            record_id=request_id,
        )
        role = _pick_role(req, role_id)
        if role["filled"]:
            who = role["freelancer"] or _("outside the network")
            raise Conflict(
                "Role #{role} of request #{id} is already filled ({who}).",
                field="role",
                role=role["id"],
                id=request_id,
                who=who,
            )
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
    _require_status(
        m,
        OPEN_MISSION_STATUSES,
        N_("Mission #{id} is {status}: it can no longer be changed."),
        field="mission",
        record_id=mission_id,
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


@in_transaction
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
    first = check_day(_date(start, "start"), "start")
    with db.atomic():
        m = _open_mission(db, mission_id)
        first, last = working_period(first, m["days"])
        return _reschedule(db, m, first, last, m["days"], ignore_unavailability)


@in_transaction
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
    if (days is None) == (end is None):
        raise InvalidInput(
            "Give either extra working days or a new end date.",
            field="days",
        )
    new_end = check_day(_date(end, "end"), "end") if end is not None else None
    with db.atomic():
        m = _open_mission(db, mission_id)
        first = _date(m["start_date"])
        if new_end is None:
            total = m["days"] + int(days)
            if total < 1:
                raise InvalidInput(
                    "A mission lasts at least one working day.",
                    field="days",
                )
            first, last = working_period(first, check_mission_days(total))
            check_day(last, "days")
        else:
            last = new_end
            if last < first:
                raise InvalidInput(
                    "The new end {end} is before the start {start}.",
                    field="end",
                    end=last.isoformat(),
                    start=first.isoformat(),
                )
            total = check_mission_days(max(1, _count_working_days(first, last)), "end")
        return _reschedule(db, m, first, last, total, ignore_unavailability)


@in_transaction
def cancel_mission(
    db: sqlite_utils.Database, mission_id: int, *, reason: str | None = None
) -> dict[str, Any]:
    """Cancel a mission; its role becomes unfilled and its request open again."""
    with db.atomic():
        m = _open_mission(db, mission_id)
        db.execute(
            "UPDATE missions SET status = 'cancelled', cancel_reason = ? WHERE id = ?",
            [reason, mission_id],
        )
        db.execute("UPDATE request_roles SET mission_id = NULL WHERE mission_id = ?", [mission_id])
        if m["request_id"]:
            _refresh_request_status(db, m["request_id"])
    return get_mission(db, mission_id)
