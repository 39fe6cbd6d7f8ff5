"""The assistant wired in one place: python-telegram-bot's ``Application``, its handlers and
its job queue (``fms assistant``).

The same bot token that sends the outbox's messages (:mod:`fmstoolkit.notify.telegram`) receives
what freelancers do in the chat. PTB's ``Application`` does the long polling and the
dispatching, :mod:`.handlers` the answering; the state of a chat form is kept in SQLite by
:mod:`.conversations`, so a restart loses nothing. Button presses and texts may come from many
chats at once: the Application handles one update at a time, in order, and every send or edit
goes through the same :class:`~fmstoolkit.notify.telegram.FloodLimiter` as the channel's.

The jobs (:mod:`.jobs`: send the outbox every few seconds, apply the follow-up rules every hour)
run in the Application's job queue (APScheduler underneath). Without a Telegram token the same
jobs run in a plain asyncio loop: an agency on e-mail only still gets its messages sent. Either
way Ctrl-C and SIGTERM stop it cleanly: the job under way finishes (a run of the sender handles
at most :data:`~.jobs.SEND_BATCH` messages), nothing is left half-recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from .. import clock, redact
from ..config import Settings, get_settings
from ..errors import DeliveryError
from ..notify.telegram import FloodLimiter, bot_token
from . import commands, handlers, manager
from .jobs import JOBS, Job

logger = logging.getLogger("fmstoolkit.assistant")
#: The signals that stop the assistant (Ctrl-C, and what a service manager sends).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

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
    # The manager's handlers first: their token and buttons are told apart by a prefix.
    application.add_handler(CallbackQueryHandler(manager.staff_button, manager.STAFF_PATTERN))
    application.add_handler(
        CommandHandler(START_COMMAND, manager.start, filters.Regex(manager.START_PATTERN))
    )
    application.add_handler(CallbackQueryHandler(handlers.button))
    application.add_handler(CommandHandler(START_COMMAND, handlers.start))
    application.add_handler(CommandHandler(CANCEL_COMMAND, handlers.cancel))
    commands.add_handlers(application)  # /help, /missions, /off, /stop, /langue
    application.add_handler(MessageHandler(TYPED_ANSWER, handlers.typed_answer))
    commands.add_fallbacks(application)  # keep last: unknown commands, stickers, photos
    application.add_error_handler(handlers.error_handler)
    return application


def _job_callback(job: Job):
    async def callback(context: CallbackContext) -> None:
        await job.run(context.bot_data[handlers.DB], context.bot_data[handlers.SETTINGS])

    callback.__name__ = f"fms_{job.name}"
    return callback


def schedule_jobs(application: Application, settings: Settings) -> None:
    """Put every job of :mod:`.jobs` in the Application's job queue (first run at once; one
    run of a job at a time: a slow run is not started again before it ends).

    The first run is given as APScheduler's ``next_run_time``, with no misfire grace: the
    scheduler starts only once the bot is connected, and an interval trigger whose start has
    passed by then would first fire one interval later (the hourly jobs an hour after start)."""
    for job in JOBS:
        application.job_queue.run_repeating(
            _job_callback(job),
            interval=job.every(settings),
            first=0,
            name=job.name,
            job_kwargs={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": None,
                "next_run_time": clock.now(),
            },
        )


async def run_jobs_until_stopped(db: Any, settings: Settings, stop: asyncio.Event) -> None:
    """The jobs without Telegram: each in its own loop, run, then wait its interval or the stop
    (a job under way is never interrupted: the stop is seen between runs)."""

    async def every(job: Job) -> None:
        while not stop.is_set():
            try:
                await job.run(db, settings)
            except Exception:  # a job must not stop the assistant; logged without the data
                logger.exception("%s: the job failed; it will run again", job.name)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), job.every(settings))

    await asyncio.gather(*(every(job) for job in JOBS))


async def _run_without_telegram(db: Any, settings: Settings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    await run_jobs_until_stopped(db, settings, stop)


def run_assistant(db: Any, settings: Settings | None = None) -> None:
    """Run the assistant until Ctrl-C or SIGTERM (the ``fms assistant`` command): the bot (long
    polling, or a webhook when ``FMS_TELEGRAM_WEBHOOK_URL`` is set) and its jobs; without a
    Telegram token, the jobs alone (e-mail only)."""
    settings = settings or get_settings()
    if not bot_token(settings):
        logger.info("assistant: started without Telegram (no FMS_TELEGRAM_TOKEN): e-mail only")
        asyncio.run(_run_without_telegram(db, settings))
        logger.info("assistant: stopped")
        return
    application = build_assistant(db, settings)
    schedule_jobs(application, settings)
    if settings.telegram_webhook_url:
        logger.info("assistant: started, Telegram by webhook")
        application.run_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=settings.telegram_webhook_path,
            webhook_url=settings.telegram_webhook_url,
            secret_token=settings.telegram_webhook_secret.get_secret_value()
            if settings.telegram_webhook_secret
            else None,
            allowed_updates=ALLOWED_UPDATES,
            stop_signals=STOP_SIGNALS,
        )
    else:
        logger.info("assistant: started, Telegram by long polling")
        application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=STOP_SIGNALS)
    logger.info("assistant: stopped")
