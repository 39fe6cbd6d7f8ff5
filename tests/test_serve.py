"""Datasette on the notes database: canned queries, search, profile pages, Markdown, calendar
feeds, read-only, password login, following a republish, and the real `fms serve` over HTTP."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from datasette.app import Datasette
from datasette_auth_passwords.utils import hash_password
from icalendar import Calendar
from publish_fixtures import make_agency, secret_values

from fmstoolkit import clock, publish, serve


@pytest.fixture
def agency(db):
    ids = make_agency(db)
    publish.publish(db)
    return ids


@pytest.fixture
def ds(agency, tmp_path):
    instance = serve.make_datasette(tmp_path / "notes.db")
    yield instance
    for database in instance.databases.values():
        database.close()


async def get_json(ds, path: str):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


# --- canned queries -------------------------------------------------------------------------


async def test_who_did_we_work_with_for_a_skill_best_first(ds):
    rows = await get_json(ds, "/notes/who_for_skill.json?skill=frontend&_shape=array")
    assert [r["freelancer"] for r in rows] == ["Alice Martin", "Chloé Dubois", "Bruno Lefèvre"]
    assert rows[0]["average_rating"] == 4.75
    by_label = await get_json(ds, "/notes/who_for_skill.json?skill=Front-end&_shape=array")
    assert by_label == rows
    assert await get_json(ds, "/notes/who_for_skill.json?skill=seo&_shape=array") == []


@pytest.mark.parametrize("q", ["reactivite", "réactivité", "REACTIVITE"])
async def test_notes_mentioning_finds_words_with_or_without_accents(ds, q):
    rows = await get_json(ds, f"/notes/notes_mentioning.json?q={q}&_shape=array")
    assert [r["freelancer"] for r in rows] == ["Alice Martin"]
    assert "réactivité" in rows[0]["text"]


async def test_notes_mentioning_survives_fts_syntax_characters(ds):
    rows = await get_json(ds, '/notes/notes_mentioning.json?q=code"+(propre&_shape=array')
    assert isinstance(rows, list)


async def test_fair_daily_rate_for_a_skill_and_seniority(ds):
    rows = await get_json(
        ds, "/notes/fair_rate.json?skill=frontend&seniority=confirmed&_shape=array"
    )
    assert len(rows) == 1
    # rates paid: 450 and 500 (the 520 mission of December has not started), inclusive quartiles
    columns = ("missions", "min_rate", "q1_rate", "median_rate", "q3_rate", "max_rate")
    assert tuple(rows[0][c] for c in columns) == (2, 450, 462.5, 475, 487.5, 500)
    both = await get_json(ds, "/notes/fair_rate.json?skill=frontend&seniority=&_shape=array")
    assert {r["seniority"] for r in both} == {"confirmed", "senior"}


async def test_missions_of_a_freelancer_by_name_or_id(ds, agency):
    rows = await get_json(ds, "/notes/missions_of.json?freelancer=alice&_shape=array")
    assert [r["start_date"] for r in rows] == ["2025-05-05", "2024-03-04"]
    by_id = await get_json(ds, f"/notes/missions_of.json?freelancer={agency['alice']}&_shape=array")
    assert by_id == rows


async def test_canned_query_pages_render_with_their_titles_and_hide_their_sql(ds):
    html = (await ds.client.get("/notes/fair_rate?skill=frontend&seniority=senior")).text
    assert "Which daily rate for a skill and a seniority?" in html and "€600" in html
    assert "rate_benchmarks" not in html and "<textarea" not in html  # no SQL on the page


# --- tables, search, profiles ----------------------------------------------------------------


async def test_datasette_offers_search_on_notes_recommendations_and_feedback(ds):
    data = await get_json(ds, "/notes/notes.json?_search=reactivite&_shape=objects")
    assert [r["id"] for r in data["rows"]] == [1]
    reco = await get_json(ds, "/notes/recommendations.json?_search=soignee&_shape=objects")
    assert len(reco["rows"]) == 1
    feedback = await get_json(ds, "/notes/feedback.json?_search=incomplete&_shape=objects")
    assert len(feedback["rows"]) == 1
    html = (await ds.client.get("/notes/notes")).text
    assert 'name="_search"' in html


async def test_notes_are_rendered_as_markdown(ds):
    html = (await ds.client.get("/notes/notes/1")).text
    assert "<strong>réactivité</strong>" in html
    html = (await ds.client.get(f"/notes/freelancers/{1}")).text
    assert "<strong>réactivité</strong>" in html and "<em>difficiles</em>" not in html
    # search results: the excerpt without Markdown signs, the match highlighted
    html = (await ds.client.get("/notes/notes_mentioning?q=reactivite")).text
    assert "Très bonne <mark>réactivité</mark>, code propre." in html


async def test_profile_page_links_to_notes_missions_and_calendar(ds, agency):
    fid = agency["alice"]
    html = (await ds.client.get(f"/notes/freelancers/{fid}")).text
    assert "<title>Alice Martin</title>" in html  # no longer "freelancers: 1"
    assert f'href="/notes/notes?freelancer_id={fid}' in html
    assert f'href="/notes/missions?freelancer_id={fid}' in html
    assert f'href="/-/calendars/freelancers/{fid}.ics"' in html


async def test_foreign_keys_show_names_and_rates_show_units(ds):
    html = (await ds.client.get("/notes/missions")).text
    assert ">Alice Martin</a>" in html and ">Refonte site</a>" in html
    assert "EUR/d" in html


async def test_metadata_facets_and_french_english_descriptions(ds):
    data = await get_json(ds, "/notes/missions.json?_shape=objects")
    assert {"skill_id", "year", "city", "status"} <= set(data["facet_results"])
    data = await get_json(ds, "/notes/notes.json?_shape=objects")
    assert {"skill_id", "would_rehire", "year"} <= set(data["facet_results"])
    html = (await ds.client.get("/notes/missions")).text
    assert "Agreed daily rate, EUR per day" in html and "TJM convenu" not in html


# --- calendars --------------------------------------------------------------------------------


def events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


async def test_calendar_feeds_of_a_freelancer_a_project_and_the_agency(ds, db, agency):
    response = await ds.client.get(f"/-/calendars/freelancers/{agency['alice']}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    found = events(response.content)
    assert len(found) == 2
    first = sorted(found, key=lambda e: e.decoded("dtstart"))[0]
    assert first.decoded("dtstart") == dt.date(2024, 3, 4)  # all-day events
    assert first.decoded("dtend") == dt.date(2024, 3, 16)  # exclusive end
    assert "Refonte site" in str(first["summary"])
    assert str(first["uid"]) == f"mission-{agency['missions'][0]}@fmstoolkit"

    project = await ds.client.get(f"/-/calendars/projects/{agency['appli']}.ics")
    assert len(events(project.content)) == 3
    agency_feed = await ds.client.get("/-/calendars/agency.ics?since=2000-01-01&until=2100-01-01")
    assert len(events(agency_feed.content)) == 6
    year = await ds.client.get("/-/calendars/agency.ics?since=2025-01-01&until=2025-12-31")
    assert len(events(year.content)) == 4
    recent = await ds.client.get("/-/calendars/agency.ics")  # 30 days back, 180 ahead
    today = clock.today()
    expected = {
        f"mission-{mid}@fmstoolkit"
        for mid, start, end in db.execute("SELECT id, start_date, end_date FROM missions")
        if dt.date.fromisoformat(end) >= today - dt.timedelta(30)
        and dt.date.fromisoformat(start) <= today + dt.timedelta(180)
    }
    assert {str(e["uid"]) for e in events(recent.content)} == expected
    assert (await ds.client.get("/-/calendars/freelancers/999.ics")).status_code == 404
    assert (await ds.client.get("/-/calendars/agency.ics?since=soon")).status_code == 400


# --- read-only, downloads, privacy ---------------------------------------------------------------


async def test_read_only_only_the_notes_database_is_served_and_downloadable(ds, tmp_path):
    assert [d for d in ds.databases if d != "_internal"] == ["notes"]
    refused = await ds.client.get("/notes.json?sql=delete+from+notes")
    assert refused.status_code == 400
    assert (await ds.client.get("/fms")).status_code == 404
    download = await ds.client.get("/notes.db")
    assert download.status_code == 200 and download.content.startswith(b"SQLite format 3")
    for value in secret_values():
        assert value.encode() not in download.content
    assert (await ds.client.get("/notes/contacts")).status_code == 404
    assert ds.databases["notes"].is_mutable is False


async def test_a_running_datasette_follows_a_republish(ds, db, agency):
    assert (await get_json(ds, "/notes/notes.json?_shape=objects"))[
        "filtered_table_rows_count"
    ] == 5
    db.execute("DELETE FROM notes WHERE id = 3")
    db.conn.commit()
    publish.publish(db)
    data = await get_json(ds, "/notes/notes.json?_shape=objects")
    assert data["filtered_table_rows_count"] == 4
    rows = await get_json(ds, "/notes/who_for_skill.json?skill=frontend&_shape=array")
    assert "Bruno Lefèvre" not in [r["freelancer"] for r in rows]


# --- password login ---------------------------------------------------------------------------


async def login(ds, password: str):
    page = await ds.client.get("/-/login")
    token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
    return await ds.client.post(
        "/-/login",
        data={"username": "manager", "password": password, "csrftoken": token},
        cookies={"ds_csrftoken": page.cookies["ds_csrftoken"]},
    )


async def test_password_login_refuses_a_wrong_password_and_accepts_the_right_one(agency, tmp_path):
    ds = serve.make_datasette(tmp_path / "notes.db", password_hash=hash_password("s3cret"))
    assert (await ds.client.get("/notes/notes")).status_code == 403
    assert (await ds.client.get("/-/calendars/agency.ics")).status_code == 403
    wrong = await login(ds, "guess")
    assert "Invalid username or password" in wrong.text and "ds_actor" not in wrong.cookies
    right = await login(ds, "s3cret")
    assert right.status_code == 302 and "ds_actor" in right.cookies
    page = await ds.client.get("/notes/notes", cookies={"ds_actor": right.cookies["ds_actor"]})
    assert page.status_code == 200
    # calendar apps: HTTP Basic authentication with the same password
    feed = await ds.client.get("/-/calendars/agency.ics", auth=("manager", "s3cret"))
    assert feed.status_code == 200
    refused = await ds.client.get("/-/calendars/agency.ics", auth=("manager", "guess"))
    assert refused.status_code == 403


# --- the real `fms serve` ----------------------------------------------------------------------


def start_fms_serve(port: int, env: dict[str, str]) -> subprocess.Popen:
    fms = Path(sys.executable).with_name("fms")
    return subprocess.Popen(
        [str(fms), "serve", "--port", str(port), "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(url: str, proc: subprocess.Popen, timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(proc.stdout.read().decode())
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture
def fms_serve(agency, free_port):
    procs: list[subprocess.Popen] = []

    def start(**extra: str) -> str:
        proc = start_fms_serve(free_port, os.environ | extra)
        procs.append(proc)
        base = f"http://127.0.0.1:{free_port}"
        wait_for(base + "/-/versions.json", proc)
        return base

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(10)


def test_fms_serve_answers_over_http(fms_serve):
    base = fms_serve()
    rows = httpx.get(f"{base}/notes/notes_mentioning.json?q=reactivite&_shape=array").json()
    assert [r["freelancer"] for r in rows] == ["Alice Martin"]
    assert httpx.get(f"{base}/notes/freelancers").status_code == 200
    assert httpx.get(f"{base}/-/calendars/agency.ics?since=2000-01-01").status_code == 200


def test_fms_serve_with_a_password_hash_refuses_a_wrong_password(fms_serve):
    base = fms_serve(FMS_DATASETTE_PASSWORD_HASH=hash_password("s3cret"))
    with httpx.Client(base_url=base) as client:
        assert client.get("/notes/notes").status_code == 403
        page = client.get("/-/login")
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
        wrong = client.post("/-/login", data={"username": "manager", "password": "nope",
                                              "csrftoken": token})  # fmt: skip
        assert "Invalid username or password" in wrong.text
        assert client.get("/notes/notes").status_code == 403
        right = client.post("/-/login", data={"username": "manager", "password": "s3cret",
                                              "csrftoken": token})  # fmt: skip
        assert right.status_code == 302
        assert client.get("/notes/notes").status_code == 200


def test_datasette_built_from_files_and_metadata_runs_the_canned_queries(agency, tmp_path):
    """The plain `Datasette(files=[...], metadata=...)` set-up a `datasette publish` deployment
    uses: same metadata, same plugins."""
    serve.register_plugins()
    ds = Datasette(files=[str(tmp_path / "notes.db")], metadata=publish.metadata())
    import asyncio

    async def check():
        for path in (
            "/notes/who_for_skill.json?skill=frontend",
            "/notes/notes_mentioning.json?q=reactivite",
            "/notes/fair_rate.json?skill=frontend&seniority=senior",
            "/notes/missions_of.json?freelancer=Alice",
        ):
            response = await ds.client.get(path + "&_shape=array")
            assert response.status_code == 200 and response.json(), path

    asyncio.run(check())


def test_fms_serve_publishes_the_notes_first_when_the_file_is_missing(db, tmp_path, free_port):
    make_agency(db)
    db.conn.commit()
    assert not (tmp_path / "notes.db").exists()
    proc = start_fms_serve(free_port, dict(os.environ))
    try:
        base = f"http://127.0.0.1:{free_port}"
        wait_for(base + "/-/versions.json", proc)
        rows = httpx.get(f"{base}/notes/missions_of.json?freelancer=Alice&_shape=array").json()
        assert len(rows) == 2
        assert (tmp_path / "notes.db").exists()
    finally:
        proc.terminate()
        proc.wait(10)
