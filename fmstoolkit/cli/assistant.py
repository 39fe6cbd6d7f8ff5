"""``fms assistant`` (and its old name ``fms bot``): the long-running assistant, until Ctrl+C."""

from __future__ import annotations

import logging

import click

from .. import assistant
from .common import with_db

#: One line per action: when, how serious, which part, what (never personal data).
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _run(db) -> None:
    # The group installed the redacting stderr handler; the assistant logs its actions too.
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in root.handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per Bot API call otherwise
    assistant.run_assistant(db)


@click.command("assistant")
@with_db
def assistant_cmd(db) -> None:
    """Run the assistant until Ctrl+C: sends the outbox, applies the follow-up rules every hour
    and answers freelancers on Telegram (e-mail only without FMS_TELEGRAM_TOKEN)."""
    _run(db)


@click.command("bot")
@with_db
def bot(db) -> None:
    """The old name of `fms assistant` (kept as an alias)."""
    _run(db)
