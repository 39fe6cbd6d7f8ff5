"""The Telegram channel, the bot's way out: send outbox messages through python-telegram-bot.

What freelancers send back is :mod:`fmstoolkit.assistant`'s business (it uses this module's
limiter, keyboards and retries; nothing here imports it). PTB's ``ExtBot`` takes a ``base_url``
(``FMS_TELEGRAM_API_URL``, a stand-in of the Bot API in the tests) and a ``BaseRateLimiter``.

Flood limits: about 30 messages a second overall and one a second per chat, or Telegram answers
``429`` with ``retry_after``. :class:`FloodLimiter` keeps under both with aiolimiter's
``AsyncLimiter``, the well-kept leaky bucket that PTB's ``rate-limiter`` extra ships:

* overall, a bucket of 1.25 messages leaking 28 a second, asked by one sender at a time:
  messages leave 1/28 s apart, a timer firing a little late is made up on the next one (the
  quarter of slack), and after an idle time or a stalled loop one message leaves at once, never
  a burst of missed slots. Any second holds at most 1.25 + 28 messages, 29 (Telegram counts 30
  on arrival: one is left for jitter);
* per chat, a bucket of one message leaking one per 1.05 s, taken before the overall turn under
  a per-chat lock (a chat's messages leave in order); the time then spent queued for the
  overall turn is put back into it, so that the chat's next message counts from the moment
  this one really left;
* a ``RetryAfter``, whichever call got it, pauses every send for the time asked.

Against the stand-in enforcing 30/s: 27.6 to 27.9 messages a second over 1,000 chats, no 429
(``benchmarks/bench_telegram.py``). PTB's own ``AIORateLimiter`` still lets 429s through (checked
with PTB 22.8 and aiolimiter 1.2.1 against the stand-in): its overall bucket is
``AsyncLimiter(30, 1)``, a full bucket of 30 leaves at once and 30 more follow in the same
second (100 messages to 100 chats: 31 answers 429, 19 with ``max_retries=3``); and its per-chat
limit applies only to groups (negative ids), not to the private chats of freelancers (5
messages to one chat: 2 answers 429).

Retries are tenacity's ``AsyncRetrying``, a new one per call (it keeps its iteration state on
the object, which concurrent sends must not share): :func:`flood_retrying` waits out a
``RetryAfter`` of at most 30 s, 3 attempts in all (the channel and the assistant's handlers use
it); the channel retries ``NetworkError`` (time-outs and 5xx; not ``BadRequest``, which PTB makes
a subclass) with exponential backoff, 4 attempts.

:meth:`TelegramChannel.send` maps PTB's errors to the outbox's vocabulary
(:mod:`fmstoolkit.notify.message`): a lasting flood wait or network error is
:class:`TemporaryFailure` (with ``retry_after`` for the former); ``Forbidden`` (the user blocked
the bot) is :class:`PermanentFailure` with ``channel_closed=True``; ``BadRequest`` ("chat not
found", "can't parse entities"...) is :class:`PermanentFailure`. Reasons never hold the chat id
or the token (in any of its forms, :func:`fmstoolkit.redact.scrub`), and the token is added to the
one redaction filter of the process (:mod:`fmstoolkit.redact`), which keeps it out of PTB's,
httpx's and httpcore's log lines.
No idempotency key in the Bot API: a retry after a time-out may send twice (better than never).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import logging
import re
import warnings
from collections.abc import Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
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
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from .. import redact
from ..config import Settings, get_settings
from .message import Button, OutgoingMessage, PermanentFailure, TemporaryFailure

logger = logging.getLogger(__name__)

#: Telegram's limits on one message.
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
#: Messages a second overall. Telegram allows 30, counted on arrival; two less leave room for
#: the network's jitter, so that it never sees 31 in one second.
OVERALL_PER_SECOND = 28.0
#: How many messages the overall bucket holds: one, plus a quarter of a message that makes up
#: for a timer firing late (see the module docstring).
OVERALL_BUCKET = 1.25
#: Seconds between two messages to one chat (Telegram: "about one a second").
CHAT_INTERVAL = 1.05
#: Flood waits (429 with retry_after): attempts in all, and the longest wait sat out.
FLOOD_ATTEMPTS = 3
MAX_FLOOD_WAIT = 30.0

#: Seconds before messages are tried again when the bot token is missing or refused.
CONFIG_RETRY_AFTER = 600.0
NOT_CONFIGURED = "Telegram is not configured: set FMS_TELEGRAM_TOKEN to the bot's token"
TOKEN_REFUSED = "Telegram refused the bot token: check FMS_TELEGRAM_TOKEN"

_TAG_RE = re.compile(r"<[^<>]*>")
_Answer = bool | dict[str, Any] | list[dict[str, Any]]  # what a Bot API call returns


class _Unreachable(TemporaryFailure):
    """The Bot API could not be reached (network error, 5xx, flood wait) when opening."""


def bot_token(settings: Settings) -> str:
    """The bot's token (``FMS_TELEGRAM_TOKEN``), "" when it is not set."""
    secret = settings.telegram_token
    return secret.get_secret_value().strip() if secret else ""


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


# --- flood limits ---------------------------------------------------------------------------


class _Chat:
    """One chat's turn: its lock (its messages leave in order) and its bucket."""

    __slots__ = ("bucket", "lock", "waiting")

    def __init__(self, interval: float) -> None:
        self.lock = asyncio.Lock()
        self.bucket = AsyncLimiter(1, interval)
        self.waiting = 0


class FloodLimiter(BaseRateLimiter[int]):
    """Spaces the bot's messages under Telegram's flood limits (see the module docstring).

    Only calls that carry a ``chat_id`` (sending or editing a message) are throttled; getMe,
    getUpdates and answerCallbackQuery pass straight through. Safe for many concurrent senders
    on one event loop. ``chat_interval`` must be positive.
    """

    def __init__(
        self,
        overall_per_second: float = OVERALL_PER_SECOND,
        chat_interval: float = CHAT_INTERVAL,
    ) -> None:
        self.overall_per_second = overall_per_second
        self.chat_interval = chat_interval
        self._overall: AsyncLimiter | None = None
        self._gate = asyncio.Lock()
        self._chats: dict[str, _Chat] = {}
        self._resume_at = 0.0

    async def initialize(self) -> None:
        # aiolimiter's buckets belong to one event loop: new ones for each run.
        self._overall, self._gate = None, asyncio.Lock()
        self._chats.clear()

    async def shutdown(self) -> None:
        self._chats.clear()

    def pause(self, seconds: float) -> None:
        """Hold every message for ``seconds`` (Telegram answered 429 with ``retry_after``)."""
        now = asyncio.get_running_loop().time()
        self._resume_at = max(self._resume_at, now + seconds)

    async def _overall_turn(self) -> None:
        """Wait for the bot's turn: no pause, and a place in the overall bucket."""
        loop = asyncio.get_running_loop()
        if self._overall is None and self.overall_per_second:
            self._overall = AsyncLimiter(OVERALL_BUCKET, OVERALL_BUCKET / self.overall_per_second)
        while True:
            wait = self._resume_at - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if self._overall is not None:
                # One sender at a time asks the bucket, in order. The yield lets the sends that
                # are ready (say, a thousand just gathered) queue here first: the bucket then
                # counts this message when it really leaves, not before their work, which would
                # make a late first message and punctual next ones crowd into one second.
                async with self._gate:
                    await asyncio.sleep(0)
                    await self._overall.acquire()
            if self._resume_at <= loop.time():  # not paused while it was queued
                return

    def _chat(self, key: str) -> _Chat:
        if len(self._chats) > 2048:  # forget the chats that are idle
            for other, chat in list(self._chats.items()):
                if other != key and chat.waiting == 0 and chat.bucket.has_capacity(1):
                    del self._chats[other]
        if key not in self._chats:
            self._chats[key] = _Chat(self.chat_interval)
        return self._chats[key]

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, _Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> _Answer:
        chat_id = data.get("chat_id")
        if chat_id is None:
            return await callback(*args, **kwargs)
        loop = asyncio.get_running_loop()
        chat = self._chat(str(chat_id))
        chat.waiting += 1
        try:
            async with chat.lock:
                await chat.bucket.acquire()
                queued = loop.time()
                await self._overall_turn()
                # The time queued leaked out of the chat's bucket: put it back, so that the
                # chat's next message counts from now. has_capacity() holds by construction (it
                # guards against rounding only), so this acquire() never waits.
                held = min(1.0, (loop.time() - queued) / self.chat_interval)
                if held > 0 and chat.bucket.has_capacity(held):
                    await chat.bucket.acquire(held)
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as error:
                    self.pause(retry_after_seconds(error))
                    raise
        finally:
            chat.waiting -= 1


# --- retries --------------------------------------------------------------------------------


def _flood_wait(state: RetryCallState) -> float:
    error = state.outcome.exception() if state.outcome else None
    return retry_after_seconds(error) if isinstance(error, RetryAfter) else 0.0


def flood_retrying(
    *, attempts: int = FLOOD_ATTEMPTS, max_wait: float = MAX_FLOOD_WAIT
) -> AsyncRetrying:
    """A tenacity retrier that waits out Telegram's flood answers (429, ``RetryAfter``) of at
    most ``max_wait`` seconds, ``attempts`` tries in all, then raises the ``RetryAfter``. Use a
    new one for each call: ``await flood_retrying()(bot.send_message, chat_id, text)``. (The
    limiter meanwhile holds every other message of the bot for the same time.)"""
    return AsyncRetrying(
        retry=retry_if_exception(
            lambda error: isinstance(error, RetryAfter) and retry_after_seconds(error) <= max_wait
        ),
        stop=stop_after_attempt(max(1, attempts)),
        wait=_flood_wait,
        before_sleep=lambda state: logger.info("Telegram asked to wait %g s", _flood_wait(state)),
        reraise=True,
    )


def _transient(error: BaseException) -> bool:
    """Worth trying again: the network or the server, not the request (BadRequest is a
    NetworkError in PTB)."""
    return isinstance(error, NetworkError) and not isinstance(error, BadRequest)


# --- messages -------------------------------------------------------------------------------


def inline_keyboard(button_rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Rows of :class:`Button` as PTB's inline keyboard (None when there is none), checked
    against Telegram's limits."""
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
        timeout: float = 15.0,
    ) -> None:
        self.settings = settings or get_settings()
        self._token = bot_token(self.settings)
        redact.add_secrets(self._token)
        self.limiter = limiter if limiter is not None else FloodLimiter()
        self.network_attempts = max(1, network_attempts)
        self.network_backoff = network_backoff
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
        text = redact.scrub(text) or ""
        recipient = str(recipient or "").strip()
        if len(recipient) >= 4:  # real chat ids are long; "5" would mangle "500"
            text = text.replace(recipient, "<chat>")
        return text[:500]

    def _network_retrying(self, recipient: str) -> AsyncRetrying:
        def log(state: RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            logger.info("Telegram network error, retrying: %s", self._safe(str(error), recipient))

        return AsyncRetrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self.network_attempts),
            wait=wait_exponential(multiplier=self.network_backoff),
            before_sleep=log,
            reraise=True,
        )

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
        markup = inline_keyboard(msg.buttons)
        await self._ensure_ready()
        assert self.bot is not None
        try:
            message = await flood_retrying()(
                self._network_retrying(msg.recipient),
                self.bot.send_message,
                chat_id=chat_id,
                text=msg.text,
                parse_mode=msg.parse_mode,
                reply_markup=markup,
            )
        except RetryAfter as error:
            seconds = retry_after_seconds(error)
            raise TemporaryFailure(
                f"Telegram asked to slow down (retry after {seconds:g} s)", retry_after=seconds
            ) from None
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
            raise TemporaryFailure(
                "Telegram could not be reached: " + self._safe(str(error), msg.recipient)
            ) from None
        except TelegramError as error:
            raise TemporaryFailure(
                "Telegram error: " + self._safe(str(error), msg.recipient)
            ) from None
        return str(message.message_id)
