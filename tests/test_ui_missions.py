"""Moving, extending and cancelling a mission from the planning app, and the candidates the app
offers around it: the person just assigned is no longer offered, the busy ones are folded."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from test_ui_planning import add_mission, build_agency, fill

from fmstoolkit import planning
from fmstoolkit.ui.planning import PlanningApp


@pytest.fixture
def staffed(db):
    """The agency of the planning tests, a request for the week of ``monday`` and Alice assigned
    to it from the app."""
    agency = build_agency(db)
    app = PlanningApp(db, lang="en")
    fill(app, start=agency["monday"])
    app.create_request()
    app.select(agency["people"]["alice"])
    app.assign_button.click()
    mission_id = db.execute("SELECT id FROM missions WHERE request_id = 1").fetchone()[0]
    return agency | {"app": app, "mission": mission_id}


def text(widget) -> str:
    return html.unescape(widget.value)


def test_the_person_just_assigned_is_no_longer_offered(db, staffed):
    app = staffed["app"]
    assert "Alice Martin assigned" in text(app.assign_message)
    offered = [v for _l, v in app.selection.options] + [v for _l, v in app.busy_selection.options]
    assert staffed["people"]["alice"] not in offered
    assert "Alice Martin" not in app.table.value + app.busy_table.value
    # and the mission panel shows her mission, ready to move
    assert app.missions.picker.value.startswith(f"#{staffed['mission']} · Alice Martin")


def test_move_a_mission_and_a_double_booking_said_beside_the_button(db, staffed):
    panel, monday = staffed["app"].missions, staffed["monday"]
    later = monday + dt.timedelta(days=14)
    panel.new_start.value = later
    panel.move_button.click()
    assert "moved" in text(panel.move_message) and "Alice Martin" in text(panel.move_message)
    mission = planning.get_mission(db, staffed["mission"])
    assert mission["start_date"] == later.isoformat()
    kinds = [r[0] for r in db.execute("SELECT kind FROM outbox ORDER BY id")]
    assert kinds == ["mission_confirmation", "mission_confirmation"]  # the new dates are sent
    # Alice is booked elsewhere the week after: moving there is refused, beside "Move"
    project = db.execute("SELECT id FROM projects WHERE name = 'Ancien site'").fetchone()[0]
    add_mission(db, staffed["people"]["alice"], project, monday + dt.timedelta(days=21),
                monday + dt.timedelta(days=25), 600, "planned", staffed["skill_id"])  # fmt: skip
    panel.new_start.value = monday + dt.timedelta(days=21)
    panel.move_button.click()
    assert "⚠" in panel.move_message.value and panel.extend_message.value == ""
    assert planning.get_mission(db, staffed["mission"])["start_date"] == later.isoformat()


def test_extend_then_cancel_and_the_role_is_open_again(db, staffed):
    app, panel, monday = staffed["app"], staffed["app"].missions, staffed["monday"]
    new_end = monday + dt.timedelta(days=7)
    panel.new_end.value = new_end
    panel.extend_button.click()
    assert "now ends on" in text(panel.extend_message)
    assert planning.get_mission(db, staffed["mission"])["end_date"] == new_end.isoformat()
    panel.reason.value = "Le client a reporté le projet."
    panel.cancel_button.click()
    assert "cancelled" in text(panel.cancel_message)
    assert planning.get_mission(db, staffed["mission"])["status"] == "cancelled"
    assert db.execute("SELECT count(*) FROM outbox WHERE kind = 'mission_cancellation'"
                      ).fetchone()[0] == 1  # fmt: skip
    assert not any(v == staffed["mission"] for v in panel._ids.values())  # no longer offered
    # the request is open again and Alice is offered again
    assert planning.get_request(db, 1)["status"] == "open"
    assert "Alice Martin" in app.table.value


def test_a_missing_choice_is_said_beside_what_is_missing(db, staffed):
    panel = staffed["app"].missions
    panel.picker.value = "something typed"
    panel.move_button.click()
    assert "Pick a mission in the list" in text(panel.picker_message)
    panel.pick(staffed["mission"])
    panel.new_start.value = None
    panel.move_button.click()
    assert "Choose a date first." in text(panel.move_message)
    assert panel.picker_message.value == ""
