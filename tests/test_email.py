"""The email channel against a real SMTP server (aiosmtpd) on 127.0.0.1: content and headers,
the .ics attachment, STARTTLS and implicit TLS with a certificate made here (trustme), login, a
refused recipient, and a server that goes away in the middle of a batch."""

from __future__ import annotations

import datetime as dt
import email
import json
import ssl
from email import policy

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from conftest import FROZEN_NOW
from icalendar import Calendar
from notify_fixtures import make_freelancer, make_mission, make_poll, outbox_text

from fmstoolkit import config
from fmstoolkit.actions import messages
from fmstoolkit.notify import dispatcher, outbox
from fmstoolkit.notify.email import EmailChannel
from fmstoolkit.notify.message import OutgoingMessage, PermanentFailure, TemporaryFailure

#: Long after every message of a test was queued (the clock is frozen at FROZEN_NOW).
LATER = FROZEN_NOW + dt.timedelta(days=30)


class Inbox:
    """An aiosmtpd handler keeping what it receives; it can refuse recipients or vanish."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.busy: set[str] = set()
        self.vanish_at: int | None = None  # the n-th DATA closes the server for good
        self.controller: Controller | None = None
        self.datas = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.busy:
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.vanish_at is not None and self.datas >= self.vanish_at:
            self.controller.server.close()  # stop listening: reconnecting fails too
            server.transport.close()
            return "421 gone"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK queued"


def smtp_settings(monkeypatch, port: int, **extra: str) -> config.Settings:
    monkeypatch.setenv("FMS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FMS_SMTP_PORT", str(port))
    monkeypatch.setenv("FMS_SMTP_TIMEOUT", "5")
    monkeypatch.setenv("FMS_MAIL_FROM", "Agence Durand <staffing@agence.example.org>")
    monkeypatch.setenv("FMS_MAIL_REPLY_TO", "Claire <claire@agence.example.org>")
    for key, value in extra.items():
        monkeypatch.setenv(f"FMS_{key.upper()}", value)
    return config.reload_settings()


@pytest.fixture
def inbox(free_port, monkeypatch):
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port)
    handler.controller = controller
    controller.start()
    smtp_settings(monkeypatch, free_port)
    yield handler
    stop(controller)


def stop(controller: Controller) -> None:
    """Stop a controller unless a test already did (aiosmtpd asserts it is running)."""
    try:
        controller.stop()
    except AssertionError:
        pass


@pytest.fixture(scope="module")
def ca():
    return trustme.CA()


def client_context(ca) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ca.configure_trust(ctx)
    return ctx


def server_context(ca) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    return ctx


def email_channels(ca=None):
    return {"email": EmailChannel(tls_context=client_context(ca) if ca else None), "telegram": None}


# --- content -------------------------------------------------------------------------------------


def test_a_mission_confirmation_arrives_with_its_headers_and_ics(db, inbox):
    fid = make_freelancer(db, email="alice@example.org")
    mission = make_mission(db, fid)
    mid = messages.enqueue_mission_confirmation(db, mission)
    summary = dispatcher.drain(db, channels=email_channels())
    assert summary["sent"] == 1 and summary["by_channel"]["email"] == 1
    (msg,) = inbox.messages
    assert inbox.envelopes == [("staffing@agence.example.org", ["alice@example.org"])]
    assert msg["To"] == "alice@example.org"
    assert msg["From"] == "Agence Durand <staffing@agence.example.org>"
    assert msg["Subject"] == "Mission confirmed: Refonte <site> & co from 7 December 2026"
    assert msg["Message-ID"] == f"<fms-outbox-{mid}@agence.example.org>"
    assert msg["Reply-To"] == "Claire <claire@agence.example.org>"
    assert msg["List-Unsubscribe"] == "<mailto:claire@agence.example.org?subject=unsubscribe>"
    assert msg.get_content_type() == "multipart/mixed"
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Refonte <site> & co (ACME)" in plain and "€550" in plain
    assert "Refonte &lt;site&gt; &amp; co" in html
    (ics,) = [p for p in msg.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert ics.get_filename() == f"mission-{mission}.ics"
    event = Calendar.from_ical(ics.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == dt.date(2026, 12, 7)
    sent = outbox.get(db, mid)
    assert sent["status"] == "sent" and sent["sent_channel"] == "email"
    assert sent["provider_id"] == msg["Message-ID"] and sent["sent_at"]


def test_one_connection_for_a_batch_and_multipart_alternative(db, inbox, monkeypatch):
    connections = []
    original = EmailChannel._connect

    async def counting(self):
        connections.append(1)
        return await original(self)

    monkeypatch.setattr(EmailChannel, "_connect", counting)
    for i in range(5):
        fid = make_freelancer(db, f"P{i} X", email=f"p{i}@example.org")
        messages.enqueue_availability_question(db, make_poll(db, fid))
    assert dispatcher.drain(db, channels=email_channels())["sent"] == 5
    assert len(connections) == 1
    assert sorted(e[1][0] for e in inbox.envelopes) == [f"p{i}@example.org" for i in range(5)]
    msg = inbox.messages[0]
    assert msg.get_content_type() == "multipart/alternative"
    assert "reply to this email with yes, no or maybe" in msg.get_body(("plain",)).get_content()


# --- failures ------------------------------------------------------------------------------------


def test_a_refused_recipient_is_dead_with_the_server_text_and_no_address(db, inbox):
    good = make_freelancer(db, "Good One", email="good@example.org")
    bad = make_freelancer(db, "Bad One", email="nobody@example.org")
    busy = make_freelancer(db, "Busy One", email="busy@example.org")
    inbox.refuse.add("nobody@example.org")
    inbox.busy.add("busy@example.org")
    ids = [messages.enqueue_feedback_request(db, make_mission(db, f)) for f in (bad, good, busy)]
    summary = dispatcher.drain(db, channels=email_channels())
    assert (summary["sent"], summary["dead"], summary["retry"]) == (1, 1, 1)
    dead, sent, later = (outbox.get(db, i) for i in ids)
    assert dead["status"] == "dead"
    assert "550 5.1.1" in dead["last_error"] and "User unknown" in dead["last_error"]
    assert "nobody@example.org" not in outbox_text(db)
    assert sent["status"] == "sent"  # the connection was still usable after the refusal
    assert later["status"] == "pending" and "450 4.2.1" in later["last_error"]
    assert later["next_attempt_at"] > later["created_at"]


def test_a_server_going_away_mid_batch_means_retry_later(db, inbox, free_port):
    ids = []
    for i in range(5):
        fid = make_freelancer(db, f"P{i} X", email=f"p{i}@example.org")
        ids.append(messages.enqueue_feedback_request(db, make_mission(db, fid)))
    inbox.vanish_at = 3
    summary = dispatcher.drain(db, channels=email_channels())
    assert (summary["sent"], summary["retry"], summary["dead"]) == (2, 3, 0)
    assert "cannot connect to 127.0.0.1" in summary["down"]["email"]
    statuses = [outbox.get(db, i)["status"] for i in ids]
    assert statuses == ["sent", "sent", "pending", "pending", "pending"]
    errors = [outbox.get(db, i)["last_error"] for i in ids[2:]]
    assert "connection lost" in errors[0] and all(e.startswith("email: ") for e in errors)
    assert all("@example.org" not in e for e in errors)
    # the server is back: the messages go out on the next drain once they are due
    inbox.controller.stop()
    back = Inbox()
    controller = Controller(back, hostname="127.0.0.1", port=free_port)
    controller.start()
    try:
        assert dispatcher.drain(db, channels=email_channels())["sent"] == 0  # not due yet
        summary = dispatcher.drain(db, channels=email_channels(), now=LATER)
        assert summary["sent"] == 3
        assert sorted(m["To"] for m in back.messages) == [f"p{i}@example.org" for i in (2, 3, 4)]
        # the one whose connection was lost counts its attempt; the two after it found no
        # server at all: their attempt was given back
        assert [outbox.get(db, i)["attempts"] for i in ids] == [1, 1, 2, 1, 1]
    finally:
        controller.stop()


def test_nobody_listening_is_a_temporary_failure(db, monkeypatch, free_port):
    smtp_settings(monkeypatch, free_port)
    mid = messages.enqueue_feedback_request(db, make_mission(db, make_freelancer(db)))
    summary = dispatcher.drain(db, channels=email_channels())
    assert summary["retry"] == 1
    msg = outbox.get(db, mid)
    assert msg["status"] == "pending" and "cannot connect to 127.0.0.1" in msg["last_error"]


# --- TLS and login -------------------------------------------------------------------------------


def login_checker(username: str, password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == username.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    return authenticator


def test_starttls_and_login(db, ca, free_port, monkeypatch):
    handler = Inbox()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port,
        tls_context=server_context(ca),
        require_starttls=True,
        auth_required=True,
        authenticator=login_checker("staffing", "pa55word"),
    )
    controller.start()
    try:
        fid = make_freelancer(db)
        mid = messages.enqueue_feedback_request(db, make_mission(db, fid))
        smtp_settings(
            monkeypatch,
            free_port,
            smtp_security="starttls",
            smtp_username="staffing",
            smtp_password="wrong",
        )
        summary = dispatcher.drain(db, channels=email_channels(ca))
        assert summary["retry"] == 1 and not handler.messages
        error = outbox.get(db, mid)["last_error"]
        assert "login refused" in error and "wrong" not in error
        smtp_settings(
            monkeypatch,
            free_port,
            smtp_security="starttls",
            smtp_username="staffing",
            smtp_password="pa55word",
        )
        assert dispatcher.drain(db, channels=email_channels(ca), now=LATER)["sent"] == 1
        assert handler.messages[0]["To"] == "alice@example.org"
        # without STARTTLS the server refuses to go on
        smtp_settings(monkeypatch, free_port, smtp_security="none")
        other = messages.enqueue_feedback_request(
            db, make_mission(db, fid, start="2027-01-04", end="2027-01-08")
        )
        assert dispatcher.drain(db, channels=email_channels(ca))["sent"] == 0
        assert outbox.get(db, other)["status"] in ("pending", "dead")
    finally:
        controller.stop()


def test_implicit_tls(db, ca, free_port, monkeypatch):
    handler = Inbox()
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port, ssl_context=server_context(ca)
    )
    controller.start()
    try:
        smtp_settings(monkeypatch, free_port, smtp_security="tls")
        messages.enqueue_feedback_request(db, make_mission(db, make_freelancer(db)))
        assert dispatcher.drain(db, channels=email_channels(ca))["sent"] == 1
        assert len(handler.messages) == 1
        # a certificate nobody vouches for is refused (not silently accepted)
        messages.enqueue_feedback_request(
            db, make_mission(db, make_freelancer(db, "Bob B", email="bob@example.org"))
        )
        assert dispatcher.drain(db, channels=email_channels(None))["sent"] == 0
        assert len(handler.messages) == 1
    finally:
        controller.stop()


# --- the channel on its own ----------------------------------------------------------------------


async def test_channel_errors_say_temporary_or_permanent(inbox):
    inbox.refuse.add("gone@example.org")
    base = dict(
        outbox_id=7,
        freelancer_id=1,
        kind="alumni_checkin",
        channel="email",
        subject="Hi",
        text="Hello",
    )
    async with EmailChannel() as channel:
        with pytest.raises(PermanentFailure) as refused:
            await channel.send(OutgoingMessage(recipient="gone@example.org", **base))
        assert "gone@example.org" not in refused.value.reason
        provider_id = await channel.send(OutgoingMessage(recipient="ok@example.org", **base))
        assert provider_id == "<fms-outbox-7@agence.example.org>"
    assert inbox.messages[0].get_content_type() == "text/plain"
    inbox.controller.stop()
    async with EmailChannel() as channel:
        with pytest.raises(TemporaryFailure):
            await channel.send(OutgoingMessage(recipient="ok@example.org", **base))


# --- the command line ----------------------------------------------------------------------------


def test_fms_ask_then_outbox_send(db, db_path, inbox):
    from click.testing import CliRunner

    from fmstoolkit import planning, pool
    from fmstoolkit.cli import cli

    req = planning.create_request(
        db, project="Refonte", skill="frontend", start="2027-03-01", days=5
    )
    ids = [
        pool.add_freelancer(
            db, name=f"Front {i} X", email=f"f{i}@example.org", skills=f"frontend:{5 - i}"
        )
        for i in range(3)
    ]
    tg = pool.add_freelancer(
        db,
        name="Tele Gram",
        email="tg@example.org",
        telegram_chat_id=99,
        preferred_channel="telegram",
        skills="frontend:1",
    )
    runner = CliRunner()
    args = ["--db", str(db_path)]
    result = runner.invoke(cli, ["ask", str(req["id"]), "--top", "2", "--json", *args])
    assert result.exit_code == 0, result.output
    asked = json.loads(result.output)
    assert len(asked) == 2 and {a["status"] for a in asked} == {"pending"}
    assert set(a["freelancer_id"] for a in asked) <= set(ids)
    result = runner.invoke(cli, ["ask", str(req["id"]), "--freelancer", str(tg), *args])
    assert result.exit_code == 0 and "Tele Gram" in result.output
    assert "telegram" in result.output  # its preferred channel, recorded on the poll
    again = runner.invoke(cli, ["ask", str(req["id"]), "--top", "2", "--json", *args])
    assert json.loads(again.output) == asked  # asking twice queues nothing new
    assert db["outbox"].count == 3 and db["polls"].count == 3

    result = runner.invoke(cli, ["outbox", "send", "--limit", "2", *args])
    assert result.exit_code == 0, result.output
    assert "sent 2 (email 2, Telegram 0)" in result.output
    assert "pending 1" in result.output
    # Telegram is not configured here: the Telegram freelancer gets the question by email
    result = runner.invoke(cli, ["outbox", "send", *args])
    assert "sent 1 (email 1, Telegram 0)" in result.output
    assert len(inbox.messages) == 3
    assert "tg@example.org" in [m["To"] for m in inbox.messages]
    listing = runner.invoke(cli, ["outbox", "list", "--status", "sent", *args])
    assert listing.exit_code == 0 and "Tele Gram" in listing.output
    assert "@example.org" not in listing.output
    missing = runner.invoke(cli, ["ask", "999", *args])
    assert missing.exit_code == 2 and "999" in missing.output


def test_an_address_and_a_subject_beyond_ascii_arrive_intact(db, free_port, monkeypatch):
    """zoé@exämple.org goes out with SMTPUTF8 and a raw UTF-8 To; a French subject is encoded."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port, enable_SMTPUTF8=True)
    controller.start()
    smtp_settings(monkeypatch, free_port, mail_from="Agence Durand <staffing@agence.example.org>")
    try:
        fid = make_freelancer(db, "Zoé Lefèvre", email="zoé@exämple.org", lang="fr")
        mid = messages.enqueue_feedback_request(db, make_mission(db, fid))
        assert dispatcher.drain(db, channels=email_channels())["sent"] == 1
    finally:
        controller.stop()
    (msg,) = handler.messages
    assert handler.envelopes[0][1] == ["zoé@exämple.org"] and msg["To"] == "zoé@exämple.org"
    assert msg["Subject"] == outbox.get(db, mid)["subject"] and not msg["Subject"].isascii()
    assert "Bonjour Zoé" in msg.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    "subject, text",
    [
        ("Short", "Hello\n.\n.leading dot\nFrom the start\n"),
        ("A subject " * 20, "trailing spaces   \n\ttab\n" + "x" * 300 + "\n"),
        ("Mission confirmée : Refonte « site » — du 7 décembre", "Zoé\r\nCRLF\rCR\n€ 550\n"),
        ("=?utf-8?q?not-encoded?= =_boundary-like", "=_fms_deadbeef\n--=_fms_\n=3D\n"),
    ],
)
def test_the_bytes_written_read_back_as_what_was_queued(subject, text):
    """What mime.email_bytes writes parses back, with the standard parser, to the same texts."""
    from fmstoolkit.notify.message import Attachment
    from fmstoolkit.notify.mime import email_bytes

    out = OutgoingMessage(
        outbox_id=7,
        freelancer_id=1,
        kind="mission_confirmation",
        channel="email",
        recipient="alice@example.org",
        subject=subject,
        text=text,
        html=f"<p>{text}</p>",
        attachments=(Attachment("mission été.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n"),),
    )
    data, mid = email_bytes(out, mail_from="Agence Dürand <staffing@agence.example.org>")
    assert data.isascii() and all(len(line) <= 998 for line in data.split(b"\r\n"))
    msg = email.message_from_bytes(data, policy=policy.default)
    assert msg["Message-ID"] == mid == "<fms-outbox-7@agence.example.org>"
    assert msg["Subject"] == subject
    assert msg["From"] == "Agence Dürand <staffing@agence.example.org>"
    expected = text.replace("\r\n", "\n").replace("\r", "\n")

    def content(part) -> str:  # the wire's CRLF line ends, as a mail reader shows them
        return part.get_content().replace("\r\n", "\n")

    assert content(msg.get_body(("plain",))) == expected
    assert content(msg.get_body(("html",))) == f"<p>{expected}</p>"
    (ics,) = msg.iter_attachments()
    assert ics.get_filename() == "mission été.ics" and content(ics) == "BEGIN:VCALENDAR\n"


def test_messages_wait_uncounted_while_no_mail_server_answers(db, free_port, monkeypatch):
    """No mail server at FMS_SMTP_HOST:FMS_SMTP_PORT (the demo's first run): however many
    drains, the messages stay pending with no attempt counted, never dead, and the summary says
    which server is away."""
    settings = smtp_settings(monkeypatch, free_port)  # nobody listens there
    fid = make_freelancer(db, "Zoé Martin", email="zoe@example.org")
    mid = messages.enqueue_feedback_request(db, make_mission(db, fid))
    when = FROZEN_NOW
    for _ in range(settings.outbox_max_attempts + 2):
        summary = dispatcher.drain(db, now=when)
        assert summary["sent"] == 0 and summary["dead"] == 0
        assert f"cannot connect to 127.0.0.1:{free_port}" in summary["down"]["email"]
        when += dt.timedelta(hours=1)
    row = outbox.get(db, mid)
    assert (row["status"], row["attempts"]) == ("pending", 0)
    assert "zoe@example.org" not in row["last_error"]
