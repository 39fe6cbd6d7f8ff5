"""A freelancer's personal data: exported whole on request, erased for real on request (in every
table and text, in the database file, its WAL and the published notes), old message texts
purged, and the files holding personal data readable by their owner only."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import stat
import unicodedata

import pytest
from click.testing import CliRunner

from fmstoolkit import pool, privacy, publish
from fmstoolkit.cli import cli
from fmstoolkit.erasure import Identity
from fmstoolkit.errors import InvalidInput, InvalidState
from fmstoolkit.notify import outbox

EMAIL = "helene.dupre@example.org"
PHONE = "+33 6 11 22 33 44"
CHAT_ID = 5551234


def _mission(db, fid, project, start="2026-01-05", end="2026-01-09", status="offboarded"):
    pid = db["projects"].lookup({"name": project})
    return db["missions"].insert(
        {"freelancer_id": fid, "project_id": pid, "start_date": start, "end_date": end,
         "days": 5, "daily_rate": 500, "status": status}
    ).last_pk


def _note(db, mid, text, author="Léa"):
    db["notes"].insert(
        {"mission_id": mid, "author": author, "quality": 5, "communication": 4, "deadlines": 5,
         "autonomy": 4, "would_rehire": "yes", "text": text, "tags": json.dumps(["Hélène"])}
    )


@pytest.fixture
def freelancer(db):
    fid = pool.add_freelancer(
        db, name="Hélène Dupré", email=EMAIL, phone=PHONE,
        telegram_chat_id=CHAT_ID, preferred_channel="telegram", skills="seo:4", city="Lyon",
        daily_rate=500,
    )
    mid = _mission(db, fid, "Refonte")
    _note(db, mid, "Hélène Dupré a été parfaite. Joignable au 06.11.22.33.44.")
    db["recommendations"].insert({"mission_id": mid, "text": "Je recommande Hélène Dupré."})
    db["offboardings"].insert({"mission_id": mid, "end_reason": "HÉLÈNE part vivre à Lyon"})
    pool.add_to_list(db, "SEO", fid)
    return fid


@pytest.fixture
def colleague(db, freelancer):
    """Marc worked on the same project; his note names Hélène by her first name, her e-mail
    and (unaccented, upper-cased) her full name."""
    cid = pool.add_freelancer(db, name="Marc Petit", email="marc@example.org", daily_rate=450)
    mid = _mission(db, cid, "Refonte", start="2026-01-12", end="2026-01-16")
    _note(db, mid, "Marc a repris les maquettes d'helene (écrire à HELENE.DUPRE@EXAMPLE.ORG); "
                   "HELENE DUPRE l'avait briefé, Dupré restait joignable au 0611223344.")
    other = _mission(db, cid, "Autre projet", start="2026-02-02", end="2026-02-06")
    _note(db, other, "Recommandé par " + unicodedata.normalize("NFD", "hélène dupré") + ".")
    outbox.enqueue(db, dedupe_key="m1", freelancer_id=cid, kind="alumni_checkin")
    db.execute("UPDATE outbox SET body = body || ? WHERE dedupe_key = 'm1'",
               [" Hélène Dupré (chat 5551234) te salue."])
    return cid


def test_export_holds_everything_including_contacts(db, freelancer):
    data = privacy.export(db, freelancer)
    assert data["contact"]["email"] == EMAIL
    assert data["freelancer"]["name"] == "Hélène Dupré"
    assert len(data["missions"]) == 1 and len(data["notes"]) == 1
    assert data["lists"][0]["name"] == "SEO"
    json.dumps(data)  # JSON-ready


def _variants() -> list[str]:
    """Every form of the person's identifiers a reader of the raw files could search for."""
    words = ["Hélène", "Dupré", "Hélène Dupré", "Dupré Hélène"]
    out = [EMAIL, "11 22 33 44", "11.22.33.44", "611223344", str(CHAT_ID)]
    for word in words:
        for form in (word, word.upper(), word.lower()):
            out += [form, unicodedata.normalize("NFD", form)]
        ascii_form = unicodedata.normalize("NFD", word).encode("ascii", "ignore").decode()
        out.append(ascii_form)
    return sorted(set(out))


def _leftovers(raw: bytes) -> list[str]:
    lowered = raw.lower()  # ASCII letters only: the accented forms are listed in each case
    return [v for v in _variants() if v.encode() in raw or v.lower().encode() in lowered]


def test_forget_leaves_no_trace_in_the_file_its_wal_or_the_published_notes(
    db, db_path, freelancer, colleague, tmp_path
):
    outbox.enqueue(db, dedupe_key="h1", freelancer_id=freelancer, kind="alumni_checkin")
    notes_db = tmp_path / "notes.db"
    publish.publish(db, out=notes_db)
    assert "Dupré" in notes_db.read_bytes().decode("utf-8", "ignore")
    wal = db_path.with_name(db_path.name + "-wal")
    assert _leftovers(db_path.read_bytes() + wal.read_bytes())  # the test can see them

    reader = sqlite3.connect(db_path)  # a notebook or the bot keeps the database open
    assert reader.execute("SELECT count(*) FROM freelancers").fetchone()[0] == 2
    try:
        erased = privacy.forget(db, freelancer)
        assert erased["wal_checkpoint"]["busy"] == 0
        assert erased["republished"] == str(notes_db)
        raw = db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert _leftovers(raw) == []
        assert _leftovers(notes_db.read_bytes()) == []
        # The reader sees the anonymised agency, and the colleague keeps his name.
        names = [r[0] for r in reader.execute("SELECT name FROM freelancers ORDER BY id")]
        assert names == [privacy.anonymous_name(freelancer), "Marc Petit"]
    finally:
        reader.close()
    texts = [r[0] for r in db.execute("SELECT text FROM notes ORDER BY id")]
    label = privacy.anonymous_name(freelancer)
    assert texts[1].startswith(f"Marc a repris les maquettes d'{label} (écrire à […])")
    assert db.execute("SELECT quality FROM notes").fetchone()[0] == 5  # benchmarks stay true


def test_a_first_name_alone_is_kept_where_it_means_someone_else(db, freelancer):
    """The rule of the first name: replaced in texts about her and about her projects, kept in
    an unrelated project's note and in the note on a namesake's mission."""
    namesake = pool.add_freelancer(db, name="Hélène Martin", daily_rate=400)
    same_project = _mission(db, namesake, "Refonte", start="2026-03-02", end="2026-03-06")
    _note(db, same_project, "Hélène a très bien travaillé.")
    stranger = pool.add_freelancer(db, name="Paul Roux", daily_rate=400)
    elsewhere = _mission(db, stranger, "Autre", start="2026-03-02", end="2026-03-06")
    _note(db, elsewhere, "Hélène de la compta a validé. Hélène Dupré aussi.")
    lead = _mission(db, stranger, "Refonte", start="2026-04-06", end="2026-04-10")
    _note(db, lead, "RAS.", author="Hélène, cheffe de projet")  # a lead, not her
    privacy.forget(db, freelancer, republish=False)
    assert db.execute("SELECT author FROM notes WHERE mission_id = ?", [lead]).fetchone()[0] \
        == "Hélène, cheffe de projet"
    label = privacy.anonymous_name(freelancer)
    texts = {r[0]: r[1] for r in db.execute("SELECT mission_id, text FROM notes")}
    assert texts[same_project] == "Hélène a très bien travaillé."
    assert texts[elsewhere] == f"Hélène de la compta a validé. {label} aussi."
    reason = db.execute("SELECT end_reason FROM offboardings").fetchone()[0]
    assert reason == f"{label} part vivre à Lyon"
    assert db.execute("SELECT name FROM freelancers WHERE id = ?", [namesake]).fetchone()[0] \
        == "Hélène Martin"


def test_forget_cancels_pending_messages_and_erases_every_text(db, freelancer):
    pending = outbox.enqueue(db, dedupe_key="p", freelancer_id=freelancer, kind="alumni_checkin")
    sent = outbox.enqueue(db, dedupe_key="s", freelancer_id=freelancer, kind="alumni_checkin")
    db.execute("UPDATE outbox SET status = 'sent', sent_at = created_at WHERE id = ?", [sent])
    erased = privacy.forget(db, freelancer, republish=False)
    assert erased["contacts"] == 1 and erased["recommendations"] == 1
    assert erased["outbox_cancelled"] == 1 and erased["outbox"] == 2
    rows = {r["id"]: r for r in db["outbox"].rows}
    assert rows[pending]["status"] == "cancelled" and rows[sent]["status"] == "sent"
    for row in rows.values():
        assert row["body"] is row["html"] is row["subject"] is row["payload"] is None
        assert row["kind"] == "alumni_checkin" and row["created_at"]
    row = pool.get_freelancer(db, freelancer)
    assert row["status"] == "forgotten" and row["opted_out_at"]
    assert pool.get_contact(db, freelancer) == {"freelancer_id": freelancer}  # no contact left
    assert privacy.forget(db, freelancer) == {}  # twice is harmless


def test_forget_is_refused_during_a_mission_and_changes_nothing(db, freelancer):
    db.execute("UPDATE missions SET status = 'active'")
    with pytest.raises(InvalidState) as info:
        privacy.forget(db, freelancer)
    assert "2026-01-05" in info.value.message("en")
    assert pool.get_contact(db, freelancer)["email"] == EMAIL
    assert "Hélène" in db.execute("SELECT text FROM notes").fetchone()[0]


def test_the_cli_forgets_and_says_what_was_erased(db_path, db, freelancer):
    result = CliRunner().invoke(
        cli, ["privacy", "forget", str(freelancer), "--yes", "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["contacts"] == 1
    assert "Dupré" not in result.output


# --- retention ------------------------------------------------------------------------------


def test_purge_erases_old_settled_texts_and_keeps_the_rows(db, freelancer, frozen_clock):
    old = outbox.enqueue(db, dedupe_key="old", freelancer_id=freelancer, kind="alumni_checkin")
    dead = outbox.enqueue(db, dedupe_key="dead", freelancer_id=freelancer, kind="alumni_checkin")
    waiting = outbox.enqueue(db, dedupe_key="w", freelancer_id=freelancer, kind="alumni_checkin")
    db.execute("UPDATE outbox SET status = 'sent', sent_at = created_at WHERE id = ?", [old])
    db.execute("UPDATE outbox SET status = 'dead' WHERE id = ?", [dead])
    frozen_clock.shift(dt.timedelta(days=60))
    recent = outbox.enqueue(db, dedupe_key="new", freelancer_id=freelancer, kind="alumni_checkin")
    db.execute("UPDATE outbox SET status = 'sent', sent_at = created_at WHERE id = ?", [recent])

    frozen_clock.shift(dt.timedelta(days=31))  # 91 days after the first ones, 31 after "new"
    assert privacy.purge(db, dry_run=True)["messages"] == 2
    assert db.execute("SELECT count(*) FROM outbox WHERE body IS NULL").fetchone()[0] == 0
    assert privacy.purge(db)["messages"] == 2
    rows = {r["id"]: r for r in db["outbox"].rows}
    for mid in (old, dead):
        assert rows[mid]["body"] is rows[mid]["html"] is rows[mid]["payload"] is None
        assert rows[mid]["status"] in ("sent", "dead") and rows[mid]["kind"] == "alumni_checkin"
    assert rows[recent]["body"] and rows[waiting]["body"]  # recent, or not sent yet
    assert privacy.purge(db)["messages"] == 0
    assert privacy.purge(db, days=0)["messages"] == 1  # the recent one too


def test_purge_from_the_cli_honours_the_setting(db_path, db, freelancer, frozen_clock,
                                                monkeypatch):
    sent = outbox.enqueue(db, dedupe_key="s", freelancer_id=freelancer, kind="alumni_checkin")
    db.execute("UPDATE outbox SET status = 'sent', sent_at = created_at WHERE id = ?", [sent])
    frozen_clock.shift(dt.timedelta(days=10))
    monkeypatch.setenv("FMS_SENT_BODY_RETENTION_DAYS", "7")
    from fmstoolkit import config

    config.reload_settings()
    runner = CliRunner()
    dry = runner.invoke(cli, ["privacy", "purge", "--dry-run", "--db", str(db_path)])
    assert dry.exit_code == 0 and "1 message would be purged" in dry.output
    assert db.execute("SELECT body FROM outbox").fetchone()[0]
    done = runner.invoke(cli, ["privacy", "purge", "--db", str(db_path)])
    assert done.exit_code == 0 and "1 message purged" in done.output
    assert db.execute("SELECT body FROM outbox").fetchone()[0] is None


def test_purge_refuses_a_negative_period(db):
    with pytest.raises(InvalidInput):
        privacy.purge(db, days=-1)


# --- files readable by their owner only -----------------------------------------------------


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_database_and_its_wal_are_created_readable_by_their_owner_only(db, db_path):
    db["lists"].insert({"name": "x"})  # the WAL and its index exist once written
    for path in (db_path, db_path.with_name("fms.db-wal"), db_path.with_name("fms.db-shm")):
        assert _mode(path) == 0o600, path


def test_a_privacy_export_is_readable_by_its_owner_only(db_path, db, freelancer, tmp_path):
    out = tmp_path / "export.json"
    out.write_text("old")
    out.chmod(0o644)
    result = CliRunner().invoke(
        cli, ["privacy", "export", str(freelancer), "--out", str(out), "--db", str(db_path)]
    )
    assert result.exit_code == 0, result.output
    assert _mode(out) == 0o600
    assert json.loads(out.read_text(encoding="utf-8"))["contact"]["email"] == EMAIL


def test_a_link_token_with_capitals_is_erased_from_texts():
    """A link token (secrets.token_urlsafe: capitals) pasted into a text was left there before,
    because the quick probe looked for it, unfolded, in the lower-cased text."""
    who = Identity(label="X", words=["AbCd1234xyz-Q"])
    assert who.erase("lien envoyé : AbCd1234xyz-Q, à relancer") == "lien envoyé : […], à relancer"
