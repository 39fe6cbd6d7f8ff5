"""A private Dovecot (IMAP + LMTP) on 127.0.0.1 for the replies-by-e-mail tests, and an SMTP
server (aiosmtpd) catching what the outbox sends.

Dovecot comes from Debian's packages (``dovecot-imapd``, ``dovecot-lmtpd``; `.ci/system-deps.sh`
installs them). Each test gets its own instance, started in the foreground (``dovecot -F -c``)
with a configuration written here and none of the system's: listening on loopback only, plain
text login allowed (no TLS on loopback), one user in a passwd-file, mail in maildir, logs in a
file under ``tmp_path``. Started by an ordinary user, everything runs as that user. Started as
root (CI), Dovecot refuses to touch mail as root: its processes then drop to the ``dovecot`` and
``dovenull`` users the package creates, so the mail and runtime folders live in a private
folder under /tmp that those users can enter (pytest's ``tmp_path`` cannot be entered by them),
removed at the end.

Replies are delivered the way a mail server would hand them over: by LMTP (SMTP's local
sibling, ``smtplib.LMTP``) to Dovecot's LMTP listener on loopback.
"""

from __future__ import annotations

import email
import email.utils
import getpass
import grp
import os
import pwd
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from imap_tools import MailBoxUnencrypted

from fmstoolkit import config
from fmstoolkit.notify import imap

USER, PASSWORD = "staffing", "s3cret-test"
AGENCY = "staffing@agence.example.org"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CONFIG = """
base_dir = {run}
state_dir = {run}/state
instance_name = fms-test-{imap_port}
log_path = {log}
protocols = imap lmtp
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
{mail_user}
mail_location = maildir:{mail}/%n
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%n {users}
}}
userdb {{
  driver = static
  args = home={mail}/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service lmtp {{
  inet_listener lmtp {{
    address = 127.0.0.1
    port = {lmtp_port}
  }}
}}
"""


class Dovecot:
    """A running private Dovecot: deliver mail to it, look into its folders."""

    def __init__(self, tmp_path: Path) -> None:
        self.imap_port, self.lmtp_port = _free_port(), _free_port()
        self.log = tmp_path / "dovecot.log"
        self.conf = tmp_path / "dovecot.conf"
        root = os.geteuid() == 0
        if root:
            self.private = Path(tempfile.mkdtemp(prefix="fms-dovecot-"))
            self.private.chmod(0o755)
            owner = pwd.getpwnam("dovecot")
            mail = self.private / "mail"
            mail.mkdir()
            os.chown(mail, owner.pw_uid, owner.pw_gid)
            run = self.private / "run"
            users_for = {"internal_user": "dovecot", "internal_group": "dovecot",
                         "login_user": "dovenull",
                         "mail_user": "mail_uid = dovecot\nmail_gid = dovecot\n"
                         "first_valid_uid = 1\nfirst_valid_gid = 1"}
        else:
            self.private = None
            mail, run = tmp_path / "mail", tmp_path / "run"
            mail.mkdir()
            me = getpass.getuser()
            users_for = {"internal_user": me, "internal_group": grp.getgrgid(os.getegid()).gr_name,
                         "login_user": me, "mail_user": ""}
        run.mkdir()
        self.mail = mail
        users = (self.private or tmp_path) / "dovecot.users"  # read by the auth process
        users.write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.conf.write_text(
            CONFIG.format(
                run=run, log=self.log, mail=mail, users=users, imap_port=self.imap_port,
                lmtp_port=self.lmtp_port, **users_for,
            )
        )
        binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
        if not Path(binary).exists():
            pytest.fail("Dovecot is missing: run `make system-deps` (dovecot-imapd, dovecot-lmtpd)")
        self.proc = subprocess.Popen(
            [binary, "-F", "-c", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=open(tmp_path / "dovecot.stderr", "wb"),  # noqa: SIM115 - closed with the process
        )
        self._wait_ready(tmp_path)

    def _wait_ready(self, tmp_path: Path) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                with socket.create_connection(("127.0.0.1", self.imap_port), timeout=1):
                    pass
                with socket.create_connection(("127.0.0.1", self.lmtp_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        files = (self.log, tmp_path / "dovecot.stderr")
        logs = "".join(p.read_text(errors="replace") for p in files if p.exists())
        pytest.fail(f"Dovecot did not start:\n{logs[-3000:]}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.private is not None:
            shutil.rmtree(self.private, ignore_errors=True)

    def settings(self, monkeypatch, **extra: str) -> config.Settings:
        """Point FMS_IMAP_* at this server (plain IMAP on loopback) and reload the settings."""
        values = {"host": "127.0.0.1", "port": str(self.imap_port), "username": USER,
                  "password": PASSWORD, "security": "none", "timeout": "10", **extra}
        for key, value in values.items():
            monkeypatch.setenv(f"FMS_IMAP_{key.upper()}", value)
        return config.reload_settings()

    def deliver(self, msg: EmailMessage | bytes, sender: str = "someone@example.net") -> None:
        """Hand a mail to Dovecot by LMTP, for the agency's mailbox."""
        data = msg if isinstance(msg, bytes) else msg.as_bytes()
        with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
            refused = lmtp.sendmail(sender, [AGENCY], data)
        assert refused == {}

    def folder(self, name: str = "INBOX") -> list[dict]:
        """The mails of a folder (``/``-separated name): subject, flags, the parsed mail."""
        with MailBoxUnencrypted("127.0.0.1", self.imap_port).login(USER, PASSWORD, None) as box:
            folder = imap.server_folder(box, name)
            if not box.folder.exists(folder):
                return []
            box.folder.set(folder)
            return [
                {"subject": m.subject, "flags": set(m.flags),
                 "mail": email.message_from_bytes(m.obj.as_bytes(), policy=policy.default)}
                for m in box.fetch(mark_seen=False)
            ]


@pytest.fixture
def dovecot(tmp_path, monkeypatch):
    server = Dovecot(tmp_path)
    server.settings(monkeypatch)
    yield server
    server.stop()


class Catcher:
    """An aiosmtpd handler keeping every mail the outbox sends."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 2.0.0 OK queued"


@pytest.fixture
def smtp(monkeypatch):
    """An SMTP server on loopback; the outbox's FMS_SMTP_* and FMS_MAIL_* point at it."""
    handler = Catcher()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("FMS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FMS_SMTP_PORT", str(port))
    monkeypatch.setenv("FMS_SMTP_TIMEOUT", "5")
    monkeypatch.setenv("FMS_MAIL_FROM", f"Agence Durand <{AGENCY}>")
    config.reload_settings()
    yield handler
    controller.stop()


def reply_to(original: EmailMessage, text: str, *, sender: str, quote: bool = True,
             message_id: str | None = None, **headers: str) -> EmailMessage:
    """A reply as a mail client writes it: the text, then the attribution and the quoted
    original (its plain text), with In-Reply-To and References set."""
    reply = EmailMessage()
    reply["From"] = sender
    reply["To"] = AGENCY
    reply["Subject"] = "Re: " + str(original["Subject"])
    reply["Message-ID"] = message_id or email.utils.make_msgid(domain="mail.example.net")
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    body = text
    if quote:
        plain = original.get_body(("plain",)).get_content()
        body += (
            "\n\nLe mer. 25 nov. 2026 à 10:00, Agence Durand <" + AGENCY + "> a\nécrit :\n"
            + "".join(f"> {line}\n" for line in plain.splitlines())
        )
    reply.set_content(body)
    return reply
