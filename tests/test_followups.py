import datetime as dt

import pytest

from fmstoolkit import followups, pool
from fmstoolkit.errors import InvalidInput, InvalidState, NotFound


@pytest.fixture
def people(db):
    return {
        "alice": pool.add_freelancer(db, name="Alice"),
        "bob": pool.add_freelancer(db, name="Bob"),
        "gone": pool.add_freelancer(db, name="Gone"),
    }


def test_due_lists_pending_followups_up_to_today_oldest_first(db, people):
    today = dt.date(2026, 6, 1)
    late = followups.schedule(db, people["bob"], "alumni_checkin", "2026-05-01")
    on_time = followups.schedule(db, people["alice"], "feedback_request", "2026-06-01")
    followups.schedule(db, people["alice"], "alumni_checkin", "2026-06-02")  # tomorrow
    done = followups.schedule(db, people["bob"], "feedback_request", "2026-04-01")
    followups.mark_done(db, done, when=today)
    rows = followups.due(db, today)
    assert [r["id"] for r in rows] == [late, on_time]
    assert rows[0]["freelancer_id"] == people["bob"]
    assert rows[0]["kind"] == "alumni_checkin"
    assert rows[0]["due_date"] == "2026-05-01"
    assert rows[0]["mission_id"] is None
    # the next day the third one is due too
    assert len(followups.due(db, "2026-06-02")) == 3


def test_forgotten_freelancers_get_no_followup_and_opted_out_are_flagged(db, people):
    followups.schedule(db, people["gone"], "alumni_checkin", "2026-01-01")
    followups.schedule(db, people["alice"], "alumni_checkin", "2026-01-01")
    pool.update_freelancer(db, people["gone"], status="forgotten")
    pool.set_opt_out(db, people["alice"])
    rows = followups.due(db, "2026-02-01")
    assert [r["freelancer_id"] for r in rows] == [people["alice"]]
    assert rows[0]["opted_out"] == 1


def test_schedule_is_idempotent_per_freelancer_mission_and_kind(db, people):
    first = followups.schedule(db, people["alice"], "alumni_checkin", "2026-03-01")
    again = followups.schedule(db, people["alice"], "alumni_checkin", "2026-04-01")
    assert first == again
    assert followups.get(db, first)["due_date"] == "2026-04-01"
    other = followups.schedule(db, people["alice"], "feedback_request", "2026-04-01")
    assert other != first


def test_schedule_refuses_an_unknown_kind_or_a_bad_date(db, people):
    with pytest.raises(InvalidInput) as err:
        followups.schedule(db, people["alice"], "birthday", "2026-03-01")
    assert err.value.problems[0].field == "kind"
    with pytest.raises(InvalidInput):
        followups.schedule(db, people["alice"], "alumni_checkin", "03/01/2026")
    assert db["followups"].count == 0


def test_alumni_checkin_is_scheduled_days_after_closing(db, people):
    fid = followups.schedule_alumni_checkin(db, people["bob"], None, "2026-03-16", 90)
    assert followups.get(db, fid)["due_date"] == "2026-06-14"


def test_mark_done_and_cancel(db, people):
    fid = followups.schedule(db, people["alice"], "alumni_checkin", "2026-01-01")
    row = followups.mark_done(db, fid, when="2026-01-02")
    assert row["status"] == "done" and row["done_at"] == "2026-01-02"
    assert followups.mark_done(db, fid)["done_at"] == "2026-01-02"  # again: unchanged
    assert followups.due(db, "2026-02-01") == []
    other = followups.schedule(db, people["bob"], "alumni_checkin", "2026-01-01")
    assert followups.cancel(db, other)["status"] == "cancelled"
    with pytest.raises(InvalidState):
        followups.mark_done(db, other)
    with pytest.raises(NotFound):
        followups.mark_done(db, 999)


def test_upcoming_lists_the_next_ones(db, people):
    followups.schedule(db, people["alice"], "alumni_checkin", "2026-01-10")
    followups.schedule(db, people["bob"], "alumni_checkin", "2026-03-10")
    rows = followups.upcoming(db, within=30, today="2026-01-01")
    assert [r["freelancer_id"] for r in rows] == [people["alice"]]
