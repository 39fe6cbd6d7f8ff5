"""The Telegram channel: send outbox messages to freelancers through python-telegram-bot.

python-telegram-bot (PTB) is the maintained, typed, asyncio client of the Bot API; its ``ExtBot``
takes a ``base_url`` (``FMS_TELEGRAM_API_URL``, which the tests point at a local stand-in of the
Bot API) and a rate limiter hook (``BaseRateLimiter``) that every API call goes through.

Telegram's flood limits are about 30 messages a second overall and about one a second per chat;
going over them gets ``429 Too Many Requests`` with ``retry_after``. :class:`FloodLimiter`
keeps under both without being told. PTB ships ``AIORateLimiter`` for this, but it is not used:

* it is built on aiolimiter's leaky bucket, which lets a full bucket (30 messages) go at once and
  then 30 a second more, so a batch can put about 60 messages in its first second;
* its per-chat limit applies only to groups (negative chat ids), not to the private chats in
  which we write to freelancers.

:class:`FloodLimiter` is the same hook with two simple rules instead: consecutive messages are at
least 1/28 s apart on a fixed schedule (a stalled event loop restarts the schedule rather than
sending the missed slots in a burst), and two messages to one chat at least 1.05 s apart, measured
from the moment the previous one really left. A ``RetryAfter`` answer pauses every send for the
time Telegram asked (that is how Telegram's flood wait works). Measured against the stand-in that
enforces 30/s: about 27.8 messages a second over 1,000 chats and no 429 answer.

:meth:`TelegramChannel.send` maps PTB's errors to the outbox's vocabulary
(:mod:`fmstoolkit.notify.message`): ``RetryAfter`` is waited out a few times, then
:class:`TemporaryFailure` with ``retry_after``; network errors and time-outs (5xx included) are
retried a few times, then :class:`TemporaryFailure`; ``Forbidden`` (the user blocked the bot or
never started it) is :class:`PermanentFailure` with ``channel_closed=True``; ``BadRequest``
("chat not found", "can't parse entities"...) is :class:`PermanentFailure`. Failure reasons never
hold the chat id or the token, and the token is scrubbed from the log lines of PTB and httpx.
The Bot API has no idempotency key: a time-out after Telegram got a message may, on retry, send
it twice; losing it silently would be worse.

The end of the module is the assistant bot (:func:`build_assistant`): what freelancers send back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import math
import re
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.request import HTTPXRequest

from .. import pool
from ..actions import freelancers
from ..actions import planning as planning_actions
from ..config import Settings, get_settings
from ..errors import DeliveryError
from .message import Button, OutgoingMessage, PermanentFailure, TemporaryFailure

logger = logging.getLogger(__name__)

#: Telegram's limits on one message.
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
#: Messages a second overall. Telegram allows 30, counted when the messages arrive; two less
#: leaves room for the network's jitter (tens of milliseconds), so the server never sees 31 in
#: one second even when an early message arrives late.
OVERALL_PER_SECOND = 28.0
#: Seconds between two messages to one chat (Telegram: "about one a second").
CHAT_INTERVAL = 1.05

#: Seconds before messages are tried again when the bot token is missing or refused.
CONFIG_RETRY_AFTER = 600.0
NOT_CONFIGURED = "Telegram is not configured: set FMS_TELEGRAM_TOKEN to the bot's token"
TOKEN_REFUSED = "Telegram refused the bot token: check FMS_TELEGRAM_TOKEN"

_TAG_RE = re.compile(r"<[^<>]*>")


class _Unreachable(TemporaryFailure):
    """The Bot API could not be reached (network error, 5xx, flood wait) when opening."""


def visible_length(text: str, parse_mode: str | None) -> int:
    """The length Telegram checks against 4,096: tags removed and entities decoded for HTML,
    counted in UTF-16 code units (an emoji counts two)."""
    if (parse_mode or "").upper() == "HTML":
        text = html.unescape(_TAG_RE.sub("", text))
    return len(text.encode("utf-16-le")) // 2


def retry_after_seconds(error: RetryAfter) -> float:
    """``RetryAfter.retry_after`` is an int in PTB 22 unless ``PTB_TIMEDELTA`` is set, when it
    is a ``timedelta`` (and reading the int form warns). Read it without the warning."""
    value: Any = getattr(error, "_retry_after", None)
    if value is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = error.retry_after
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    return float(value)


class FloodLimiter(BaseRateLimiter[int]):
    """Spaces the bot's messages under Telegram's flood limits (see the module docstring).

    Only calls that carry a ``chat_id`` (sending or editing a message) are throttled; getMe,
    getUpdates and answerCallbackQuery pass straight through. Safe for many concurrent senders
    on one event loop: they queue in order.
    """

    def __init__(
        self,
        overall_per_second: float = OVERALL_PER_SECOND,
        chat_interval: float = CHAT_INTERVAL,
    ) -> None:
        self.interval = 1.0 / overall_per_second if overall_per_second else 0.0
        self.chat_interval = chat_interval
        self._gate: asyncio.Lock | None = None
        self._last_slot = -math.inf
        self._resume_at = 0.0
        self._chats: dict[str, _ChatTurn] = {}

    async def initialize(self) -> None:
        self._gate = asyncio.Lock()

    async def shutdown(self) -> None:
        self._chats.clear()

    def pause(self, seconds: float) -> None:
        """Hold every message for ``seconds`` (Telegram answered 429 with ``retry_after``)."""
        now = asyncio.get_running_loop().time()
        self._resume_at = max(self._resume_at, now + seconds)

    async def _take_turn(self) -> None:
        if self._gate is None:
            self._gate = asyncio.Lock()
        loop = asyncio.get_running_loop()
        async with self._gate:
            while True:
                slot = max(self._resume_at, self._last_slot + self.interval)
                wait = slot - loop.time()
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            # Let the tasks that are ready run first (say, the first steps of a thousand sends
            # just gathered), so that this message really leaves now, not after them.
            await asyncio.sleep(0)
            # Keep to the schedule when asyncio.sleep() woke a little late (so those few
            # milliseconds do not add up over a batch); restart it from now after a longer
            # stall or an idle time, so that missed slots are never sent in a burst.
            now = loop.time()
            self._last_slot = slot if now - slot < self.interval else now

    def _chat(self, key: str) -> _ChatTurn:
        if len(self._chats) > 2048:  # forget chats that are idle and past their interval
            now = asyncio.get_running_loop().time()
            for other, turn in list(self._chats.items()):
                if turn.waiting == 0 and now - turn.last >= self.chat_interval:
                    del self._chats[other]
        return self._chats.setdefault(key, _ChatTurn())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await callback(*args, **kwargs)
        loop = asyncio.get_running_loop()
        turn = self._chat(str(chat_id))
        turn.waiting += 1
        try:
            async with turn.lock:
                wait = turn.last + self.chat_interval - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                await self._take_turn()
                turn.last = loop.time()
                return await callback(*args, **kwargs)
        finally:
            turn.waiting -= 1


class _ChatTurn:
    __slots__ = ("lock", "last", "waiting")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.last = -math.inf
        self.waiting = 0


class _Redact(logging.Filter):
    """Keeps the bot token and message parameters (chat ids, texts) out of PTB and httpx logs."""

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and (
            record.msg.startswith("Calling Bot API endpoint")
            or record.msg.startswith("Call to Bot API endpoint")
        ):
            endpoint = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg, record.args = "Bot API endpoint `%s` (parameters not logged)", (endpoint,)
            return True
        if self.secrets:
            message = record.getMessage()
            scrubbed = message
            for secret in self.secrets:
                scrubbed = scrubbed.replace(secret, "<token>")
            if scrubbed != message:
                record.msg, record.args = scrubbed, ()
        return True


_redact = _Redact()
for _name in ("httpx", "telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Updater",
              "telegram.ext.Application"):  # fmt: skip
    logging.getLogger(_name).addFilter(_redact)


def keyboard(msg: OutgoingMessage) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a message, checked against Telegram's limits."""
    return inline_keyboard(msg.buttons)


def inline_keyboard(button_rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Rows of :class:`Button` as PTB's inline keyboard (None when there is none)."""
    if not button_rows:
        return None
    rows = []
    for row in button_rows:
        buttons = []
        for button in row:
            if button.callback_data is not None:
                if len(button.callback_data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
                    raise PermanentFailure(
                        f"button '{button.label}': callback data longer than "
                        f"{CALLBACK_DATA_LIMIT} bytes"
                    )
                buttons.append(
                    InlineKeyboardButton(button.label, callback_data=button.callback_data)
                )
            elif button.url:
                buttons.append(InlineKeyboardButton(button.label, url=button.url))
            else:
                raise PermanentFailure(f"button '{button.label}' has neither callback data nor URL")
        rows.append(buttons)
    return InlineKeyboardMarkup(rows)


def _chat_id(recipient: str) -> int | str:
    value = str(recipient).strip()
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"@[A-Za-z0-9_]{4,}", value):
        return value
    raise PermanentFailure("the contact's Telegram chat id is not valid")


class TelegramChannel:
    """Sends :class:`OutgoingMessage` s on Telegram. An async context manager::

        async with TelegramChannel(settings) as channel:
            provider_id = await channel.send(message)

    ``send`` may be called concurrently (``asyncio.gather`` over many chats): the limiter keeps
    the batch under Telegram's limits, so a large batch runs at about 28 messages a second.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        limiter: BaseRateLimiter | None = None,
        network_attempts: int = 4,
        network_backoff: float = 0.5,
        flood_attempts: int = 3,
        max_flood_wait: float = 30.0,
        timeout: float = 15.0,
    ) -> None:
        self.settings = settings or get_settings()
        secret = self.settings.telegram_token
        self._token = secret.get_secret_value().strip() if secret else ""
        if self._token:
            _redact.secrets.add(self._token)
        self.limiter = limiter if limiter is not None else FloodLimiter()
        self.network_attempts = max(1, network_attempts)
        self.network_backoff = network_backoff
        self.flood_attempts = max(1, flood_attempts)
        self.max_flood_wait = max_flood_wait
        self.bot: ExtBot | None = None
        if self._token:
            request = HTTPXRequest(
                connection_pool_size=64,
                connect_timeout=timeout,
                read_timeout=timeout,
                write_timeout=timeout,
                pool_timeout=timeout,
            )
            self.bot = ExtBot(
                self._token,
                base_url=self.settings.telegram_api_url,
                request=request,
                rate_limiter=self.limiter,
            )
        self._ready = False
        self._ready_lock = asyncio.Lock()

    # -- lifecycle ---------------------------------------------------------------------------

    async def __aenter__(self) -> TelegramChannel:
        """Checks the token (getMe) once for the batch. A missing token or one Telegram refuses
        is a configuration problem: :class:`TemporaryFailure` (the dispatcher keeps the messages
        for later, with the reason). An unreachable server is not raised here: each ``send``
        retries and answers :class:`TemporaryFailure` itself."""
        try:
            await self._ensure_ready()
        except _Unreachable as failure:
            logger.warning("Telegram is not reachable yet: %s", failure.reason)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.bot is None:
            return
        try:
            await self.bot.shutdown()
        except TelegramError as error:  # closing must never hide the batch's own outcome
            logger.warning("Closing the Telegram client failed: %s", self._safe(str(error)))

    async def _ensure_ready(self) -> None:
        if self._ready:
            return
        if self.bot is None:
            raise TemporaryFailure(NOT_CONFIGURED, retry_after=CONFIG_RETRY_AFTER)
        async with self._ready_lock:
            if self._ready:
                return
            try:
                await self.bot.initialize()
            except InvalidToken:
                raise TemporaryFailure(TOKEN_REFUSED, retry_after=CONFIG_RETRY_AFTER) from None
            except (NetworkError, RetryAfter) as error:
                raise _Unreachable(
                    "Telegram could not be reached: " + self._safe(str(error))
                ) from None
            self._ready = True

    # -- sending -----------------------------------------------------------------------------

    def _safe(self, text: str, recipient: str | None = None) -> str:
        """A reason fit to store: without the token or the chat id."""
        if self._token:
            text = text.replace(self._token, "<token>")
        recipient = str(recipient or "").strip()
        if len(recipient) >= 4:  # real chat ids are long; "5" would mangle "500"
            text = text.replace(recipient, "<chat>")
        return text[:500]

    async def send(self, msg: OutgoingMessage) -> str:
        """Send one message; returns Telegram's message id. Raises :class:`TemporaryFailure` or
        :class:`PermanentFailure` (see the module docstring)."""
        chat_id = _chat_id(msg.recipient)
        if not msg.text.strip():
            raise PermanentFailure("the Telegram message is empty")
        length = visible_length(msg.text, msg.parse_mode)
        if length > TEXT_LIMIT:
            raise PermanentFailure(
                f"the Telegram message is {length} characters long, Telegram's limit is "
                f"{TEXT_LIMIT}"
            )
        markup = keyboard(msg)
        await self._ensure_ready()
        assert self.bot is not None
        network_errors = flood_waits = 0
        while True:
            try:
                message = await self.bot.send_message(
                    chat_id=chat_id,
                    text=msg.text,
                    parse_mode=msg.parse_mode,
                    reply_markup=markup,
                )
                return str(message.message_id)
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                paused = self.limiter_pause(seconds)
                flood_waits += 1
                if flood_waits >= self.flood_attempts or seconds > self.max_flood_wait:
                    raise TemporaryFailure(
                        f"Telegram asked to slow down (retry after {seconds:g} s)",
                        retry_after=seconds,
                    ) from None
                logger.info("Telegram asked to wait %g s before sending again", seconds)
                if not paused:  # a limiter without pause(): wait here
                    await asyncio.sleep(seconds)
            except Forbidden as error:
                raise PermanentFailure(
                    "Telegram refused: " + self._safe(error.message, msg.recipient),
                    channel_closed=True,
                ) from None
            except ChatMigrated:
                raise PermanentFailure("the Telegram group moved to a supergroup") from None
            except BadRequest as error:
                raise PermanentFailure(
                    "Telegram refused the message: " + self._safe(error.message, msg.recipient)
                ) from None
            except InvalidToken:
                raise TemporaryFailure(TOKEN_REFUSED, retry_after=CONFIG_RETRY_AFTER) from None
            except NetworkError as error:  # TimedOut and 5xx answers included
                network_errors += 1
                reason = self._safe(str(error), msg.recipient)
                if network_errors >= self.network_attempts:
                    raise TemporaryFailure("Telegram could not be reached: " + reason) from None
                logger.info("Telegram network error, retrying: %s", reason)
                await asyncio.sleep(self.network_backoff * 2 ** (network_errors - 1))
            except TelegramError as error:
                raise TemporaryFailure(
                    "Telegram error: " + self._safe(str(error), msg.recipient)
                ) from None

    def limiter_pause(self, seconds: float) -> bool:
        """Hold every message of this channel for ``seconds`` (flood wait). False when the
        limiter cannot pause."""
        pause = getattr(self.limiter, "pause", None)
        if pause is None:
            return False
        pause(seconds)
        return True


# --- the assistant bot --------------------------------------------------------------------------
#
# The same bot token also receives what freelancers do in the chat: a press on an inline button
# of a question (availability: yes / no / maybe), ``/start <token>`` from the "connect on
# Telegram" invitation, and the answers to a form asked in the chat (the feedback request's
# button starts it, see fmstoolkit/forms/conversation.py; ``/cancel`` stops it). PTB's
# Application does the polling and the dispatching; the handlers are thin calls into the domain
# (planning.answer_poll, the chat form's state machine) after the button's signature is verified.

_TEXTS = {
    "noted": ("Thank you, noted: {answer}.", "Merci, c'est noté : {answer}."),
    "your_answer": ("Your answer: {answer}", "Votre réponse : {answer}"),
    "invalid": (
        "This button is not valid (it was changed or has expired).",
        "Ce bouton n'est pas valide (il a été modifié ou a expiré).",
    ),
    "not_yours": (
        "This question was not sent to you.",
        "Cette question ne vous était pas adressée.",
    ),
    "not_handled": (
        "Thank you! Please answer by email for this one.",
        "Merci ! Pour celle-ci, merci de répondre par e-mail.",
    ),
    "linked": (
        "Your Telegram is connected: the agency's questions and follow-ups will come here.",
        "Votre Telegram est connecté : les questions et suivis de l'agence arriveront ici.",
    ),
    "unknown_link": (
        "This link is not valid any more: ask the agency for a new invitation.",
        "Ce lien n'est plus valide : demandez une nouvelle invitation à l'agence.",
    ),
    "hello": (
        "Hello! Open the link of the agency's invitation to connect your Telegram.",
        "Bonjour ! Ouvrez le lien de l'invitation de l'agence pour connecter votre Telegram.",
    ),
    "form_noted": ("Noted: {answer}", "C'est noté : {answer}"),
    "form_stale": (
        "This question was already answered.",
        "Cette question a déjà une réponse.",
    ),
    "form_closed": (
        "This form is not open any more: press the button of the request to start again.",
        "Ce formulaire n'est plus ouvert : appuyez sur le bouton de la demande pour recommencer.",
    ),
    "form_not_yours": (
        "This form was not sent to you.",
        "Ce formulaire ne vous était pas adressé.",
    ),
    "cancelled": (
        "Stopped: nothing was saved. Press the button of the request to start again.",
        "Arrêté : rien n'a été enregistré. Appuyez sur le bouton de la demande pour recommencer.",
    ),
    "nothing_to_cancel": ("There is nothing to cancel.", "Il n'y a rien à annuler."),
}
_ANSWERS = {
    "en": {"yes": "yes", "no": "no", "maybe": "maybe"},
    "fr": {"yes": "oui", "no": "non", "maybe": "peut-être"},
}


def _text(key: str, lang: str, **params: Any) -> str:
    en, fr = _TEXTS[key]
    return (fr if lang == "fr" else en).format(**params)


def _freelancer_for_chat(db: Any, chat_id: int) -> dict[str, Any] | None:
    return pool.freelancer_by_chat(db, chat_id)


async def on_button(update: Any, context: Any) -> None:
    """A freelancer pressed an inline button: verify its signature, then record the answer."""
    from ..errors import FmsError
    from . import callbacks  # lazy: owned by the outbox

    query = update.callback_query
    db = context.bot_data["db"]
    settings = context.bot_data["settings"]
    freelancer = _freelancer_for_chat(db, query.from_user.id)
    lang = (freelancer or {}).get("lang") or settings.lang
    secret_for = getattr(callbacks, "secret_for", None)
    try:
        kind, obj_id, value = callbacks.verify(
            query.data or "", key=secret_for(db) if secret_for else None
        )
    except FmsError:
        logger.warning("A Telegram button with invalid callback data was pressed")
        await query.answer(_text("invalid", lang), show_alert=True)
        return
    from ..forms import conversation

    if kind in conversation.CHAT_FORMS:
        await _on_form_button(update, context, freelancer, lang, kind, obj_id, value)
        return
    if kind != "poll":
        await query.answer(_text("not_handled", lang))
        return
    row = db.execute("SELECT freelancer_id FROM polls WHERE id = ?", [obj_id]).fetchone()
    if row is None or freelancer is None or row[0] != freelancer["id"]:
        await query.answer(_text("not_yours", lang), show_alert=True)
        return
    try:
        planning_actions.answer_poll(db, obj_id, value)
    except FmsError as error:
        await query.answer(error.message(lang), show_alert=True)
        return
    answer = _ANSWERS.get(lang, _ANSWERS["en"]).get(value, value)
    await query.answer(_text("noted", lang, answer=answer))
    message = query.message
    if message is not None and getattr(message, "text", None):
        # Show the answer under the question; without reply_markup the buttons go away.
        note = html.escape(_text("your_answer", lang, answer=answer))
        try:
            await query.edit_message_text(
                f"{message.text_html}\n\n<i>{note}</i>", parse_mode="HTML"
            )
        except BadRequest as error:  # the message is too old to edit, or already edited
            logger.info("Could not edit the answered question: %s", error.message)


async def on_start(update: Any, context: Any) -> None:
    """``/start <token>`` from the invitation's deep link: connect this chat to the contact."""
    db = context.bot_data["db"]
    settings = context.bot_data["settings"]
    chat_id = update.effective_chat.id
    token = context.args[0] if context.args else None
    linked = freelancers.link_telegram_chat(db, token, chat_id) if token else None
    if linked is None:
        freelancer = freelancers.reopen_telegram_chat(db, chat_id)  # back after blocking us?
        lang = (freelancer or {}).get("lang") or settings.lang
        await update.effective_message.reply_text(
            _text("unknown_link" if token else ("linked" if freelancer else "hello"), lang)
        )
        return
    await update.effective_message.reply_text(_text("linked", linked.get("lang") or settings.lang))


def _escape_html(value: str) -> str:
    return html.escape(value, quote=False)


async def _reliably(context: Any, call: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a Bot API call of a handler, waiting out Telegram's flood answers (429) a few times:
    a handler that gave up would leave the freelancer's answer without a reply."""
    for attempt in range(3):
        try:
            return await call()
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            if attempt == 2 or seconds > 30:
                raise
            pause = getattr(context.bot.rate_limiter, "pause", None)
            if pause is not None:
                pause(seconds)  # every message of the bot waits, this one included
            else:
                await asyncio.sleep(seconds)


async def _send_question(
    context: Any,
    chat_id: int,
    chat_form: Any,
    state: Any,
    lang: str,
    *,
    before: str = "",
    query: Any = None,
) -> None:
    """Ask the current question of a chat form: in place of the question just answered with a
    button (``query``) when possible, else as a new message. ``before`` is HTML put above it."""
    from . import callbacks

    question = chat_form.question(state, lang, key=callbacks.secret_for(context.bot_data["db"]))
    body = f"{before}\n\n{question.text}" if before else question.text
    markup = inline_keyboard(question.buttons)
    if query is not None and query.message is not None:
        try:
            await _reliably(
                context,
                lambda: query.edit_message_text(body, parse_mode="HTML", reply_markup=markup),
            )
            return
        except BadRequest as error:  # too old to edit: ask in a new message
            logger.info("Could not edit the form's question: %s", error.message)
    await _reliably(
        context,
        lambda: context.bot.send_message(chat_id, body, parse_mode="HTML", reply_markup=markup),
    )


async def _form_outcome(
    context: Any,
    chat_id: int,
    freelancer_id: int,
    chat_form: Any,
    outcome: Any,
    lang: str,
    *,
    query: Any = None,
) -> None:
    """After an answer: ask again (with the problem), save and thank, or ask the next one."""
    from ..errors import FmsError
    from ..forms import conversation

    db = context.bot_data["db"]
    if not outcome.ok:
        problem = _escape_html(outcome.problem or "")
        await _send_question(context, chat_id, chat_form, outcome.state, lang, before=problem)
        return
    label = _escape_html(outcome.field.label(lang)) if outcome.field else ""
    echo = (
        f"<i>{label} : {_escape_html(outcome.echo or '')}</i>"
        if lang == "fr"
        else (f"<i>{label}: {_escape_html(outcome.echo or '')}</i>")
    )
    if not outcome.done:
        conversation.store(db, freelancer_id, outcome.state)
        await _send_question(
            context, chat_id, chat_form, outcome.state, lang, before=echo, query=query
        )
        return
    try:
        chat_form.save(db, outcome.state.mission_id, chat_form.values(outcome.state))
    except FmsError as error:
        conversation.clear(db, freelancer_id)
        why = error.message(lang)
        await _reliably(context, lambda: context.bot.send_message(chat_id, why))
        return
    conversation.clear(db, freelancer_id)
    thanks = f"{echo}\n\n{chat_form.thanks_text(lang)}"
    if query is not None and query.message is not None:
        try:
            await _reliably(context, lambda: query.edit_message_text(thanks, parse_mode="HTML"))
            return
        except BadRequest as error:
            logger.info("Could not edit the form's question: %s", error.message)
    thanks_only = chat_form.thanks_text(lang)
    await _reliably(
        context, lambda: context.bot.send_message(chat_id, thanks_only, parse_mode="HTML")
    )


async def _on_form_button(
    update: Any,
    context: Any,
    freelancer: dict[str, Any] | None,
    lang: str,
    kind: str,
    mission_id: int,
    value: str,
) -> None:
    """A button of a chat form: ``start`` (from the request) or the answer to a question."""
    from .. import offboarding
    from ..errors import FmsError
    from ..forms import conversation

    query = update.callback_query
    db = context.bot_data["db"]
    chat_form = conversation.CHAT_FORMS[kind]
    owner = conversation.mission_freelancer(db, mission_id)
    if freelancer is None or owner != freelancer["id"]:
        await query.answer(_text("form_not_yours", lang), show_alert=True)
        return
    chat_id = update.effective_chat.id
    state = conversation.load(db, freelancer["id"])
    current = state is not None and (state.form, state.mission_id) == (kind, mission_id)
    if value == "start":
        try:
            if chat_form.check is not None:
                chat_form.check(db, mission_id)
            project = offboarding.get_mission(db, mission_id)["project"]
        except FmsError as error:
            await query.answer(error.message(lang), show_alert=True)
            return
        # Pressed again while answering this form: go on where the freelancer was.
        if not current:
            state = chat_form.start(mission_id)
            conversation.store(db, freelancer["id"], state)
        await query.answer()
        intro = chat_form.intro_text(lang, project=project)
        await _send_question(context, chat_id, chat_form, state, lang, before=intro)
        return
    if not current:
        await query.answer(_text("form_closed", lang), show_alert=True)
        return
    outcome = chat_form.press(state, value, lang)
    if outcome.stale:
        await query.answer(_text("form_stale", lang))
        return
    await query.answer(_text("form_noted", lang, answer=outcome.echo) if outcome.ok else None)
    await _form_outcome(
        context,
        chat_id,
        freelancer["id"],
        chat_form,
        outcome,
        lang,
        query=query if outcome.ok else None,
    )


async def on_text(update: Any, context: Any) -> None:
    """A text message: the answer to the current question of a chat form, if one is open."""
    from ..forms import conversation

    db = context.bot_data["db"]
    settings = context.bot_data["settings"]
    chat_id = update.effective_chat.id
    freelancer = _freelancer_for_chat(db, chat_id)
    if freelancer is None:
        return
    state = conversation.load(db, freelancer["id"])
    chat_form = conversation.CHAT_FORMS.get(state.form) if state else None
    if state is None or chat_form is None or state.step >= len(chat_form.fields):
        return
    lang = freelancer.get("lang") or settings.lang
    outcome = chat_form.type_text(state, update.effective_message.text or "", lang)
    await _form_outcome(context, chat_id, freelancer["id"], chat_form, outcome, lang)


async def on_cancel(update: Any, context: Any) -> None:
    """``/cancel``: stop the form being answered (nothing is saved)."""
    from ..forms import conversation

    db = context.bot_data["db"]
    settings = context.bot_data["settings"]
    freelancer = _freelancer_for_chat(db, update.effective_chat.id)
    lang = (freelancer or {}).get("lang") or settings.lang
    stopped = freelancer is not None and conversation.clear(db, freelancer["id"])
    reply = _text("cancelled" if stopped else "nothing_to_cancel", lang)
    await _reliably(context, lambda: update.effective_message.reply_text(reply))


async def _on_error(update: object, context: Any) -> None:
    logger.error("The Telegram assistant failed on an update: %s", type(context.error).__name__)


def build_assistant(db: Any, settings: Settings | None = None) -> Any:
    """The assistant bot as a PTB ``Application`` (not started): button answers, /start, the
    chat forms (their buttons, the texts typed as answers) and /cancel.

    Run it with ``application.run_polling()`` (blocking) or, inside a running loop, with
    ``async with application: await application.start(); await
    application.updater.start_polling()``. It shares :class:`FloodLimiter` with the channel.
    """
    from telegram.ext import (
        Application,
        CallbackQueryHandler,
        CommandHandler,
        MessageHandler,
        filters,
    )

    settings = settings or get_settings()
    secret = settings.telegram_token
    token = secret.get_secret_value().strip() if secret else ""
    if not token:
        raise DeliveryError(
            "Telegram is not configured: set FMS_TELEGRAM_TOKEN to the bot's token.",
            "Telegram n'est pas configuré : renseignez FMS_TELEGRAM_TOKEN avec le jeton du bot.",
        )
    _redact.secrets.add(token)
    application = (
        Application.builder()
        .token(token)
        .base_url(settings.telegram_api_url)
        .rate_limiter(FloodLimiter())
        .build()
    )
    application.bot_data["db"] = db
    application.bot_data["settings"] = settings
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(CommandHandler("start", on_start))
    application.add_handler(CommandHandler("cancel", on_cancel))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_error_handler(_on_error)
    return application


def run_assistant(db: Any, settings: Settings | None = None) -> None:
    """Run the assistant bot until Ctrl-C (long polling; for a ``fms bot`` command)."""
    application = build_assistant(db, settings)
    application.run_polling(allowed_updates=["message", "callback_query"])
