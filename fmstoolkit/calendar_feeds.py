"""iCalendar feeds of the missions, as a small Datasette plugin.

Routes (on the notes database):

- ``/-/calendars/agency.ics``: the whole agency's schedule, from 30 days ago to 180 days ahead
  (``?since=YYYY-MM-DD`` and ``?until=YYYY-MM-DD`` change the window);
- ``/-/calendars/freelancers/<id>.ics``: one freelancer's missions;
- ``/-/calendars/projects/<id>.ics``: one project's missions.

The calendars' names and the skills of the events are in the settings' language (``FMS_LANG``).

Why not datasette-ics over canned queries: that plugin writes every event as a UTC date-time
(``DTSTART:20260302T000000Z``), which calendar apps show at 01:00 in Paris and end a day early.
A mission is a span of whole days, so the events here are all-day events (``VALUE=DATE``, end
exclusive) with a stable UID per mission so that a subscribed calendar updates events instead of
duplicating them, written by :func:`fmstoolkit.calendars.missions_ics` (the one iCalendar
builder, also used by the schedule export and the mission confirmation).

It is registered as a Datasette plugin through the package's ``datasette`` entry point, so any
Datasette where fmstoolkit is installed loads it (a ``datasette publish`` deployment too, see the
README); the agency's day that bounds the agency feed comes from :mod:`fmstoolkit.clock`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from . import calendars, clock
from .i18n import N_, _, current_lang
from .models.validation import EARLIEST_DAY, LATEST_DAY, MAX_ID

DATABASE = "notes"
AGENCY_PAST_DAYS = 30
AGENCY_FUTURE_DAYS = 180
MAX_EVENTS = 5_000
#: What a 404 says when the freelancer or project of a feed does not exist.
NO_SUCH_ROW = {"freelancers": N_("No freelancer #{id}."), "projects": N_("No project #{id}.")}

MISSIONS_SQL = """
select m.id, m.start_date, m.end_date, m.days, m.daily_rate, m.status, m.title,
    f.id as freelancer_id, f.name as freelancer, p.id as project_id, p.name as project,
    s.label_{lang} as skill
from missions m
join freelancers f on f.id = m.freelancer_id
join projects p on p.id = m.project_id
left join skills s on s.id = m.skill_id
where {where}
order by m.start_date
limit {limit}
"""


def _date(text: str) -> dt.date:
    """A ``since``/``until`` date, within :data:`EARLIEST_DAY`..:data:`LATEST_DAY` (far from the
    ends of Python's calendar, where adding the feed's 180 days overflows); ValueError
    otherwise, which the feed answers with 400."""
    day = dt.date.fromisoformat(text[:10])
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(text)
    return day


def calendar(name: str, rows: list[dict[str, Any]], *, base_url: str = "") -> bytes:
    """An iCalendar document with one all-day event per mission row."""
    return calendars.missions_ics(name, rows, base_url=base_url, database=DATABASE)


async def _feed(datasette, request, name: str, where: str, params: dict[str, Any]) -> Response:
    database = datasette.get_database(DATABASE)
    await datasette.ensure_permissions(
        request.actor, [("view-database", DATABASE), "view-instance"]
    )
    result = await database.execute(
        MISSIONS_SQL.format(where=where, limit=MAX_EVENTS, lang=current_lang()),
        params,
        custom_time_limit=10_000,
    )
    rows = [dict(r) for r in result.rows]
    base = datasette.absolute_url(request, datasette.urls.path("/")).rstrip("/")
    body = calendar(name, rows, base_url=base)
    content_type = "text/plain" if request.args.get("_plain") else "text/calendar"
    return Response(body, content_type=f"{content_type}; charset=utf-8")


async def _name_of(datasette, table: str, row_id: int) -> str:
    database = datasette.get_database(DATABASE)
    rows = (await database.execute(f"select name from {table} where id = ?", [row_id])).rows
    if not rows:
        raise NotFound(_(NO_SUCH_ROW[table]).format(id=row_id))
    return rows[0][0]


async def agency_feed(datasette, request) -> Response:
    today = clock.today()
    try:
        since = _date(request.args["since"]) if request.args.get("since") else None
        until = _date(request.args["until"]) if request.args.get("until") else None
    except ValueError:
        return Response.text(
            _("since and until are dates, YYYY-MM-DD, from {first} to {last}").format(
                first=EARLIEST_DAY.isoformat(), last=LATEST_DAY.isoformat()
            ),
            status=400,
        )
    since = since or today - dt.timedelta(AGENCY_PAST_DAYS)
    until = until or max(since, today) + dt.timedelta(AGENCY_FUTURE_DAYS)
    return await _feed(
        datasette,
        request,
        _("Agency: missions"),
        "m.end_date >= :since and m.start_date <= :until",
        {"since": since.isoformat(), "until": until.isoformat()},
    )


async def _record_feed(datasette, request, table: str, title: str, where: str) -> Response:
    """The feed of one freelancer or project (``id`` in the URL), titled ``title`` (a msgid
    with ``{name}``, in the settings' language)."""
    row_id = int(request.url_vars["id"])
    await datasette.ensure_permissions(request.actor, [("view-database", DATABASE)])
    if row_id > MAX_ID:  # no such row can exist (SQLite's integers are 64-bit)
        raise NotFound(_(NO_SUCH_ROW[table]).format(id=row_id))
    name = await _name_of(datasette, table, row_id)
    return await _feed(datasette, request, _(title).format(name=name), where, {"id": row_id})


async def freelancer_feed(datasette, request) -> Response:
    return await _record_feed(
        datasette, request, "freelancers", N_("Missions: {name}"), "m.freelancer_id = :id"
    )


async def project_feed(datasette, request) -> Response:
    return await _record_feed(
        datasette, request, "projects", N_("Project: {name}"), "m.project_id = :id"
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/calendars/agency\.ics$", agency_feed),
        (r"^/-/calendars/freelancers/(?P<id>\d+)\.ics$", freelancer_feed),
        (r"^/-/calendars/projects/(?P<id>\d+)\.ics$", project_feed),
    ]
