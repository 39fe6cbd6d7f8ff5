"""The notes site in Chromium (Playwright on Debian's ``chromium``, never ``playwright
install``): a project lead who never saw Datasette finds "whom did we work with for React (here
front-end), and how did it go" in two clicks from the home page; the search and a canned query
work from their forms; the charts are drawn offline (plotly.js served by the site)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import chromium
from playwright.sync_api import sync_playwright
from publish_fixtures import make_agency
from test_serve import start_fms_serve, wait_for

from fmstoolkit import publish

pytestmark = pytest.mark.real_clock
#: Set to a folder to keep the screenshots (the README's come from scripts/notes_screenshots.py).
SHOTS = os.environ.get("FMS_SCREENSHOTS_DIR")


def serve_site(db, port: int):
    """The published demo agency served by `fms serve` in the environment's language."""
    make_agency(db)
    publish.publish(db)
    db.conn.commit()
    proc = start_fms_serve(port, dict(os.environ))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/-/versions.json", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def site(db, free_port):
    yield from serve_site(db, free_port)


@pytest.fixture(params=["fr", "en"])
def site_in(request, db, free_port, monkeypatch):
    """The site in French, then in English (FMS_LANG); yields (language, base URL)."""
    monkeypatch.setenv("FMS_LANG", request.param)
    for base in serve_site(db, free_port):
        yield request.param, base


@pytest.fixture
def page(tmp_path):
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium(), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        yield tab
        browser.close()


def shot(page, name: str, tmp_path: Path) -> None:
    folder = Path(SHOTS) if SHOTS else tmp_path
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_whom_did_we_work_with_and_how_did_it_go_in_two_clicks(page, site, tmp_path):
    page.goto(site + "/")
    page.get_by_role("link", name="Whom did we work with for Front-end development").click()
    page.wait_for_selector("table.fms-answer")
    table = page.locator("table.fms-answer")
    assert table.locator("tbody tr").count() == 3
    first = table.locator("tbody tr").first
    assert "Alice Martin" in first.inner_text() and "100%" in first.inner_text()
    page.get_by_role("link", name="Alice Martin").click()  # the second click
    page.wait_for_selector("section.fms-notes")
    assert page.title() == "Alice Martin", page.content()[:3000]
    notes = page.locator("section.fms-notes article")
    assert notes.count() == 2
    assert "Très bonne réactivité, code propre." in notes.last.inner_text()
    assert "Claire Durand" in notes.first.inner_text()
    page.wait_for_selector("#fms-rate-chart .main-svg")  # plotly drew the chart, offline
    page.wait_for_selector("#fms-ratings-chart .main-svg")
    shot(page, "profile", tmp_path)


def test_search_leads_with_the_highlighted_notes(page, site, tmp_path):
    page.goto(site + "/")
    page.fill("#fms-q", "reactivite")
    page.press("#fms-q", "Enter")
    page.wait_for_selector("ol.fms-results")
    first = page.locator("ol.fms-results li").first
    assert first.locator("mark").inner_text() == "réactivité"
    assert "Alice Martin" in first.inner_text()
    assert "1 note found" in page.locator("aside.fms-facets").inner_text()
    box_results = page.locator("ol.fms-results").bounding_box()
    box_facets = page.locator("aside.fms-facets").bounding_box()
    assert box_facets["x"] > box_results["x"] + box_results["width"] - 1  # at the side
    shot(page, "search", tmp_path)


def test_a_canned_query_in_plain_words_with_its_chart(page, site, tmp_path):
    page.goto(site + "/notes/fair_rate")
    page.fill("#fms-skill", "développement FRONT-END")
    page.fill("#fms-seniority", "confirmé")
    page.get_by_role("button", name="Answer").click()
    page.wait_for_selector("table.fms-answer")
    row = page.locator("table.fms-answer tbody tr")
    assert row.count() == 1 and "€475" in row.inner_text()
    page.wait_for_selector(".fms-chart .main-svg")
    assert page.locator("textarea").count() == 0  # no SQL
    page.fill("#fms-skill", "frontendd")
    page.get_by_role("button", name="Answer").click()
    page.wait_for_selector(".fms-suggestion")
    page.get_by_role("link", name="Front-end development").click()  # the suggestion
    page.wait_for_url("**skill=Front-end%20development**")
    page.wait_for_selector("table.fms-answer")
    # the seniority typed is kept: the confirmed line again
    assert "€475" in page.locator("table.fms-answer tbody tr").inner_text()
    shot(page, "question", tmp_path)


#: The months as the date axes write them, per language (CLDR's abbreviations).
MONTHS = {
    "fr": {"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."},
    "en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Sep", "Oct", "Nov",
           "Dec"},
}  # fmt: skip


def test_the_profile_charts_name_the_months_in_the_readers_language(page, site_in):
    """plotly.js writes "Jan 2025" unless a locale is registered: the site registers the one of
    FMS_LANG, made from Babel's data, so a French reader reads "janv. 2025"."""
    lang, base = site_in
    page.goto(base + "/notes/freelancers/1")  # Alice Martin, missions from 2024 to 2025
    assert page.title() == "Alice Martin"
    page.wait_for_selector("#fms-rate-chart .xtick text")
    ticks = page.locator("#fms-rate-chart .xtick text").all_text_contents()
    words = {w for t in ticks for w in t.replace("\xa0", " ").split()}
    other = "en" if lang == "fr" else "fr"
    assert words & MONTHS[lang], ticks
    assert not words & (MONTHS[other] - MONTHS[lang]), ticks
