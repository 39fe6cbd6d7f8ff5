"""The assistant bot wired in one place: python-telegram-bot's ``Application`` and its handlers.

The same bot token that sends the outbox's messages (:mod:`fmstoolkit.notify.telegram`) receives
what freelancers do in the chat. PTB's ``Application`` does the long polling and the
dispatching, :mod:`.handlers` the answering; the state of a chat form is kept in SQLite by
:mod:`.conversations`, so a restart loses nothing. Button presses and texts may come from many
chats at once: the Application handles one update at a time, in order, and every send or edit
goes through the same :class:`~fmstoolkit.notify.telegram.FloodLimiter` as the channel's.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from .. import redact
from ..config import Settings, get_settings
from ..errors import DeliveryError
from ..notify.telegram import FloodLimiter, bot_token
from . import handlers

#: The commands the assistant answers: ``/start <token>`` (the invitation's deep link) and
#: ``/cancel`` (stop the form being answered).
START_COMMAND = "start"
CANCEL_COMMAND = "cancel"
#: The updates asked from Telegram: texts and commands, and presses on inline buttons.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: The texts that answer a chat form's question: any text but a command.
TYPED_ANSWER = filters.TEXT & ~filters.COMMAND


def build_assistant(db: Any, settings: Settings | None = None) -> Application:
    """The assistant bot as a PTB ``Application`` (not started): button answers, ``/start``,
    the chat forms (their buttons, the texts typed as answers) and ``/cancel``.

    Run it with :func:`run_assistant` (blocking) or, inside a running loop, with ``async with
    application: await application.start(); await application.updater.start_polling()``.
    """
    settings = settings or get_settings()
    token = bot_token(settings)
    if not token:
        raise DeliveryError(
            "Telegram is not configured: set FMS_TELEGRAM_TOKEN to the bot's token."
        )
    redact.add_secrets(token)
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_url)
        .rate_limiter(FloodLimiter())
        .build()
    )
    application.bot_data[handlers.DB] = db
    application.bot_data[handlers.SETTINGS] = settings
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(CommandHandler(START_COMMAND, handlers.start))
    application.add_handler(CommandHandler(CANCEL_COMMAND, handlers.cancel))
    application.add_handler(MessageHandler(TYPED_ANSWER, handlers.typed_answer))
    application.add_error_handler(handlers.error_handler)
    return application


def run_assistant(db: Any, settings: Settings | None = None) -> None:
    """Run the assistant bot until Ctrl-C (long polling; the ``fms bot`` command)."""
    build_assistant(db, settings).run_polling(allowed_updates=ALLOWED_UPDATES)
