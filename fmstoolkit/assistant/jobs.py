"""What the assistant does by itself, on a timer: each job one small async function.

- :func:`send_outbox` (every ``FMS_ASSISTANT_SEND_SECONDS``): sends what is due in the outbox,
  at most :data:`SEND_BATCH` messages per run, so that stopping waits for a handful of messages,
  never for a whole backlog;
- :func:`apply_rules` (at start, then every hour): the follow-up rules
  (:func:`fmstoolkit.actions.followups.run_rules`);
- :func:`read_mail` (every ``FMS_ASSISTANT_MAIL_SECONDS``, when ``FMS_IMAP_HOST`` is set): the
  freelancers' e-mail replies (:func:`fmstoolkit.notify.imap.read_replies`), in a thread of its
  own with its own connection (imap-tools is synchronous), backing off while the mailbox cannot
  be reached.
- :func:`manager_rules` (at start, then every hour): the manager's requalification alerts and,
  once a day after ``FMS_DIGEST_HOUR``, their digest (:mod:`fmstoolkit.actions.manager`).

A job never stops the assistant: a mail server or Telegram that is down leaves the messages
to the outbox's own backoff; a database busy with another writer (a notebook saving) is logged
and tried again at the next run. Each run logs one line of counts, never a name, an address or a
text (the redaction filter of the CLI's logging catches any secret besides).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from .. import db as dbmod
from ..actions import followups, manager
from ..config import Settings
from ..errors import FmsError
from ..notify import claims, dispatcher, imap

logger = logging.getLogger("fmstoolkit.assistant")

#: At most this many messages per run of the sender (the rest wait for the next run, seconds
#: later): what a stop waits for is bounded by it.
SEND_BATCH = 50
#: The follow-up rules run at start and then this often (seconds).
RULES_EVERY = 3600.0
#: After failures to reach the mailbox, it is tried 1, 2, 4... minutes later, at most hourly.
MAIL_BACKOFF_BASE = 60.0
MAIL_BACKOFF_CAP = 3600.0


def _sentence(error: Exception) -> str | None:
    """What stopped a run, in one sentence (None: not something to wait out, re-raised)."""
    if isinstance(error, sqlite3.OperationalError):
        error = dbmod.busy_error(error)
    return error.message("en") if isinstance(error, FmsError) else None


#: The channels whose server could not be reached at the last run, and why (said once).
_DOWN: dict[str, str] = {}


def _say_servers(summary: dict[str, Any]) -> None:
    """Log once when a channel's server stops answering, and once when it answers again."""
    down = summary.get("down", {})
    for name, reason in down.items():
        if name not in _DOWN:
            logger.warning(
                "outbox: %s messages wait in the outbox: %s (check %s); they go as soon as "
                "it answers", name, reason, dispatcher.SERVER_SETTINGS.get(name, name),
            )  # fmt: skip
    for name in [n for n in _DOWN if n not in down and summary["by_channel"].get(n)]:
        logger.info("outbox: the %s server answers again", name)
        del _DOWN[name]
    _DOWN.update(down)


async def send_outbox(db: Any, settings: Settings) -> dict[str, Any] | None:
    """Send what is due (e-mail, and Telegram when a token is set); log the counts. While a
    server cannot be reached, its messages wait (uncounted) and that is said once, not at
    every run."""
    try:
        summary = await dispatcher.drain_async(db, limit=SEND_BATCH, settings=settings)
    except (FmsError, sqlite3.OperationalError) as error:  # busy, or a setting wrong
        if (sentence := _sentence(error)) is None:
            raise
        logger.warning("outbox: not sent this time: %s", sentence)
        return None
    _say_servers(summary)
    waiting = len(summary["down"]) and summary["retry"] == summary["claimed"]
    if summary["claimed"] and not waiting:
        logger.info(
            "outbox: %d sent, %d to retry, %d dead, %d cancelled",
            summary["sent"],
            summary["retry"],
            summary["dead"],
            summary["cancelled"],
        )
    return summary


async def apply_rules(db: Any, settings: Settings) -> dict[str, Any] | None:
    """Queue the follow-ups that are due; log how many of each."""
    try:
        result = followups.run_rules(db)
    except (FmsError, sqlite3.OperationalError) as error:
        if (sentence := _sentence(error)) is None:
            raise
        logger.warning("follow-ups: not applied this time: %s", sentence)
        return None
    counts = ", ".join(f"{rule} {n}" for rule, n in result["counts"].items())
    logger.info("follow-ups: %d queued (%s)", len(result["messages"]), counts)
    return result


class _Backoff:
    """Skip runs while a server keeps failing, waiting as the outbox waits between tries
    (:func:`fmstoolkit.notify.claims.backoff`: doubling from ``every``, capped, jittered)."""

    def __init__(self, every: float, cap: float) -> None:
        self.every, self.cap, self.failures, self.next_try = every, cap, 0, 0.0

    def ready(self) -> bool:
        return time.monotonic() >= self.next_try

    def failed(self) -> float:
        self.failures += 1
        wait = claims.backoff(self.failures, base=self.every, cap=self.cap)
        self.next_try = time.monotonic() + wait
        return wait

    def succeeded(self) -> None:
        self.failures, self.next_try = 0, 0.0


_MAILBOX = _Backoff(MAIL_BACKOFF_BASE, MAIL_BACKOFF_CAP)


def _db_file(db: Any) -> str:
    return db.execute("PRAGMA database_list").fetchone()[2]


def _read_in_thread(path: str, settings: Settings) -> dict[str, int]:
    own = dbmod.open_db(path, migrate_schema=False)
    try:
        return imap.read_replies(own, settings)
    finally:
        own.close()


async def read_mail(db: Any, settings: Settings) -> dict[str, int] | None:
    """Read the replies waiting in the agency's mailbox (nothing when IMAP is not set up)."""
    if not settings.imap_host or not _MAILBOX.ready():
        return None
    try:
        summary = await asyncio.to_thread(_read_in_thread, _db_file(db), settings)
    except FmsError as error:  # the mailbox unreachable, a wrong password...
        wait = _MAILBOX.failed()
        logger.warning("mail: not read this time (%s); next try in %d s", error.message("en"),
                       wait)  # fmt: skip
        return None
    _MAILBOX.succeeded()
    if summary["read"]:
        logger.info(
            "mail: %d read, %d answers, %d opted out, %d left for the manager",
            summary["read"],
            summary["yes"] + summary["no"] + summary["maybe"],
            summary["opted_out"],
            summary["unreadable"] + summary["foreign"] + summary["unmatched"],
        )
    return summary


async def manager_rules(db: Any, settings: Settings) -> dict[str, Any] | None:
    """Queue the manager's requalification alerts and, when due, the digest; log counts."""
    try:
        alerts = manager.queue_requalification_alerts(db)
        digest_id = manager.queue_digest(db)
    except (FmsError, sqlite3.OperationalError) as error:
        if (sentence := _sentence(error)) is None:
            raise
        logger.warning("manager: not done this time: %s", sentence)
        return None
    logger.info(
        "manager: %d requalification alerts, digest %s",
        len(alerts),
        "queued" if digest_id else "not due",
    )
    return {"alerts": alerts, "digest": digest_id}


class Job(NamedTuple):
    """A job of the assistant: its name, how often it runs (seconds) and what it does."""

    name: str
    every: Callable[[Settings], float]
    run: Callable[[Any, Settings], Awaitable[Any]]


#: Every job, in the order they first run.
JOBS = (
    Job("outbox", lambda s: s.assistant_send_seconds, send_outbox),
    Job("followups", lambda s: RULES_EVERY, apply_rules),
    Job("mail", lambda s: s.assistant_mail_seconds, read_mail),
    Job("manager", lambda s: RULES_EVERY, manager_rules),
)
