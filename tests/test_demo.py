"""The demo agency: realistic, complete, deterministic, and safe with existing databases."""

from __future__ import annotations

import datetime as dt
import statistics

import pytest
from click.testing import CliRunner

from fmstoolkit import db as dbmod
from fmstoolkit import demo
from fmstoolkit.cli import cli
from fmstoolkit.errors import Conflict

TODAY = dt.date(2026, 11, 25)  # a Wednesday


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "fms.db"
    demo.create(path, freelancers=150, seed=7, today=TODAY)
    database = dbmod.open_db(path)
    yield database
    database.close()


def _dump(database, table: str) -> list[tuple]:
    return database.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall()


def test_every_table_is_filled(demo_db):
    empty = [
        t
        for t in demo_db.table_names()
        if not t.startswith("_")
        and demo_db.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] == 0
    ]
    assert empty == []


def test_same_seed_same_database(tmp_path, demo_db):
    again = tmp_path / "again.db"
    demo.create(again, freelancers=150, seed=7, today=TODAY)
    other = dbmod.open_db(again)
    for table in ("freelancers", "contacts", "missions", "notes", "unavailability", "polls"):
        assert _dump(other, table) == _dump(demo_db, table), table
    other.close()
    different = tmp_path / "different.db"
    demo.create(different, freelancers=150, seed=8, today=TODAY)
    third = dbmod.open_db(different)
    assert _dump(third, "freelancers") != _dump(demo_db, "freelancers")
    third.close()


def test_contacts_are_on_the_reserved_domain_and_half_on_telegram(demo_db):
    rows = list(demo_db.query("SELECT email, telegram_chat_id, preferred_channel FROM contacts"))
    assert all(r["email"].endswith("@example.org") for r in rows)
    telegram = [r for r in rows if r["telegram_chat_id"]]
    assert 0.35 < len(telegram) / len(rows) < 0.65
    assert all(r["preferred_channel"] == "telegram" for r in telegram)


def test_a_freelancer_is_never_booked_twice(demo_db):
    overlaps = demo_db.execute(
        "SELECT count(*) FROM missions a JOIN missions b ON a.freelancer_id = b.freelancer_id "
        "AND a.id < b.id AND a.start_date <= b.end_date AND b.start_date <= a.end_date "
        "WHERE a.status != 'cancelled' AND b.status != 'cancelled'"
    ).fetchone()[0]
    assert overlaps == 0


def test_references_are_consistent(demo_db):
    assert demo_db.execute("PRAGMA foreign_key_check").fetchall() == []
    # The collaboration record kept by triggers matches the missions and notes written in bulk.
    row = demo_db.execute(
        "SELECT sum(notes) FROM collaboration_stats"
    ).fetchone()[0]
    assert row == demo_db.execute("SELECT count(*) FROM notes").fetchone()[0]


def test_rates_follow_skill_and_seniority(demo_db):
    def rates(skill_category: str, seniority: str) -> list[int]:
        return [
            r[0]
            for r in demo_db.execute(
                "SELECT m.daily_rate FROM missions m JOIN skills s ON s.id = m.skill_id "
                "JOIN freelancers f ON f.id = m.freelancer_id "
                "WHERE s.category = ? AND f.seniority = ?",
                [skill_category, seniority],
            )
        ]

    junior, senior = rates("development", "junior"), rates("development", "senior")
    assert 250 <= statistics.median(junior) <= 480
    assert statistics.median(senior) > statistics.median(junior) * 1.4


def test_the_agency_has_work_in_progress(demo_db):
    today = TODAY.isoformat()
    next_week_end = (TODAY + dt.timedelta(days=12)).isoformat()
    ending_soon = demo_db.execute(
        "SELECT count(*) FROM missions WHERE status = 'active' AND end_date BETWEEN ? AND ?",
        [today, next_week_end],
    ).fetchone()[0]
    assert ending_soon > 0
    assert demo_db.execute(
        "SELECT count(*) FROM requests WHERE status IN ('open', 'polling') AND start_date > ?",
        [today],
    ).fetchone()[0] >= 4
    due = demo_db.execute("SELECT count(*) FROM missions WHERE status = 'ending'").fetchone()[0]
    assert due > 0


def test_notes_are_believable_french_text(demo_db):
    texts = [r[0] for r in demo_db.execute("SELECT text FROM notes LIMIT 300")]
    assert len(set(texts)) > 100
    assert any("é" in t for t in texts)
    recommendation = demo_db.execute("SELECT text FROM recommendations LIMIT 1").fetchone()[0]
    assert len(recommendation) > 60


def test_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "fms.db"
    demo.create(path, freelancers=5, seed=1, today=TODAY)
    before = path.read_bytes()
    with pytest.raises(Conflict) as info:
        demo.create(path, freelancers=5, seed=2, today=TODAY)
    assert "--force" in info.value.message("en")
    assert path.read_bytes() == before
    demo.create(path, freelancers=5, seed=2, today=TODAY, force=True)
    database = dbmod.open_db(path)
    assert database.execute("SELECT count(*) FROM freelancers").fetchone()[0] == 5
    database.close()


def test_cli_demo_shows_progress_and_refuses_a_second_run(tmp_path):
    path = tmp_path / "fms.db"
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--db", str(path), "--freelancers", "8", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "freelancers 8" in result.output
    assert "100%" in result.stderr
    again = runner.invoke(cli, ["demo", "--db", str(path)])
    assert again.exit_code == 2
    assert "already exists" in again.stderr and "Traceback" not in again.output


def test_refresh_keeps_a_demo_current_and_never_touches_real_work(tmp_path, frozen_clock):
    path = tmp_path / "fms.db"
    assert demo.refresh(path, freelancers=6, seed=4) == "create"
    assert demo.demo_facts(path) == {
        demo.META_BUILT_FOR: "2026-11-25", demo.META_SEED: "4", demo.META_FREELANCERS: "6"}
    before = path.read_bytes()
    assert demo.refresh(path, freelancers=50, seed=9) == "current"
    assert path.read_bytes() == before

    result = CliRunner().invoke(cli, ["demo", "--db", str(path), "--refresh"])
    assert result.exit_code == 0 and "the demo agency is current" in result.output


def test_a_stale_demo_is_rebuilt_for_today_with_its_own_seed_and_size(tmp_path, frozen_clock):
    path = tmp_path / "fms.db"
    demo.create(path, freelancers=6, seed=4)
    frozen_clock.shift(dt.timedelta(days=9))
    assert demo.refresh(path, freelancers=50, seed=9) == "rebuild"
    assert demo.demo_facts(path) == {
        demo.META_BUILT_FOR: "2026-12-04", demo.META_SEED: "4", demo.META_FREELANCERS: "6"}
    database = dbmod.open_db(path)
    open_starts = [r[0] for r in database.execute(
        "SELECT start_date FROM requests WHERE status IN ('open', 'polling')")]
    database.close()
    assert open_starts and min(open_starts) >= "2026-12-04"  # open requests are ahead again


def test_refresh_leaves_a_database_that_is_not_a_demo_alone(db_path):
    before = db_path.read_bytes()
    assert demo.refresh(db_path) == "not a demo"
    assert db_path.read_bytes() == before
    result = CliRunner().invoke(cli, ["demo", "--db", str(db_path), "--refresh"])
    assert result.exit_code == 0 and "not a demo database: left untouched" in result.output
