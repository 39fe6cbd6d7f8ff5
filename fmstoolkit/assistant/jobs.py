"""What the assistant does by itself, on a timer: each job one small async function.

- :func:`send_outbox` (every ``FMS_ASSISTANT_SEND_SECONDS``): sends what is due in the outbox,
  at most :data:`SEND_BATCH` messages per run, so that stopping waits for a handful of messages,
  never for a whole backlog;
- :func:`apply_rules` (at start, then every hour): the follow-up rules
  (:func:`fmstoolkit.actions.followups.run_rules`);
- :func:`manager_rules` (at start, then every hour): the manager's requalification alerts and,
  once a day after ``FMS_DIGEST_HOUR``, their digest (:mod:`fmstoolkit.actions.manager`).

A job never stops the assistant: a mail server or Telegram that is down leaves the messages
to the outbox's own backoff; a database busy with another writer (a notebook saving) is logged
and tried again at the next run. Each run logs one line of counts, never a name, an address or a
text (the redaction filter of the CLI's logging catches any secret besides).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from .. import db as dbmod
from ..actions import followups, manager
from ..config import Settings
from ..errors import FmsError
from ..notify import dispatcher

logger = logging.getLogger("fmstoolkit.assistant")

#: At most this many messages per run of the sender (the rest wait for the next run, seconds
#: later): what a stop waits for is bounded by it.
SEND_BATCH = 50
#: The follow-up rules run at start and then this often (seconds).
RULES_EVERY = 3600.0


def _sentence(error: Exception) -> str | None:
    """What stopped a run, in one sentence (None: not something to wait out, re-raised)."""
    if isinstance(error, sqlite3.OperationalError):
        error = dbmod.busy_error(error)
    return error.message("en") if isinstance(error, FmsError) else None


async def send_outbox(db: Any, settings: Settings) -> dict[str, Any] | None:
    """Send what is due (e-mail, and Telegram when a token is set); log the counts."""
    try:
        summary = await dispatcher.drain_async(db, limit=SEND_BATCH, settings=settings)
    except (FmsError, sqlite3.OperationalError) as error:  # busy, or a setting wrong
        if (sentence := _sentence(error)) is None:
            raise
        logger.warning("outbox: not sent this time: %s", sentence)
        return None
    if summary["claimed"]:
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
    Job("manager", lambda s: RULES_EVERY, manager_rules),
)
