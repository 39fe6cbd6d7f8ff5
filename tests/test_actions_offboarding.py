"""Closing an offboarding as a manager does it (fmstoolkit.actions.offboarding): the close, the
recommendation queued for the freelancer, the notes database republished and the outcome kept."""

import pytest
import sqlite_utils
from offboarding_fixtures import (
    FEEDBACK,
    NOTE,
    RECOMMENDATION,
    full_answers,
    full_checklist,
    make_mission,
    today,
)

from fmstoolkit import config, offboarding, publish
from fmstoolkit.actions import messages
from fmstoolkit.actions.offboarding import apply_offboarding_answers, close_offboarding
from fmstoolkit.errors import InvalidState
from fmstoolkit.ui.offboarding import OffboardingApp


def complete_steps(db, m):
    offboarding.save_checklist(db, m["mission_id"], full_checklist(m["deliverables"]))
    offboarding.save_feedback(db, m["mission_id"], FEEDBACK)
    offboarding.save_recommendation(db, m["mission_id"], RECOMMENDATION)
    offboarding.save_note(db, m["mission_id"], NOTE, today=today())


def recommendations_queued(db):
    return list(db.query("SELECT id, freelancer_id FROM outbox WHERE kind = 'recommendation'"))


def published_notes(tmp_path):
    notes = sqlite_utils.Database(tmp_path / "notes.db")
    try:
        return list(notes.query("SELECT mission_id, text FROM notes"))
    finally:
        notes.close()


def test_closing_republishes_the_notes_records_it_and_queues_the_recommendation(db, tmp_path):
    m = make_mission(db)
    complete_steps(db, m)
    result = close_offboarding(db, m["mission_id"], ["React"], today=today())
    assert result["status"] == "closed" and result["lists"] == ["React"]
    assert result["publish"]["status"] == "published" and result["publish"]["notes"] == 1
    assert published_notes(tmp_path) == [{"mission_id": m["mission_id"], "text": NOTE["text"]}]
    row = db["offboardings"].get(m["mission_id"])
    assert row["published_at"] and row["publish_error"] is None
    assert offboarding.get_offboarding(db, m["mission_id"])["published_at"] == row["published_at"]
    queued = recommendations_queued(db)
    assert [q["freelancer_id"] for q in queued] == [m["freelancer_id"]]
    assert result["recommendation_message_id"] == queued[0]["id"]


def test_a_recommendation_sent_before_closing_is_queued_once(db):
    m = make_mission(db)
    complete_steps(db, m)
    sent = messages.enqueue_recommendation(db, m["mission_id"])  # the "send" button
    result = close_offboarding(db, m["mission_id"], today=today(), publish=False)
    assert result["recommendation_message_id"] == sent
    assert [q["id"] for q in recommendations_queued(db)] == [sent]


def test_a_failed_publish_does_not_undo_the_close(db, tmp_path, monkeypatch):
    (tmp_path / "broken").mkdir()
    monkeypatch.setenv("FMS_NOTES_DB", str(tmp_path / "broken"))
    config.reload_settings()
    m = make_mission(db)
    complete_steps(db, m)
    result = close_offboarding(db, m["mission_id"], today=today())
    assert result["publish"]["status"] == "failed"
    assert "is a folder" in result["publish"]["error"]
    assert offboarding.get_mission(db, m["mission_id"])["status"] == "offboarded"
    row = db["offboardings"].get(m["mission_id"])
    assert row["status"] == "closed"
    assert row["publish_error"] == result["publish"]["error"] and row["published_at"] is None
    assert len(recommendations_queued(db)) == 1


def test_an_error_publishing_cannot_raise_is_not_swallowed(db, monkeypatch):
    """Only database, file and user errors count as "publish failed"; a bug surfaces, and the
    close, committed before publishing, still stands."""

    def broken(_db, _out=None):
        raise RuntimeError("a bug")

    monkeypatch.setattr(publish, "publish", broken)
    m = make_mission(db)
    complete_steps(db, m)
    with pytest.raises(RuntimeError):
        close_offboarding(db, m["mission_id"], today=today())
    assert db["offboardings"].get(m["mission_id"])["status"] == "closed"


def test_a_refused_close_publishes_and_queues_nothing(db, tmp_path):
    m = make_mission(db)
    offboarding.save_recommendation(db, m["mission_id"], RECOMMENDATION)
    with pytest.raises(InvalidState):
        close_offboarding(db, m["mission_id"], today=today())
    assert recommendations_queued(db) == []
    assert not (tmp_path / "notes.db").exists()
    assert db["offboardings"].get(m["mission_id"])["status"] != "closed"


def test_applying_answers_closes_publishes_and_queues(db, tmp_path):
    m = make_mission(db)
    result = apply_offboarding_answers(
        db, m["mission_id"], full_answers(m["deliverables"], ["React"]), today=today()
    )
    assert result["status"] == "closed" and result["invoice_check"]["expected_amount"] == 5000
    assert result["publish"]["status"] == "published"
    assert [n["mission_id"] for n in published_notes(tmp_path)] == [m["mission_id"]]
    assert result["recommendation_message_id"] == recommendations_queued(db)[0]["id"]


def test_applying_answers_without_publishing(db, tmp_path):
    m = make_mission(db)
    result = apply_offboarding_answers(
        db, m["mission_id"], full_answers(m["deliverables"]), today=today(), publish=False
    )
    assert "publish" not in result and not (tmp_path / "notes.db").exists()
    assert db["offboardings"].get(m["mission_id"])["published_at"] is None
    assert len(recommendations_queued(db)) == 1


def test_the_notebook_close_button_ends_in_the_action(db, tmp_path):
    m = make_mission(db, start="2026-10-05", end="2026-11-20")
    complete_steps(db, m)
    wizard = OffboardingApp(db).start(m["mission_id"])
    assert wizard.step == 4  # every step saved: the closing is next
    wizard.next_button.click()
    assert wizard.result["publish"]["status"] == "published"
    assert "notes database: Published" in wizard.summary.value  # was the raw "publish: published"
    assert [n["mission_id"] for n in published_notes(tmp_path)] == [m["mission_id"]]
    assert wizard.result["recommendation_message_id"] == recommendations_queued(db)[0]["id"]
