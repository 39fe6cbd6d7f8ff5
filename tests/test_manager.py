"""The manager's side, in process (frozen clock): the digest, the requalification alert, a
freelancer's yes passed on with Assign / Wait, the role filled, and messages to the manager in
the outbox (recipient 'manager', sent to FMS_MANAGER_EMAIL, never opted out by a freelancer)."""

from __future__ import annotations

import datetime as dt

import pytest
from planning_fixtures import freelancer, past_mission
from test_actions_planning import Recorder, request

from fmstoolkit import clock, config, manager_chat, planning, requalification
from fmstoolkit.actions import freelancers as freelancer_actions
from fmstoolkit.actions import manager
from fmstoolkit.actions import planning as actions
from fmstoolkit.errors import Conflict, InvalidState
from fmstoolkit.notify import dispatcher, outbox


@pytest.fixture
def manager_email(monkeypatch):
    monkeypatch.setenv("FMS_MANAGER_EMAIL", "boss@agency.example")
    monkeypatch.setenv("FMS_DIGEST_HOUR", "0")
    config.reload_settings()
    return "boss@agency.example"


def contact(db, fid: int, email: str) -> None:
    db.execute("INSERT OR IGNORE INTO contacts (freelancer_id) VALUES (?)", [fid])
    db.execute("UPDATE contacts SET email = ? WHERE freelancer_id = ?", [email, fid])


def manager_rows(db) -> list[dict]:
    return [m for m in outbox.list_messages(db) if m["recipient"] == "manager"]


def test_the_requalification_alert_is_queued_once_per_crossing(db, manager_email):
    today = clock.today()
    zoe = freelancer(db, "Zoé Durand")
    bob = freelancer(db, "Bob Leroy")
    start = (today - dt.timedelta(days=199)).isoformat()
    past_mission(db, zoe, start, today.isoformat(), status="active")  # 200 days: 6.6 months
    past_mission(db, bob, (today - dt.timedelta(days=99)).isoformat(), today.isoformat(),
                 status="active")  # fmt: skip
    (alert,) = requalification.over_limit(db)
    assert (alert.name, alert.months) == ("Zoé Durand", 6.6)
    assert alert.crossed_on == today - dt.timedelta(days=199 - 182)
    first = manager.queue_requalification_alerts(db)
    assert manager.queue_requalification_alerts(db) == first  # applied twice: one message
    tomorrow = manager.queue_requalification_alerts(db, today + dt.timedelta(days=1))
    assert tomorrow == first  # the same crossing the next day: still one alert
    (row,) = manager_rows(db)
    assert (row["kind"], row["freelancer_id"], row["status"]) == (
        "requalification_alert", zoe, "pending")
    msg = outbox.get(db, row["id"])
    assert "Zoé Durand has worked 6.6 months for the agency over the last 12 months" in msg["body"]
    assert "@" not in msg["body"] + msg["html"]  # no contact data


def test_nothing_is_queued_for_a_manager_who_cannot_be_reached(db):
    zoe = freelancer(db, "Zoé Durand")
    today = clock.today()
    past_mission(db, zoe, (today - dt.timedelta(days=300)).isoformat(), today.isoformat())
    assert manager.queue_requalification_alerts(db) == []
    assert manager.queue_digest(db) is None and manager_rows(db) == []


def test_the_digest_lists_what_needs_the_manager_once_a_day(db, manager_email, frozen_clock):
    zoe = freelancer(db, "Zoé Durand")
    ana = freelancer(db, "Ana Dupont")
    today = clock.today()
    ended = past_mission(db, zoe, (today - dt.timedelta(days=20)).isoformat(),
                         (today - dt.timedelta(days=6)).isoformat(), status="ending")  # fmt: skip
    req = request(db)
    polls = actions.ask_availability(db, req, freelancer_ids=[ana, zoe])
    actions.answer_poll(db, polls[0]["poll_id"], "maybe")
    dead = polls[1]["message_id"]
    db.execute("UPDATE outbox SET status = 'dead' WHERE id = ?", [dead])
    digest_id = manager.queue_digest(db)
    assert manager.queue_digest(db) is None  # once a day
    msg = outbox.get(db, digest_id)
    assert (msg["recipient"], msg["freelancer_id"], msg["kind"]) == (
        "manager", None, "manager_digest")
    assert f"- mission #{ended} (Past project), ended" in msg["body"]
    assert "6 days ago" in msg["body"]
    assert f"- request #{req} (Site, from 7 December 2026): 2 asked, 1 answered" in msg["body"]
    assert "Answers received: 0 yes, 1 maybe, 0 no." in msg["body"]
    assert "Messages that could not be sent: 1." in msg["body"]
    assert "Zoé" not in msg["body"] + msg["payload"]["telegram"]  # projects, never names
    assert "<b>Your digest of" in msg["payload"]["telegram"]
    # The next day: answers since the last digest only; nothing to say means no digest.
    db.execute("UPDATE outbox SET status = 'cancelled' WHERE id = ?", [dead])
    db.execute("UPDATE requests SET status = 'cancelled' WHERE id = ?", [req])
    db.execute("UPDATE missions SET status = 'offboarded' WHERE id = ?", [ended])
    frozen_clock.shift(dt.timedelta(days=1))
    assert manager.queue_digest(db) is None
    assert [m["kind"] for m in manager_rows(db)] == ["manager_digest"]


def test_a_yes_reaches_the_manager_with_assign_and_the_others_are_told(db, manager_email):
    req = request(db)
    ana = freelancer(db, "Ana Dupont")
    bob = freelancer(db, "Bob Leroy")
    cid = freelancer(db, "Cid Noël")
    for fid, name in ((ana, "ana"), (bob, "bob"), (cid, "cid")):
        contact(db, fid, f"{name}@example.org")
    polls = {r["freelancer_id"]: r["poll_id"] for r in
             actions.ask_availability(db, req, freelancer_ids=[ana, bob, cid])}  # fmt: skip
    actions.answer_poll(db, polls[cid], "no")
    actions.answer_poll(db, polls[ana], "yes")
    actions.answer_poll(db, polls[ana], "yes")  # pressed twice: one message to the manager
    (yes,) = manager_rows(db)
    msg = outbox.get(db, yes["id"])
    assert (msg["kind"], msg["freelancer_id"]) == ("staffing_answer", ana)
    assert "Ana Dupont answered yes: available for Site from 7 December 2026" in msg["body"]
    assert "In the ranking: #1, " in msg["body"]
    labels = [b["label"] for b in msg["payload"]["buttons"][0]]
    assert labels == ["Assign", "Wait"]
    freelancer_actions.opt_out(db, ana)  # the freelancer opting out does not cancel it
    assert outbox.get(db, yes["id"])["status"] == "pending"
    freelancer_actions.opt_out(db, ana, opted_out=False)
    mission = manager.assign_from_poll(db, polls[ana])
    assert planning.get_mission(db, mission["id"])["freelancer_id"] == ana
    assert outbox.get(db, mission["confirmation_id"])["kind"] == "mission_confirmation"
    (told,) = mission["told_filled"]  # Bob, who did not answer; not Cid, who said no
    assert (outbox.get(db, told)["freelancer_id"], outbox.get(db, told)["kind"]) == (
        bob, "role_filled")
    with pytest.raises((Conflict, InvalidState)):  # a second Assign writes nothing
        manager.assign_from_poll(db, polls[ana])
    with pytest.raises(InvalidState, match="no longer says yes"):
        manager.assign_from_poll(db, polls[bob])


def test_messages_to_the_manager_are_sent_to_the_managers_address(db, manager_email):
    zoe = freelancer(db, "Zoé Durand")
    today = clock.today()
    past_mission(db, zoe, (today - dt.timedelta(days=300)).isoformat(), today.isoformat())
    manager.queue_requalification_alerts(db)
    email = Recorder()
    summary = dispatcher.drain(db, channels={"email": email, "telegram": None})
    assert summary["sent"] == 1
    (sent,) = email.sent
    assert sent.recipient == "boss@agency.example" and sent.freelancer_id == zoe
    assert sent.subject == "Requalification risk: Zoé Durand"


def test_the_manager_chat_links_once_per_token(db):
    token = manager_chat.new_invitation(db)
    assert token.startswith("mgr_")
    assert manager_chat.link(db, "mgr_forged", 42) == "unknown"
    assert manager_chat.link(db, token, 42) == "linked"
    assert manager_chat.link(db, token, 43) == "used"
    assert manager_chat.chat_id(db) == 42
    assert manager_chat.contact(db)["preferred_channel"] == "telegram"
