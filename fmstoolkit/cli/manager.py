"""``fms manager``: link the manager's own Telegram chat to the assistant."""

from __future__ import annotations

import click
from telegram.helpers import create_deep_linked_url

from .. import manager_chat
from ..config import get_settings
from ..errors import DeliveryError
from ..i18n import _
from .common import with_db


@click.group("manager")
def manager_group() -> None:
    """The manager's assistant: their Telegram chat (digests, alerts, Assign / Wait)."""


@manager_group.command("invite")
@with_db
def manager_invite(db) -> None:
    """Print a one-time link: opened on the manager's phone, it makes that Telegram chat the
    manager's (the link works once; run this again for a new one)."""
    bot = get_settings().telegram_bot_username
    if not bot:
        raise DeliveryError(
            "Set FMS_TELEGRAM_BOT_USERNAME (the bot's @name) to invite the manager to Telegram.",
            field="telegram_bot_username",
        )
    token = manager_chat.new_invitation(db)
    click.echo(_("Open this link on your phone and press Start (it works once):"))
    click.echo(create_deep_linked_url(bot.lstrip("@"), token))
