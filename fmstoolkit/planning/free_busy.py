"""Who is free or busy when: busy periods, day-by-day availability, declared unavailability.

A freelancer is busy on a day covered by an open mission (planned, active, ending) or by a
declared unavailability period; dates are ISO text, so periods compare as strings and are
inclusive on both ends. ``_check_free`` is the guard used before a mission is booked or moved.
Named ``free_busy`` rather than ``availability`` so the module does not shadow the
:func:`availability` function re-exported by the package.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from ..errors import Conflict, InvalidInput
from ..i18n import N_, _, format_date
from ..models import Unavailability, validate
from ..models.enums import OPEN_MISSIONS_SQL
from ..models.validation import check_day
from ._common import _date, _freelancer_row, _iso, _lang, _now
from .calendar import working_days


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
        f"AND m.start_date <= ? AND m.end_date >= ? AND m.status IN {OPEN_MISSIONS_SQL} "
        "AND m.id IS NOT ? "
        "UNION ALL SELECT 'unavailability', u.id, u.start_date, u.end_date, u.reason, u.source "
        "FROM unavailability u WHERE u.freelancer_id = ? AND u.start_date <= ? "
        "AND u.end_date >= ? ORDER BY 3",
        [freelancer_id, end, start, exclude_mission_id, freelancer_id, end, start],
    ).fetchall()
    out = []
    for kind, id_, s, e, what, status in rows:
        if kind == "mission":
            label = _("mission #{id} ({what}, {start} to {end})", lang).format(
                id=id_, what=what, start=format_date(s, lang), end=format_date(e, lang)
            )
        else:
            period = {"start": format_date(s, lang), "end": format_date(e, lang)}
            if what:
                label = _("unavailable ({reason}, {start} to {end})", lang).format(
                    reason=what, **period
                )
            else:
                label = _("unavailable ({start} to {end})", lang).format(**period)
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


def _status_of(free: Sequence[str], busy: Sequence[str]) -> str:
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
    _freelancer_row(db, freelancer_id)
    first = check_day(_date(start, "start"), "start")
    last = check_day(_date(end, "end"), "end")
    rec = validate(
        Unavailability,
        {
            "freelancer_id": freelancer_id,
            "start_date": first.isoformat(),
            "end_date": last.isoformat(),
            "reason": reason,
            "source": source,
        },
    )
    with db.atomic():
        uid = db["unavailability"].insert(rec.row() | {"created_at": _now()}).last_pk
        confirm_availability(db, freelancer_id, by="declared")
    return uid


def _overlap(
    db: sqlite_utils.Database,
    freelancer_id: int,
    row: Any,
    start: str,
    end: str,
    message: str,
    **ids: Any,
) -> Conflict:
    """The Conflict for a period ``row`` (id, start, end, ...) overlapping [start, end]: the
    messages get ``{name}`` (the freelancer's), ``{s}``, ``{e}``, ``{start}``, ``{end}`` and
    ``ids``."""
    name = db.execute("SELECT name FROM freelancers WHERE id = ?", [freelancer_id]).fetchone()
    return Conflict(
        message, field="freelancer", name=name[0], s=row[1], e=row[2], start=start, end=end, **ids
    )


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
        f"AND m.start_date <= ? AND m.end_date >= ? AND m.status IN {OPEN_MISSIONS_SQL} "
        "AND m.id IS NOT ? ORDER BY m.start_date LIMIT 1",
        [freelancer_id, end, start, exclude_mission_id],
    ).fetchone()
    if row:
        raise _overlap(
            db,
            freelancer_id,
            row,
            start,
            end,
            N_("Double booking: {name} already has mission #{mid} ({project}) from {s} to {e}, "
            "which overlaps {start} to {end}."),
            mid=row[0],
            project=row[3],
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
        raise _overlap(
            db,
            freelancer_id,
            row,
            start,
            end,
            N_("{name} declared being unavailable from {s} to {e} (unavailability #{uid}), "
            "which overlaps {start} to {end}."),
            uid=row[0],
        )
