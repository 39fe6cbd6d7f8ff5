import sqlite3
import threading
import time

import pytest

from fmstoolkit import db as dbmod
from fmstoolkit.errors import DatabaseError


def test_open_creates_every_table_with_wal_and_foreign_keys(db):
    tables = set(db.table_names())
    for name in [
        "freelancers",
        "contacts",
        "skills",
        "freelancer_skills",
        "projects",
        "requests",
        "request_roles",
        "missions",
        "unavailability",
        "polls",
        "deliverables",
        "offboardings",
        "feedback",
        "recommendations",
        "notes",
        "lists",
        "list_members",
        "outbox",
        "followups",
    ]:
        assert name in tables
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM skills").fetchone()[0] >= 40


def test_migrating_twice_changes_nothing(db_path):
    first = dbmod.open_db(db_path)
    first.close()
    again = dbmod.connect(db_path)
    assert dbmod.migrate(again) == []
    again.close()


def test_a_newer_database_is_refused_untouched(db_path, db):
    db["_sqlite_migrations"].insert(
        {
            "migration_set": dbmod.MIGRATION_SET,
            "name": "m999_from_the_future",
            "applied_at": "2030-01-01",
        }
    )
    db.close()
    with pytest.raises(DatabaseError, match="newer version of fmstoolkit"):
        dbmod.open_db(db_path)


def test_constraints_refuse_bad_enums_ratings_and_rates(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO freelancers (name, status) VALUES ('A', 'retired')")
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO freelancers (name, daily_rate) VALUES ('A', 0)")
    fid = db["freelancers"].insert({"name": "A"}).last_pk
    pid = db["projects"].insert({"name": "P"}).last_pk
    mid = (
        db["missions"]
        .insert(
            {
                "freelancer_id": fid,
                "project_id": pid,
                "start_date": "2026-01-05",
                "end_date": "2026-01-09",
                "days": 5,
                "daily_rate": 400,
            }
        )
        .last_pk
    )
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO notes (mission_id, author, quality, communication, deadlines, autonomy,"
            " would_rehire) VALUES (?, 'me', 6, 3, 3, 3, 'yes')",
            [mid],
        )
    with pytest.raises(sqlite3.IntegrityError):
        db.execute(
            "INSERT INTO missions (freelancer_id, project_id, start_date, end_date, days,"
            " daily_rate) VALUES (999, ?, '2026-01-01', '2026-01-02', 2, 300)",
            [pid],
        )


def test_a_file_that_is_not_a_database_gets_a_sentence(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello, this is not sqlite" * 100)
    with pytest.raises(DatabaseError, match="not an fmstoolkit database"):
        dbmod.open_db(bad)


def test_a_writer_waits_for_another_instead_of_failing(db_path):
    """A transaction that reads, then writes, while another connection writes in between:
    with a deferred BEGIN SQLite refuses the late write at once ("database is locked"); the
    house's transactions take the write lock first, so the other writer waits its turn."""
    first, second = dbmod.open_db(db_path), dbmod.open_db(db_path)
    read_done = threading.Event()
    errors: list[BaseException] = []

    def other_writer() -> None:
        read_done.wait(10)
        try:
            with second.atomic():
                second["projects"].insert({"name": "written second"})
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=other_writer)
    thread.start()
    with first.atomic():
        first.execute("SELECT count(*) FROM projects").fetchone()
        read_done.set()
        time.sleep(0.5)  # the other writer is now waiting for our lock
        first["projects"].insert({"name": "written first"})
    thread.join(15)
    names = [r[0] for r in first.execute("SELECT name FROM projects ORDER BY id")]
    first.close()
    second.close()
    assert errors == []
    assert names == ["written first", "written second"]
