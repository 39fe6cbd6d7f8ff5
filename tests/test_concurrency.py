"""Several writers at once, as in an agency: a notebook, the assistant and a cron job.

Writers wait for each other (``BEGIN IMMEDIATE``), the checks that guard a write are read inside
its transaction, and a database still busy after the busy timeout is a sentence, never a
traceback and never half a change.
"""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time

import concurrency_workers
import pytest
from click.testing import CliRunner
from planning_fixtures import freelancer

from fmstoolkit import clock, config, planning
from fmstoolkit import db as dbmod
from fmstoolkit.cli import cli
from fmstoolkit.errors import DatabaseError, FmsError

BUSY = "The database is busy: another program is writing to it. Try again in a moment."


def hold_write_lock(path) -> sqlite3.Connection:
    """Another program in the middle of a write transaction."""
    holder = sqlite3.connect(str(path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE held_by_another_program (x)")
    return holder


def test_a_busy_database_is_a_sentence_and_nothing_is_half_written(db, db_path, monkeypatch):
    monkeypatch.setenv("FMS_BUSY_TIMEOUT_SECONDS", "0.2")
    config.reload_settings()
    holder = hold_write_lock(db_path)
    try:
        result = CliRunner().invoke(cli, [
            "request", "add", "--project", "Site web", "--skill", "web developer",
            "--in-days", "6", "--days", "5",
        ])
        waiting = dbmod.open_db(db_path)
        try:
            with waiting.atomic():
                waiting["projects"].insert({"name": "never written"})
            raised = None
        except DatabaseError as exc:
            raised = exc
        finally:
            waiting.close()
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 2
    assert result.output.strip() == BUSY
    assert "Traceback" not in result.output
    assert raised is not None and raised.message("en") == BUSY
    assert raised.message("fr").startswith("La base de données est occupée")
    assert db.execute("SELECT count(*) FROM projects").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM requests").fetchone()[0] == 0


def test_two_managers_staffing_the_same_role_make_one_mission(db, db_path):
    """The "role already filled" check and the write are one transaction: the second manager,
    who looked at the role before the first one saved, is told it is staffed.

    The second manager's connection is paused (by a trace hook) just before it starts its write
    transaction, while the first manager staffs the role: before the fix the second had already
    checked the role by then, and both missions were created.
    """
    ada, bob = freelancer(db, "Ada Lovelace"), freelancer(db, "Bob Martin")
    request_id = planning.create_request(
        db, project="Site", skill="web developer", start=clock.days_from_today(14), days=5
    )["id"]
    first, second = dbmod.open_db(db_path), dbmod.open_db(db_path)
    second_ready, first_done = threading.Event(), threading.Event()

    def pause_before_the_write_transaction(sql: str) -> None:
        if sql.startswith("BEGIN") and not second_ready.is_set():
            second_ready.set()
            while not first_done.is_set():
                time.sleep(0.01)

    second.conn.set_trace_callback(pause_before_the_write_transaction)
    outcome: dict[str, object] = {}

    def second_manager() -> None:
        try:
            outcome["second"] = planning.assign(second, request_id, bob)
        except FmsError as exc:
            outcome["second"] = exc

    thread = threading.Thread(target=second_manager)
    thread.start()
    while not second_ready.is_set():
        time.sleep(0.01)
    try:
        outcome["first"] = planning.assign(first, request_id, ada)
    except FmsError as exc:
        outcome["first"] = exc
    finally:
        first_done.set()
    thread.join(30)
    second.conn.set_trace_callback(None)
    first.close()
    second.close()

    missions = db.execute(
        "SELECT freelancer_id FROM missions WHERE request_id = ?", [request_id]
    ).fetchall()
    assert len(missions) == 1, outcome
    refused = [v for v in outcome.values() if isinstance(v, FmsError)]
    assert len(refused) == 1, outcome  # told the role (or the whole request) is staffed already
    assert f"Request #{request_id}" in refused[0].message("en") or "already filled" in str(
        refused[0]
    )
    filled = db.execute(
        "SELECT m.freelancer_id FROM request_roles r JOIN missions m ON m.id = r.mission_id "
        "WHERE r.request_id = ?", [request_id]
    ).fetchall()
    assert filled == missions


@pytest.mark.real_clock
def test_a_manager_the_assistant_and_a_publisher_writing_for_30_seconds(db, db_path):
    """Three programs on one database for 30 s, each in its own process: nothing any of them
    wrote is lost, none of them meets a traceback or a "busy" sentence, the database passes
    SQLite's integrity check, and the notes database published last is whole."""
    for i in range(30):
        freelancer(db, f"Freelance {i:02d}", rate=400 + 10 * i, level=3 + i % 3)
    context = multiprocessing.get_context("spawn")
    with context.Pool(3) as workers:
        runs = {
            role: workers.apply_async(concurrency_workers.work, (role, 30.0))
            for role in ("manager", "assistant", "publisher")
        }
        done = {role: run.get(timeout=300) for role, run in runs.items()}

    assert {role: d["errors"] for role, d in done.items()} == {
        "manager": [], "assistant": [], "publisher": []
    }
    writes = [w for d in done.values() for w in d["writes"]]
    kinds = {w[0] for w in writes}
    assert {"request", "poll", "mission", "answer", "published"} <= kinds  # all three worked

    def ids(table: str) -> set[int]:
        return {r[0] for r in db.execute(f"SELECT id FROM {table}")}

    assert {w[1] for w in writes if w[0] == "request"} <= ids("requests")
    assert {w[1] for w in writes if w[0] == "poll"} <= ids("polls")
    assert {w[1] for w in writes if w[0] == "away"} <= ids("unavailability")
    answers = dict(db.execute("SELECT id, answer FROM polls WHERE answer IS NOT NULL").fetchall())
    assert {w[1]: w[2] for w in writes if w[0] == "answer"} == answers
    statuses = dict(db.execute("SELECT id, status FROM missions").fetchall())
    cancelled = {w[1] for w in writes if w[0] == "cancelled"}
    for mission_id in {w[1] for w in writes if w[0] == "mission"}:
        assert statuses[mission_id] == ("cancelled" if mission_id in cancelled else "planned")
    # a role holds at most one mission, and a staffed role's mission is not cancelled
    assert db.execute(
        "SELECT count(*) FROM request_roles r JOIN missions m ON m.id = r.mission_id "
        "WHERE m.status = 'cancelled'"
    ).fetchone()[0] == 0
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    notes = sqlite3.connect(str(config.get_settings().notes_db))
    try:
        assert notes.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert notes.execute("SELECT count(*) FROM freelancers").fetchone()[0] == 30
    finally:
        notes.close()
