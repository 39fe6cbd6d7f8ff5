"""Publishing the notes database: content, no contact data, full-text search, views, atomic
replace, the `fms publish` command."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from publish_fixtures import FORGOTTEN_TEXT, make_agency, secret_values

from fmstoolkit import planning, publish
from fmstoolkit.cli import cli
from fmstoolkit.errors import InvalidInput


@pytest.fixture
def agency(db):
    return make_agency(db)


@pytest.fixture
def notes(db, agency, tmp_path):
    stats = publish.publish(db)
    assert stats["path"] == str(tmp_path / "notes.db")
    database = sqlite_utils.Database(tmp_path / "notes.db")
    yield database
    database.close()


def test_publish_returns_counts_and_writes_the_notes_file(db, agency, tmp_path):
    stats = publish.publish(db)
    assert stats["freelancers"] == 4 and stats["missions"] == 6 and stats["notes"] == 5
    assert stats["recommendations"] == 1  # the forgotten freelancer's one is left out
    assert stats["feedback"] == 1 and stats["seconds"] < 5
    assert (tmp_path / "notes.db").read_bytes().startswith(b"SQLite format 3")
    # no temporary file is left behind
    assert sorted(p.name for p in tmp_path.glob("*notes.db*")) == ["notes.db"]


def test_public_profile_has_skills_ratings_rehire_share_and_rate_history(notes, agency):
    alice = notes["freelancers"].get(agency["alice"])
    assert alice["name"] == "Alice Martin" and alice["city"] == "Lyon"
    assert alice["skills"] == "Développement front-end (5), Développement back-end (3)"
    assert alice["missions_count"] == 2 and alice["notes_count"] == 2
    assert alice["avg_quality"] == 5.0 and alice["avg_communication"] == 4.5
    assert alice["avg_rating"] == 4.75 and alice["would_rehire_share"] == 1.0
    assert alice["last_mission_end"] == "2025-05-16" and alice["last_daily_rate"] == 600
    assert json.loads(alice["rate_history"]) == [["2024-03-04", 550], ["2025-05-05", 600]]
    levels = {r["skill_id"]: r["level"] for r in notes["freelancer_skills"].rows_where(
        "freelancer_id = ?", [agency["alice"]])}  # fmt: skip
    assert sorted(levels.values()) == [3, 5]
    bruno = notes["freelancers"].get(agency["bruno"])
    assert bruno["would_rehire_share"] == 0.0 and bruno["last_would_rehire"] == "no"


def test_missions_notes_and_texts_are_published(notes, agency):
    mission = notes["missions"].get(agency["missions"][0])
    assert mission["daily_rate"] == 550 and mission["year"] == 2024
    assert mission["freelancer_id"] == agency["alice"] and mission["city"] == "Lyon"
    note = next(notes["notes"].rows_where("mission_id = ?", [agency["missions"][0]]))
    assert note["text"] == "Très bonne **réactivité**, code propre."
    assert note["average"] == 4.75 and note["would_rehire"] == "yes"
    reco = next(notes["recommendations"].rows)
    assert reco["text"] == "Alice a livré une refonte soignée."
    assert next(notes["feedback"].rows)["suggestions"] == "Documentation incomplète à l'arrivée"


def test_forgotten_freelancers_are_anonymised(notes, agency):
    zoe = notes["freelancers"].get(agency["zoe"])
    assert zoe["name"] == publish.ANONYMOUS_NAME
    assert zoe["headline"] is None and zoe["city"] is None and zoe["skills"] is None
    assert not list(notes["freelancer_skills"].rows_where("freelancer_id = ?", [agency["zoe"]]))
    # the mission and its rate still count, the free texts are gone
    assert notes["missions"].get(agency["missions"][4])["daily_rate"] == 520
    assert next(notes["notes"].rows_where("freelancer_id = ?", [agency["zoe"]]))["text"] is None
    assert "Zoé" not in json.dumps(list(notes["rehire_candidates"].rows), ensure_ascii=False)


def test_the_published_file_holds_no_contact_value_end_reason_or_outbox(db, agency, tmp_path):
    publish.publish(db)
    data = (tmp_path / "notes.db").read_bytes()
    secrets = secret_values() + [FORGOTTEN_TEXT, "Oubliée", "Experte SEO"]
    for value in secrets:
        assert value.encode("utf-8") not in data, value
    # the chat ids as stored integers would not show as text: they are in no column either
    connection = sqlite3.connect(tmp_path / "notes.db")
    tables = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert not {"contacts", "outbox", "offboardings"} & set(tables)
    for table in tables:
        columns = [r[1] for r in connection.execute(f"PRAGMA table_info([{table}])")]
        assert not {"email", "phone", "telegram_chat_id", "end_reason"} & set(columns)
        for chat_id in (987654321, 555000111):
            for column in columns:
                hit = connection.execute(
                    f"SELECT count(*) FROM [{table}] WHERE [{column}] = ?", [chat_id]
                ).fetchone()[0]
                assert hit == 0, (table, column)
    connection.close()


def test_the_publisher_never_reads_contacts_outbox_or_the_end_reason(db, agency):
    """By construction: under an authorizer refusing those reads, publishing still works."""
    read: set[tuple[str, str]] = set()

    def authorizer(action, arg1, arg2, dbname, source):
        if action == sqlite3.SQLITE_READ:
            read.add((arg1, arg2))
            if arg1 in ("contacts", "outbox") or (arg1, arg2) == ("offboardings", "end_reason"):
                return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    db.conn.set_authorizer(authorizer)
    try:
        stats = publish.publish(db)
    finally:
        db.conn.set_authorizer(None)
    assert stats["notes"] == 5
    assert read and not {t for t, _ in read} & {"contacts", "outbox", "offboardings"}


@pytest.mark.parametrize("query", ["reactivite", "réactivité", "RÉACTIVITÉ", "Reactivité"])
def test_full_text_search_ignores_accents_and_case(notes, query):
    hits = list(notes["notes"].search(query))
    assert [h["text"] for h in hits] == ["Très bonne **réactivité**, code propre."]


def test_recommendations_and_feedback_are_searchable_too(notes):
    assert len(list(notes["recommendations"].search("soignee"))) == 1
    assert len(list(notes["feedback"].search("incomplete"))) == 1
    assert notes["notes"].detect_fts() == "notes_fts"
    assert notes["recommendations"].detect_fts() == "recommendations_fts"
    assert notes["feedback"].detect_fts() == "feedback_fts"


def test_views_rehire_candidates_rate_benchmarks_and_scorecards(notes, agency):
    assert "scorecards" in notes.view_names() and "rehire_candidates" in notes.table_names()
    rehire = list(notes.query("SELECT * FROM rehire_candidates ORDER BY average_rating DESC"))
    assert [r["freelancer"] for r in rehire] == ["Alice Martin", "Chloé Dubois", "Bruno Lefèvre"]
    assert rehire[0]["average_rating"] == 4.75 and rehire[2]["would_not_rehire"] == 1
    bench = {r["seniority"]: r for r in notes["rate_benchmarks"].rows}
    # rates paid on front-end (the planned 520 mission of December has not started yet):
    # confirmed 450, 500 -> median 475; senior 520, 550, 600 -> inclusive q3 575 (the old
    # nearest-rank 550 disagreed with `fms benchmark-rate`)
    assert bench["confirmed"]["median_rate"] == 475 and bench["confirmed"]["min_rate"] == 450
    assert bench["confirmed"]["missions"] == 2
    assert bench["senior"]["q3_rate"] == 575 and bench["senior"]["max_rate"] == 600
    cards = list(notes.query("SELECT * FROM scorecards"))
    assert cards[0]["avg_rating"] >= cards[-1]["avg_rating"]


def test_published_rate_benchmarks_are_the_ones_fms_benchmark_rate_prints(db, notes):
    """One definition of the quartiles (inclusive, planning.rates.quartiles): the Datasette
    table and the planning benchmark give the same numbers for the same skill and seniority."""
    skill_id = db.execute("SELECT id FROM skills WHERE name = 'frontend'").fetchone()[0]
    published = {
        r["seniority"]: (r["missions"], r["min_rate"], r["q1_rate"], r["median_rate"],
                         r["q3_rate"], r["max_rate"])
        for r in notes["rate_benchmarks"].rows_where("skill_id = ?", [skill_id])
    }  # fmt: skip
    planned = {}
    for seniority in ("junior", "confirmed", "senior"):
        b = planning.rate_benchmark(db, "frontend", seniority=seniority)
        if b["count"]:
            planned[seniority] = (b["count"], b["min"], b["q1"], b["median"], b["q3"], b["max"])
    assert published == planned
    # quarter euros are kept, not rounded: 450, 500 -> 462.5, 475, 487.5
    assert published["confirmed"] == (2, 450, 462.5, 475, 487.5, 500)
    assert published["senior"] == (3, 520, 535, 550, 575, 600)
    # and the command prints them
    out = CliRunner().invoke(cli, ["benchmark-rate", "frontend", "--seniority", "senior",
                                   "--json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    (row,) = json.loads(out.output)
    assert (row["q1"], row["median"], row["q3"]) == published["senior"][2:5]


def test_cancelled_missions_are_not_published(db, agency, tmp_path):
    db.execute("UPDATE missions SET status = 'cancelled', cancel_reason = 'secret-cancel-42' "
               "WHERE id = ?", [agency["missions"][5]])  # fmt: skip
    db.conn.commit()
    publish.publish(db)
    assert b"secret-cancel-42" not in (tmp_path / "notes.db").read_bytes()
    notes = sqlite_utils.Database(tmp_path / "notes.db")
    assert notes["missions"].count == 5


def test_a_reader_of_the_old_file_keeps_a_consistent_view_while_republishing(db, agency, tmp_path):
    path = tmp_path / "notes.db"
    publish.publish(db)
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == 5
    db["notes"].update(1, {"text": "Réécrite après coup"})
    db.execute("DELETE FROM notes WHERE id = 3")
    db.conn.commit()
    publish.publish(db)
    # the reader still sees the old file, whole and consistent
    assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == 5
    assert reader.execute("SELECT notes FROM publication").fetchone()[0] == 5
    assert reader.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert reader.execute("SELECT text FROM notes WHERE id = 1").fetchone()[0].startswith("Très")
    reader.execute("COMMIT")
    reader.close()
    fresh = sqlite3.connect(path)
    assert fresh.execute("SELECT count(*) FROM notes").fetchone()[0] == 4
    fresh.close()


def test_readers_never_see_a_half_built_file_during_repeated_republishing(db, agency, tmp_path):
    path = tmp_path / "notes.db"
    publish.publish(db)
    errors: list[str] = []
    seen = 0
    stop = threading.Event()

    def read_loop():
        nonlocal seen
        while not stop.is_set():
            try:
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                published = conn.execute("SELECT notes, missions FROM publication").fetchone()
                counted = (
                    conn.execute("SELECT count(*) FROM notes").fetchone()[0],
                    conn.execute("SELECT count(*) FROM missions").fetchone()[0],
                )
                hits = conn.execute(
                    "SELECT count(*) FROM notes_fts WHERE notes_fts MATCH 'reactivite'"
                ).fetchone()[0]
                conn.close()
                if tuple(published) != counted or hits != 1:
                    errors.append(f"inconsistent: {published} vs {counted}, {hits}")
                seen += 1
            except sqlite3.Error as exc:  # a half-built file would show here
                errors.append(repr(exc))

    thread = threading.Thread(target=read_loop)
    thread.start()
    try:
        for i in range(15):
            db["feedback"].insert({"mission_id": agency["missions"][1 + i % 3],
                                   "source": "freelancer", "suggestions": f"retour {i}"},
                                  replace=True)  # fmt: skip
            db.conn.commit()
            publish.publish(db)
    finally:
        stop.set()
        thread.join()
    assert errors == [] and seen > 0


def test_publish_refuses_a_folder_and_leaves_no_temporary_file(db, agency, tmp_path):
    (tmp_path / "folder.db").mkdir()
    with pytest.raises(InvalidInput, match="is a folder"):
        publish.publish(db, tmp_path / "folder.db")
    assert not list(tmp_path.glob(".*.tmp"))


def test_publish_refuses_to_run_inside_an_open_transaction(db, agency):
    db.conn.execute("BEGIN")
    with pytest.raises(publish.InvalidState):
        publish.publish(db)
    db.conn.execute("ROLLBACK")


def test_fms_publish_command_writes_the_notes_and_the_metadata(db_path, db, agency, tmp_path):
    db.close()
    out = tmp_path / "out" / "published.db"
    meta = tmp_path / "deploy" / "metadata.json"
    result = CliRunner().invoke(
        cli,
        ["publish", "--db", str(db_path), "--out", str(out), "--metadata-out", str(meta)],
    )
    assert result.exit_code == 0, result.output
    assert "5 notes" in result.output and str(out) in result.output
    assert sqlite_utils.Database(out)["notes"].count == 5
    data = json.loads(meta.read_text(encoding="utf-8"))
    assert set(data["databases"]["notes"]["queries"]) == {
        "who_for_skill", "notes_mentioning", "fair_rate", "missions_of"}  # fmt: skip
    assert "allow" not in data


def test_metadata_out_adds_the_login_block_when_a_password_hash_is_set(tmp_path, monkeypatch):
    from fmstoolkit import config

    monkeypatch.setenv("FMS_DATASETTE_PASSWORD_HASH", "pbkdf2_sha256$480000$x$y")
    config.reload_settings()
    path = publish.write_metadata(tmp_path / "metadata.yml")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["allow"] == {"id": "manager"}
    auth = data["plugins"]["datasette-auth-passwords"]
    assert auth == {"manager_password_hash": {"$env": "FMS_DATASETTE_PASSWORD_HASH"}}
    assert "pbkdf2" not in path.read_text(encoding="utf-8")  # the hash itself is not written


def test_fms_publish_reports_a_folder_as_a_user_error(db_path, db, tmp_path):
    db.close()
    (tmp_path / "dir").mkdir()
    result = CliRunner().invoke(
        cli, ["publish", "--db", str(db_path), "--out", str(tmp_path / "dir")]
    )
    assert result.exit_code == 2 and "is a folder" in result.output
