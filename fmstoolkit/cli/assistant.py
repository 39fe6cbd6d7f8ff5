"""``fms bot``: the Telegram assistant, until Ctrl+C."""

from __future__ import annotations

import click

from .. import assistant
from .common import with_db


@click.command("bot")
@with_db
def bot(db) -> None:
    """Run the Telegram assistant (answers to availability buttons, /start links) until Ctrl+C."""
    assistant.run_assistant(db)
