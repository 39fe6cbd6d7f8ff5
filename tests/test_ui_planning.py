"""The planning notebook app driven from Python, as the freelance officer would click through it:
the request form, the ranked candidates and their filters, asking and assigning, the schedule
and the rate chart."""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
from typing import Any

import ipywidgets as w
import plotly.graph_objects as go
import pytest

from fmstoolkit import clock, i18n, planning, pool
from fmstoolkit.ui.planning import PlanningApp, planning_app, rate_chart
from fmstoolkit.ui.schedule import ScheduleView, schedule_view


def next_monday(weeks: int = 2) -> dt.date:
    """A Monday at least ``weeks`` weeks ahead, with no French public holiday that week."""
    day = clock.days_from_today(7 * weeks)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    while len(planning.working_days(day, day + dt.timedelta(days=4), "FR")) < 5:
        day += dt.timedelta(days=7)
    return day


def add_mission(db, fid: int, project_id: int, start, end, rate: int, status: str, skill_id=None):
    return (
        db["missions"]
        .insert(
            {
                "freelancer_id": fid,
                "project_id": project_id,
                "skill_id": skill_id,
                "title": "Site",
                "start_date": str(start),
                "end_date": str(end),
                "days": 5,
                "daily_rate": rate,
                "status": status,
            }
        )
        .last_pk
    )


def build_agency(db) -> dict[str, Any]:
    """Five web developers around a request starting in two weeks (Monday to Friday):
    Alice (5, senior, 600 €, free, rehired twice), Bruno (4, 450 €, free), Chloé (3, busy on a
    mission that week), Denis (level 2: below the request's minimum), Eva (4, 700 €: over the
    650 € budget, unavailable on the Wednesday). Past missions give the rate benchmark."""
    monday = next_monday()
    skill = db.execute("SELECT id FROM skills WHERE name = 'web-development'").fetchone()[0]
    people = {}
    for name, level, seniority, rate in [
        ("Alice Martin", 5, "senior", 600),
        ("Bruno Petit", 4, "confirmed", 450),
        ("Chloé Durand", 3, "junior", 350),
        ("Denis Moreau", 2, "junior", 300),
        ("Eva Lambert", 4, "confirmed", 700),
    ]:
        first = name.split()[0].lower().replace("é", "e")
        people[first] = pool.add_freelancer(
            db,
            name=name,
            seniority=seniority,
            daily_rate=rate,
            skills={"web-development": level},
            email=f"{first}@example.org",
            phone="+33 6 12 34 56 78",
        )
    old = db["projects"].insert({"name": "Ancien site", "client": "ACME"}).last_pk
    past = clock.days_from_today(-200)
    paid = {
        "alice": [550, 600, 650, 620],
        "bruno": [420, 450, 470],
        "chloe": [300, 330, 350],
        "eva": [480, 500, 520, 540],
    }
    for who, rates in paid.items():
        for i, rate in enumerate(rates):
            start = past + dt.timedelta(days=14 * i)
            mid = add_mission(
                db, people[who], old, start, start + dt.timedelta(days=4), rate, "offboarded", skill
            )
            if who == "alice":
                db["notes"].insert(
                    {
                        "mission_id": mid,
                        "author": "Claire",
                        "quality": 5,
                        "communication": 5,
                        "deadlines": 5,
                        "autonomy": 5,
                        "would_rehire": "yes",
                    }
                )
    busy = add_mission(
        db,
        people["chloe"],
        old,
        monday - dt.timedelta(days=3),
        monday + dt.timedelta(days=8),
        340,
        "planned",
        skill,
    )
    planning.add_unavailability(
        db, people["eva"], monday + dt.timedelta(days=2), monday + dt.timedelta(days=2)
    )
    return {"people": people, "monday": monday, "skill_id": skill, "busy_mission": busy}


@pytest.fixture
def agency(db):
    return build_agency(db)


def fill(app: PlanningApp, **values: Any) -> None:
    defaults = {
        "project": "Refonte site",
        "skill": "Web development",
        "days": "5",
        "max_rate": "650",
        "min_level": 3,
    }
    for name, value in (defaults | values).items():
        app.form.controls[name].value = value


def errors(app: PlanningApp) -> dict[str, str]:
    """The errors shown beside the form's fields, as plain text."""
    return {k: html.unescape(v) for k, v in app.form.errors().items()}


def widget_text(widget: Any) -> str:
    """Every text a widget tree shows: values, labels, options, Output contents, figures."""
    parts = []
    for attr in ("value", "description", "placeholder"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            parts.append(value)
    parts += [str(o) for o in getattr(widget, "options", ()) or ()]
    if isinstance(widget, w.Output):
        parts.append(str(widget.outputs))
    if isinstance(widget, go.FigureWidget):
        parts.append(widget.to_json())
    for child in getattr(widget, "children", ()) or ():
        parts.append(widget_text(child))
    return "\n".join(parts)


# --- the request form ----------------------------------------------------------------------------


def test_the_form_validates_as_you_type(db, agency):
    app = PlanningApp(db)
    form = app.form
    assert isinstance(form.controls["skill"], w.Combobox)
    assert "Web development" in form.controls["skill"].options
    form.controls["skill"].value = "web devv"  # typed, not picked: checked in Python
    assert "unknown skill 'web devv'" in errors(app)["skill"]
    assert "did you mean" in errors(app)["skill"]
    form.controls["skill"].value = "dev web"  # an alias of the catalogue
    assert "skill" not in errors(app)
    form.controls["days"].value = "une semaine"
    assert "integer" in errors(app)["days"]
    form.controls["days"].value = "5"
    assert "days" not in errors(app)
    form.controls["max_rate"].value = "-20"
    assert "greater than or equal to 50" in errors(app)["max_rate"]
    form.controls["max_rate"].value = ""
    assert errors(app) == {}


def test_the_end_date_is_computed_in_working_days(db, agency):
    app = PlanningApp(db)
    monday = agency["monday"]
    app.form.controls["start"].value = monday - dt.timedelta(days=1)  # a Sunday
    app.form.controls["days"].value = "5"
    friday = monday + dt.timedelta(days=4)
    assert f"Ends on {i18n.format_date(friday, 'en')}" in app.form.end_label.value
    assert f"from {i18n.format_date(monday, 'en')}" in app.form.end_label.value
    app.form.controls["days"].value = "x"
    assert app.form.end_label.value == ""


def test_a_pristine_form_shows_no_error_until_touched_or_submitted(db, agency):
    """The form as it opens says nothing is wrong (issue 14: "ce champ est obligatoire" showed
    under the skill before anything was typed); typing in one field flags that field only;
    submitting flags every empty required field, beside it."""
    app = PlanningApp(db, lang="fr")
    assert errors(app) == {}
    assert "obligatoire" not in widget_text(app.form.box)
    app.form.controls["project"].value = "Refonte"  # touched: the untouched skill says nothing
    app.form.controls["project"].value = ""
    assert set(errors(app)) == {"project"}
    assert "ce champ est obligatoire" in errors(app)["project"]
    app.form.submit_button.click()
    assert set(errors(app)) == {"project", "skill"}
    assert "ce champ est obligatoire" in errors(app)["skill"]
    assert db["requests"].count == 0


def test_submitting_an_empty_form_shows_every_error_and_saves_nothing(db, agency):
    app = PlanningApp(db)
    app.form.controls["days"].value = ""
    app.form.submit_button.click()
    assert set(errors(app)) == {"project", "skill", "days"}
    assert "required" in errors(app)["project"]
    assert db["requests"].count == 0
    app.form.controls["skill"].value = "astrologie"
    fill(app, skill="astrologie")
    assert app.create_request() is False
    assert "unknown skill" in errors(app)["skill"]
    assert db["requests"].count == 0


def test_a_request_ranks_its_candidates(db, agency):
    app = PlanningApp(db)
    fill(app, start=agency["monday"])
    app.form.submit_button.click()
    assert errors(app) == {}
    assert db["requests"].count == 1
    assert "Request #1 created" in app.request_info.value
    assert "Refonte site" in app.form.controls["project"].options  # a new project, now known
    assert "Refonte site" in app.request_info.value
    names = [row["name"] for row in app.shown()]
    assert "Denis Moreau" not in names  # below the minimum level
    # Eva is partly free: her free days written as days ("14 Dec"), not "12-14"
    tuesday = agency["monday"] + dt.timedelta(days=1)
    assert i18n.format_day(tuesday, "en") in app.table.value
    assert str(tuesday)[5:] not in app.table.value
    assert names[0] == "Alice Martin"  # level 5, free, rehired, within budget
    assert names[-1] == "Chloé Durand"  # busy all week: last
    table = app.table.value
    assert table.index("Alice Martin") < table.index("Bruno Petit")
    # the busy ones are folded under the others, in "Busy (n)", closed
    assert "Chloé Durand" not in table and "Chloé Durand" in app.busy_table.value
    assert app.busy_box.titles == ("Busy (1)",) and app.busy_box.selected_index is None
    alice = app.shown()[0]
    assert alice["explanation"] and alice["explanation"] in html.unescape(table)
    assert "partly free" in table and "busy" in app.busy_table.value
    assert "over budget" in table  # Eva's 700 € against 650 €
    assert [v for _l, v in app.busy_selection.options] == [agency["people"]["chloe"]]
    assert len(app.selection.options) + len(app.busy_selection.options) == len(names)
    # the rate chart of the skill, with the candidates on it
    boxes = [t for t in app.chart.data if t.type == "box"]
    assert [b.name for b in boxes] == ["junior", "confirmed", "senior", "all"]
    assert boxes[-1].median[0] == planning.rate_benchmark(db, "web-development")["median"]
    assert "(14 missions)" in app.chart.layout.title.text
    points = [t for t in app.chart.data if t.type == "scatter"][0]
    assert dict(zip(points.text, points.y, strict=True))["Alice Martin"] == 600


def test_the_filters(db, agency):
    app = PlanningApp(db)
    fill(app, start=agency["monday"])
    app.create_request()
    everyone = {row["name"] for row in app.shown()}
    assert everyone == {"Alice Martin", "Bruno Petit", "Chloé Durand", "Eva Lambert"}
    app.free_only.value = True
    assert {row["name"] for row in app.shown()} == {"Alice Martin", "Bruno Petit"}
    app.free_only.value = False
    app.under_budget.value = True
    assert "Eva Lambert" not in {row["name"] for row in app.shown()}
    app.under_budget.value = False
    app.min_level.value = 5
    assert [row["name"] for row in app.shown()] == ["Alice Martin"]
    assert app.min_level.options == (3, 4, 5)  # the filter only raises the role's minimum
    app.min_level.value = 4
    app.free_only.value = True
    assert [row["name"] for row in app.shown()] == ["Alice Martin", "Bruno Petit"]


def test_asking_availability_records_polls(db, agency):
    app = PlanningApp(db)
    fill(app, start=agency["monday"])
    app.create_request()
    app.ask_button.click()
    assert "Select candidates" in app.ask_message.value
    people = agency["people"]
    app.select(people["alice"], people["bruno"])
    app.ask_button.click()
    assert db["polls"].count == 2
    assert "Alice Martin" in app.ask_message.value and "Bruno Petit" in app.ask_message.value
    if importlib.util.find_spec("fmstoolkit.notify.outbox") is not None:
        assert "queued" in app.ask_message.value
        assert db["outbox"].count == 2
    else:
        assert "not available yet" in app.ask_message.value
    assert planning.get_request(db, 1)["status"] == "polling"
    assert "Asking availability" in app.request_info.value  # the word, not the raw status
    assert app.table.value.count("no answer yet") == 2
    app.select(people["alice"])
    app.ask_button.click()  # asking again does not ask twice
    assert db["polls"].count == 2
    if importlib.util.find_spec("fmstoolkit.notify.outbox") is not None:
        assert db["outbox"].count == 2
    planning.answer_poll(db, db.execute("SELECT id FROM polls").fetchone()[0], "yes")
    app.refresh_candidates()
    assert "yes" in app.table.value and app.table.value.count("no answer yet") == 1


def test_assigning_and_the_double_booking_refusal(db, agency):
    app = PlanningApp(db)
    fill(app, start=agency["monday"])
    app.create_request()
    people = agency["people"]
    app.select(people["alice"], people["bruno"])
    app.assign_button.click()
    assert "exactly one" in app.assign_message.value
    app.select(people["alice"])
    app.assign_button.click()
    assert "Alice Martin assigned: mission #" in app.assign_message.value
    assert "confirmation queued" in app.assign_message.value
    mission = db.execute(
        "SELECT id, start_date, end_date FROM missions WHERE request_id = 1"
    ).fetchone()
    assert mission is not None
    queued = db.execute("SELECT kind, payload FROM outbox").fetchall()
    assert [k for k, _ in queued] == ["mission_confirmation"]
    assert "BEGIN:VCALENDAR" in queued[0][1]  # the .ics goes with the email
    assert planning.get_request(db, 1)["status"] == "staffed"
    assert "staffed" in app.request_info.value
    assert app.request_picker.options == ()  # no open request any more

    # a second request the same week: Alice is now busy, and assigning her is refused
    fill(app, project="Appli mobile", start=agency["monday"] + dt.timedelta(days=2), days="2")
    assert app.create_request()
    alice = next(r for r in app.shown() if r["name"] == "Alice Martin")
    assert alice["availability"] == "busy"
    before = db["missions"].count
    app.select(people["alice"])
    app.assign_button.click()
    message = app.assign_message.value
    assert f"#{mission[0]}" in message and mission[1] in message and mission[2] in message
    assert db["missions"].count == before
    assert planning.get_request(db, 2)["status"] == "open"


def test_a_request_with_two_roles(db, agency):
    pool.add_freelancer(
        db, name="Gaston Roy", skills={"seo": 4, "copywriting": 3}, daily_rate=500,
        email="gaston@example.org",
    )  # fmt: skip
    request = planning.create_request(
        db, project="Lancement", start=agency["monday"], days=3,
        roles=[{"skill": "web-development", "min_level": 4}, {"skill": "seo", "min_level": 2}],
    )  # fmt: skip
    app = PlanningApp(db)
    app.open_request(request["id"])
    assert len(app.role_picker.options) == 2
    assert [r["name"] for r in app.shown()] == ["Alice Martin", "Bruno Petit", "Eva Lambert"]
    app.role_picker.value = app.role_picker.options[1][1]
    assert app.min_level.options == (2, 3, 4, 5)
    assert [r["name"] for r in app.shown()] == ["Gaston Roy"]
    assert "SEO" in app.chart.layout.title.text
    app.select(app.shown()[0]["freelancer_id"])
    app.assign_button.click()
    assert "Gaston Roy assigned" in app.assign_message.value
    assert app.role_picker.value == app.role_picker.options[0][1]  # the role left to fill
    assert "Gaston Roy" in app.role_picker.options[1][0]
    assert planning.get_request(db, request["id"])["status"] != "staffed"


def test_the_entry_point_opens_the_first_open_request(db, agency):
    request = planning.create_request(
        db, project="Refonte site", skill="web-development", min_level=3, start=agency["monday"],
        days=5, max_rate=650,
    )  # fmt: skip
    box = planning_app(db)
    assert box.app.request["id"] == request["id"]
    assert box.app.shown()[0]["name"] == "Alice Martin"
    fig = rate_chart(db, request_id=request["id"])
    assert "Alice Martin" in fig.to_json()


def test_no_contact_data_in_any_widget(db, agency):
    app = PlanningApp(db)
    fill(app, start=agency["monday"])
    app.create_request()
    app.select(agency["people"]["alice"])
    app.ask_button.click()
    app.assign_button.click()
    view = ScheduleView(db, start=agency["monday"] - dt.timedelta(days=7), weeks=3)
    view.show("mission", agency["busy_mission"])
    shown = widget_text(app.box) + widget_text(view.box)
    assert "Alice Martin" in shown and "Chloé Durand" in shown
    assert "@example.org" not in shown and "12 34 56 78" not in shown


# --- the schedule --------------------------------------------------------------------------------


def click(fig: go.FigureWidget, trace_index: int, point_index: int) -> None:
    """Send the figure the message JupyterLab sends when a bar is clicked."""
    fig._js2py_pointsCallback = {
        "event_type": "plotly_click",
        "points": {
            "trace_indexes": [trace_index],
            "point_indexes": [point_index],
            "xs": [0],
            "ys": [0],
        },
        "device_state": None,
        "selector": None,
    }


def test_the_schedule_shows_missions_unavailability_and_requests(db, agency):
    monday = agency["monday"]
    planning.create_request(
        db, project="Refonte site", skill="web-development", start=monday, days=5
    )
    view = ScheduleView(db, start=monday - dt.timedelta(days=7), end=monday + dt.timedelta(days=14))
    kinds = {trace.name: trace for trace in view.figure.data if trace.visible}
    assert set(kinds) == {"Open requests", "Missions planned", "Unavailable"}
    assert view.lanes[0].startswith("Request")  # open requests first
    assert {"Chloé Durand", "Eva Lambert"} <= set(view.lanes)
    assert "Bruno Petit" not in view.lanes  # nothing booked in the window
    assert "1 missions" in view.summary.value or "<b>1</b> missions" in view.summary.value

    missions = kinds["Missions planned"]
    index = list(view.figure.data).index(missions)
    click(view.figure, index, 0)
    detail = view.detail_text()
    assert f"Mission #{agency['busy_mission']}" in detail
    assert "Chloé Durand" in detail and "Ancien site" in detail and "340" in detail
    # dates and status in words, never the stored ISO date or status
    busy_start = monday - dt.timedelta(days=3)
    assert i18n.format_date(busy_start, "en") in detail and str(busy_start) not in detail
    assert "planned" not in detail.replace("Missions planned", "")
    requests = list(view.figure.data).index(kinds["Open requests"])
    click(view.figure, requests, 0)
    assert "Request #1" in view.detail_text() and "to fill" in view.detail_text()
    assert "open" not in view.detail_text().replace("Open", "")


def test_the_schedule_keeps_the_busiest_rows_and_checks_the_window(db, agency):
    monday = agency["monday"]
    view = ScheduleView(db, start=monday - dt.timedelta(days=7), weeks=3, top=1)
    assert view.lanes == ["Chloé Durand"]  # 12 days booked against Eva's one
    assert "1 more freelancers not shown" in view.summary.value
    view.top_input.value = 5
    view.show_button.click()
    assert set(view.lanes) == {"Chloé Durand", "Eva Lambert"}
    view.end_picker.value = monday - dt.timedelta(days=30)
    view.show_button.click()
    assert "before its start" in view.message.value
    box = schedule_view(db, start=monday, weeks=1)
    assert isinstance(box.view.figure, go.FigureWidget)


def test_the_app_speaks_french(db, agency, monkeypatch):
    from fmstoolkit import config

    monkeypatch.setenv("FMS_LANG", "fr")
    config.reload_settings()
    app = PlanningApp(db)
    assert app.ask_button.description == "Demander la dispo"
    assert "Développement web" in app.form.controls["skill"].options
    fill(app, skill="astrologie", start=agency["monday"])
    app.form.submit_button.click()
    assert "compétence inconnue" in errors(app)["skill"]
    fill(app, skill="Développement web", start=agency["monday"])
    assert app.create_request()
    assert "libre" in app.table.value and "Demande n° 1 créée" in app.request_info.value
