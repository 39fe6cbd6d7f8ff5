"""Answers by e-mail, end to end: the real outbox sends the availability question through an SMTP
server on loopback (aiosmtpd), the freelancer's reply is delivered by LMTP to a private Dovecot
(tests/mail_fixtures.py), and ``read_replies`` / ``fms mail read`` read it over IMAP."""

from __future__ import annotations

import json
import logging
import sqlite3

import pytest
from click.testing import CliRunner
from mail_fixtures import reply_to
from notify_fixtures import make_freelancer, make_mission, make_poll

from fmstoolkit import config, planning
from fmstoolkit import db as dbmod
from fmstoolkit.actions import messages
from fmstoolkit.cli import cli
from fmstoolkit.errors import DeliveryError
from fmstoolkit.notify import dispatcher, outbox
from fmstoolkit.notify.email import EmailChannel
from fmstoolkit.notify.imap import read_replies

#: The dovecot and smtp fixtures.
pytest_plugins = ["mail_fixtures"]

ALICE = "alice@example.org"


def send_question(db, smtp, freelancer_id: int) -> tuple[int, object]:
    """Queue and really send the availability question of a new poll; return (poll, mail)."""
    poll = make_poll(db, freelancer_id)
    messages.enqueue_availability_question(db, poll)
    summary = dispatcher.drain(db, channels={"email": EmailChannel(), "telegram": None})
    assert summary["sent"] == 1
    return poll, smtp.messages[-1]


def poll_row(db, poll_id: int) -> dict:
    return next(iter(db.query("SELECT * FROM polls WHERE id = ?", [poll_id])))


@pytest.fixture
def alice(db):
    """A freelancer on e-mail who reads French (the question and its footer are French)."""
    return make_freelancer(db, email=ALICE, lang="fr")


def test_a_yes_above_the_quoted_question_answers_the_poll_and_the_mail_is_filed(
    db, smtp, dovecot, alice, caplog
):
    poll, question = send_question(db, smtp, alice)
    quoted = question.get_body(("plain",)).get_content()
    assert "oui, non ou peut-être" in quoted and "désinscription" in quoted
    dovecot.deliver(reply_to(question, "Oui, dispo !", sender="Alice Martin <alice@example.org>"))

    with caplog.at_level(logging.INFO, logger="fmstoolkit.notify.imap"):
        summary = read_replies(db)

    assert summary["read"] == 1 and summary["yes"] == 1
    row = poll_row(db, poll)
    assert row["answer"] == "yes" and row["answered_at"]
    freelancer = next(iter(db.query("SELECT * FROM freelancers WHERE id = ?", [alice])))
    assert freelancer["availability_confirmed_by"] == "answer"
    assert freelancer["opted_out_at"] is None  # the quoted footer's "désinscription" is no request
    assert dovecot.folder("INBOX") == []
    filed = dovecot.folder("fmstoolkit/traités")
    assert [m["subject"] for m in filed] == ["Re: " + str(question["Subject"])]
    # one log line for the mail, with the outbox id and the outcome, and nothing personal
    lines = [r.getMessage() for r in caplog.records if r.name == "fmstoolkit.notify.imap"]
    outbox_id = db.execute("SELECT id FROM outbox").fetchone()[0]
    assert lines == [f"mail reply: outbox {outbox_id} -> yes"]
    assert "alice" not in caplog.text.lower() and "Martin" not in caplog.text


def test_the_same_mail_read_twice_records_once(db, smtp, dovecot, alice, frozen_clock):
    poll, question = send_question(db, smtp, alice)
    reply = reply_to(question, "Non merci, pas cette fois", sender=ALICE)
    dovecot.deliver(reply)
    assert read_replies(db)["no"] == 1
    first = poll_row(db, poll)["answered_at"]

    assert read_replies(db)["read"] == 0  # filed: not read again
    frozen_clock.shift(3600)
    dovecot.deliver(reply)  # the same mail delivered a second time
    summary = read_replies(db)
    assert summary["read"] == 1 and summary["duplicate"] == 1 and summary["no"] == 0
    assert poll_row(db, poll)["answered_at"] == first
    assert db.execute("SELECT count(*) FROM _mail_replies").fetchone()[0] == 1
    assert len(dovecot.folder("fmstoolkit/traités")) == 2


def test_desinscription_opts_out_and_cancels_what_was_waiting(db, smtp, dovecot, alice):
    _, question = send_question(db, smtp, alice)
    waiting = messages.enqueue_mission_confirmation(db, make_mission(db, alice))
    dovecot.deliver(reply_to(question, "Désinscription, merci.", sender=ALICE))

    summary = read_replies(db)

    assert summary["opted_out"] == 1
    assert db.execute("SELECT opted_out_at FROM freelancers WHERE id = ?", [alice]).fetchone()[0]
    assert outbox.get(db, waiting)["status"] == "cancelled"
    assert len(dovecot.folder("fmstoolkit/traités")) == 1


def test_the_list_unsubscribe_mailto_opts_out_by_the_senders_address(db, smtp, dovecot, alice):
    _, question = send_question(db, smtp, alice)
    mailto = str(question["List-Unsubscribe"])  # <mailto:staffing@...?subject=unsubscribe>
    address, _, subject = mailto.strip("<>").removeprefix("mailto:").partition("?subject=")
    new = reply_to(question, "", sender="ALICE@Example.org", quote=False)
    del new["In-Reply-To"], new["References"], new["Subject"]
    new["Subject"] = subject
    dovecot.deliver(new)

    assert read_replies(db)["opted_out"] == 1
    assert db.execute("SELECT opted_out_at FROM freelancers WHERE id = ?", [alice]).fetchone()[0]


def test_an_unreadable_reply_is_left_flagged_and_counted(db, smtp, dovecot, alice):
    poll, question = send_question(db, smtp, alice)
    dovecot.deliver(reply_to(question, "Je vous appelle demain pour en parler.", sender=ALICE))

    summary = read_replies(db)

    assert summary["unreadable"] == 1
    assert poll_row(db, poll)["answer"] is None
    [left] = dovecot.folder("INBOX")
    assert {"\\Flagged", "\\Seen"} <= left["flags"]
    assert read_replies(db)["read"] == 0  # not read again at the next round
    assert db.execute(
        "SELECT outcome FROM _mail_replies"
    ).fetchall() == [("unreadable",)]


def test_left_replies_go_to_their_own_folder_when_one_is_set(
    db, smtp, dovecot, alice, monkeypatch
):
    _, question = send_question(db, smtp, alice)
    dovecot.settings(monkeypatch, left_folder="fmstoolkit/à lire")
    dovecot.deliver(reply_to(question, "Qui êtes-vous ?", sender=ALICE))
    assert read_replies(db)["unreadable"] == 1
    assert dovecot.folder("INBOX") == []
    assert len(dovecot.folder("fmstoolkit/à lire")) == 1


def test_a_reply_from_another_address_is_not_applied(db, smtp, dovecot, alice):
    poll, question = send_question(db, smtp, alice)
    dovecot.deliver(reply_to(question, "Oui", sender="mallory@example.net"))

    summary = read_replies(db)

    assert summary["foreign"] == 1 and summary["yes"] == 0
    assert poll_row(db, poll)["answer"] is None
    assert [m["flags"] >= {"\\Flagged"} for m in dovecot.folder("INBOX")] == [True]


def test_a_mail_answering_nothing_of_ours_is_left_for_the_manager(db, smtp, dovecot, alice):
    _, question = send_question(db, smtp, alice)
    forged = reply_to(question, "Oui", sender=ALICE, quote=False)
    forged.replace_header("In-Reply-To", "<fms-outbox-999@agence.example.org>")
    forged.replace_header("References", "<fms-outbox-999@agence.example.org>")
    dovecot.deliver(forged)
    assert read_replies(db)["unmatched"] == 1


def test_a_busy_database_leaves_the_mail_for_the_next_round(
    db, db_path, smtp, dovecot, alice, monkeypatch
):
    poll, question = send_question(db, smtp, alice)
    dovecot.deliver(reply_to(question, "peut etre", sender=ALICE))
    monkeypatch.setenv("FMS_BUSY_TIMEOUT_SECONDS", "0.2")
    config.reload_settings()
    reader = dbmod.open_db(db_path)
    holder = sqlite3.connect(db_path)
    holder.execute("BEGIN IMMEDIATE")  # a notebook holding a write
    try:
        summary = read_replies(reader)
    finally:
        holder.rollback()
        holder.close()
    assert summary["retry"] == 1 and summary["maybe"] == 0
    assert len(dovecot.folder("INBOX")) == 1

    assert read_replies(reader)["maybe"] == 1
    reader.close()
    assert poll_row(db, poll)["answer"] == "maybe"


def test_fms_mail_read_prints_counts_without_personal_data(db, db_path, smtp, dovecot, alice):
    _, question = send_question(db, smtp, alice)
    dovecot.deliver(reply_to(question, "Yes, available", sender=ALICE))
    result = CliRunner().invoke(cli, ["mail", "read", "--json", "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["yes"] == 1 and summary["read"] == 1
    assert "alice" not in result.output.lower()

    dovecot.deliver(reply_to(question, "???", sender=ALICE))
    result = CliRunner().invoke(cli, ["mail", "read", "--db", str(db_path)])
    assert result.exit_code == 0
    assert "unreadable 1" in result.output


def test_a_wrong_password_is_one_sentence_and_exit_2(db_path, dovecot, monkeypatch):
    dovecot.settings(monkeypatch, password="wrong")
    result = CliRunner().invoke(cli, ["mail", "read", "--db", str(db_path)])
    assert result.exit_code == 2
    assert "refused the login" in result.output and "Traceback" not in result.output
    assert "wrong" not in result.output


def test_no_mailbox_configured_says_which_setting(db):
    with pytest.raises(DeliveryError, match="FMS_IMAP_HOST"):
        read_replies(db)


def test_an_unreachable_mailbox_is_a_sentence(db, free_port, monkeypatch):
    monkeypatch.setenv("FMS_IMAP_HOST", "127.0.0.1")
    monkeypatch.setenv("FMS_IMAP_PORT", str(free_port))
    monkeypatch.setenv("FMS_IMAP_SECURITY", "none")
    config.reload_settings()
    with pytest.raises(DeliveryError, match="Cannot reach the mailbox"):
        read_replies(db)


def test_no_to_the_monthly_check_by_reply_marks_next_month_away(db, smtp, dovecot, alice):
    messages.enqueue_availability_check(db, alice, "2026-11")
    dispatcher.drain(db, channels={"email": EmailChannel(), "telegram": None})
    check = smtp.messages[-1]
    assert "oui ou non" in check.get_body(("plain",)).get_content()
    dovecot.deliver(reply_to(check, "Non, pas en décembre.", sender=ALICE))
    assert read_replies(db)["no"] == 1
    assert planning.availability(db, alice, "2026-12-01", "2026-12-31")["status"] == "busy"
    confirmed = db.execute(
        "SELECT availability_confirmed_by FROM freelancers WHERE id = ?", [alice]
    ).fetchone()[0]
    assert confirmed == "answer"
