"""The follow-up rules: what is due when, queued once however often the rules run."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from notify_fixtures import make_freelancer, make_mission, make_poll

from fmstoolkit import clock, followups, planning
from fmstoolkit.actions import followups as followup_actions
from fmstoolkit.actions import messages
from fmstoolkit.actions import planning as planning_actions
from fmstoolkit.cli import cli
from fmstoolkit.notify import callbacks, claims, outbox


def at(frozen_clock, day: str, hour: int = 9) -> None:
    """Move the test's clock to ``day`` at ``hour`` (UTC)."""
    frozen_clock.move_to(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00"))


def run(db, *rules: str, dry_run: bool = False) -> dict:
    return followup_actions.run_rules(db, rules=rules, dry_run=dry_run)


def queued(db, kind: str) -> list[dict]:
    return [m for m in outbox.list_messages(db) if m["kind"] == kind]


def test_feedback_is_asked_the_working_day_after_the_end_once(db, frozen_clock):
    fid = make_freelancer(db)
    mission = make_mission(db, fid, start="2026-12-07", end="2026-12-11")  # ends on a Friday
    db.execute("UPDATE missions SET status = 'ending' WHERE id = ?", [mission])
    at(frozen_clock, "2026-12-12")  # Saturday, then Sunday: not yet
    assert run(db, "feedback_request")["counts"] == {"feedback_request": 0}
    at(frozen_clock, "2026-12-13")
    assert run(db, "feedback_request")["counts"] == {"feedback_request": 0}
    at(frozen_clock, "2026-12-14")  # Monday
    preview = run(db, "feedback_request", dry_run=True)
    assert preview["counts"] == {"feedback_request": 1} and queued(db, "feedback_request") == []
    first = run(db, "feedback_request")
    assert first["messages"][0]["subject_id"] == mission
    again = run(db, "feedback_request")
    assert again["counts"] == {"feedback_request": 0}
    assert len(queued(db, "feedback_request")) == 1


def test_no_feedback_request_when_it_is_in_or_the_mission_is_long_past(db, frozen_clock):
    fid = make_freelancer(db)
    answered = make_mission(db, fid, start="2026-12-07", end="2026-12-11")
    db["feedback"].insert({"mission_id": answered, "source": "interview", "onboarding": 4,
                           "integration": 4, "clarity": 5})
    old = make_mission(db, fid, start="2026-10-05", end="2026-10-09")
    cancelled = make_mission(db, fid, start="2026-12-01", end="2026-12-04")
    db.execute("UPDATE missions SET status = 'cancelled' WHERE id = ?", [cancelled])
    assert {old, cancelled}  # three missions, none of which calls for a request
    at(frozen_clock, "2026-12-15")
    assert run(db, "feedback_request")["counts"] == {"feedback_request": 0}


def test_one_reminder_for_an_unanswered_question_while_the_request_is_open(db, frozen_clock):
    fid = make_freelancer(db)
    other = make_freelancer(db, "Bob Durand", email="bob@example.org")
    poll, answered = make_poll(db, fid), make_poll(db, other)
    for p in (poll, answered):
        mid = messages.enqueue_availability_question(db, p)
        claims.claim(db)
        outbox.mark_sent(db, mid, channel="email", now=clock.now())
    planning.answer_poll(db, answered, "no")
    frozen_clock.shift(dt.timedelta(hours=47))
    assert run(db, "availability_reminder")["counts"] == {"availability_reminder": 0}
    frozen_clock.shift(dt.timedelta(hours=2))
    result = run(db, "availability_reminder")
    assert [m["subject_id"] for m in result["messages"]] == [poll]
    reminder = outbox.get(db, result["messages"][0]["message_id"])
    assert reminder["subject"].startswith("Reminder: are you available from 7 December 2026?")
    assert "A short reminder of our question" in reminder["body"]
    assert [b["label"] for b in reminder["payload"]["buttons"][0]] == ["Yes", "Maybe", "No"]
    frozen_clock.shift(dt.timedelta(days=3))
    assert run(db, "availability_reminder")["counts"] == {"availability_reminder": 0}


def test_no_reminder_once_the_request_is_staffed(db, frozen_clock):
    fid = make_freelancer(db)
    poll = make_poll(db, fid)
    mid = messages.enqueue_availability_question(db, poll)
    claims.claim(db)
    outbox.mark_sent(db, mid, channel="email", now=clock.now())
    db.execute("UPDATE requests SET status = 'staffed'")
    frozen_clock.shift(dt.timedelta(days=3))
    assert run(db, "availability_reminder")["counts"] == {"availability_reminder": 0}


def test_monthly_availability_check_in_the_freelancers_language(db, frozen_clock):
    fresh = make_freelancer(db, "Fresh Fiona", email="fiona@example.org")
    stale = make_freelancer(db, "Stale Sami", email="sami@example.org", lang="fr")
    planning.confirm_availability(db, fresh, by="manager")
    frozen_clock.shift(dt.timedelta(days=20))  # 15 December: Fiona confirmed 20 days ago
    result = run(db, "availability_check")
    assert [m["freelancer_id"] for m in result["messages"]] == [stale]
    check = outbox.get(db, result["messages"][0]["message_id"])
    assert check["subject"] == "Toujours disponible le mois prochain, Stale ?"
    assert "des missions en janvier 2027 ?" in check["body"]
    assert run(db, "availability_check")["counts"] == {"availability_check": 0}
    at(frozen_clock, "2027-01-20")  # a new month, and both are stale by now
    assert {m["freelancer_id"] for m in run(db, "availability_check")["messages"]} == {
        fresh, stale
    }


def test_answering_the_monthly_check_refreshes_availability(db, frozen_clock):
    free, away = make_freelancer(db), make_freelancer(db, "Bob Durand", email="b@example.org")
    mid = messages.enqueue_availability_check(db, away, "2026-11")
    data = outbox.get(db, mid)["payload"]["buttons"][0][1]["callback_data"]
    kind, obj_id, value = callbacks.verify(data, key=callbacks.secret_for(db))
    assert (kind, obj_id, value) == ("avail", away, "no202612")
    planning_actions.answer_availability_check(db, away, "no", "2026-12")
    planning_actions.answer_availability_check(db, free, "yes", "2026-12")
    frozen_clock.shift(dt.timedelta(days=1))
    assert run(db, "availability_check")["counts"] == {"availability_check": 0}
    busy = planning.availability(db, away, "2026-12-01", "2026-12-31")
    assert busy["status"] == "busy"
    assert planning.availability(db, free, "2026-12-01", "2026-12-31")["status"] == "free"


def test_alumni_checkins_through_the_rules_and_the_old_command(db, frozen_clock):
    fid = make_freelancer(db)
    fu = followups.schedule(db, fid, "alumni_checkin", "2026-11-20")
    followups.schedule(db, fid, "alumni_checkin", "2027-03-01", mission_id=make_mission(db, fid))
    result = CliRunner().invoke(cli, ["outbox", "checkins", "--json"])
    assert result.exit_code == 0, result.output
    ids = json.loads(result.output)["queued"]
    assert len(ids) == 1 and outbox.get(db, ids[0])["payload"]["followup_id"] == fu
    assert run(db, "alumni_checkin")["counts"] == {"alumni_checkin": 0}


def test_fms_followups_run_says_what_it_queued(db, frozen_clock):
    fid = make_freelancer(db)
    make_mission(db, fid, start="2026-11-16", end="2026-11-20")
    dry = CliRunner().invoke(cli, ["followups", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "feedback requests (the working day after a mission's end): 1" in dry.output
    assert "monthly availability checks: 1" in dry.output
    assert "2 messages would be queued (dry run: nothing was queued)." in dry.output
    assert outbox.list_messages(db) == []
    done = CliRunner().invoke(cli, ["followups", "run", "--json"])
    assert json.loads(done.output)["counts"]["feedback_request"] == 1
    again = CliRunner().invoke(cli, ["followups", "run", "--rule", "feedback_request"])
    assert again.output.strip().endswith("0 messages queued.")
