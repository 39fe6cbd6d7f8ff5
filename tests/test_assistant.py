"""The real ``fms assistant`` process, end to end: it sends the outbox by itself, applies the
follow-up rules, answers presses on Telegram, waits out a busy database, and stops cleanly.

Each test starts the command as a manager would (a subprocess reading the same settings), with
a real SMTP server (aiosmtpd) and the Bot API stand-in on loopback.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from mail_fixtures import dovecot, reply_to, smtp  # noqa: F401 - fixtures
from notify_fixtures import make_freelancer, make_mission, make_poll
from test_email import Inbox, smtp_settings

from fmstoolkit import clock, planning
from fmstoolkit.actions import messages
from fmstoolkit.notify import outbox

pytest_plugins = ["telegram_standin"]
pytestmark = pytest.mark.real_clock  # another process: the machine's clock

CHAT = 777001


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


class Assistant:
    """``fms assistant`` running in its own process, its log kept in a file."""

    def __init__(self, tmp_path: Path, **env: str) -> None:
        self.log = tmp_path / "assistant.log"
        environment = dict(os.environ, FMS_ASSISTANT_SEND_SECONDS="0.3", **env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "fmstoolkit.cli", "assistant"],
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            env=environment,
        )

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=60)


@pytest.fixture
def inbox(monkeypatch):
    with socket.socket() as s:  # a port of its own (the stand-in takes free_port)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    handler.controller = controller
    controller.start()
    smtp_settings(monkeypatch, port)
    yield handler
    controller.stop()


@pytest.fixture
def start_assistant(tmp_path):
    running: list[Assistant] = []

    def start(**env: str) -> Assistant:
        running.append(Assistant(tmp_path, **env))
        return running[-1]

    yield start
    for assistant in running:
        assistant.stop(signal.SIGKILL)


def test_without_telegram_it_sends_the_outbox_and_stops_cleanly(db, inbox, start_assistant):
    """E-mail only (no token): a question queued while it runs is sent within seconds, with
    nobody running `fms outbox send`; SIGTERM stops it with exit code 0; its log holds counts,
    never a name or an address."""
    fid = make_freelancer(db, "Zoé Durand", email="zoe@example.org")
    planning.confirm_availability(db, fid)  # no monthly check due: the question alone
    assistant = start_assistant()
    wait_for(lambda: "started without Telegram" in assistant.text(), "the assistant to start")
    message_id = messages.enqueue_availability_question(db, make_poll(db, fid))
    wait_for(lambda: outbox.get(db, message_id)["status"] == "sent", "the question to be sent")
    assert inbox.envelopes == [(inbox.envelopes[0][0], ["zoe@example.org"])]
    assert assistant.stop() == 0
    log = assistant.text()
    assert "outbox: 1 sent, 0 to retry, 0 dead, 0 cancelled" in log
    assert "assistant: stopped" in log
    assert "zoe@example.org" not in log and "Zoé" not in log and "Traceback" not in log


def test_no_mail_server_is_said_once_and_the_messages_wait(db, start_assistant, monkeypatch):
    """The demo's first run: nothing listens at FMS_SMTP_HOST:FMS_SMTP_PORT. The log says it
    once, with the settings to check, instead of a line of retries every few seconds; the
    message keeps all its attempts for when a server answers."""
    with socket.socket() as s:  # a port with nobody behind it
        s.bind(("127.0.0.1", 0))
        smtp_settings(monkeypatch, s.getsockname()[1])
    fid = make_freelancer(db, "Zoé Durand", email="zoe@example.org")
    planning.confirm_availability(db, fid)
    message_id = messages.enqueue_availability_question(db, make_poll(db, fid))
    assistant = start_assistant()  # its sender runs every 0.3 s
    wait_for(lambda: "messages wait in the outbox" in assistant.text(), "the sentence")
    wait_for(lambda: assistant.text().count("outbox:") >= 1 and
             outbox.get(db, message_id)["last_error"], "the attempt to be recorded")
    time.sleep(2)  # a few more runs of the sender: nothing more to say
    assert assistant.stop() == 0
    log = assistant.text()
    assert log.count("messages wait in the outbox") == 1
    assert "(check FMS_SMTP_HOST, FMS_SMTP_PORT)" in log
    assert "to retry" not in log and "Traceback" not in log and "zoe@example.org" not in log
    row = outbox.get(db, message_id)
    assert (row["status"], row["attempts"]) == ("pending", 0)


def test_follow_up_rules_are_applied_at_start_and_sent(db, inbox, start_assistant):
    fid = make_freelancer(db)
    ended = clock.days_from_today(-7)
    mission = make_mission(db, fid, start=clock.days_from_today(-11).isoformat(),
                           end=ended.isoformat())
    db.execute("UPDATE missions SET status = 'ending' WHERE id = ?", [mission])
    assistant = start_assistant()
    wait_for(lambda: len(inbox.messages) == 2, "the feedback request and the monthly check")
    sent = {m["kind"] for m in outbox.list_messages(db, status="sent")}
    assert sent == {"feedback_request", "availability_check"}
    assert "follow-ups: 2 queued (feedback_request 1" in assistant.text()  # + availability
    assert assistant.stop() == 0
    again = start_assistant()  # the rules again, at the next start: nothing twice
    wait_for(lambda: "follow-ups: 0 queued" in again.text(), "the rules to run again")
    assert again.stop() == 0
    assert len(inbox.messages) == 2


def test_it_waits_out_a_notebook_holding_a_write(db, db_path, inbox, start_assistant):
    fid = make_freelancer(db)
    holder = sqlite3.connect(str(db_path), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE a_notebook_saving (x)")
    try:
        assistant = start_assistant(FMS_BUSY_TIMEOUT_SECONDS="0.2")
        wait_for(lambda: "database is busy" in assistant.text(), "the busy database to be said")
        assert assistant.process.poll() is None  # still running
    finally:
        holder.rollback()
        holder.close()
    messages.enqueue_availability_question(db, make_poll(db, fid))
    wait_for(lambda: inbox.messages, "the question, once the database is free")
    assert assistant.stop() == 0
    assert "Traceback" not in assistant.text()


def test_with_telegram_a_question_reaches_the_chat_and_the_press_is_recorded(
    db, inbox, telegram_standin, telegram_settings, start_assistant
):
    fid = make_freelancer(db, chat_id=CHAT)
    planning.confirm_availability(db, fid)  # no monthly check due: the question alone
    poll = make_poll(db, fid)
    assistant = start_assistant()
    wait_for(lambda: "long polling" in assistant.text(), "the assistant to start")
    messages.enqueue_availability_question(db, poll)
    wait_for(lambda: telegram_standin.messages_to(CHAT), "the question on Telegram")
    (sent,) = telegram_standin.messages_to(CHAT)
    yes = sent.reply_markup["inline_keyboard"][0][0]["callback_data"]
    telegram_standin.press_button(CHAT, yes)
    wait_for(
        lambda: db.execute("SELECT answer FROM polls WHERE id = ?", [poll]).fetchone()[0],
        "the answer to be recorded",
    )
    assert db.execute("SELECT answer FROM polls WHERE id = ?", [poll]).fetchone()[0] == "yes"
    assert assistant.stop(signal.SIGINT) == 0
    assert telegram_standin.token not in assistant.text()


def test_webhook_mode_takes_presses_posted_by_telegram_with_the_secret(
    db, inbox, telegram_standin, telegram_settings, start_assistant
):
    """With FMS_TELEGRAM_WEBHOOK_URL the assistant registers its webhook (setWebhook, with the
    secret) and listens: Telegram's POSTs are answered; one without the secret is refused."""
    fid = make_freelancer(db, chat_id=CHAT)
    planning.confirm_availability(db, fid)  # no monthly check due: the question alone
    poll = make_poll(db, fid)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assistant = start_assistant(
        FMS_TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
        FMS_TELEGRAM_WEBHOOK_PORT=str(port),
        FMS_TELEGRAM_WEBHOOK_SECRET="s3cret-of-the-hook",
    )
    wait_for(lambda: telegram_standin.webhook is not None, "setWebhook")
    assert telegram_standin.webhook == (f"http://127.0.0.1:{port}/telegram", "s3cret-of-the-hook")
    messages.enqueue_availability_question(db, poll)
    wait_for(lambda: telegram_standin.messages_to(CHAT), "the question on Telegram")
    yes = telegram_standin.messages_to(CHAT)[0].reply_markup["inline_keyboard"][0][0]
    forged = {"update_id": 999, "callback_query": {
        "id": "1", "from": {"id": CHAT, "is_bot": False, "first_name": "X"},
        "chat_instance": "c", "data": yes["callback_data"]}}
    assert telegram_standin.post_update(forged, "not-the-secret") == 403
    telegram_standin.press_button(CHAT, yes["callback_data"])
    wait_for(
        lambda: db.execute("SELECT answer FROM polls WHERE id = ?", [poll]).fetchone()[0],
        "the answer to be recorded",
    )
    assert telegram_standin.webhook_answers == [200]
    assert assistant.stop() == 0
    assert "Telegram by webhook" in assistant.text()
    assert "s3cret-of-the-hook" not in assistant.text()


def test_an_email_reply_is_read_by_the_assistant(db, smtp, dovecot, start_assistant):  # noqa: F811
    """The whole e-mail loop with nobody running a command: the assistant e-mails the
    question, the freelancer replies "Oui, dispo !" above the quote, the assistant reads the
    mailbox (IMAP, Dovecot) and records the answer."""
    fid = make_freelancer(db, email="alice@example.org", lang="fr")
    planning.confirm_availability(db, fid)
    poll = make_poll(db, fid)
    assistant = start_assistant(FMS_ASSISTANT_MAIL_SECONDS="0.5")
    messages.enqueue_availability_question(db, poll)
    wait_for(lambda: smtp.messages, "the question to be e-mailed")
    dovecot.deliver(reply_to(smtp.messages[0], "Oui, dispo !", sender="alice@example.org"))
    wait_for(
        lambda: db.execute("SELECT answer FROM polls WHERE id = ?", [poll]).fetchone()[0],
        "the reply to be read",
    )
    assert db.execute("SELECT answer FROM polls WHERE id = ?", [poll]).fetchone()[0] == "yes"
    assert assistant.stop() == 0
    assert "mail: 1 read, 1 answers, 0 opted out, 0 left for the manager" in assistant.text()
    assert "alice" not in assistant.text().lower()
