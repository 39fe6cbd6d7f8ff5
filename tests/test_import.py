"""Importing freelancers from CSV: French Excel files, all-or-nothing, every problem located."""

from __future__ import annotations

import pytest

from fmstoolkit import pool
from fmstoolkit.errors import InvalidInput

GOOD = (
    "name,email,skills,daily_rate,city,seniority,telegram\n"
    "Camille Durand,camille@example.org,react:4;dev web:3,520,Lyon,confirmed,\n"
    "Zoé Martin,zoe@example.org,SEO:2,400,Paris,junior,424242\n"
)


def _write(tmp_path, text: str | bytes, name: str = "pool.csv"):
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path


def _count(db, table: str = "freelancers") -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_imports_rows_with_skills_contacts_and_telegram(db, tmp_path):
    report = pool.import_freelancers(db, _write(tmp_path, GOOD))
    assert (report.created, report.updated, report.problems) == (2, 0, [])
    camille = pool.list_freelancers(db, skill="react")[0]
    assert (camille["name"], camille["daily_rate"]) == ("Camille Durand", 520)
    assert camille["city"] == "Lyon"
    zoe = db.execute(
        "SELECT c.telegram_chat_id, c.preferred_channel FROM contacts c JOIN freelancers f "
        "ON f.id = c.freelancer_id WHERE f.name = 'Zoé Martin'"
    ).fetchone()
    assert zoe == (424242, "telegram")


def test_french_excel_export_with_bom_semicolons_and_french_headers(db, tmp_path):
    text = (
        "Nom;E-mail;Compétences;TJM;Ville;Séniorité\n"
        'Camille Durand;camille@example.org;"react:4;développeuse web:3";520 €;Lyon;confirmé\n'
        "Jean Petit;jean@example.org;rédaction web:3|seo:2;380,00;Nantes;sénior\n"
    )
    report = pool.import_freelancers(db, _write(tmp_path, "\ufeff" + text))
    assert report.created == 2
    rows = {r["name"]: r for r in pool.list_freelancers(db)}
    assert rows["Camille Durand"]["daily_rate"] == 520
    assert rows["Jean Petit"]["seniority"] == "senior"
    assert {s["name"] for s in pool.freelancer_skills(db, rows["Camille Durand"]["id"])} == {
        "react", "web-development"
    }


def test_upserts_on_email_whatever_its_case(db, tmp_path):
    pool.import_freelancers(db, _write(tmp_path, GOOD))
    again = GOOD.replace("camille@example.org", "CAMILLE@Example.org").replace(",520,", ",560,")
    report = pool.import_freelancers(db, _write(tmp_path, again, "again.csv"))
    assert (report.created, report.updated) == (0, 2)
    assert _count(db) == 2
    assert pool.list_freelancers(db, query="camille")[0]["daily_rate"] == 560


def test_one_bad_row_aborts_everything_and_lists_every_problem(db, tmp_path):
    text = GOOD + (
        "Jean Martin,jean@example.org,reactt:4,abc,Paris,senior,\n"
        "Paul Roux,camille@example.org,seo:2,400,,junior,\n"
    )
    with pytest.raises(InvalidInput) as info:
        pool.import_freelancers(db, _write(tmp_path, text))
    message = info.value.message("en")
    assert "nothing was imported" in message
    assert "Line 4, field 'skills': unknown skill 'reactt'; did you mean 'React'" in message
    assert "Line 4, field 'daily_rate'" in message
    assert "Line 5, field 'email': the email address is already on line 2" in message
    assert _count(db) == 0 and _count(db, "contacts") == 0


def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(db, tmp_path):
    text = GOOD + "Jean Martin,not-an-email,seo:9,400,Paris,senior,\n"
    report = pool.import_freelancers(db, _write(tmp_path, text), skip_invalid=True)
    assert (report.created, report.rejected_rows) == (2, [4])
    fields = {p.field for p in report.problems}
    assert {"email", "skills"} <= fields
    assert all(p.row == 4 for p in report.problems)


def test_missing_and_unknown_columns_are_named(db, tmp_path):
    with pytest.raises(InvalidInput) as info:
        pool.import_freelancers(db, _write(tmp_path, "name,skills,colour\nA,seo:2,blue\n"))
    message = info.value.message("en")
    assert "the column 'email' is missing" in message
    assert "unknown column 'colour'" in message


def test_wrong_encoding_says_how_to_save_the_file(db, tmp_path):
    latin1 = "name,email\nHélène Dupré,helene@example.org\n".encode("cp1252")
    with pytest.raises(InvalidInput) as info:
        pool.import_freelancers(db, _write(tmp_path, latin1))
    assert "CSV UTF-8" in info.value.message("en")
    assert "ligne 2" in info.value.message("fr")
    assert _count(db) == 0


def test_empty_file_is_refused(db, tmp_path):
    with pytest.raises(InvalidInput):
        pool.import_freelancers(db, _write(tmp_path, ""))
