"""No secret anywhere: the bot token and the SMTP password never reach stderr, a traceback or the
database, even when a server answers an error page that echoes them (as is, URL-encoded,
lower-cased). The real ``fms`` runs as a subprocess against real servers on 127.0.0.1."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from fmstoolkit import pool, redact
from fmstoolkit.notify import outbox

pytest_plugins = ["telegram_standin"]

PASSWORD = "S3cret/Pass:wörd"


def _forms(secret: str) -> list[str]:
    """What a reader would search for: the secret, its URL-encoded form, in every case, and
    for a bot token the part after the colon."""
    parts = [secret, quote(secret, safe=""), quote(secret)]
    if ":" in secret:
        parts.append(secret.split(":", 1)[1])
    return sorted({f for p in parts for f in (p, p.lower(), p.upper())})


def _found(text: str, secret: str) -> list[str]:
    return [form for form in _forms(secret) if form.lower() in text.lower()]


def _dump(db) -> str:
    return "\n".join(str(row) for t in db.table_names() for row in db[t].rows)


def _fms(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fmstoolkit.cli", *args], env=env, capture_output=True,
        text=True, timeout=timeout,
    )


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FMS_")}
    env.update({"FMS_HOME": str(tmp_path), "FMS_DB": str(tmp_path / "fms.db"),
                "FMS_NOTES_DB": str(tmp_path / "notes.db"), "FMS_LANG": "en"})
    env.update({f"FMS_{k.upper()}": v for k, v in settings.items()})
    return env


def test_the_filter_redacts_messages_arguments_and_tracebacks_of_library_loggers(caplog):
    token = "987654321:AAEverySecretPartOfTheToken_0123456"
    redact.install_logging(None)
    redact.add_secrets(token)
    caplog.set_level(logging.DEBUG)
    redact.install_logging(None)  # caplog's handler is on the root logger now: filter it too
    encoded = quote(f"https://api.example.org/bot{token}/getUpdates", safe="").lower()
    logging.getLogger("httpx").warning("HTTP Request: GET %s", encoded)
    try:
        raise ConnectionError(f"page for https://api.example.org/bot{token.upper()}/getMe")
    except ConnectionError:
        logging.getLogger("telegram.ext.Updater").exception("Error while polling")
    logging.getLogger("aiosmtplib.smtp").error("reply %r", token.split(":")[1].encode())
    assert "Error while polling" in caplog.text and "ConnectionError" in caplog.text
    assert caplog.text.count(redact.MASK) == 3
    assert _found(caplog.text, token) == []


@pytest.mark.real_clock
def test_a_bot_api_error_page_echoing_the_token_reaches_neither_stderr_nor_the_outbox(
    db, db_path, telegram_standin, tmp_path
):
    fid = pool.add_freelancer(db, name="Ana Lopez", telegram_chat_id=70012345,
                              preferred_channel="telegram", daily_rate=400)
    outbox.enqueue(db, dedupe_key="c", freelancer_id=fid, kind="alumni_checkin")
    telegram_standin.script(502, method="sendMessage", times=20, echo_page=True)
    env = _env(tmp_path, telegram_token=telegram_standin.token,
               telegram_api_url=telegram_standin.url)
    result = _fms("outbox", "send", "--db", str(db_path), env=env)
    assert result.returncode == 0, result.stderr
    assert telegram_standin.calls("sendMessage")  # the page was answered
    error = db.execute("SELECT last_error FROM outbox").fetchone()[0]
    assert "502" in error and redact.MASK in error  # the page was stored, without the token
    token = telegram_standin.token
    assert _found(result.stdout + result.stderr, token) == []
    assert _found(_dump(db), token) == []


@pytest.mark.real_clock
def test_the_assistant_logs_a_polling_error_page_without_the_token(
    db, db_path, telegram_standin, tmp_path
):
    telegram_standin.script(502, method="getUpdates", times=2, echo_page=True)
    env = _env(tmp_path, telegram_token=telegram_standin.token,
               telegram_api_url=telegram_standin.url)
    stderr = tmp_path / "bot.err"
    with stderr.open("w") as err:
        bot = subprocess.Popen([sys.executable, "-m", "fmstoolkit.cli", "bot", "--db",
                                str(db_path)], env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 60
            while len(telegram_standin.calls("getUpdates")) < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            bot.terminate()
            bot.wait(timeout=30)
    assert len(telegram_standin.calls("getUpdates")) >= 3  # both error pages were answered
    text = stderr.read_text()
    assert "502" in text or "Bad Gateway" in text  # the error was logged...
    assert _found(text, telegram_standin.token) == []  # ...without the token


class EchoingServer:
    """An SMTP server that logs the client in, then refuses the message for now with a reply
    echoing the password it was given (as a badly written filter might)."""

    def __init__(self) -> None:
        self.password = ""

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword):
            self.password = auth_data.password.decode()
        return AuthResult(success=True)

    async def handle_DATA(self, server, session, envelope):
        p = self.password
        return f"451 4.7.1 try later ({p} / {quote(p, safe='')} / {p.lower()})"


@pytest.mark.real_clock
def test_an_smtp_reply_echoing_the_password_reaches_neither_stderr_nor_the_outbox(
    db, db_path, free_port, tmp_path
):
    handler = EchoingServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port,
                            authenticator=handler.authenticator, auth_require_tls=False)
    controller.start()
    try:
        fid = pool.add_freelancer(db, name="Ana Lopez", email="ana@example.org", daily_rate=400)
        outbox.enqueue(db, dedupe_key="c", freelancer_id=fid, kind="alumni_checkin")
        env = _env(tmp_path, smtp_host="127.0.0.1", smtp_port=str(free_port),
                   smtp_username="staffing", smtp_password=PASSWORD)
        result = _fms("outbox", "send", "--db", str(db_path), env=env)
    finally:
        controller.stop()
    assert result.returncode == 0, result.stderr
    assert handler.password == PASSWORD  # the server got it and echoed it
    error = db.execute("SELECT last_error FROM outbox").fetchone()[0]
    assert "451" in error and redact.MASK in error
    assert _found(result.stdout + result.stderr, PASSWORD) == []
    assert _found(_dump(db), PASSWORD) == []
