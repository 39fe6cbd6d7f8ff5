"""`fms backup` and `fms restore`: an intact copy while others write, and a restore that refuses
anything that is not a sound fmstoolkit database before it changes a thing."""

from __future__ import annotations

import sqlite3
import stat
import threading
import time

import pytest
from click.testing import CliRunner

from fmstoolkit import db as dbmod
from fmstoolkit import pool
from fmstoolkit.cli import cli
from fmstoolkit.db import backup as backupmod


def fms(*args: str):
    return CliRunner().invoke(cli, list(args))


def names(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM freelancers ORDER BY id")]


@pytest.fixture
def agency(db_path):
    database = dbmod.open_db(db_path)
    for name in ("Camille Durand", "Jean Martin"):
        pool.add_freelancer(database, name=name, email=f"{name.split()[0].lower()}@example.org")
    database.close()
    return db_path


def test_backup_while_another_connection_writes_is_an_intact_committed_prefix(agency, tmp_path):
    """A writer commits list after list in a loop while the backup runs: the copy passes the
    integrity check and holds exactly the first lists committed (no half transaction)."""
    stop, written = threading.Event(), []

    def writer():
        database = dbmod.open_db(agency)
        n = 0
        while not stop.is_set() or n < 50:
            n += 1
            with database.atomic():
                list_id = database["lists"].insert({"name": f"list {n}"}).last_pk
                database["list_members"].insert({"list_id": list_id, "freelancer_id": 1})
            written.append(n)
        database.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 10:  # the writer is well under way
            time.sleep(0.01)
        copies = []
        for i in range(3):
            result = fms("backup", str(tmp_path / f"copy{i}.db"), "--db", str(agency))
            assert result.exit_code == 0, result.output
            copies.append(tmp_path / f"copy{i}.db")
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        with sqlite3.connect(copy) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            lists = [r[0] for r in conn.execute("SELECT name FROM lists ORDER BY id")]
            members = conn.execute("SELECT count(*) FROM list_members").fetchone()[0]
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert len(lists) >= 10
        assert lists == [f"list {n}" for n in range(1, len(lists) + 1)]
        assert members == len(lists)  # each list with its member: whole transactions only
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        assert not copy.with_name(copy.name + "-wal").exists()
    assert names(copies[0]) == ["Camille Durand", "Jean Martin"]


def test_backup_refuses_to_overwrite_without_force(agency, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("an older file")
    refused = fms("backup", str(target), "--db", str(agency))
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        f"{target} already exists: give another name, or --force to replace it."
    )
    assert target.read_text() == "an older file"
    forced = fms("backup", str(target), "--db", str(agency), "--force")
    assert forced.exit_code == 0
    assert "2 freelancers" in forced.output
    assert names(target) == ["Camille Durand", "Jean Martin"]


def test_restore_round_trip_keeps_the_current_database_aside(agency, tmp_path):
    copy = tmp_path / "copy.db"
    assert fms("backup", str(copy), "--db", str(agency)).exit_code == 0
    # Later work, then a restore while another program keeps the database open.
    database = dbmod.open_db(agency)
    pool.add_freelancer(database, name="Zoé Faure", email="zoe@example.org")
    result = fms("restore", str(copy), "--db", str(agency))
    assert result.exit_code == 0, result.output
    assert names(agency) == ["Camille Durand", "Jean Martin"]
    # the program that had it open sees the restored content, and can write on
    assert [r["name"] for r in database.query("SELECT name FROM freelancers")] == [
        "Camille Durand", "Jean Martin"]
    pool.add_freelancer(database, name="Léa Roux", email="lea@example.org")
    database.close()
    assert names(agency)[-1] == "Léa Roux"
    aside = list(tmp_path.glob("fms.db.before-restore-*"))
    assert len(aside) == 1 and str(aside[0]) in result.output
    assert names(aside[0]) == ["Camille Durand", "Jean Martin", "Zoé Faure"]
    assert stat.S_IMODE(aside[0].stat().st_mode) == 0o600


def _corrupt(path):
    """Overwrite the cell pointers of a table page holding rows, in the middle of the file
    (the file header stays a valid SQLite header)."""
    data = bytearray(path.read_bytes())
    page = 4096
    start = len(data) // page // 2
    middle = next(n * page for n in range(start, len(data) // page)
                  if data[n * page] == 0x0D and data[n * page + 3 : n * page + 5] > b"\x00\x05")
    data[middle + 8 : middle + page] = b"\xff" * (page - 8)
    path.write_bytes(bytes(data))


def _newer(path):
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('fmstoolkit', 'm999_from_the_future', '2030-01-01')"
        )


def _other_sqlite(path):
    path.unlink()
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE freelancers (id INTEGER PRIMARY KEY, name TEXT)")


@pytest.mark.parametrize(
    ("spoil", "sentence"),
    [
        (lambda p: p.write_text("name,email\nCamille,c@example.org\n"),
         "{path} is not an SQLite database (it does not start like one); nothing was restored."),
        (_other_sqlite, "{path} is an SQLite database but not an fmstoolkit one (no freelancers, "
                        "missions or migrations); nothing was restored."),
        (_corrupt, "{path} is damaged (integrity check: "),
        (_newer, "This database was upgraded by a newer version of fmstoolkit (migration "
                 "m999_from_the_future). Upgrade fmstoolkit to use it; it was left untouched."),
    ],
    ids=["text file", "other sqlite", "corrupted", "newer schema"],
)
def test_restore_refuses_a_file_that_is_not_a_sound_fmstoolkit_database(
    agency, tmp_path, spoil, sentence
):
    bad = tmp_path / "bad.db"
    # a real backup of a bigger agency, then spoiled
    database = dbmod.open_db(agency)
    for i in range(300):
        pool.add_freelancer(database, name=f"Person {i}", email=f"p{i}@example.org",
                            headline="x" * 200)
    database.close()
    backupmod.backup(dbmod.open_db(agency), bad)
    spoil(bad)
    database = dbmod.open_db(agency)
    database.execute("DELETE FROM freelancers WHERE id > 2")
    database.close()
    before = agency.read_bytes()
    result = fms("restore", str(bad), "--db", str(agency))
    assert result.exit_code == 2
    assert result.stderr.startswith(sentence.format(path=bad))
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert names(agency) == ["Camille Durand", "Jean Martin"]
    assert agency.read_bytes() == before
    assert not list(tmp_path.glob("fms.db.before-restore-*"))


def test_restore_of_a_missing_file_says_so(agency, tmp_path):
    result = fms("restore", str(tmp_path / "nowhere.db"), "--db", str(agency))
    assert result.exit_code == 2
    assert result.stderr.strip() == f"There is no file {tmp_path / 'nowhere.db'}."
