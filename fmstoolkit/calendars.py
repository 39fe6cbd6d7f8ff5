"""The one iCalendar event builder: the schedule export, the Datasette feeds, the confirmations.

What: :func:`all_day_event` makes one VEVENT for a span of whole days and :func:`calendar`
wraps events into a VCALENDAR document (bytes). Three documents are built on them:

- :func:`schedule_ics`: the schedule (missions, unavailability, open requests), written by
  ``fms schedule --ics`` (through :func:`fmstoolkit.planning.to_ics`);
- :func:`missions_ics`: the missions feeds Datasette serves (:mod:`fmstoolkit.calendar_feeds`);
- :func:`mission_ics`: the .ics attached to a mission confirmation.

Why one builder: a mission is the same event wherever a calendar app meets it, so it must be
written the same way everywhere:

- **All-day events.** ``DTSTART;VALUE=DATE`` and ``DTEND;VALUE=DATE``, never UTC date-times (a
  mission from 2 to 6 March written ``20260302T000000Z`` shows at 01:00 in Paris and ends a day
  early). Callers give the *last* day, as the database stores it; the builder writes the day
  after it, because the end of an all-day event is exclusive (RFC 5545, 3.6.1).
- **Stable UID.** :func:`event_uid` is ``<kind>-<id>@fmstoolkit`` (``mission-42@fmstoolkit``):
  the schedule file, the subscribed feed and the confirmation e-mail carry the same UID for a
  mission, so an app updates the event (moved dates, new title) instead of adding a second one.
- **DTSTAMP from the one clock.** :func:`fmstoolkit.clock.now` (UTC, to the second), one stamp
  per document, so frozen tests get byte-identical files.
- **icalendar writes the text.** The ``icalendar`` library does the escaping, line folding and
  ``VALUE=DATE`` parameters; the tests parse the output back with it.

What the event says (summary, description, location, link, categories, busy or free) is the
caller's: this module only decides how an event is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from icalendar import Calendar, Event

from . import clock

#: Domain of every UID the toolkit writes.
UID_DOMAIN = "fmstoolkit"


def event_uid(kind: str, row_id: int | str) -> str:
    """The stable UID of a record shown as an event: ``mission-42@fmstoolkit``."""
    return f"{kind}-{row_id}@{UID_DOMAIN}"


def _day(value: dt.date | str) -> dt.date:
    """A date, or the date at the start of an ISO text (``2026-03-02`` or a timestamp)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


def all_day_event(
    *,
    uid: str,
    first_day: dt.date | str,
    last_day: dt.date | str,
    summary: str,
    description: str | None = None,
    location: str | None = None,
    url: str | None = None,
    categories: Iterable[str] = (),
    busy: bool | None = None,
    stamp: dt.datetime | None = None,
) -> Event:
    """One all-day event from ``first_day`` to ``last_day`` included.

    ``DTEND`` is written as the day after ``last_day`` (exclusive end). ``stamp`` is the
    DTSTAMP (default :func:`fmstoolkit.clock.now`); ``busy`` writes ``TRANSP`` (OPAQUE when
    True, TRANSPARENT when False, nothing when None); empty optional fields are left out.
    """
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp or clock.now())
    event.add("dtstart", _day(first_day))
    event.add("dtend", _day(last_day) + dt.timedelta(days=1))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    categories = list(categories)
    if categories:
        event.add("categories", categories)
    if busy is not None:
        event.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    return event


def calendar(
    events: Iterable[Event],
    *,
    product: str,
    name: str | None = None,
    method: str | None = None,
) -> bytes:
    """A VCALENDAR document holding ``events``.

    ``product`` ends the PRODID (``-//fmstoolkit//<product>``), ``name`` is the title a
    subscribed calendar shows (``X-WR-CALNAME``), ``method`` is for a document sent by e-mail
    (``PUBLISH``).
    """
    cal = Calendar()
    cal.add("prodid", f"-//{UID_DOMAIN}//{product}")
    cal.add("version", "2.0")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    for event in events:
        cal.add_component(event)
    return cal.to_ical()


# --- the schedule ------------------------------------------------------------------------------


def _schedule_summary(row: Mapping[str, Any]) -> str:
    if row["kind"] in ("mission", "unavailability"):
        return f"{row['lane']} — {row['label']}"
    return f"{row['lane']}: {row['label']}"


def schedule_ics(rows: Iterable[Mapping[str, Any]], *, name: str = "fmstoolkit schedule") -> bytes:
    """The schedule (rows of :func:`fmstoolkit.planning.schedule`) as an iCalendar file: one
    event per mission, unavailability and open request (a request shows as free time)."""
    stamp = clock.now()
    events = (
        all_day_event(
            uid=event_uid(row["kind"], row["id"]),
            first_day=row["start"],
            last_day=row["end"],
            summary=_schedule_summary(row),
            description=(
                f"{row['kind']} #{row['id']} ({row['status']})" if row.get("status") else None
            ),
            categories=[row["kind"]],
            busy=row["kind"] != "request",
            stamp=stamp,
        )
        for row in rows
    )
    return calendar(events, product="planning//EN", name=name)


# --- the missions feeds (Datasette) ------------------------------------------------------------


def missions_ics(
    name: str, rows: Iterable[Mapping[str, Any]], *, base_url: str = "", database: str = "notes"
) -> bytes:
    """Missions of the notes database (id, start_date, end_date, freelancer, project, skill,
    title, days, daily_rate, status) as a subscribed calendar titled ``name``; each event
    links to the mission's page under ``base_url`` when given."""
    stamp = clock.now()
    events = []
    for row in rows:
        skill = f" ({row['skill']})" if row.get("skill") else ""
        events.append(
            all_day_event(
                uid=event_uid("mission", row["id"]),
                first_day=row["start_date"],
                last_day=row["end_date"],
                summary=f"{row['freelancer']} · {row['project']}{skill}",
                description=(
                    f"{row.get('title') or ''}\n{row['days']} j/days · "
                    f"{row['daily_rate']} EUR/j·day · {row['status']}"
                ).strip(),
                url=f"{base_url}/{database}/missions/{row['id']}" if base_url else None,
                stamp=stamp,
            )
        )
    return calendar(events, product="missions//FR", name=name)


# --- the mission confirmation ------------------------------------------------------------------


def mission_ics(mission: Mapping[str, Any]) -> bytes:
    """The .ics of a mission confirmation: one all-day event, the mission's stable UID.

    ``mission`` has id, start_date, end_date, project, title (may be empty), days and
    daily_rate; the summary is "project · title", the description "N d x RATE EUR".
    """
    event = all_day_event(
        uid=event_uid("mission", mission["id"]),
        first_day=mission["start_date"],
        last_day=mission["end_date"],
        summary=" · ".join(x for x in (mission["project"], mission.get("title")) if x),
        description=f"{mission['days']} d x {mission['daily_rate']} EUR",
    )
    return calendar([event], product="mission confirmation//EN", method="PUBLISH")
