"""A small stand-in for the Telegram Bot API, served for real on 127.0.0.1.

The real python-telegram-bot talks to it through its ``base_url`` (``FMS_TELEGRAM_API_URL``):
PTB builds ``base_url + token + "/" + method``, so :attr:`TelegramStandin.url` looks like
``http://127.0.0.1:PORT/bot``. It speaks the Bot API's wire format: form-encoded (or JSON, or
multipart) parameters whose complex values (``reply_markup``) are JSON strings, and answers
``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ..., "description": ...}``
with the same HTTP status, ``parameters.retry_after`` on 429.

What it checks, like Telegram does:

* the token in the URL (401 otherwise);
* text at most 4,096 characters (counted after HTML tags are removed, in UTF-16 units);
* ``callback_data`` at most 64 bytes;
* ``parse_mode=HTML`` well formed: a ``<`` that does not open a supported tag, an unknown entity
  or a tag closed in the wrong order is refused with "can't parse entities" (400);
* flood limits, enforced: more than ``overall_per_second`` messages in any second, or more than
  ``chat_per_window`` messages to one chat in any ``chat_window`` seconds, are answered 429 with
  ``retry_after``. Every 429 is counted in :attr:`count_429`.

Faults for tests: :meth:`block` (403 "bot was blocked by the user"), :meth:`forget_chat`
(400 "chat not found"), :meth:`script` (the next N matching requests answer 429 / 5xx / close
the connection / answer late / answer an HTML error page echoing the URL, token included).
:meth:`press_button` queues a callback query for ``getUpdates``,
as if the user had pressed an inline button.

It uses the standard library's ``ThreadingHTTPServer`` in a background thread: no extra
dependency, and one thread per connection is plenty for a test. ``telegram_standin`` below is the
pytest fixture that starts and stops it.
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import html
import itertools
import json
import math
import re
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pytest

DEFAULT_TOKEN = "123456789:AAFakeTokenForTheStandIn_0123456789ab"

#: Methods that send or change a message: they count towards the flood limits.
MESSAGE_METHODS = {
    "sendMessage",
    "sendDocument",
    "sendPhoto",
    "editMessageText",
    "editMessageReplyMarkup",
}

#: Tags Telegram accepts with parse_mode=HTML.
HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s+[^<>]*?)?)\s*(/?)>")
ENTITY_RE = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);")
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64


class ApiError(Exception):
    """An ``{"ok": false}`` answer."""

    def __init__(
        self, status: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


@dataclass
class Fault:
    """A scripted answer for the next ``times`` requests matching ``method`` (and ``chat_id``).

    ``status`` 429 carries ``retry_after``; 5xx answers an error; 0 closes the connection
    without answering; ``delay`` makes the answer late (then it is served normally when
    ``status`` is None).
    """

    method: str | None = "sendMessage"
    status: int | None = 500
    times: int = 1
    chat_id: int | str | None = None
    retry_after: int = 1
    delay: float = 0.0
    description: str | None = None
    #: Answer an HTML error page (as a proxy in front of the Bot API does) that echoes the
    #: request's URL as it is, URL-encoded and lower-cased: the token is in it.
    echo_page: bool = False


@dataclass
class SentMessage:
    """A message the stand-in accepted (what a user would see in the chat)."""

    message_id: int
    chat_id: int | str
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    method: str = "sendMessage"
    at: float = field(default_factory=time.monotonic)
    document: tuple[str, bytes] | None = None


def check_html(text: str) -> None:
    """Refuse HTML that Telegram cannot parse, with Telegram's wording."""
    stack: list[str] = []
    pos = 0
    while True:
        lt = text.find("<", pos)
        amp = text.find("&", pos)
        gt = text.find(">", pos)
        candidates = [i for i in (lt, amp, gt) if i >= 0]
        if not candidates:
            break
        i = min(candidates)
        offset = len(text[:i].encode("utf-8"))
        if i == gt:
            # Telegram tolerates a lone '>' but we follow its advice strictly: escape it.
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: Unexpected end tag at byte offset {offset}",
            )
        if i == amp:
            m = ENTITY_RE.match(text, i)
            if not m:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: Unsupported HTML entity at byte offset "
                    f"{offset}",
                )
            pos = m.end()
            continue
        m = TAG_RE.match(text, i)
        if not m:
            raise ApiError(
                400,
                "Bad Request: can't parse entities: Unexpected character '<' at byte offset "
                f"{offset}",
            )
        closing, name, _attrs, _selfclose = m.groups()
        name = name.lower()
        if name not in HTML_TAGS:
            kind = "end" if closing else "start"
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported {kind} tag "{name}" at byte '
                f"offset {offset}",
            )
        if closing:
            if not stack or stack[-1] != name:
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: Can't find end tag corresponding to "
                    f'start tag "{stack[-1] if stack else name}"',
                )
            stack.pop()
        else:
            stack.append(name)
        pos = m.end()
    if stack:
        raise ApiError(
            400,
            "Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees: tags removed and entities decoded for HTML."""
    if (parse_mode or "").upper() == "HTML":
        return html.unescape(TAG_RE.sub("", text))
    return text


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class TelegramStandin:
    """The Bot API stand-in. Use as a context manager or with :meth:`start` / :meth:`stop`."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        overall_per_second: int = 30,
        chat_per_window: int = 3,
        chat_window: float = 3.0,
        enforce_limits: bool = True,
    ) -> None:
        self.host = host
        self.port = port
        self.token = token
        self.overall_per_second = overall_per_second
        self.chat_per_window = chat_per_window
        self.chat_window = chat_window
        self.enforce_limits = enforce_limits
        self.bot_user = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 42,
            "is_bot": True,
            "first_name": "FMS Test Bot",
            "username": "fms_test_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self._lock = threading.Lock()
        self._updates_ready = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._overall: deque[float] = deque()
        self._per_chat: dict[str, deque[float]] = {}
        self._stopping = False
        self.reset()

    # -- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget messages, faults, counters and chats' states (the server keeps running)."""
        with self._lock:
            self.sent: list[SentMessage] = []
            self.edits: list[SentMessage] = []
            #: Every API call received: (method, chat_id or None, HTTP status answered).
            self.requests: list[tuple[str, Any, int]] = []
            self.answered_callbacks: list[dict[str, Any]] = []
            self.commands: list[dict[str, Any]] = []
            #: setMyCommands by its language_code ("" for the default menu).
            self.commands_by_language: dict[str, list[dict[str, Any]]] = {}
            #: Every update ever queued, by id (to deliver one again: :meth:`deliver_again`).
            self.history: dict[int, dict[str, Any]] = {}
            self.count_429 = 0
            #: 429 answers caused by the enforced flood limits (not scripted ones).
            self.count_429_enforced = 0
            self.blocked: set[str] = set()
            self.unknown_chats: set[str] = set()
            self.faults: list[Fault] = []
            self.updates: list[dict[str, Any]] = []
            #: setWebhook's url and secret_token: updates are then POSTed there, as Telegram
            #: does, instead of waiting for getUpdates. ``webhook_answers``: the HTTP statuses.
            self.webhook: tuple[str, str | None] | None = None
            self.webhook_answers: list[int] = []
            self._overall.clear()
            self._per_chat.clear()

    def block(self, chat_id: int | str) -> None:
        """The user blocked the bot: messages to this chat get 403."""
        with self._lock:
            self.blocked.add(str(chat_id))

    def forget_chat(self, chat_id: int | str) -> None:
        """This chat does not exist (wrong id, deleted account): 400 "chat not found"."""
        with self._lock:
            self.unknown_chats.add(str(chat_id))

    def script(
        self,
        status: int | None = 500,
        *,
        method: str | None = "sendMessage",
        times: int = 1,
        chat_id: int | str | None = None,
        retry_after: int = 1,
        delay: float = 0.0,
        description: str | None = None,
        echo_page: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests with a fault (see :class:`Fault`)."""
        fault = Fault(method, status, times, chat_id, retry_after, delay, description, echo_page)
        with self._lock:
            self.faults.append(fault)
        return fault

    def messages_to(self, chat_id: int | str) -> list[SentMessage]:
        with self._lock:
            return [m for m in self.sent if str(m.chat_id) == str(chat_id)]

    def calls(self, method: str) -> list[tuple[str, Any, int]]:
        with self._lock:
            return [r for r in self.requests if r[0] == method]

    def press_button(
        self, chat_id: int | str, callback_data: str, *, message_id: int | None = None
    ) -> int:
        """Queue a callback query, as if the user had pressed an inline button. Returns its
        update id. The message is the last one sent to the chat unless ``message_id`` says."""
        with self._lock:
            if message_id is None:
                mine = [m for m in self.sent if str(m.chat_id) == str(chat_id)]
                message_id = mine[-1].message_id if mine else next(self._message_ids)
            message = next((m for m in self.sent if m.message_id == message_id), None)
            update = {
                "update_id": next(self._update_ids),
                "callback_query": {
                    "id": str(next(self._callback_ids)),
                    "from": self._user(chat_id),
                    "chat_instance": f"ci{chat_id}",
                    "data": callback_data,
                    "message": {
                        "message_id": message_id,
                        "date": int(time.time()),
                        "chat": self._chat(chat_id),
                        "text": visible_text(message.text, message.parse_mode) if message else "",
                    },
                },
            }
            self._queue(update)
            return update["update_id"]

    def _queue(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates (or the webhook); the lock is held."""
        self.history[update["update_id"]] = update
        self.updates.append(update)
        self._updates_ready.notify_all()

    def deliver_again(self, update_id: int) -> None:
        """Queue an update already queued once, as Telegram does when the bot did not confirm
        it (a restart before the next getUpdates, a late webhook answer)."""
        with self._lock:
            self.updates.append(self.history[update_id])
            self._updates_ready.notify_all()

    def send_user_message(self, chat_id: int | str, **content: Any) -> int:
        """Queue a message from the user with any content: ``sticker={...}``, ``photo=[...]``,
        ``document={...}``, ``text=...``. Returns its update id."""
        with self._lock:
            update = {
                "update_id": next(self._update_ids),
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat(chat_id),
                    "from": self._user(chat_id),
                    **content,
                },
            }
            self._queue(update)
            return update["update_id"]

    def send_user_text(self, chat_id: int | str, text: str) -> int:
        """Queue a text message from the user (``/start payload`` for instance)."""
        with self._lock:
            update = {
                "update_id": next(self._update_ids),
                "message": {
                    "message_id": next(self._message_ids),
                    "date": int(time.time()),
                    "chat": self._chat(chat_id),
                    "from": self._user(chat_id),
                    "text": text,
                },
            }
            if text.startswith("/"):
                command = text.split()[0]
                update["message"]["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(command)}
                ]
            self._queue(update)
            return update["update_id"]

    # -- server ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The base URL to give python-telegram-bot (``FMS_TELEGRAM_API_URL``)."""
        return f"http://{self.host}:{self.port}/bot"

    def start(self) -> TelegramStandin:
        standin = self

        class Handler(_Handler):
            pass

        Handler.standin = standin
        self._stopping = False
        self._server = _Server((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="telegram-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._updates_ready.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> TelegramStandin:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the API -----------------------------------------------------------------------------

    def _user(self, chat_id: int | str) -> dict[str, Any]:
        return {
            "id": _as_chat_id(chat_id),
            "is_bot": False,
            "first_name": "Test",
            "language_code": "en",
        }

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        cid = _as_chat_id(chat_id)
        kind = "private" if isinstance(cid, int) and cid > 0 else "supergroup"
        chat: dict[str, Any] = {"id": cid if isinstance(cid, int) else -100, "type": kind}
        if kind == "private":
            chat["first_name"] = "Test"
        else:
            chat["title"] = "Test group"
        return chat

    def _take_fault(self, method: str, chat_id: Any) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.method not in (None, method):
                    continue
                if fault.chat_id is not None and str(fault.chat_id) != str(chat_id):
                    continue
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _check_flood(self, chat_id: Any) -> None:
        """Count a message against the limits; refuse it with 429 when they are exceeded."""
        now = time.monotonic()
        with self._lock:
            overall = self._overall
            while overall and overall[0] <= now - 1.0:
                overall.popleft()
            chat = self._per_chat.setdefault(str(chat_id), deque())
            while chat and chat[0] <= now - self.chat_window:
                chat.popleft()
            if self.enforce_limits:
                wait = 0.0
                if len(overall) >= self.overall_per_second:
                    wait = overall[0] + 1.0 - now
                if len(chat) >= self.chat_per_window:
                    wait = max(wait, chat[0] + self.chat_window - now)
                if wait > 0:
                    self.count_429_enforced += 1
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {max(1, math.ceil(wait))}",
                        {"retry_after": max(1, math.ceil(wait))},
                    )
            overall.append(now)
            chat.append(now)

    def _check_chat(self, chat_id: Any) -> None:
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        with self._lock:
            if str(chat_id) in self.unknown_chats:
                raise ApiError(400, "Bad Request: chat not found")
            if str(chat_id) in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _check_text(self, text: Any, parse_mode: Any) -> str:
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if (parse_mode or "").upper() == "HTML":
            check_html(text)
        elif parse_mode and parse_mode not in ("Markdown", "MarkdownV2"):
            raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode}")
        if utf16_len(visible_text(text, parse_mode)) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return text

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup in (None, ""):
            return None
        if isinstance(markup, str):
            try:
                markup = json.loads(markup)
            except ValueError:
                raise ApiError(
                    400, "Bad Request: can't parse reply keyboard markup JSON object"
                ) from None
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if rows is None:
            return markup
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
                if data is None and not button.get("url"):
                    raise ApiError(400, 'Bad Request: can\'t find field "callback_data"')
        return markup

    def _message(self, sent: SentMessage) -> dict[str, Any]:
        result: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chat(sent.chat_id),
            "from": self.bot_user,
        }
        if sent.document:
            result["document"] = {
                "file_id": f"doc{sent.message_id}",
                "file_unique_id": f"u{sent.message_id}",
                "file_name": sent.document[0],
                "file_size": len(sent.document[1]),
            }
            if sent.text:
                result["caption"] = visible_text(sent.text, sent.parse_mode)
        else:
            result["text"] = visible_text(sent.text, sent.parse_mode)
        if sent.reply_markup:
            result["reply_markup"] = sent.reply_markup
        return result

    def call(self, method: str, params: dict[str, Any], files: dict[str, Any]) -> Any:
        """Run one API method; returns its result or raises :class:`ApiError`."""
        chat_id = params.get("chat_id")
        if method == "getMe":
            return self.bot_user
        if method == "setWebhook":
            with self._lock:
                self.webhook = (params["url"], params.get("secret_token"))
                self._updates_ready.notify_all()
            threading.Thread(target=self._post_to_webhook, daemon=True).start()
            return True
        if method == "deleteWebhook":
            with self._lock:
                self.webhook = None
            return True
        if method in ("setMyCommands", "close", "logOut"):
            if method == "setMyCommands":
                commands = params.get("commands")
                with self._lock:
                    self.commands = json.loads(commands) if isinstance(commands, str) else commands
                    self.commands_by_language[params.get("language_code") or ""] = self.commands
            return True
        if method == "getMyCommands":
            return self.commands
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        if method == "getUpdates":
            return self._get_updates(params)
        if method == "answerCallbackQuery":
            with self._lock:
                self.answered_callbacks.append(dict(params))
            return True
        if method == "sendMessage":
            self._check_chat(chat_id)
            text = self._check_text(params.get("text"), params.get("parse_mode"))
            markup = self._check_markup(params.get("reply_markup"))
            self._check_flood(chat_id)
            sent = SentMessage(
                next(self._message_ids),
                _as_chat_id(chat_id),
                text,
                params.get("parse_mode"),
                markup,
            )
            with self._lock:
                self.sent.append(sent)
            return self._message(sent)
        if method == "sendDocument":
            self._check_chat(chat_id)
            document = files.get("document")
            if document is None:
                raise ApiError(400, "Bad Request: there is no document in the request")
            caption = params.get("caption") or ""
            if caption and (params.get("parse_mode") or "").upper() == "HTML":
                check_html(caption)
            markup = self._check_markup(params.get("reply_markup"))
            self._check_flood(chat_id)
            sent = SentMessage(
                next(self._message_ids),
                _as_chat_id(chat_id),
                caption,
                params.get("parse_mode"),
                markup,
                method="sendDocument",
                document=document,
            )
            with self._lock:
                self.sent.append(sent)
            return self._message(sent)
        if method in ("editMessageText", "editMessageReplyMarkup"):
            self._check_chat(chat_id)
            message_id = int(params.get("message_id") or 0)
            with self._lock:
                original = next((m for m in self.sent if m.message_id == message_id), None)
            if original is None or str(original.chat_id) != str(chat_id):
                raise ApiError(400, "Bad Request: message to edit not found")
            text = original.text
            if method == "editMessageText":
                text = self._check_text(params.get("text"), params.get("parse_mode"))
            markup = self._check_markup(params.get("reply_markup"))
            self._check_flood(chat_id)
            edited = SentMessage(
                message_id, original.chat_id, text, params.get("parse_mode"), markup, method=method
            )
            with self._lock:
                self.edits.append(edited)
                original.text, original.reply_markup = text, markup
            return self._message(edited)
        raise ApiError(404, "Not Found: method not found")

    def post_update(self, update: dict[str, Any], secret: str | None) -> int:
        """POST one update to the webhook, as Telegram does; return the HTTP status."""
        url = self.webhook[0] if self.webhook else ""
        request = urllib.request.Request(
            url, data=json.dumps(update).encode(), method="POST",
            headers={"Content-Type": "application/json"}
            | ({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code

    def _post_to_webhook(self) -> None:
        """Deliver queued updates to the webhook while one is set."""
        while True:
            with self._lock:
                while self.webhook and not self.updates and not self._stopping:
                    self._updates_ready.wait(0.5)
                if not self.webhook or self._stopping:
                    return
                update, secret = self.updates.pop(0), self.webhook[1]
            status = self.post_update(update, secret)
            with self._lock:
                self.webhook_answers.append(status)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 10.0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        with self._lock:
            if offset:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
            while not self.updates and not self._stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._updates_ready.wait(min(left, 0.5))
            return list(self.updates[:limit])


def _as_chat_id(value: Any) -> int | str:
    try:
        return int(value)
    except (TypeError, ValueError):
        return str(value)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of concurrent clients must not be refused


class _Handler(BaseHTTPRequestHandler):
    standin: TelegramStandin
    protocol_version = "HTTP/1.1"  # keep-alive, as PTB's httpx client expects

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # the URL holds the token: never log it

    def do_GET(self) -> None:  # noqa: N802
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _echo_page(self, status: int) -> None:
        url = f"http://{self.headers.get('Host', '')}{self.path}"
        data = (
            f"<html><body><h1>{status} Bad Gateway</h1><p>upstream failed for {url}</p>"
            f"<p>requested: {quote(url, safe='')}</p><p>{url.lower()}</p></body></html>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _params(self) -> tuple[dict[str, Any], dict[str, Any]]:
        parts = urlsplit(self.path)
        params: dict[str, Any] = dict(parse_qsl(parts.query))
        files: dict[str, Any] = {}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ctype = self.headers.get("Content-Type", "")
        if not body:
            return params, files
        if ctype.startswith("application/json"):
            params.update(json.loads(body))
        elif ctype.startswith("application/x-www-form-urlencoded"):
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        elif ctype.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                filename = part.get_filename()
                payload = part.get_payload(decode=True) or b""
                if filename is not None:
                    files[name] = (filename, payload)
                else:
                    params[name] = payload.decode("utf-8")
        return params, files

    def _handle(self) -> None:
        standin = self.standin
        path = urlsplit(self.path).path
        m = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
        if not m:
            self._reply(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, method = m.groups()
        try:
            params, files = self._params()
        except (ValueError, UnicodeDecodeError):
            self._reply(400, {"ok": False, "error_code": 400, "description": "Bad Request"})
            return
        chat_id = params.get("chat_id")
        if token != standin.token:
            status = 401
            self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            with standin._lock:
                standin.requests.append((method, chat_id, status))
            return
        fault = standin._take_fault(method, chat_id)
        if fault and fault.delay:
            time.sleep(fault.delay)
        try:
            if fault and fault.status == 0:
                with standin._lock:
                    standin.requests.append((method, chat_id, 0))
                self.close_connection = True
                self.connection.shutdown(2)  # socket.SHUT_RDWR: no answer at all
                return
            if fault and fault.echo_page:
                with standin._lock:
                    standin.requests.append((method, chat_id, fault.status or 502))
                self._echo_page(fault.status or 502)
                return
            if fault and fault.status:
                params_out = {"retry_after": fault.retry_after} if fault.status == 429 else None
                description = fault.description or (
                    f"Too Many Requests: retry after {fault.retry_after}"
                    if fault.status == 429
                    else "Internal Server Error"
                    if fault.status >= 500
                    else "Bad Request"
                )
                raise ApiError(fault.status, description, params_out)
            result = standin.call(method, params, files)
        except ApiError as error:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.status,
                "description": error.description,
            }
            if error.parameters:
                body["parameters"] = error.parameters
            with standin._lock:
                standin.requests.append((method, chat_id, error.status))
                if error.status == 429:
                    standin.count_429 += 1
            self._reply(error.status, body)
            return
        with standin._lock:
            standin.requests.append((method, chat_id, 200))
        self._reply(200, {"ok": True, "result": result})


@pytest.fixture
def telegram_standin(free_port):
    """A running stand-in on 127.0.0.1, stopped after the test."""
    with TelegramStandin(port=free_port) as standin:
        yield standin


@pytest.fixture
def telegram_settings(telegram_standin, monkeypatch):
    """Settings whose Telegram token and API URL point at the running stand-in."""
    from fmstoolkit import config  # here only: the stand-in itself runs without fmstoolkit

    monkeypatch.setenv("FMS_TELEGRAM_TOKEN", telegram_standin.token)
    monkeypatch.setenv("FMS_TELEGRAM_API_URL", telegram_standin.url)
    return config.reload_settings()


def main() -> None:
    """Run the stand-in on its own: ``python tests/telegram_standin.py --port 8081``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args()
    with TelegramStandin(port=args.port, token=args.token) as standin:
        print(f"Bot API stand-in on {standin.url}  (Ctrl-C to stop)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
