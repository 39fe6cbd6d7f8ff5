"""The talent pool app driven from Python as a manager would: search, read a profile, press the
buttons, read the three tabs. Everything on screen is in French, with no raw value."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from planning_fixtures import freelancer, past_mission

from fmstoolkit import clock, pool
from fmstoolkit.ui.pool import app
from fmstoolkit.ui.pool_views import profile_html

RAW = re.compile(r"\b(active|alumni_checkin|confirmed|offboarded|planned|web-development|"
                 r"yes|level|day|None|True|False)\b")  # fmt: skip


def text_of(widget_html: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", widget_html))
    return text.replace("\xa0", " ").replace("\u202f", " ")


def iso(days: int) -> str:
    return (clock.today() + dt.timedelta(days=days)).isoformat()


@pytest.fixture
def agency(db):
    """Hélène (web, Lyon, a past mission rated 4 with a note, in a list, email on file), Marc
    (React, Paris, busy on a mission all next month), Zoé (alumna, last mission 400 days ago),
    Yann (alumnus, a mission 30 days ago)."""
    helene = freelancer(db, "Hélène Roux", city="Lyon", rate=520, headline="Développeuse web",
                        email="helene@example.org", seniority="senior")  # fmt: skip
    past_mission(db, helene, iso(-120), iso(-110), rate=500, note=(4, "yes"))
    for rate in (450, 500, 550, 600):
        other = freelancer(db, f"Benchmark {rate}", rate=rate, seniority="senior", status="alumni")
        past_mission(db, other, iso(-300), iso(-290), rate=rate)
    db.execute("UPDATE notes SET text = 'Très autonome sur le front.' WHERE mission_id IN "
               "(SELECT id FROM missions WHERE freelancer_id = ?)", [helene])  # fmt: skip
    db.conn.commit()
    pool.add_to_list(db, "Relancer en priorité", helene)
    marc = freelancer(db, "Marc Petit", city="Paris", skill="react", rate=600)
    first, last = pool.next_month()
    past_mission(db, marc, first.isoformat(), last.isoformat(), skill="react", status="planned")
    zoe = freelancer(db, "Zoé Blanc", status="alumni", city="Nantes")
    past_mission(db, zoe, iso(-410), iso(-400))
    yann = freelancer(db, "Yann Morel", status="alumni")
    past_mission(db, yann, iso(-40), iso(-30))
    return {"helene": helene, "marc": marc, "zoe": zoe, "yann": yann}


def test_search_by_name_skill_label_and_city(db, agency):
    ui = app(db, lang="fr")
    ui.name.value = "helene"  # no accent, lower case
    assert [r["id"] for r in ui.search()] == [agency["helene"]]
    ui.name.value, ui.skill.value = "", "React"
    assert [r["id"] for r in ui.search()] == [agency["marc"]]
    ui.skill.value, ui.city.value = "Développement web", "lyon"
    assert [r["id"] for r in ui.search()] == [agency["helene"]]
    assert "1 freelance trouvé." in text_of(ui.search_message.value)
    ui.skill.value = "reactt"
    assert ui.search() == []
    assert "vouliez-vous dire « React »" in text_of(ui.search_message.value)


def test_a_profile_in_words(db, agency):
    page = text_of(profile_html(db, agency["helene"], "fr"))
    assert "Hélène Roux" in page and "Senior" in page and "520 €/j" in page
    assert "Développement web · niveau 4/5" in page
    assert "Clôturée" in page and "noté 4/5, à reprendre : Oui" in page
    assert "Très autonome sur le front." in page
    assert "TJM comparé aux tarifs de l'agence" in page and "médiane" in page
    assert "disponibilité jamais confirmée" in page
    assert "Relancer en priorité" in page
    assert "helene@example.org" not in page  # contact data stays in its table
    assert RAW.findall(page) == []


def test_the_buttons_act_and_say_so_beside_them(db, agency):
    ui = app(db, lang="fr")
    ui.name.value = "Hélène"
    ui.search()
    ui.list_name.value = "Front React"
    assert ui.add_to_list()
    assert "ajouté·e à la liste « Front React »" in text_of(ui.action_message.value)
    assert [m["id"] for m in pool.list_members(db, "Front React")] == [agency["helene"]]
    assert ui.queue_checkin() and ui.queue_checkin()  # twice the same day: one message
    rows = db.execute("SELECT kind, status FROM outbox WHERE freelancer_id = ?",
                      [agency["helene"]]).fetchall()  # fmt: skip
    assert rows == [("alumni_checkin", "pending")]
    assert ui.opt_out()
    assert "1 en attente annulés" in text_of(ui.action_message.value)
    assert db.execute("SELECT status FROM outbox").fetchall() == [("cancelled",)]
    assert "Ne souhaite plus être contacté·e depuis le" in text_of(ui.profile.value)
    assert not ui.queue_checkin()
    assert "ne souhaite plus être contacté·e" in text_of(ui.action_message.value)
    assert db["outbox"].count == 1


def test_a_button_without_a_choice_says_what_to_do(db, agency):
    ui = app(db, lang="fr")
    ui.results.value = None
    assert not ui.opt_out()
    assert "Choisissez d'abord un freelance." in text_of(ui.action_message.value)
    ui.results.value = agency["helene"]
    ui.list_name.value = " "
    assert not ui.add_to_list()
    assert "Saisissez le nom d'une liste" in text_of(ui.action_message.value)


def test_the_tabs_coverage_free_next_month_quiet_alumni(db, agency):
    ui = app(db, lang="fr")
    coverage, free, quiet = (text_of(c.value) for c in ui.tabs.children)
    assert ui.tabs.titles == ("Couverture des compétences", "Libres le mois prochain",
                              "Alumni sans nouvelles")  # fmt: skip
    assert "Développement web" in coverage and "Libres aujourd'hui" in coverage
    assert "Hélène Roux" in free and "Marc Petit" not in free
    assert "tout le mois de" in free and "disponibilité jamais confirmée" in free
    assert "Zoé Blanc" in quiet and "Yann Morel" not in quiet
    assert "Benchmark 450" in quiet  # an alumnus whose last mission was 290 days ago
    for page in (coverage, free, quiet):
        assert RAW.findall(page) == []
