"""The talent pool as a manager sees it: skills found whatever the spelling, clear refusals."""

import pytest
from click.testing import CliRunner

from fmstoolkit import pool
from fmstoolkit.cli import cli
from fmstoolkit.errors import Conflict, InvalidInput


def test_skills_are_found_by_any_label_alias_case_or_accent(db):
    for spelling in ["Développeuse web", "DEV WEB", "web-development", "developpeur web"]:
        assert pool.resolve_skill(db, spelling)["name"] == "web-development"
    assert pool.resolve_skill(db, "React.js")["name"] == "react"


def test_unknown_skill_suggests_the_closest_one(db):
    with pytest.raises(InvalidInput) as err:
        pool.resolve_skill(db, "Reactt")
    assert "did you mean 'React'" in err.value.message("en")
    assert "vouliez-vous dire « React »" in err.value.message("fr")


def test_add_freelancer_keeps_contacts_apart_and_lists_every_problem(db):
    fid = pool.add_freelancer(
        db,
        name="Élodie Martin",
        email="elodie@example.org",
        skills="dev web:4;ux:3",
        daily_rate=480,
        city="Lyon",
    )
    profile = pool.get_freelancer(db, fid)
    assert "email" not in profile
    assert [s["name"] for s in profile["skills"]] == ["web-development", "ux-design"]
    assert pool.get_contact(db, fid)["email"] == "elodie@example.org"

    with pytest.raises(InvalidInput) as err:
        pool.add_freelancer(db, name="", email="not-an-email", daily_rate=-5, skills="seo:9")
    fields = {p.field for p in err.value.problems}
    assert {"name", "email", "daily_rate", "skills"} <= fields
    assert db.execute("SELECT count(*) FROM freelancers").fetchone()[0] == 1


def test_email_belongs_to_one_freelancer(db):
    pool.add_freelancer(db, name="A", email="a@example.org")
    with pytest.raises(Conflict, match="already has this email"):
        pool.add_freelancer(db, name="B", email="A@Example.org")


def test_list_by_skill_and_availability(db):
    a = pool.add_freelancer(db, name="Ana", skills="react:5")
    b = pool.add_freelancer(db, name="Bruno", skills="react:3")
    pool.add_freelancer(db, name="Chloé", skills="seo:4")
    db["unavailability"].insert(
        {"freelancer_id": a, "start_date": "2026-12-07", "end_date": "2026-12-11"}
    )
    assert [r["id"] for r in pool.list_freelancers(db, skill="React")] == [a, b]
    import datetime as dt

    free = pool.list_freelancers(
        db, skill="react", busy_between=(dt.date(2026, 12, 11), dt.date(2026, 12, 15))
    )
    assert [r["id"] for r in free] == [b]
    # touching periods do not overlap
    free = pool.list_freelancers(
        db, skill="react", busy_between=(dt.date(2026, 12, 12), dt.date(2026, 12, 18))
    )
    assert {r["id"] for r in free} == {a, b}


def test_named_lists(db):
    fid = pool.add_freelancer(db, name="Ana", skills="react:5")
    pool.add_to_list(db, "Rehire first for React", fid)
    pool.add_to_list(db, "rehire first for react", fid)
    assert [m["id"] for m in pool.list_members(db, "REHIRE FIRST FOR REACT")] == [fid]
    assert pool.talent_lists(db)[0]["members"] == 1


def test_cli_refuses_an_unknown_skill_with_exit_code_2(db_path, db):
    result = CliRunner().invoke(
        cli, ["freelancers", "list", "--db", str(db_path), "--skill", "Reactt"]
    )
    assert result.exit_code == 2
    assert "did you mean 'React'" in result.output
    assert "Traceback" not in result.output
