"""What a freelancer can do on Telegram by a command, in their language (``lang``, else
``FMS_LANG``), each ending in a shared action or a read of the domain:

* ``/help`` (``/aide``): what the bot does and its commands;
* ``/missions``: their upcoming missions (dates, project, daily rate);
* ``/off 20/12 au 03/01 congés``: an absence, read by :mod:`fmstoolkit.planning.periods` and
  declared through :func:`fmstoolkit.actions.planning.declare_unavailability` (source
  ``freelancer``); recorded even when it overlaps one of their missions, with a warning to tell
  the agency (the agency must hear of it; refusing would hide it);
* ``/stop``: the Telegram chat is closed (their consent withdrawn; messages go by e-mail) until
  ``/start``; only the confirmation is sent here afterwards;
* ``/langue fr|en`` (``/language``): their language, the reply already in the new one.

And the robustness around them: every update is claimed once (:mod:`.updates`, so the same
update delivered twice writes once); an unknown command gets a short "see /help"; a sticker, a
photo, a document or a voice note gets "I only read text"; a chat not linked to a freelancer
is told to open the agency's invitation link. Nothing here raises to PTB: bad input is an
:class:`~fmstoolkit.errors.FmsError` whose sentence is the reply.

:func:`add_handlers` registers the commands (next to :mod:`.handlers`' ones) and
:func:`add_fallbacks` the catch-alls, which must come after every other handler of group 0.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from .. import clock, planning, pool
from ..actions import freelancers
from ..actions import planning as planning_actions
from ..errors import FmsError
from ..i18n import LANGS, N_, _, format_date, format_money
from ..models.limits import date_window
from ..notify.telegram import flood_retrying
from . import updates
from .handlers import DB, SETTINGS

logger = logging.getLogger(__name__)

#: Command names (Telegram: lower-case letters, digits, underscores) and their aliases.
HELP = ("help", "aide")
MISSIONS = ("missions",)
OFF = ("off", "absence")
STOP = ("stop",)
LANGUAGE = ("langue", "language", "lang")
#: Missions shown by ``/missions`` (ended ones are not "upcoming").
UPCOMING = ("planned", "active")
#: At most this many missions are listed (a reply stays short).
MAX_LISTED = 10

_TEXTS = {
    "help": N_(
        "I am the agency's assistant. Here you answer its availability questions and feedback "
        "forms with the buttons, and you can:\n"
        "/missions: your upcoming missions\n"
        "/off 20/12 to 03/01 holidays: tell the agency you are away (also /off 24/12, "
        "/off 2026-12-20 2027-01-03)\n"
        "/langue fr or /langue en: the language I write in\n"
        "/stop: no more messages here (e-mail stays); /start opens this chat again\n"
        "/help: this message"
    ),
    "hello": N_("Hello! Open the link of the agency's invitation to connect your Telegram."),
    "closed": N_("You stopped messages here: send /start to receive them again."),
    "no_missions": N_("You have no upcoming mission with the agency."),
    "missions": N_("Your upcoming missions:"),
    "mission": N_("• {start} to {end}: {project}, {rate} a day"),
    "more": N_("…and {count} more."),
    "off_usage": N_(
        "Write the dates after /off, for example: /off 20/12 to 03/01 holidays, or /off 24/12."
    ),
    "off_day": N_("Noted: you are away on {start}. The agency will not propose you a mission "
                  "then."),
    "off_period": N_("Noted: you are away from {start} to {end}. The agency will not propose "
                     "you a mission then."),
    "off_overlap": N_("Careful: you have the mission {project} from {start} to {end} then: "
                      "tell the agency."),
    "stopped": N_(
        "Done: the agency will not write to you here any more; its messages go by e-mail. "
        "Send /start to open this chat again."
    ),
    "already_stopped": N_("Messages here are already stopped: send /start to receive them "
                          "again."),
    "language_usage": N_("Write /langue fr or /langue en."),
    "language_set": N_("From now on I write to you in English."),
    "unknown_command": N_("I do not know this command: see /help."),
    "text_only": N_("I can only read text messages and commands: see /help."),
}


def _text(key: str, lang: str, **params: Any) -> str:
    translated = _(_TEXTS[key], lang)
    return translated.format(**params) if params else translated


class _Asker:
    """Who wrote (the freelancer linked to the chat, or None), their language and chat state."""

    def __init__(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.db = context.bot_data[DB]
        self.chat_id = update.effective_chat.id
        self.freelancer = pool.freelancer_by_chat(self.db, self.chat_id)
        self.lang = (self.freelancer or {}).get("lang") or context.bot_data[SETTINGS].lang
        self.message = update.effective_message

    @property
    def id(self) -> int:
        return self.freelancer["id"]

    def closed(self) -> bool:
        """They sent ``/stop`` (or blocked the bot) and have not sent ``/start`` since."""
        return bool(pool.get_contact(self.db, self.id).get("telegram_closed_at"))

    async def reply(self, text: str) -> None:
        await flood_retrying()(self.message.reply_text, text)

    async def usable(self) -> bool:
        """True for a linked, open chat; otherwise the reply says what to do, and False."""
        if self.freelancer is None:
            await self.reply(_text("hello", self.lang))
            return False
        if self.closed():
            await self.reply(_text("closed", self.lang))
            return False
        return True


def _argument(message: Any) -> str:
    """What follows the command in the message (``/off 20/12 au 03/01`` → ``20/12 au 03/01``)."""
    parts = (getattr(message, "text", None) or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


# --- the commands -----------------------------------------------------------------------------


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/help``: what the bot does, its commands; for a chat not linked, how to link it."""
    asker = _Asker(update, context)
    text = _text("help", asker.lang)
    if asker.freelancer is None:
        text = f"{_text('hello', asker.lang)}\n\n{text}"
    await asker.reply(text)


def upcoming_missions(db: Any, freelancer_id: int, lang: str) -> list[str]:
    """The lines of ``/missions``: the freelancer's planned and current missions, soonest
    first (a read of the domain's schedule)."""
    today = clock.today()
    rows = [
        row
        for row in planning.schedule(
            db, today, date_window(today)[1], freelancer_ids=[freelancer_id],
            include_requests=False, lang=lang,
        )  # fmt: skip
        if row["kind"] == "mission" and row["status"] in UPCOMING
    ]
    rows.sort(key=lambda r: (r["start"], r["id"]))
    lines = [
        _text(
            "mission", lang, start=format_date(r["start"], lang), end=format_date(r["end"], lang),
            project=r["project"], rate=format_money(r["daily_rate"], lang),
        )  # fmt: skip
        for r in rows[:MAX_LISTED]
    ]
    if len(rows) > MAX_LISTED:
        lines.append(_text("more", lang, count=len(rows) - MAX_LISTED))
    return lines


async def missions_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/missions``: their upcoming missions, or a sentence when there is none."""
    asker = _Asker(update, context)
    if not await asker.usable():
        return
    lines = upcoming_missions(asker.db, asker.id, asker.lang)
    if not lines:
        await asker.reply(_text("no_missions", asker.lang))
        return
    await asker.reply("\n".join([_text("missions", asker.lang), *lines]))


def _overlapping_missions(db: Any, freelancer_id: int, start: Any, end: Any) -> list[dict]:
    return [
        row
        for row in planning.schedule(
            db, start, end, freelancer_ids=[freelancer_id], include_requests=False
        )
        if row["kind"] == "mission" and row["status"] in planning.OPEN_MISSION_STATUSES
    ]


async def off_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/off <dates> [reason]``: declare an absence; warn when it overlaps a mission."""
    asker = _Asker(update, context)
    if not await asker.usable():
        return
    lang = asker.lang
    argument = _argument(asker.message)
    if not argument.strip():
        await asker.reply(_text("off_usage", lang))
        return
    try:
        period = planning.parse_period(argument)
        planning_actions.declare_unavailability(
            asker.db, asker.id, period.start.isoformat(), period.end.isoformat(),
            reason=period.reason, source="freelancer",
        )  # fmt: skip
    except FmsError as error:
        await asker.reply(f"{error.message(lang)}\n{_text('off_usage', lang)}")
        return
    start, end = format_date(period.start, lang), format_date(period.end, lang)
    if period.start == period.end:
        lines = [_text("off_day", lang, start=start)]
    else:
        lines = [_text("off_period", lang, start=start, end=end)]
    for mission in _overlapping_missions(asker.db, asker.id, period.start, period.end):
        lines.append(
            _text(
                "off_overlap", lang, project=mission["project"],
                start=format_date(mission["start"], lang), end=format_date(mission["end"], lang),
            )  # fmt: skip
        )
    logger.info("assistant: an absence was declared on Telegram")
    await asker.reply("\n".join(lines))


async def stop_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/stop``: close their Telegram chat (consent withdrawn); the confirmation is the last
    message sent here until ``/start``."""
    asker = _Asker(update, context)
    if asker.freelancer is None:
        await asker.reply(_text("hello", asker.lang))
        return
    if asker.closed():
        await asker.reply(_text("already_stopped", asker.lang))
        return
    freelancers.close_telegram_chat(asker.db, asker.id, by="freelancer")
    logger.info("assistant: a freelancer stopped Telegram messages")
    await asker.reply(_text("stopped", asker.lang))


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/langue fr|en``: their language; the reply is in the new one."""
    asker = _Asker(update, context)
    if not await asker.usable():
        return
    argument = _argument(asker.message).strip()
    if not argument:
        await asker.reply(_text("language_usage", asker.lang))
        return
    try:
        freelancers.set_language(asker.db, asker.id, argument.split()[0][:20])
    except FmsError as error:
        await asker.reply(f"{error.message(asker.lang)}\n{_text('language_usage', asker.lang)}")
        return
    lang = argument.split()[0].lower()
    await asker.reply(_text("language_set", lang))


# --- what is not a command we know ------------------------------------------------------------


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not know (or a typo): a short pointer to ``/help``."""
    asker = _Asker(update, context)
    await asker.reply(_text("unknown_command", asker.lang))


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, a photo, a document, a voice note...: the bot reads only text."""
    asker = _Asker(update, context)
    if asker.freelancer is not None and asker.closed():
        return  # they stopped messages: silence
    key = "hello" if asker.freelancer is None else "text_only"
    await asker.reply(_text(key, asker.lang))


async def claim_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Before any handler: an update already handled (delivered again) goes no further."""
    try:
        first = updates.claim(context.bot_data[DB], update.update_id)
    except FmsError as error:  # the database is locked or broken: handle nothing
        logger.warning("assistant: an update was not handled: %s", type(error).__name__)
        raise ApplicationHandlerStop from None
    if not first:
        logger.info("assistant: an update delivered twice was handled once")
        raise ApplicationHandlerStop


# --- the menu of commands ---------------------------------------------------------------------

#: The commands in Telegram's menu, per language: (command, description msgid).
MENU = {
    "fr": (("missions", N_("Your upcoming missions")),
           ("off", N_("Declare an absence: /off 20/12 to 03/01")),
           ("langue", N_("The language I write in: fr or en")),
           ("stop", N_("No more messages here")),
           ("help", N_("What I can do"))),
    "en": (("missions", N_("Your upcoming missions")),
           ("off", N_("Declare an absence: /off 20/12 to 03/01")),
           ("language", N_("The language I write in: fr or en")),
           ("stop", N_("No more messages here")),
           ("help", N_("What I can do"))),
}  # fmt: skip


def menu(lang: str) -> list[BotCommand]:
    """The commands of Telegram's menu, described in ``lang``."""
    return [BotCommand(name, _(description, lang)) for name, description in MENU[lang]]


async def set_menu(application: Application) -> None:
    """Register the menu with ``setMyCommands``: one per language, and the agency's language
    for a Telegram set to any other."""
    bot = application.bot
    for lang in LANGS:
        await bot.set_my_commands(menu(lang), language_code=lang)
    await bot.set_my_commands(menu(application.bot_data[SETTINGS].lang))


# --- wiring -----------------------------------------------------------------------------------


def add_handlers(application: Application) -> None:
    """The claim of every update (group -1, before all) and the commands of this module; the
    menu is sent when the Application starts (``post_init``, after any already there)."""
    application.add_handler(TypeHandler(Update, claim_update), group=-1)
    for names, callback in (
        (HELP, help_command),
        (MISSIONS, missions_command),
        (OFF, off_command),
        (STOP, stop_command),
        (LANGUAGE, language_command),
    ):
        application.add_handler(CommandHandler(names, callback))
    before = application.post_init

    async def post_init(app: Application) -> None:
        if before is not None:
            await before(app)
        await set_menu(app)

    application.post_init = post_init


def add_fallbacks(application: Application) -> None:
    """The catch-alls, in private chats: unknown commands, and messages that are not text.
    Register them after every other handler of group 0 (PTB runs the first that matches)."""
    private = filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(private & filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(private & ~filters.TEXT, not_text))
