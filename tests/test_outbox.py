"""The outbox queue: dedupe, rendering, claim with lease, backoff, dead letters, opt-out, and the
signed callback data of Telegram buttons."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import stat

import pytest
from conftest import FROZEN_NOW
from icalendar import Calendar
from notify_fixtures import make_freelancer, make_mission, make_poll, outbox_text

from fmstoolkit import clock, config, followups, pool
from fmstoolkit.actions import messages
from fmstoolkit.actions.followups import run_rules
from fmstoolkit.errors import DeliveryError, InvalidInput, InvalidState, NotFound
from fmstoolkit.notify import callbacks, claims, outbox, render

NOW = FROZEN_NOW


def queue_one(db, key="k1", fid=None, **kwargs) -> int:
    fid = fid or make_freelancer(db)
    return outbox.enqueue(
        db,
        dedupe_key=key,
        freelancer_id=fid,
        kind="alumni_checkin",
        payload={"project": "X"},
        **kwargs,
    )


# --- queuing -------------------------------------------------------------------------------------


def test_the_same_dedupe_key_stores_one_message(db):
    fid = make_freelancer(db)
    first = queue_one(db, "poll:request 12:freelancer 40", fid)
    again = queue_one(db, "poll:request 12:freelancer 40", fid)
    assert first == again
    assert db["outbox"].count == 1
    msg = outbox.get(db, first)
    assert msg["status"] == "pending" and msg["attempts"] == 0 and msg["channel"] == "preferred"
    assert msg["lang"] == "en" and "Hello Alice" in msg["body"] and msg["subject"]
    assert "<html" in msg["html"] and "Hello Alice" in msg["payload"]["telegram"]


def test_language_follows_the_freelancer_then_the_setting(db, monkeypatch):
    fr = make_freelancer(db, "Zoé Durand", email="zoe@example.org", lang="fr")
    en = make_freelancer(db, "Bob Smith", email="bob@example.org")
    assert outbox.get(db, queue_one(db, "a", fr))["body"].startswith("Bonjour Zoé")
    assert outbox.get(db, queue_one(db, "b", en))["body"].startswith("Hello Bob")
    monkeypatch.setenv("FMS_LANG", "fr")
    config.reload_settings()
    assert outbox.get(db, queue_one(db, "c", en))["body"].startswith("Bonjour Bob")
    assert outbox.get(db, queue_one(db, "d", en, lang="en"))["body"].startswith("Hello Bob")


def test_bad_enqueue_arguments_are_refused(db):
    fid = make_freelancer(db)
    with pytest.raises(InvalidInput):
        outbox.enqueue(db, dedupe_key="x", freelancer_id=fid, kind="spam")
    with pytest.raises(InvalidInput):
        outbox.enqueue(db, dedupe_key="x", freelancer_id=fid, kind="alumni_checkin", channel="fax")
    with pytest.raises(NotFound):
        outbox.enqueue(db, dedupe_key="x", freelancer_id=999, kind="alumni_checkin")
    assert db["outbox"].count == 0


def test_opted_out_freelancer_gets_the_message_cancelled_with_the_reason(db):
    fid = make_freelancer(db)
    pool.set_opt_out(db, fid)
    msg = outbox.get(db, queue_one(db, "k", fid))
    assert msg["status"] == "cancelled" and "opted out" in msg["last_error"]
    assert claims.claim(db, now=NOW + dt.timedelta(days=1)) == []


# --- claim, lease, backoff, dead -----------------------------------------------------------------


def test_claim_takes_due_messages_once_and_a_lost_lease_makes_them_claimable(db):
    ids = [
        queue_one(db, f"k{i}", make_freelancer(db, f"P{i} X", email=f"p{i}@example.org"))
        for i in range(3)
    ]
    later = NOW + dt.timedelta(days=1)
    claimed = claims.claim(db, limit=2, now=later, lease_seconds=60)
    assert [m["id"] for m in claimed] == ids[:2]
    assert all(m["status"] == "sending" and m["attempts"] == 1 for m in claimed)
    assert [m["id"] for m in claims.claim(db, now=later, lease_seconds=60)] == ids[2:]
    assert claims.claim(db, now=later + dt.timedelta(seconds=30)) == []  # leases still held
    # the sender crashed: after the lease the messages come back, one more attempt counted
    again = claims.claim(db, now=later + dt.timedelta(seconds=61))
    assert [m["id"] for m in again] == ids and all(m["attempts"] == 2 for m in again)


def test_a_message_is_not_claimed_before_it_is_due(db):
    mid = queue_one(db)
    claims.claim(db, now=NOW)
    outbox.mark_failed(db, mid, "421 try later", retry_after=3600, now=NOW)
    assert claims.claim(db, now=NOW + dt.timedelta(minutes=59)) == []
    assert [m["id"] for m in claims.claim(db, now=NOW + dt.timedelta(minutes=67))] == [mid]


def test_temporary_failures_back_off_exponentially_with_jitter(db):
    mid = queue_one(db)
    waits = []
    for attempt in range(1, 5):
        now = NOW + dt.timedelta(days=attempt)
        (msg,) = claims.claim(db, now=now)
        assert msg["attempts"] == attempt
        status = outbox.mark_failed(db, mid, "421 try later", now=now, rng=random.Random(attempt))
        assert status == "pending"
        next_at = clock.parse_stamp(outbox.get(db, mid)["next_attempt_at"])
        waits.append((next_at - now).total_seconds())
        assert claims.claim(db, now=next_at - dt.timedelta(seconds=1)) == []
    for attempt, wait in enumerate(waits, 1):
        full = claims.BACKOFF_BASE * 2 ** (attempt - 1)
        assert full / 2 - 1 <= wait <= full
    assert outbox.get(db, mid)["last_error"] == "421 try later"
    # jitter: two messages failing together do not come back together
    a = [claims.backoff(3, rng=random.Random(s)) for s in range(20)]
    assert len({round(x) for x in a}) > 5


def test_retry_after_is_honoured(db):
    mid = queue_one(db)
    (msg,) = claims.claim(db, now=NOW + dt.timedelta(days=1))
    now = NOW + dt.timedelta(days=1)
    outbox.mark_failed(db, mid, "429 too many requests", retry_after=7, now=now)
    next_at = clock.parse_stamp(outbox.get(db, mid)["next_attempt_at"])
    assert 7 <= (next_at - now).total_seconds() <= 8


def test_dead_after_max_attempts(db, monkeypatch):
    monkeypatch.setenv("FMS_OUTBOX_MAX_ATTEMPTS", "3")
    config.reload_settings()
    mid = queue_one(db)
    now = NOW + dt.timedelta(days=1)
    statuses = []
    for _ in range(3):
        (msg,) = claims.claim(db, now=now)
        statuses.append(outbox.mark_failed(db, mid, "timeout", now=now))
        now += dt.timedelta(days=1)
    assert statuses == ["pending", "pending", "dead"]
    assert claims.claim(db, now=now + dt.timedelta(days=30)) == []
    assert outbox.get(db, mid)["last_error"] == "timeout"


def test_permanent_failure_is_dead_at_once_with_the_reason(db):
    mid = queue_one(db)
    claims.claim(db, now=NOW + dt.timedelta(days=1))
    assert outbox.mark_failed(db, mid, "550 5.1.1 mailbox unknown", permanent=True) == "dead"
    msg = outbox.get(db, mid)
    assert msg["status"] == "dead" and msg["attempts"] == 1
    assert msg["last_error"] == "550 5.1.1 mailbox unknown"


def test_retry_and_cancel_by_id(db):
    mid = queue_one(db)
    claims.claim(db, now=NOW + dt.timedelta(days=1))
    outbox.mark_failed(db, mid, "550 no", permanent=True)
    msg = outbox.retry(db, mid)
    assert msg["status"] == "pending" and msg["attempts"] == 0
    assert [m["id"] for m in claims.claim(db)] == [mid]
    with pytest.raises(InvalidState):  # being sent right now
        outbox.cancel(db, mid)
    outbox.mark_failed(db, mid, "421 later")
    assert outbox.cancel(db, mid)["status"] == "cancelled"
    assert outbox.cancel(db, mid)["last_error"] == "cancelled by hand"
    assert outbox.retry(db, mid)["status"] == "pending"
    claims.claim(db)
    outbox.mark_sent(db, mid, channel="email", provider_id="<x@y>")
    with pytest.raises(InvalidState):
        outbox.cancel(db, mid)
    with pytest.raises(InvalidState):
        outbox.retry(db, mid)
    with pytest.raises(NotFound):
        outbox.retry(db, 999)


def test_list_and_counts(db):
    a = queue_one(db, "a")
    b = queue_one(db, "b", make_freelancer(db, "Bob Smith", email="bob@example.org"))
    outbox.cancel(db, b)
    rows = outbox.list_messages(db)
    assert [r["id"] for r in rows] == [b, a]
    assert rows[1]["freelancer"] == "Alice Martin" and "email" not in rows[1]
    assert [r["id"] for r in outbox.list_messages(db, status="pending")] == [a]
    assert outbox.counts(db) == {"pending": 1, "sending": 0, "sent": 0, "dead": 0, "cancelled": 1}
    with pytest.raises(InvalidInput):
        outbox.list_messages(db, status="lost")


# --- the messages --------------------------------------------------------------------------------


def test_availability_question_has_signed_buttons_for_its_poll(db):
    fid = make_freelancer(db, chat_id=4242)
    poll_id = make_poll(db, fid)
    mid = messages.enqueue_availability_question(db, poll_id)
    assert messages.enqueue_availability_question(db, poll_id) == mid
    msg = outbox.get(db, mid)
    assert msg["kind"] == "availability_question" and msg["dedupe_key"] == f"poll:{poll_id}"
    assert "7 December 2026" in msg["subject"] and "10 working days" in msg["body"]
    (row,) = msg["payload"]["buttons"]
    assert [b["label"] for b in row] == ["Yes", "Maybe", "No"]
    assert [callbacks.verify(b["callback_data"]) for b in row] == [
        ("poll", poll_id, "yes"),
        ("poll", poll_id, "maybe"),
        ("poll", poll_id, "no"),
    ]
    # the project name is escaped for Telegram's HTML parse mode and the HTML email, not the text
    assert "Refonte &lt;site&gt; &amp; co" in msg["payload"]["telegram"]
    assert "Refonte &lt;site&gt; &amp; co" in msg["html"]
    assert "Refonte <site> & co" in msg["body"]
    with pytest.raises(NotFound):
        messages.enqueue_availability_question(db, 999)


def test_every_kind_renders_in_both_languages_within_telegram_limits():
    context = {
        "first_name": "Zoé",
        "name": "Zoé D",
        "signature": "Agence <A&B>",
        "project": "P<1>",
        "client": "C",
        "title": "Dev",
        "role": "React",
        "start_date": "2026-03-02",
        "end_date": "2026-03-13",
        "days": 10,
        "daily_rate": 1500,
        "lead_name": "Claire",
        "recommendation": "Excellent <travail> & rigueur. " * 600,
        "author": "Claire",
        "connect_url": "https://t.me/bot?start=abc",
        "bot": "bot",
        "month_name": "janvier 2027",
        "attached": "le contrat de prestation",
    }
    for kind in render.KINDS:
        for lang in render.LANGS:
            r = render.render(kind, lang, context)
            assert r.subject and r.text.strip() and "<html" in r.html
            assert 0 < render.telegram_length(r.telegram) <= render.TELEGRAM_LIMIT
            assert "<A&B>" not in r.html and "Agence &lt;A&amp;B&gt;" in r.html
            assert ("Bonjour" if lang == "fr" else "Hello") in r.text
    assert "2 mars 2026" in render.render("mission_confirmation", "fr", context).text
    assert "1\u202f500\u00a0€" in render.render("mission_confirmation", "fr", context).text
    assert "€1,500" in render.render("mission_confirmation", "en", context).text


def test_recommendation_needs_one_and_is_marked_delivered_when_sent(db):
    fid = make_freelancer(db)
    mission = make_mission(db, fid)
    with pytest.raises(InvalidState):
        messages.enqueue_recommendation(db, mission)
    db["recommendations"].insert({"mission_id": mission, "author": "Claire", "text": "Top."})
    mid = messages.enqueue_recommendation(db, mission)
    assert "Top." in outbox.get(db, mid)["body"]
    claims.claim(db)
    outbox.mark_sent(db, mid, channel="email", provider_id="<1@x>", now=NOW)
    assert db["recommendations"].get(1)["delivered_at"] == "2026-11-25"


def test_feedback_request_once_per_mission(db):
    fid = make_freelancer(db)
    mission = make_mission(db, fid)
    mid = messages.enqueue_feedback_request(db, mission)
    assert messages.enqueue_feedback_request(db, mission) == mid
    msg = outbox.get(db, mid)
    assert "ended on 18 December 2026" in msg["body"]
    (button,) = msg["payload"]["buttons"][0]
    assert callbacks.verify(button["callback_data"]) == ("feedback", mission, "start")


def test_mission_confirmation_carries_an_ics(db):
    fid = make_freelancer(db, lang="fr")
    mission = make_mission(db, fid)
    msg = outbox.get(db, messages.enqueue_mission_confirmation(db, mission))
    assert msg["subject"].startswith("Mission confirmée")
    event = Calendar.from_ical(msg["payload"]["ics"]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == dt.date(2026, 12, 7)
    assert event.decoded("dtend") == dt.date(2026, 12, 19)  # exclusive
    assert str(event["uid"]) == f"mission-{mission}@fmstoolkit"
    # moved to other dates: a new confirmation
    db.execute("UPDATE missions SET start_date = '2026-12-08' WHERE id = ?", [mission])
    assert messages.enqueue_mission_confirmation(db, mission) != msg["id"]


def test_alumni_checkins_are_queued_and_their_follow_up_done_when_sent(db):
    fid = make_freelancer(db)
    out = make_freelancer(db, "Olga Out", email="olga@example.org")
    pool.set_opt_out(db, out)
    fu = followups.schedule(
        db, fid, "alumni_checkin", "2026-11-20", mission_id=make_mission(db, fid)
    )
    fu_out = followups.schedule(db, out, "alumni_checkin", "2026-11-20")
    followups.schedule(db, fid, "alumni_checkin", "2027-01-01")  # not due yet
    ids = [m["message_id"] for m in run_rules(db, rules=("alumni_checkin",))["messages"]]
    assert len(ids) == 2 and run_rules(db, rules=("alumni_checkin",))["messages"] == []
    assert followups.get(db, fu_out)["status"] == "cancelled"
    assert outbox.get(db, ids[1])["status"] == "cancelled"
    assert "your mission on Refonte" in outbox.get(db, ids[0])["body"]
    claims.claim(db)
    outbox.mark_sent(db, ids[0], channel="email", now=NOW)
    assert followups.get(db, fu)["status"] == "done"


def test_telegram_invitation_keeps_the_token_out_of_the_outbox(db, monkeypatch):
    fid = make_freelancer(db)
    with pytest.raises(DeliveryError):
        messages.enqueue_telegram_invitation(db, fid)
    monkeypatch.setenv("FMS_TELEGRAM_BOT_USERNAME", "@fms_bot")
    config.reload_settings()
    mid = messages.enqueue_telegram_invitation(db, fid)
    token = pool.get_contact(db, fid)["telegram_link_token"]
    assert token and len(token) <= 64
    msg = outbox.get(db, mid)
    assert msg["channel"] == "email" and outbox.CONNECT_URL in msg["body"]
    assert token not in outbox_text(db)
    no_mail = make_freelancer(db, "No Mail", email=None)
    with pytest.raises(InvalidState):
        messages.enqueue_telegram_invitation(db, no_mail)


def test_no_contact_data_in_the_outbox(db):
    fid = make_freelancer(db, email="secret.person@example.org", chat_id=987654321)
    mission = make_mission(db, fid)
    messages.enqueue_feedback_request(db, mission)
    messages.enqueue_mission_confirmation(db, mission)
    messages.enqueue_availability_question(db, make_poll(db, fid))
    text = outbox_text(db)
    assert "secret.person" not in text and "987654321" not in text


# --- callback data -------------------------------------------------------------------------------


def test_callback_data_is_signed_short_and_bound_to_its_poll(db):
    data = callbacks.sign("poll", 123456789012, "maybe")
    assert len(data.encode()) <= 64
    assert callbacks.verify(data) == ("poll", 123456789012, "maybe")
    kind, obj, value, mac = data.split(":")
    for forged in (
        f"{kind}:123456789013:{value}:{mac}",  # another poll
        f"{kind}:{obj}:yes:{mac}",  # another answer
        f"{kind}:{obj}:{value}:{mac[:-1]}{'B' if mac.endswith('A') else 'A'}",  # another MAC
        "poll:1:yes",
        "",
    ):
        with pytest.raises(InvalidInput):
            callbacks.verify(forged)
    with pytest.raises(ValueError):
        callbacks.sign("Poll:x", 1, "yes")


def test_secret_is_per_database_or_from_the_setting(db, db_path, monkeypatch, tmp_path):
    data = callbacks.sign("poll", 1, "yes")
    path = callbacks.secret_file()
    assert path == db_path.with_name("fms.db-secret") and path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    other = tmp_path / "other" / "fms.db"
    other_data = callbacks.sign("poll", 1, "yes", key=callbacks.secret(other))
    assert other_data != data  # another database cannot forge this one's buttons
    with pytest.raises(InvalidInput):
        callbacks.verify(other_data)
    monkeypatch.setenv("FMS_SECRET_KEY", "s3cret")
    config.reload_settings()
    assert callbacks.secret() == b"s3cret"
    assert callbacks.verify(callbacks.sign("poll", 2, "no")) == ("poll", 2, "no")
    with pytest.raises(InvalidInput):
        callbacks.verify(data)
    assert json.dumps(str(config.get_settings())).count("s3cret") == 0


# --- the command line ----------------------------------------------------------------------------


def test_outbox_list_retry_cancel_commands(db, db_path):
    from click.testing import CliRunner

    from fmstoolkit.cli import cli

    mid = queue_one(db)
    runner = CliRunner()
    args = ["--db", str(db_path)]
    listing = runner.invoke(cli, ["outbox", "list", "--json", *args])
    assert listing.exit_code == 0
    (row,) = json.loads(listing.output)
    assert row["id"] == mid and row["status"] == "pending" and row["freelancer"] == "Alice Martin"
    result = runner.invoke(cli, ["outbox", "cancel", str(mid), "--reason", "wrong person", *args])
    assert (
        result.exit_code == 0 and "cancelled" in result.output and "wrong person" in result.output
    )
    assert (
        "(no results)"
        in runner.invoke(cli, ["outbox", "list", "--status", "pending", *args]).output
    )
    result = runner.invoke(cli, ["outbox", "retry", str(mid), *args])
    assert result.exit_code == 0 and "pending" in result.output
    missing = runner.invoke(cli, ["outbox", "retry", "999", *args])
    assert missing.exit_code == 2 and "No message #999" in missing.output
    bad = runner.invoke(cli, ["outbox", "list", "--status", "lost", *args])
    assert bad.exit_code == 2
    nothing = runner.invoke(cli, ["outbox", "send", "--json", *args], env={"FMS_SMTP_PORT": "1"})
    assert nothing.exit_code == 0
    assert json.loads(nothing.output)["retry"] == 1  # nobody listens on port 1: retried later
    runner.invoke(cli, ["outbox", "retry", str(mid), *args])  # due again, now
    said = runner.invoke(cli, ["outbox", "send", *args], env={"FMS_SMTP_PORT": "1"})
    assert said.exit_code == 0
    assert "email: the server cannot be reached (cannot connect to 127.0.0.1:" in said.output
    assert "Check FMS_SMTP_HOST, FMS_SMTP_PORT." in said.output
    assert outbox.get(db, mid)["attempts"] == 0  # a server that is away costs no attempt


def test_buttons_are_signed_with_the_secret_of_the_database_they_belong_to(db, tmp_path):
    from fmstoolkit import db as dbmod

    assert callbacks.secret_for(db) == callbacks.secret()
    other = dbmod.open_db(tmp_path / "elsewhere" / "agency.db", create=True)  # `fms init --db`
    try:
        fid = make_freelancer(other)
        poll = make_poll(other, fid)
        msg = outbox.get(other, messages.enqueue_availability_question(other, poll))
        data = msg["payload"]["buttons"][0][0]["callback_data"]
        assert callbacks.verify(data, key=callbacks.secret_for(other))[0] == "poll"
        assert (tmp_path / "elsewhere" / "agency.db-secret").exists()
        with pytest.raises(InvalidInput):
            callbacks.verify(data)  # FMS_DB's secret is another one
    finally:
        other.close()
