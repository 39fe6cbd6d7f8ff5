"""Draining the outbox: channel choice and fallback, what is recorded, opt-out, crash recovery.

The channels here are small recording channels passed with ``channels=`` (the dispatcher's own
way of choosing channels): the real email channel is tested against a real SMTP server in
test_email.py, the Telegram one against the Bot API stand-in in its own tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import pytest
from conftest import FROZEN_NOW
from notify_fixtures import make_freelancer, make_mission, make_poll, outbox_text
from tqdm import tqdm

from fmstoolkit import clock, pool
from fmstoolkit.actions import messages
from fmstoolkit.notify import callbacks, claims, dispatcher, outbox
from fmstoolkit.notify.message import PermanentFailure, TemporaryFailure

pytest_plugins = ["telegram_standin"]  # the Bot API stand-in's fixtures

#: Long after every message of a test was queued (the clock is frozen at FROZEN_NOW).
LATER = FROZEN_NOW + dt.timedelta(days=30)


class Recorder:
    """A channel that keeps what it is asked to send, or fails as told (by recipient)."""

    def __init__(self, name: str, fail: dict | None = None, fail_open: Exception | None = None):
        self.name = name
        self.fail = dict(fail or {})
        self.fail_open = fail_open
        self.sent = []
        self.opened = self.closed = 0

    async def __aenter__(self):
        if self.fail_open:
            raise self.fail_open
        self.opened += 1
        return self

    async def __aexit__(self, *exc):
        self.closed += 1

    async def send(self, msg):
        if msg.recipient in self.fail:
            raise self.fail[msg.recipient]
        self.sent.append(msg)
        return f"{self.name}-{len(self.sent)}"


def channels(**fail):
    return {
        "email": Recorder("email", fail.get("email")),
        "telegram": Recorder("telegram", fail.get("telegram")),
    }


def test_preferred_channel_and_what_each_channel_gets(db):
    tg = make_freelancer(db, "Tom Gram", email="tom@example.org", chat_id=111)
    em = make_freelancer(db, "Emma Il", email="emma@example.org", chat_id=222, preferred="email")
    poll_tg, poll_em = make_poll(db, tg), make_poll(db, em)
    ids = [messages.enqueue_availability_question(db, p) for p in (poll_tg, poll_em)]
    ch = channels()
    summary = dispatcher.drain(db, channels=ch)
    assert summary["sent"] == 2 and summary["by_channel"] == {"email": 1, "telegram": 1}
    assert summary["counts"]["sent"] == 2
    (t,) = ch["telegram"].sent
    assert t.recipient == "111" and t.parse_mode == "HTML" and t.outbox_id == ids[0]
    assert t.text.startswith("Hello Tom") and "&lt;site&gt;" in t.text
    assert [callbacks.verify(b.callback_data)[2] for b in t.buttons[0]] == ["yes", "maybe", "no"]
    (e,) = ch["email"].sent
    assert e.recipient == "emma@example.org" and e.html and e.subject and not e.buttons
    assert ch["email"].opened == ch["email"].closed == 1
    rows = [outbox.get(db, i) for i in ids]
    assert [(r["sent_channel"], r["provider_id"]) for r in rows] == [
        ("telegram", "telegram-1"),
        ("email", "email-1"),
    ]
    # the poll records how the question was asked
    assert db["polls"].get(poll_tg)["channel"] == "telegram"
    assert db["polls"].get(poll_em)["channel"] == "email"
    assert "tom@example.org" not in outbox_text(db) and "111" not in str(
        [r["payload"] for r in rows]
    )


def test_telegram_missing_closed_or_unconfigured_falls_back_to_email(db):
    closed = make_freelancer(db, "Cleo Closed", email="cleo@example.org", chat_id=333)
    db.execute(
        "UPDATE contacts SET telegram_closed_at = '2026-01-01' WHERE freelancer_id = ?", [closed]
    )
    plain = make_freelancer(db, "Paul Plain", email="paul@example.org")
    forced = make_freelancer(db, "Fay Forced", email="fay@example.org")
    outbox.enqueue(db, dedupe_key="a", freelancer_id=closed, kind="alumni_checkin")
    outbox.enqueue(
        db, dedupe_key="b", freelancer_id=plain, kind="alumni_checkin", channel="telegram"
    )
    ch = channels()
    dispatcher.drain(db, channels=ch)
    assert sorted(m.recipient for m in ch["email"].sent) == ["cleo@example.org", "paul@example.org"]
    assert ch["telegram"].sent == [] and ch["telegram"].opened == 0  # never opened for nothing
    # Telegram not configured at all: email
    tg = make_freelancer(db, "Tina Tg", email="tina@example.org", chat_id=444)
    outbox.enqueue(db, dedupe_key="c", freelancer_id=tg, kind="alumni_checkin")
    outbox.enqueue(db, dedupe_key="d", freelancer_id=forced, kind="alumni_checkin")
    email_only = {"email": Recorder("email"), "telegram": None}
    assert dispatcher.drain(db, channels=email_only)["by_channel"] == {"email": 2, "telegram": 0}


def test_blocked_bot_closes_telegram_and_the_message_goes_by_email(db):
    both = make_freelancer(db, "Bea Both", email="bea@example.org", chat_id=555)
    tg_only = make_freelancer(db, "Ted Tg", email=None, chat_id=666)
    a = messages.enqueue_feedback_request(db, make_mission(db, both))
    b = messages.enqueue_feedback_request(db, make_mission(db, tg_only))
    blocked = PermanentFailure("Forbidden: bot was blocked by the user", channel_closed=True)
    ch = channels(telegram={"555": blocked, "666": blocked})
    summary = dispatcher.drain(db, channels=ch)
    assert summary["requeued"] == 1 and summary["sent"] == 1 and summary["dead"] == 1
    assert pool.get_contact(db, both)["telegram_closed_at"]
    assert pool.get_contact(db, tg_only)["telegram_closed_at"]
    sent = outbox.get(db, a)
    assert (
        sent["status"] == "sent" and sent["sent_channel"] == "email" and sent["channel"] == "email"
    )
    (mail,) = ch["email"].sent
    assert mail.recipient == "bea@example.org" and "ended on" in mail.text
    dead = outbox.get(db, b)
    assert dead["status"] == "dead" and "blocked by the user" in dead["last_error"]
    # later messages for Bea go straight to email
    messages.enqueue_mission_confirmation(
        db, make_mission(db, both, start="2027-02-01", end="2027-02-05")
    )
    dispatcher.drain(db, channels=ch)
    assert ch["email"].sent[-1].attachments[0].content_type == "text/calendar"


def test_temporary_failure_honours_retry_after_and_hides_the_address(db):
    fid = make_freelancer(db, email="slow@example.org", chat_id=777)
    mid = outbox.enqueue(db, dedupe_key="x", freelancer_id=fid, kind="alumni_checkin")
    ch = channels(
        telegram={"777": TemporaryFailure("429 Too Many Requests for chat 777", retry_after=3)},
        email={"slow@example.org": TemporaryFailure("421 slow@example.org later")},
    )
    now = outbox.utcnow() + dt.timedelta(minutes=1)
    assert dispatcher.drain(db, channels=ch, now=now)["retry"] == 1
    msg = outbox.get(db, mid)
    assert msg["status"] == "pending" and msg["last_error"].startswith("telegram: 429")
    assert "777" not in msg["last_error"]
    wait = clock.parse_stamp(msg["next_attempt_at"]) - now
    assert 3 <= wait.total_seconds() <= 4
    db.execute("UPDATE contacts SET preferred_channel = 'email' WHERE freelancer_id = ?", [fid])
    dispatcher.drain(db, channels=ch, now=now + dt.timedelta(seconds=5))
    msg = outbox.get(db, mid)
    assert msg["last_error"] == "email: 421 <recipient> later"


def test_opted_out_since_queued_is_cancelled_not_sent(db):
    fid = make_freelancer(db)
    mid = messages.enqueue_feedback_request(db, make_mission(db, fid))
    pool.set_opt_out(db, fid)
    ch = channels()
    assert dispatcher.drain(db, channels=ch)["cancelled"] == 1
    assert ch["email"].sent == []
    msg = outbox.get(db, mid)
    assert msg["status"] == "cancelled" and "opted out" in msg["last_error"]


def test_nobody_to_send_to_is_dead_with_the_reason(db):
    fid = make_freelancer(db, email=None)
    mid = messages.enqueue_feedback_request(db, make_mission(db, fid))
    assert dispatcher.drain(db, channels=channels())["dead"] == 1
    assert "no email address" in outbox.get(db, mid)["last_error"]


def test_limit_progress_and_crash_recovery(db):
    ids = [
        outbox.enqueue(
            db,
            dedupe_key=f"k{i}",
            kind="alumni_checkin",
            freelancer_id=make_freelancer(db, f"P{i} X", email=f"p{i}@example.org"),
        )
        for i in range(5)
    ]
    bar = tqdm(file=io.StringIO(), total=None)
    ch = channels()
    summary = dispatcher.drain(db, channels=ch, limit=2, progress=bar)
    assert summary["sent"] == 2 and bar.n == 2 and summary["counts"]["pending"] == 3
    # a sender crashes after claiming: its messages come back when the lease runs out
    crashed = claims.claim(db, limit=2)
    assert dispatcher.drain(db, channels=ch)["sent"] == 1  # the leased ones are not touched
    summary = dispatcher.drain(db, channels=ch, now=LATER)
    assert summary["sent"] == 2 and {m["id"] for m in crashed} == set(ids[2:4])
    assert [outbox.get(db, i)["status"] for i in ids] == ["sent"] * 5
    assert [outbox.get(db, i)["attempts"] for i in ids[2:4]] == [2, 2]


def test_a_channel_that_cannot_open_or_crashes_leaves_messages_to_retry(db):
    fid = make_freelancer(db)
    a = outbox.enqueue(db, dedupe_key="a", freelancer_id=fid, kind="alumni_checkin")
    b = outbox.enqueue(
        db,
        dedupe_key="b",
        freelancer_id=fid,
        kind="feedback_request",
        payload={"project": "P", "title": None, "end_date": "2026-01-02"},
    )
    down = {
        "email": Recorder("email", fail_open=TemporaryFailure("cannot connect")),
        "telegram": None,
    }
    assert dispatcher.drain(db, channels=down)["retry"] == 2
    assert outbox.get(db, a)["last_error"] == "email: cannot connect"
    buggy = {
        "email": Recorder("email", fail={"alice@example.org": RuntimeError("oops")}),
        "telegram": None,
    }
    assert dispatcher.drain(db, channels=buggy, now=LATER)["retry"] == 2
    assert outbox.get(db, b)["last_error"] == "email: RuntimeError: oops"
    assert outbox.get(db, b)["status"] == "pending"


async def test_drain_works_inside_a_running_event_loop(db):
    """Notebooks run an event loop: drain() then runs in a helper thread."""
    outbox.enqueue(db, dedupe_key="a", freelancer_id=make_freelancer(db), kind="alumni_checkin")
    ch = channels()
    summary = dispatcher.drain(db, channels=ch)
    assert summary["sent"] == 1
    assert asyncio.get_running_loop().is_running()


def test_the_telegram_invitation_carries_the_personal_link_only_when_sent(db, monkeypatch):
    from fmstoolkit import config

    monkeypatch.setenv("FMS_TELEGRAM_BOT_USERNAME", "fms_bot")
    config.reload_settings()
    fid = make_freelancer(db)
    messages.enqueue_telegram_invitation(db, fid)
    ch = channels()
    dispatcher.drain(db, channels=ch)
    token = pool.get_contact(db, fid)["telegram_link_token"]
    (mail,) = ch["email"].sent
    assert f"https://t.me/fms_bot?start={token}" in mail.text
    assert f"https://t.me/fms_bot?start={token}" in mail.html
    assert token not in outbox_text(db)


@pytest.mark.parametrize("kind", ["feedback_request", "recommendation"])
def test_offboarding_messages_are_real(db, kind):
    fid = make_freelancer(db)
    mission = make_mission(db, fid)
    db["recommendations"].insert({"mission_id": mission, "author": "Claire", "text": "Great."})
    func = getattr(
        messages,
        {
            "feedback_request": "enqueue_feedback_request",
            "recommendation": "enqueue_recommendation",
        }[kind],
    )
    mid = func(db, mission)
    ch = channels()
    dispatcher.drain(db, channels=ch)
    assert outbox.get(db, mid)["status"] == "sent" and ch["email"].sent[0].kind == kind


# --- end to end: the real channels, a real SMTP server and the Bot API stand-in ------------------


class Collect:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")
def test_real_channels_end_to_end(db, telegram_standin, telegram_settings, monkeypatch):
    import socket

    from aiosmtpd.controller import Controller

    from fmstoolkit import config

    with socket.socket() as s:  # a second free port for SMTP
        s.bind(("127.0.0.1", 0))
        smtp_port = s.getsockname()[1]
    monkeypatch.setenv("FMS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FMS_SMTP_PORT", str(smtp_port))
    config.reload_settings()
    collect = Collect()
    controller = Controller(collect, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        zoe = make_freelancer(db, "Zoé Durand", email="zoe@example.org", chat_id=1001, lang="fr")
        max_ = make_freelancer(db, "Max Blocked", email="max@example.org", chat_id=1002)
        mission = make_mission(db, zoe)
        db["recommendations"].insert(
            {"mission_id": mission, "author": "Claire", "text": "Rigoureuse <et> drôle & fiable."}
        )
        ids = [
            messages.enqueue_availability_question(db, make_poll(db, zoe)),
            messages.enqueue_recommendation(db, mission),
            messages.enqueue_mission_confirmation(db, mission),
            messages.enqueue_feedback_request(
                db, make_mission(db, max_, start="2027-01-04", end="2027-01-08")
            ),
        ]
        telegram_standin.block(1002)
        summary = dispatcher.drain(db)
        assert summary["sent"] == 4, summary
        assert summary["by_channel"] == {"email": 1, "telegram": 3}
        assert summary["requeued"] == 1 and telegram_standin.count_429 == 0
        sent = telegram_standin.messages_to(1001)
        assert len(sent) == 3 and all(m.parse_mode == "HTML" for m in sent)
        assert sent[0].text.startswith("Bonjour Zoé")
        buttons = sent[0].reply_markup["inline_keyboard"][0]
        assert [b["text"] for b in buttons] == ["Oui", "Peut-être", "Non"]
        assert callbacks.verify(buttons[0]["callback_data"])[0] == "poll"
        assert "Rigoureuse &lt;et&gt; drôle &amp; fiable." in sent[1].text
        (mail,) = collect.messages
        assert mail["To"] == "max@example.org" and "Max" in mail.get_body(("plain",)).get_content()
        assert pool.get_contact(db, max_)["telegram_closed_at"]
        rows = [outbox.get(db, i) for i in ids]
        assert [r["sent_channel"] for r in rows] == ["telegram"] * 3 + ["email"]
        assert all(r["provider_id"] for r in rows)
        assert "1001" not in outbox_text(db) and "max@example.org" not in outbox_text(db)
    finally:
        controller.stop()


def test_telegram_only_freelancer_waits_while_telegram_is_not_configured(db):
    fid = make_freelancer(db, "Tia Only", email=None, chat_id=888)
    mid = outbox.enqueue(db, dedupe_key="t", freelancer_id=fid, kind="alumni_checkin")
    summary = dispatcher.drain(db, channels={"email": Recorder("email"), "telegram": None})
    assert summary["retry"] == 1
    msg = outbox.get(db, mid)
    assert msg["status"] == "pending" and "FMS_TELEGRAM_TOKEN" in msg["last_error"]
    ch = channels()
    assert dispatcher.drain(db, channels=ch, now=LATER)["sent"] == 1
    assert ch["telegram"].sent[0].recipient == "888"


def test_telegram_messages_are_sent_concurrently_email_on_one_connection(db):
    class Slow(Recorder):
        def __init__(self, name):
            super().__init__(name)
            self.in_flight = self.most = 0

        async def send(self, msg):
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            await asyncio.sleep(0.05)
            self.in_flight -= 1
            return await super().send(msg)

    for i in range(10):
        fid = make_freelancer(db, f"T{i} X", email=f"t{i}@example.org", chat_id=5000 + i)
        outbox.enqueue(db, dedupe_key=f"t{i}", freelancer_id=fid, kind="alumni_checkin")
        fid = make_freelancer(db, f"E{i} X", email=f"e{i}@example.org")
        outbox.enqueue(db, dedupe_key=f"e{i}", freelancer_id=fid, kind="alumni_checkin")
    ch = {"email": Slow("email"), "telegram": Slow("telegram")}
    assert dispatcher.drain(db, channels=ch)["sent"] == 20
    assert ch["telegram"].most == 10 and ch["email"].most == 1
