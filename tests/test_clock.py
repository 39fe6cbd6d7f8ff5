"""The one clock: the agency's day, UTC stamps, the SQL defaults, and nothing else reading time."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from conftest import FROZEN_NOW, FROZEN_TODAY

from fmstoolkit import clock, config, pool
from fmstoolkit import db as dbmod

PACKAGE = Path(__file__).resolve().parent.parent / "fmstoolkit"


def test_the_frozen_clock_is_what_every_part_reads():
    assert clock.today() == FROZEN_TODAY
    assert clock.now() - FROZEN_NOW < dt.timedelta(minutes=5)  # it ticks from there
    assert clock.now().tzinfo is not None and clock.now().utcoffset() == dt.timedelta(0)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", clock.stamp())


def test_the_agencys_day_follows_its_time_zone(frozen_clock, monkeypatch):
    frozen_clock.move_to(dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC))
    assert clock.today() == dt.date(2026, 11, 26)  # already Thursday in Paris
    monkeypatch.setenv("FMS_TIMEZONE", "America/Montreal")
    config.reload_settings()
    assert clock.today() == dt.date(2026, 11, 25)
    assert clock.stamp() == "2026-11-25 23:30:00"  # stamps stay UTC


def test_an_unknown_time_zone_is_refused_with_an_example(monkeypatch):
    monkeypatch.setenv("FMS_TIMEZONE", "Paris")
    with pytest.raises(ValueError, match="unknown time zone 'Paris'.*Europe/Paris"):
        config.reload_settings()
    monkeypatch.delenv("FMS_TIMEZONE")
    config.reload_settings()


def test_stamps_read_back_and_naive_times_are_utc():
    moment = dt.datetime(2026, 3, 29, 1, 30)  # naive: UTC
    assert clock.stamp(moment) == "2026-03-29 01:30:00"
    assert clock.parse_stamp("2026-03-29 01:30:00") == moment.replace(tzinfo=dt.UTC)
    assert clock.parse_stamp("2026-03-29T01:30:00Z") == moment.replace(tzinfo=dt.UTC)
    assert clock.local("2026-03-29 01:30:00").hour == 3  # summer time began at 01:00 UTC


def test_rows_stamped_by_the_schema_defaults_carry_the_clocks_time(db, frozen_clock):
    frozen_clock.move_to(dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=dt.UTC))
    fid = pool.add_freelancer(db, name="Ada Lovelace", email="ada@example.org")
    project = db["projects"].insert({"name": "Moteur analytique"}).last_pk
    db.execute(
        "INSERT INTO missions (freelancer_id, project_id, start_date, end_date, days, daily_rate)"
        " VALUES (?, ?, '2031-02-10', '2031-02-14', 5, 500)",
        [fid, project],
    )
    assert db["projects"].get(project)["created_at"] == "2031-02-03"
    assert db.execute("SELECT created_at FROM missions").fetchone()[0] == "2031-02-03 04:05:06"


def test_a_database_made_before_the_clock_gets_its_defaults_upgraded(db_path, frozen_clock):
    old = dbmod.open_db(db_path)
    version = old.execute("PRAGMA schema_version").fetchone()[0]
    old.execute("PRAGMA writable_schema = ON")  # as m001 wrote the schema before the clock
    old.execute("UPDATE sqlite_master SET sql = replace(sql, '(clock_now())', "
                "'(datetime(''now''))') WHERE type = 'table'")  # fmt: skip
    old.execute(f"PRAGMA schema_version = {version + 1}")
    old.execute("PRAGMA writable_schema = OFF")
    old.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_clock_defaults'")
    old.close()
    frozen_clock.move_to(dt.datetime(2030, 6, 7, 8, 9, 10, tzinfo=dt.UTC))
    upgraded = dbmod.open_db(db_path)
    sql = upgraded.execute("SELECT sql FROM sqlite_master WHERE name = 'outbox'").fetchone()[0]
    assert "'now'" not in sql and "clock_now()" in sql
    project = upgraded["projects"].insert({"name": "P"}).last_pk
    upgraded.execute("INSERT INTO requests (project_id, start_date, end_date, days) "
                     "VALUES (?, '2030-06-10', '2030-06-14', 5)", [project])  # fmt: skip
    assert upgraded.execute("SELECT created_at FROM requests").fetchone()[0] == (
        "2030-06-07 08:09:10")
    assert upgraded.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    upgraded.close()


def test_nothing_but_the_clock_reads_the_time():
    """No ``date.today()``, ``datetime.now()``, ``utcnow()`` or SQL ``'now'`` in the package."""
    forbidden = re.compile(
        r"date\.today\(|datetime\.now\(|datetime\.utcnow\(|\btime\.time\(|['\"]now['\"]\)"
    )
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if forbidden.search(line) and "_OLD_DEFAULTS" not in line:
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_project_root_is_found_from_a_subfolder(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("FMS_LANG=fr\n", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.delenv("FMS_HOME", raising=False)
    assert config.project_root(tmp_path / "notebooks") == tmp_path.resolve()
    monkeypatch.delenv("FMS_DB")
    monkeypatch.delenv("FMS_LANG")
    monkeypatch.chdir(tmp_path / "notebooks")  # where JupyterLab runs the kernels
    settings = config.reload_settings()
    assert settings.db == tmp_path.resolve() / "data" / "fms.db"
    assert settings.lang == "fr"  # the .env of the project folder, read from below it
    monkeypatch.setenv("FMS_HOME", str(tmp_path / "elsewhere"))
    assert config.reload_settings().db == (tmp_path / "elsewhere").resolve() / "data" / "fms.db"
