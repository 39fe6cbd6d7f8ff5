"""Answers by e-mail: read the freelancers' replies from the agency's mailbox over IMAP.

:func:`read_replies` is the one entry point (``fms mail read``; the assistant calls it every
minute, in a thread since it blocks on the network, e.g. ``await asyncio.to_thread(read_replies,
db)`` with a database connection of its own from ``open_db()``: an SQLite connection must not
run the bot handlers' transactions and this one at the same time). It logs in, takes the
unseen mails of ``FMS_IMAP_FOLDER`` without marking them seen (``BODY.PEEK``), applies each
one through :func:`fmstoolkit.actions.replies.apply_reply`, then:

- a reply applied (an answer recorded, an opt-out) is moved to ``FMS_IMAP_DONE_FOLDER``
  (created, and subscribed to, when missing);
- a reply left for the manager (unreadable, from another address, answering no message of
  ours) is moved to ``FMS_IMAP_LEFT_FOLDER`` when it is set, else stays where it is, seen and
  flagged (``\\Flagged``), so it is not read again and stands out in the manager's mail client;
- a reply that could not be applied now (the database busy past its timeout) stays unseen, to
  be read at the next round; the ledger makes a mail read twice record nothing twice, so a
  crash between recording a reply and moving it is harmless.

imap-tools because it is a maintained, dependency-free layer over the standard ``imaplib``
(search criteria, ``BODY.PEEK`` fetches, MOVE with a copy-and-delete fallback, folder names
in IMAP's modified UTF-7, STARTTLS and implicit TLS). It is synchronous: the assistant, which
is asyncio (python-telegram-bot), runs it in a thread, which is simpler than an asyncio IMAP
client for a job that runs once a minute. Folder names are written with ``/`` in the settings
and translated to the server's own hierarchy separator.

One log line per mail, with the outbox id and the outcome; never an address, a name or a text.
"""

from __future__ import annotations

import imaplib
import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlite_utils
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError

from ..actions import replies
from ..config import Settings, get_settings
from ..errors import DatabaseError, DeliveryError
from ..replies import ledger

logger = logging.getLogger(__name__)

#: The counts :func:`read_replies` returns (no personal data): one per outcome, then how many
#: mails were looked at, how many had been read before, and how many wait for the next round.
SUMMARY_KEYS = (*ledger.OUTCOMES, "read", "duplicate", "retry")
_NETWORK = (OSError, socket.timeout, imaplib.IMAP4.error, ImapToolsError, ssl.SSLError)


def _port(s: Settings) -> int:
    return s.imap_port or (993 if s.imap_security == "tls" else 143)


@contextmanager
def mailbox(
    settings: Settings | None = None, *, tls_context: ssl.SSLContext | None = None
) -> Iterator[Any]:
    """The agency's mailbox, logged in (imap-tools' ``MailBox``), logged out afterwards.

    ``tls_context`` replaces the default certificate checks (tests trusting their own CA).
    Raises :class:`DeliveryError` with a sentence when the server cannot be reached or refuses
    the login.
    """
    s = settings or get_settings()
    if not s.imap_host:
        raise DeliveryError(
            "Set FMS_IMAP_HOST (and FMS_IMAP_USERNAME, FMS_IMAP_PASSWORD) to read the "
            "freelancers' replies by e-mail.",
            field="imap_host",
        )
    host, port = s.imap_host, _port(s)
    try:
        if s.imap_security == "tls":
            box = MailBox(host, port, timeout=s.imap_timeout, ssl_context=tls_context)
        elif s.imap_security == "starttls":
            box = MailBoxStartTls(host, port, timeout=s.imap_timeout, ssl_context=tls_context)
        else:
            box = MailBoxUnencrypted(host, port, timeout=s.imap_timeout)
        password = s.imap_password.get_secret_value() if s.imap_password else ""
        box.login(s.imap_username or "", password, initial_folder=None)
    except MailboxLoginError:
        raise DeliveryError(
            "The mailbox {host}:{port} refused the login: check FMS_IMAP_USERNAME and "
            "FMS_IMAP_PASSWORD.",
            field="imap_username",
            host=host,
            port=port,
        ) from None
    except _NETWORK as exc:
        raise DeliveryError(
            "Cannot reach the mailbox {host}:{port} ({reason}): check FMS_IMAP_HOST, "
            "FMS_IMAP_PORT and FMS_IMAP_SECURITY, or try again later.",
            field="imap_host",
            host=host,
            port=port,
            reason=type(exc).__name__,
        ) from None
    try:
        yield box
    finally:
        try:
            box.logout()
        except _NETWORK:
            pass


def server_folder(box: Any, name: str) -> str:
    """``name`` ("fmstoolkit/traités") with the server's own hierarchy separator."""
    try:
        delim = next((f.delim for f in box.folder.list("", "INBOX")), "/") or "/"
    except _NETWORK:
        delim = "/"
    return name.replace("/", delim)


def ensure_folder(box: Any, name: str) -> str:
    """Create (and subscribe to) the folder ``name`` when missing; return its server name."""
    folder = server_folder(box, name)
    if not box.folder.exists(folder):
        box.folder.create(folder)
        try:
            box.folder.subscribe(folder, True)
        except _NETWORK:
            pass  # a server without subscriptions still has the folder
    return folder


def _raw(msg: Any) -> bytes:
    try:
        return msg.obj.as_bytes()
    except Exception:  # a mail the standard library cannot write back: read as empty
        return b""


def read_replies(
    db: sqlite_utils.Database,
    settings: Settings | None = None,
    *,
    limit: int | None = None,
    tls_context: ssl.SSLContext | None = None,
) -> dict[str, int]:
    """Read the unseen replies of the mailbox, apply them, file them; return the counts.

    The counts (:data:`SUMMARY_KEYS`): ``yes`` / ``no`` / ``maybe`` (answers recorded),
    ``opted_out``, ``unreadable`` / ``foreign`` / ``unmatched`` (left for the manager), ``read``
    (mails looked at), ``duplicate`` (read before: filed again, nothing recorded) and ``retry``
    (left unseen for the next round: the database was busy). Raises :class:`DeliveryError`
    when the mailbox cannot be reached (the assistant backs off and tries again).
    """
    s = settings or get_settings()
    summary = dict.fromkeys(SUMMARY_KEYS, 0)
    with mailbox(s, tls_context=tls_context) as box:
        try:
            done = ensure_folder(box, s.imap_done_folder)
            left = ensure_folder(box, s.imap_left_folder) if s.imap_left_folder else None
            box.folder.set(server_folder(box, s.imap_folder))
            for msg in box.fetch(AND(seen=False), mark_seen=False, limit=limit):
                summary["read"] += 1
                try:
                    result = replies.apply_reply(db, _raw(msg))
                except DatabaseError:
                    summary["retry"] += 1
                    logger.warning("mail reply uid %s: database busy, read again later", msg.uid)
                    continue
                except Exception as exc:  # one mail must not stop the others, nor the assistant
                    summary["retry"] += 1
                    # the type only: an exception's text may quote the mail or the database
                    logger.error("mail reply uid %s: not applied (%s)", msg.uid, type(exc).__name__)
                    continue
                outcome = result["outcome"]
                summary["duplicate" if result["duplicate"] else outcome] += 1
                logger.info(
                    "mail reply: outbox %s -> %s%s",
                    result.get("outbox_id", "-"),
                    outcome,
                    " (read before)" if result["duplicate"] else "",
                )
                if outcome in ledger.APPLIED:
                    box.move(msg.uid, done)
                elif left is not None:
                    box.move(msg.uid, left)
                else:
                    box.flag(msg.uid, ["\\Seen", "\\Flagged"], True)
        except _NETWORK as exc:
            raise DeliveryError(
                "The mailbox {host} stopped answering ({reason}); the replies not filed yet "
                "will be read again.",
                field="imap_host",
                host=s.imap_host,
                reason=type(exc).__name__,
            ) from None
    return summary
