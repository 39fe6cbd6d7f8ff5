"""The one iCalendar builder (fmstoolkit.calendars), read back as a calendar app reads it:
all-day dates, the exclusive end, stable UIDs, summaries, the stamp from the clock."""

from __future__ import annotations

import datetime as dt

from conftest import FROZEN_NOW
from icalendar import Calendar

from fmstoolkit import calendars, clock

MISSION = {
    "id": 42,
    "start_date": "2026-12-07",
    "end_date": "2026-12-18",
    "project": "Refonte site",
    "title": "Front-end, React; accessibilité",
    "days": 10,
    "daily_rate": 550,
}

SCHEDULE = [
    {"kind": "mission", "id": 42, "lane": "Alice", "label": "Refonte site · frontend",
     "start": "2026-12-07", "end": "2026-12-18", "status": "planned"},
    {"kind": "unavailability", "id": 3, "lane": "Alice", "label": "holiday",
     "start": "2026-12-21", "end": "2026-12-24"},
    {"kind": "request", "id": 7, "lane": "Request #7", "label": "SEO",
     "start": "2026-12-31", "end": "2026-12-31", "status": None},
]  # fmt: skip

FEED_ROW = MISSION | {"freelancer": "Alice Martin", "skill": "Front-end", "status": "planned"}


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def span(event) -> tuple[dt.date, dt.date]:
    """What a calendar app reads: first day, and the (exclusive) end."""
    return event.decoded("dtstart"), event.decoded("dtend")


def test_a_mission_is_an_all_day_event_ending_the_day_after_its_last_day():
    (event,) = events(calendars.mission_ics(MISSION))
    assert event.decoded("dtstart") == dt.date(2026, 12, 7)
    assert not isinstance(event.decoded("dtstart"), dt.datetime)  # a date, shown as all-day
    assert event["dtstart"].params["VALUE"] == "DATE"
    assert event["dtend"].params["VALUE"] == "DATE"
    # the last day is Friday 18 December; iCalendar's end is exclusive: Saturday 19
    assert event.decoded("dtend") == dt.date(2026, 12, 19)
    assert str(event["summary"]) == "Refonte site · Front-end, React; accessibilité"
    assert str(event["description"]) == "10 d x 550 EUR"
    assert str(event["uid"]) == "mission-42@fmstoolkit"


def test_the_mission_confirmation_is_written_exactly_as_before(frozen_clock):
    frozen_clock.move_to(FROZEN_NOW)
    assert calendars.mission_ics(MISSION).decode() == (
        "BEGIN:VCALENDAR\r\n"
        "VERSION:2.0\r\n"
        "PRODID:-//fmstoolkit//mission confirmation//EN\r\n"
        "METHOD:PUBLISH\r\n"
        "BEGIN:VEVENT\r\n"
        "SUMMARY:Refonte site · Front-end\\, React\\; accessibilité\r\n"
        "DTSTART;VALUE=DATE:20261207\r\n"
        "DTEND;VALUE=DATE:20261219\r\n"
        "DTSTAMP:20261125T090000Z\r\n"
        "UID:mission-42@fmstoolkit\r\n"
        "DESCRIPTION:10 d x 550 EUR\r\n"
        "END:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    untitled = events(calendars.mission_ics(MISSION | {"title": None}))[0]
    assert str(untitled["summary"]) == "Refonte site"


def test_the_uid_of_a_mission_is_the_same_everywhere_and_survives_a_move(frozen_clock):
    confirmation = events(calendars.mission_ics(MISSION))[0]
    frozen_clock.shift(dt.timedelta(days=3))
    moved = events(calendars.mission_ics(MISSION | {"start_date": "2026-12-14",
                                                    "end_date": "2026-12-23"}))[0]  # fmt: skip
    schedule = events(calendars.schedule_ics(SCHEDULE))[0]
    feed = events(calendars.missions_ics("Agence", [FEED_ROW]))[0]
    uids = {str(e["uid"]) for e in (confirmation, moved, schedule, feed)}
    assert uids == {"mission-42@fmstoolkit"}  # an app updates the event, never duplicates it
    assert moved.decoded("dtstart") == dt.date(2026, 12, 14)
    assert moved.decoded("dtstamp") > confirmation.decoded("dtstamp")


def test_the_stamp_comes_from_the_clock_once_per_document(frozen_clock):
    frozen_clock.move_to(dt.datetime(2027, 3, 1, 8, 30, 15, tzinfo=dt.UTC))
    found = events(calendars.schedule_ics(SCHEDULE))
    assert {e.decoded("dtstamp") for e in found} == {clock.now()}
    assert clock.now() == dt.datetime(2027, 3, 1, 8, 30, 15, tzinfo=dt.UTC)


def test_the_schedule_shows_missions_and_time_off_as_busy_and_requests_as_free():
    cal = Calendar.from_ical(calendars.schedule_ics(SCHEDULE, name="Décembre"))
    assert str(cal["x-wr-calname"]) == "Décembre"
    mission, off, request = cal.walk("VEVENT")
    assert str(mission["summary"]) == "Alice — Refonte site · frontend"
    assert str(mission["description"]) == "mission #42 (planned)"
    assert str(off["summary"]) == "Alice — holiday" and "description" not in off
    assert span(off) == (dt.date(2026, 12, 21), dt.date(2026, 12, 25))
    # a one-day request on New Year's Eve ends on 1 January of the next year
    assert str(request["summary"]) == "Request #7: SEO"
    assert span(request) == (dt.date(2026, 12, 31), dt.date(2027, 1, 1))
    assert [str(e["transp"]) for e in (mission, off, request)] == [
        "OPAQUE", "OPAQUE", "TRANSPARENT"]  # fmt: skip
    assert [e["categories"].cats for e in (mission, off, request)] == [
        ["mission"], ["unavailability"], ["request"]]  # fmt: skip
    assert len({str(e["uid"]) for e in (mission, off, request)}) == 3


def test_the_missions_feed_links_each_event_to_its_datasette_page():
    body = calendars.missions_ics("Missions : Alice Martin", [FEED_ROW],
                                  base_url="http://127.0.0.1:8001")  # fmt: skip
    cal = Calendar.from_ical(body)
    assert str(cal["x-wr-calname"]) == "Missions : Alice Martin"
    (event,) = cal.walk("VEVENT")
    assert str(event["summary"]) == "Alice Martin · Refonte site (Front-end)"
    assert str(event["url"]) == "http://127.0.0.1:8001/notes/missions/42"
    assert str(event["description"]).splitlines() == [
        "Front-end, React; accessibilité", "10 j/days · 550 EUR/j·day · planned"]  # fmt: skip
    assert span(event) == (dt.date(2026, 12, 7), dt.date(2026, 12, 19))
    no_link = events(calendars.missions_ics("x", [FEED_ROW | {"skill": None}]))[0]
    assert "url" not in no_link and str(no_link["summary"]) == "Alice Martin · Refonte site"


def test_the_builder_takes_what_the_caller_says_and_leaves_out_the_rest():
    event = calendars.all_day_event(
        uid=calendars.event_uid("deliverable", 9),
        first_day=dt.date(2027, 2, 26),
        last_day="2027-03-01 18:00:00",  # a timestamp counts as its day
        summary="Livraison",
        location="Lyon",
    )
    (back,) = events(calendars.calendar([event], product="test//EN"))
    assert str(back["uid"]) == "deliverable-9@fmstoolkit"
    assert str(back["location"]) == "Lyon"
    assert back.decoded("dtend") == dt.date(2027, 3, 2)
    for absent in ("description", "url", "categories", "transp"):
        assert absent not in back
    assert calendars.calendar([], product="test//EN").startswith(b"BEGIN:VCALENDAR")
