"""The notes site as a project lead reads it (issue 15): questions in plain words, search
results that lead with the notes, a freelancer's page, the home page, in one language."""

from __future__ import annotations

import json
import re

import pytest
from publish_fixtures import make_agency

from fmstoolkit import publish, serve
from fmstoolkit.config import reload_settings


@pytest.fixture
def agency(db):
    ids = make_agency(db)
    publish.publish(db)
    return ids


def make_ds(tmp_path):
    return serve.make_datasette(tmp_path / "notes.db")


@pytest.fixture
def ds(agency, tmp_path):
    instance = make_ds(tmp_path)
    yield instance
    for database in instance.databases.values():
        database.close()


@pytest.fixture
def ds_fr(agency, tmp_path, monkeypatch):
    monkeypatch.setenv("FMS_LANG", "fr")
    reload_settings()
    instance = make_ds(tmp_path)
    yield instance
    for database in instance.databases.values():
        database.close()
    monkeypatch.setenv("FMS_LANG", "en")
    reload_settings()


async def rows(ds, path: str) -> list[dict]:
    response = await ds.client.get(path + "&_shape=array")
    assert response.status_code == 200, response.text[:300]
    return response.json()


@pytest.mark.parametrize(
    "skill",
    ["frontend", "Front-end", "FRONT END", "Développement Front-End", "developpement front end",
     "intégrateur"],
)  # fmt: skip
async def test_a_skill_by_any_label_or_alias_accents_and_case_ignored(ds, skill):
    found = await rows(ds, f"/notes/who_for_skill.json?skill={skill}")
    assert [r["freelancer"] for r in found] == ["Alice Martin", "Chloé Dubois", "Bruno Lefèvre"]


@pytest.mark.parametrize("seniority", ["confirmé", "Confirmée", "confirmed", "CONFIRME"])
async def test_a_seniority_in_french_or_english(ds, seniority):
    found = await rows(ds, f"/notes/fair_rate.json?skill=front&seniority={seniority}")
    assert [(r["seniority"], r["median_rate"]) for r in found] == [("confirmed", 475)]


async def test_an_unknown_skill_gets_the_closest_one_suggested(ds):
    html = (await ds.client.get("/notes/who_for_skill?skill=frontendd")).text
    assert "No skill is called “frontendd”. Did you mean" in html
    assert 'href="/notes/who_for_skill?skill=Front-end%20development"' in html
    assert (await rows(ds, "/notes/who_for_skill.json?skill=frontendd")) == []
    html = (await ds.client.get("/notes/fair_rate?skill=front&seniority=medium")).text
    assert "“medium” is no seniority" in html


async def test_answers_show_words_and_amounts_not_raw_values(ds):
    html = (await ds.client.get("/notes/who_for_skill?skill=frontend")).text
    assert "<th>Average rating (1-5)</th>" in html and "<th>Would rehire</th>" in html
    assert '<a href="/notes/freelancers/1">Alice Martin</a>' in html
    assert "100%" in html and "€600" in html  # share and money, not 1.0 and 600
    assert ">senior<" in html and "average_rating" not in html
    assert "<textarea" not in html  # the SQL stays hidden


async def test_search_results_lead_with_the_note_best_match_first_with_facets(ds):
    found = await rows(ds, "/notes/notes_mentioning.json?q=reactive")
    # "réactive" is in one note only; the prefix-free match ranks by bm25
    assert [r["freelancer"] for r in found] == ["Chloé Dubois"]
    html = (await ds.client.get("/notes/notes_mentioning?q=react")).text
    assert "à rappeler pour du <mark>React</mark>." in html
    html = (await ds.client.get("/notes/notes_mentioning?q=bonne")).text
    results, facets = html.index('class="fms-results"'), html.index('class="fms-facets"')
    assert "2 notes found" in html
    assert re.search(r'href="\?q=bonne&amp;verdict=maybe">maybe</a> 1', html)
    assert facets < results  # the facets column comes first in the page, drawn at the side
    narrowed = await rows(ds, "/notes/notes_mentioning.json?q=bonne&verdict=maybe")
    assert [r["freelancer"] for r in narrowed] == ["Chloé Dubois"]
    by_year = await rows(ds, "/notes/notes_mentioning.json?q=bonne&year=2024")
    assert [r["freelancer"] for r in by_year] == ["Alice Martin"]


async def test_search_ranks_the_best_match_first(ds):
    found = await rows(ds, "/notes/notes_mentioning.json?q=bonne")
    assert len(found) == 2
    assert all("\ue000" in r["excerpt"] for r in found)


async def test_a_freelancers_page_tells_how_it_went(ds, agency):
    html = (await ds.client.get(f"/notes/freelancers/{agency['alice']}")).text
    assert "Développeuse React" in html and "Lyon" in html
    assert "Front-end development" in html and "●●●●●" in html  # skills with levels
    assert "4.8" in html and "100%" in html  # average rating, would-rehire share
    assert "Claire Durand, 1 June 2025" in html  # notes with author and date
    assert "<strong>réactivité</strong>" in html
    assert "Alice a livré une refonte soignée." in html  # recommendation
    assert "onboarding 3/5" in html and "Documentation incomplète" in html  # feedback
    assert f'/-/calendars/freelancers/{agency["alice"]}.ics' in html
    figure = json.loads(
        re.search(r'id="fms-rate-chart" data-figure="([^"]+)"', html).group(1)
        .replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")
    )
    rates = figure["data"][-1]
    assert rates["x"] == ["2024-03-04", "2025-05-05"] and rates["y"] == [550, 600]
    assert any("Agency median" in (trace.get("name") or "") for trace in figure["data"])
    assert "[[" not in html  # the rate history is a chart, not JSON
    assert '/-/fms/plotly.min.js' in html


async def test_plotly_is_served_from_the_package(ds):
    response = await ds.client.get("/-/fms/plotly.min.js")
    assert response.status_code == 200 and b"plotly" in response.content[:2000].lower()
    assert (await ds.client.get("/-/fms/nothing.js")).status_code == 404


async def test_the_home_page_is_for_people(ds):
    html = (await ds.client.get("/")).text
    assert "Whom the agency worked with, how it went and at what daily rate." in html
    assert 'action="/notes/notes_mentioning"' in html and 'name="q"' in html
    link = 'href="/notes/who_for_skill?skill=Front-end%20development"'
    assert link in html and "Whom did we work with for Front-end development" in html
    assert "<textarea" not in html


async def test_the_site_reads_in_french_only_when_fms_lang_is_fr(ds_fr, agency):
    home = (await ds_fr.client.get("/")).text
    assert "Avec qui avons-nous travaillé en Développement front-end" in home
    assert "Whom did we" not in home
    page = (await ds_fr.client.get(f"/notes/freelancers/{agency['bruno']}")).text
    assert "à ne pas reprendre" in page and "confirmé" in page
    assert "would rehire" not in page and ">no<" not in page
    answer = (await ds_fr.client.get("/notes/fair_rate?skill=front&seniority=confirmé")).text
    assert "Quel TJM pour une compétence et une séniorité ?" in answer
    assert "475\u00a0€" in answer
    table = (await ds_fr.client.get("/notes/missions")).text
    assert "TJM convenu, en euros par jour" in table and "Agreed daily rate" not in table
    assert ">terminée<" in table  # stored status words shown in French
